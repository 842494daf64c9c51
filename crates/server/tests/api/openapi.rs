//! `GET /openapi.json` and `GET /docs`.

use std::collections::BTreeSet;

use reqwest::header::{ALLOW, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use reqwest::{Response, StatusCode, Url};
use serde_json::Value;

use crate::helpers::spawn_app;

/// Every route that the service registers, as (method, path).
const ROUTES: &[(&str, &str)] = &[
    ("POST", "/v1/auth/register"),
    ("POST", "/v1/auth/login"),
    ("POST", "/v1/auth/refresh"),
    ("POST", "/v1/auth/logout"),
    ("POST", "/v1/auth/logout-all"),
    ("GET", "/v1/users/me"),
    ("PATCH", "/v1/users/me"),
    ("POST", "/v1/users/me/password"),
    ("GET", "/v1/users/me/sessions"),
    ("DELETE", "/v1/users/me/sessions/{id}"),
    ("GET", "/v1/users"),
    ("GET", "/v1/users/{id}"),
    ("PATCH", "/v1/users/{id}"),
    ("DELETE", "/v1/users/{id}"),
    ("POST", "/v1/users/{id}/unlock"),
    ("GET", "/v1/audit-events"),
    ("GET", "/.well-known/jwks.json"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/redoc.standalone.js"),
];

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn content_type(response: &Response) -> &str {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_lists_every_route_with_its_methods() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("sent");

    assert_eq!(response.status(), StatusCode::OK);
    assert!(content_type(&response).starts_with("application/json"));
    let document: Value = response.json().await.expect("JSON");
    let version = document["openapi"].as_str().expect("openapi");
    assert!(version.starts_with("3.1."), "{version}");
    assert_eq!(document["info"]["title"], "Doorman");
    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|&&method| item.get(method).is_some())
                .map(|method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let registered: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|&(method, path)| (method.to_owned(), path.to_owned()))
        .collect();
    assert_eq!(documented, registered);
    let bearer = &document["components"]["securitySchemes"]["bearer"];
    assert_eq!(bearer["type"], "http");
    assert_eq!(bearer["scheme"], "bearer");
    assert_eq!(bearer["bearerFormat"], "JWT");
}

/// The values of the attributes of `page` that make a browser fetch
/// something.
fn fetched_references(page: &str) -> Vec<&str> {
    ["src", "href", "spec-url", "action", "srcset"]
        .iter()
        .flat_map(|attribute| {
            let opening = format!("{attribute}=\"");
            page.match_indices(&opening)
                .map(|(at, _)| {
                    let value = &page[at + opening.len()..];
                    &value[..value.find('"').expect("a closed attribute")]
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn the_docs_page_loads_only_what_the_service_itself_serves() {
    let app = spawn_app().await;
    let page_url = Url::parse(&app.url("/docs")).expect("a URL");

    let response = app.client.get(page_url.clone()).send().await.expect("sent");

    assert_eq!(response.status(), StatusCode::OK);
    assert!(content_type(&response).starts_with("text/html"));
    let policy = response.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ASCII")
        .to_owned();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(policy.contains("connect-src 'self';"), "{policy}");
    let page = response.text().await.expect("text");
    let references = fetched_references(&page);
    assert_eq!(references.len(), 2, "{references:?}");
    for reference in references {
        let url = page_url.join(reference).expect("a relative reference");
        assert_eq!(url.origin(), page_url.origin(), "{reference}");
        let response = app.client.get(url.clone()).send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let expected = if page.contains(&format!("<script src=\"{reference}\"")) {
            "text/javascript"
        } else {
            "application/json"
        };
        assert!(content_type(&response).starts_with(expected), "{url}");
        assert!(!response.bytes().await.expect("body").is_empty(), "{url}");
    }
}

#[tokio::test]
async fn the_documentation_answers_other_methods_with_a_405() {
    let app = spawn_app().await;

    for path in ["/openapi.json", "/docs", "/docs/redoc.standalone.js"] {
        let response = app.client.post(app.url(path)).send().await.expect("sent");

        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert_eq!(response.headers()[ALLOW], "GET", "{path}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["error"]["type"], "MethodNotAllowedError", "{path}");
    }
}
