use std::collections::{BTreeMap, BTreeSet};

use actix_web::App;
use actix_web::http::header::ALLOW;
use actix_web::http::{Method, StatusCode};
use actix_web::test::{TestRequest, call_service, init_service};
use serde_json::Value;

use app::pagination::MAX_PAGE_SIZE;
use domain::password::{NewPassword, Password};
use domain::user::{DisplayName, Email};

use super::ApiDoc;
use crate::routes;
use crate::routes::DEFAULT_PAGE_SIZE;
use utoipa::OpenApi as _;

/// The methods probed on every documented path.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

fn document() -> Value {
    serde_json::to_value(ApiDoc::openapi()).expect("serialises")
}

/// Each documented path with its methods, upper-case.
fn documented(document: &Value) -> BTreeMap<String, BTreeSet<String>> {
    document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .map(|(path, item)| {
            let methods = METHODS
                .iter()
                .filter(|method| item.get(method.to_lowercase()).is_some())
                .map(|&method| method.to_owned())
                .collect();
            (path.clone(), methods)
        })
        .collect()
}

/// Every operation, as (method, path, operation).
fn operations(document: &Value) -> Vec<(String, String, &Value)> {
    documented(document)
        .into_iter()
        .flat_map(|(path, methods)| {
            methods.into_iter().map(move |method| {
                let operation = &document["paths"][&path][method.to_lowercase()];
                (method, path.clone(), operation)
            })
        })
        .collect()
}

#[actix_web::test]
async fn every_documented_operation_is_routed_and_the_other_methods_are_405() {
    // Without the service state, a routed request fails inside its handler
    // (500) or succeeds; only a missing route answers 404 or 405.
    let app = init_service(App::new().configure(routes::configure)).await;
    for (path, methods) in documented(&document()) {
        let uri = path.replace("{id}", "0193a5c2-4f6e-7d3a-b1c8-5e2f9a0d7c41");
        assert!(!uri.contains('{'), "a path parameter to fill in: {path}");
        for method in METHODS {
            let request = TestRequest::default()
                .method(Method::from_bytes(method.as_bytes()).expect("a method"))
                .uri(&uri)
                .to_request();
            let response = call_service(&app, request).await;
            let status = response.status();
            if methods.contains(method) {
                assert!(
                    status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is documented but answers {status}"
                );
            } else {
                assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                let allow: BTreeSet<String> = response
                    .headers()
                    .get(ALLOW)
                    .expect("an Allow header")
                    .to_str()
                    .expect("ASCII")
                    .split(", ")
                    .map(str::to_owned)
                    .collect();
                assert_eq!(allow, methods, "Allow of {path}");
            }
        }
    }
}

/// The `resource("<path>", "<allowed methods>")` calls of `routes::configure`.
fn registered_resources() -> BTreeMap<String, BTreeSet<String>> {
    let source = include_str!("../routes/mod.rs");
    let string_literal = |text: &str| -> (String, usize) {
        let start = text.len() - text.trim_start().len();
        let rest = text[start..].strip_prefix('"').expect("a string literal");
        let end = rest.find('"').expect("a closed string literal");
        (rest[..end].to_owned(), start + end + 2)
    };
    source
        .match_indices("resource(")
        .filter(|&(at, _)| !source[..at].ends_with("web::") && !source[..at].ends_with("fn "))
        .map(|(at, call)| {
            let arguments = &source[at + call.len()..];
            let (path, used) = string_literal(arguments);
            let rest = arguments[used..]
                .trim_start()
                .strip_prefix(',')
                .expect("a comma");
            let (allow, _) = string_literal(rest);
            (path, allow.split(", ").map(str::to_owned).collect())
        })
        .collect()
}

#[test]
fn every_registered_resource_is_documented_with_its_methods() {
    let registered = registered_resources();
    assert!(registered.len() > 10, "{registered:?}");
    assert_eq!(registered, documented(&document()));
}

#[test]
fn the_document_is_openapi_3_1_and_every_reference_resolves() {
    let document = document();
    assert!(
        document["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1."))
    );
    let mut references = Vec::new();
    collect_references(&document, &mut references);
    assert!(!references.is_empty());
    for reference in references {
        let pointer = reference.strip_prefix('#').expect("a local reference");
        assert!(document.pointer(pointer).is_some(), "{reference} resolves");
    }
}

fn collect_references<'a>(value: &'a Value, into: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                into.push(reference);
            }
            map.values()
                .for_each(|value| collect_references(value, into));
        }
        Value::Array(items) => items
            .iter()
            .for_each(|value| collect_references(value, into)),
        _ => {}
    }
}

#[test]
fn every_operation_documents_what_its_extractors_can_answer() {
    let document = document();
    for (method, path, operation) in operations(&document) {
        let statuses: BTreeSet<&str> = operation["responses"]
            .as_object()
            .expect("responses")
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = Vec::new();
        if let Some(body) = operation.get("requestBody") {
            let schema = &body["content"]["application/json"]["schema"]["$ref"];
            let pointer = schema.as_str().and_then(|r| r.strip_prefix('#'));
            let schema = pointer.and_then(|p| document.pointer(p)).expect("a schema");
            assert_eq!(schema["additionalProperties"], false, "{method} {path}");
            expected.extend(["400", "413", "415"]);
        }
        if operation.get("security").is_some() {
            assert_eq!(operation["security"], serde_json::json!([{"bearer": []}]));
            expected.extend(["401", "500", "503"]);
        }
        if path.contains("{id}") {
            expected.push("400");
        }
        for status in expected {
            assert!(statuses.contains(status), "{method} {path} lacks {status}");
        }
    }
}

#[test]
fn the_error_responses_carry_their_headers() {
    let document = document();
    let responses = &document["components"]["responses"];
    for (name, header) in [
        ("Unauthorized", "WWW-Authenticate"),
        ("MethodNotAllowed", "Allow"),
        ("TooManyRequests", "Retry-After"),
        ("ServiceUnavailable", "Retry-After"),
    ] {
        assert!(responses[name]["headers"][header].is_object(), "{name}");
    }
    for (name, response) in responses.as_object().expect("responses") {
        assert!(response["headers"]["x-request-id"].is_object(), "{name}");
        let example = &response["content"]["application/json"]["example"]["error"];
        assert!(example["requestId"].is_string(), "{name}");
    }
}

/// The length each documented field may have, by its name, as the domain
/// states it: the document repeats the limits as literals (utoipa takes no
/// constants), so they are checked here.
fn domain_lengths(field: &str) -> Option<(Option<usize>, usize)> {
    match field {
        "email" => Some((None, Email::MAX_CHARS)),
        "displayName" => Some((Some(1), DisplayName::MAX_CHARS)),
        "password" | "currentPassword" | "newPassword" => Some((None, Password::MAX_CHARS)),
        _ => None,
    }
}

#[test]
fn the_documented_limits_are_the_domains() {
    let document = document();
    let schemas = document["components"]["schemas"]
        .as_object()
        .expect("schemas");
    let mut checked = 0;
    for (name, schema) in schemas {
        let Some(properties) = schema["properties"].as_object() else {
            continue;
        };
        for (field, property) in properties {
            let Some((min, max)) = domain_lengths(field) else {
                continue;
            };
            let length = |key: &str| property[key].as_u64().and_then(|n| usize::try_from(n).ok());
            assert_eq!(length("maxLength"), Some(max), "{name}.{field}");
            if let Some(min) = min {
                assert_eq!(length("minLength"), Some(min), "{name}.{field}");
            }
            checked += 1;
        }
    }
    for new in ["password", "newPassword"] {
        let request = if new == "password" {
            "RegisterUserRequest"
        } else {
            "ChangePasswordRequest"
        };
        assert_eq!(
            schemas[request]["properties"][new]["minLength"].as_u64(),
            u64::try_from(NewPassword::MIN_CHARS).ok(),
            "{request}.{new}"
        );
    }
    assert!(checked >= 10, "only {checked} fields checked");

    for path in ["/v1/users", "/v1/audit-events"] {
        let parameters = document["paths"][path]["get"]["parameters"]
            .as_array()
            .expect("parameters");
        let limit = parameters
            .iter()
            .find(|parameter| parameter["name"] == "limit")
            .expect("a limit");
        assert_eq!(
            limit["schema"]["maximum"].as_u64(),
            Some(u64::from(MAX_PAGE_SIZE)),
            "{path}"
        );
        assert_eq!(
            limit["schema"]["default"].as_u64(),
            Some(u64::from(DEFAULT_PAGE_SIZE)),
            "{path}"
        );
    }
    let prefix = &document["paths"]["/v1/users"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|parameter| parameter["name"] == "email")
        .expect("an email prefix")["schema"];
    assert_eq!(
        prefix["maxLength"].as_u64(),
        u64::try_from(Email::MAX_CHARS).ok()
    );
}
