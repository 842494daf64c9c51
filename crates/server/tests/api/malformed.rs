//! Hostile and broken requests: each gets its 4xx in the contract's shape.

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;

use crate::helpers::{assert_error, spawn_app};
use crate::log_audit;

const REGISTER: &str = "/v1/auth/register";

#[tokio::test]
async fn malformed_json_unknown_fields_and_wrong_types_are_validation_errors() {
    let app = spawn_app().await;
    // The password of the raw bodies below, which no helper sees.
    log_audit::remember("correct horse battery");
    let cases = [
        (r#"{"email": "#, None),
        (
            r#"{"email":"a@example.com","password":"correct horse battery","displayName":"A"} x"#,
            None,
        ),
        ("[]", None),
        ("null", None),
        ("", None),
        (
            r#"{"email":"a@example.com","password":"correct horse battery","displayName":"A","role":"admin"}"#,
            Some("role"),
        ),
        (
            r#"{"email":5,"password":"correct horse battery","displayName":"A"}"#,
            Some("email"),
        ),
        (
            r#"{"password":"correct horse battery","displayName":"A"}"#,
            Some("email"),
        ),
    ];
    for (body, field) in cases {
        let response = app
            .client
            .post(app.url(REGISTER))
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .expect("sent");
        let error = assert_error(response, StatusCode::BAD_REQUEST, "ValidationError").await;
        assert_eq!(error["field"].as_str(), field, "{body}");
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_is_an_unsupported_media_type() {
    let app = spawn_app().await;
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/json; charset=latin1"),
    ] {
        let mut request = app.client.post(app.url(REGISTER)).body("{}");
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        let response = request.send().await.expect("sent");
        assert_error(
            response,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaTypeError",
        )
        .await;
    }
}

#[tokio::test]
async fn a_body_over_64_kib_is_refused_whether_its_length_is_declared_or_not() {
    let app = spawn_app().await;
    let oversized = format!(r#"{{"email": "{}"}}"#, "a".repeat(64 * 1024));

    let declared = app
        .client
        .post(app.url(REGISTER))
        .header(CONTENT_TYPE, "application/json")
        .body(oversized.clone())
        .send()
        .await
        .expect("sent");
    let chunks = futures_stream(oversized);
    let streamed = app
        .client
        .post(app.url(REGISTER))
        .header(CONTENT_TYPE, "application/json")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .expect("sent");

    for response in [declared, streamed] {
        assert_error(
            response,
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLargeError",
        )
        .await;
    }
}

/// The body in 8 KiB chunks, sent without a `Content-Length`.
fn futures_stream(
    body: String,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = body
        .into_bytes()
        .chunks(8 * 1024)
        .map(|chunk| Ok(chunk.to_vec()))
        .collect();
    futures_util::stream::iter(chunks)
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_are_404_and_405() {
    let app = spawn_app().await;

    let unknown = app
        .client
        .get(app.url("/v1/nothing-here"))
        .send()
        .await
        .expect("sent");
    assert_error(unknown, StatusCode::NOT_FOUND, "NotFoundError").await;
    let wrong_method = app
        .client
        .get(app.url(REGISTER))
        .send()
        .await
        .expect("sent");
    assert_eq!(wrong_method.headers()["allow"], "POST");
    assert_error(
        wrong_method,
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowedError",
    )
    .await;
}

#[tokio::test]
async fn every_route_names_the_methods_it_supports() {
    let app = spawn_app().await;
    let id = "01a21cce-d796-7617-bbe9-eebc5418d1b8";
    let cases = [
        (reqwest::Method::GET, "/v1/auth/refresh".to_owned(), "POST"),
        (reqwest::Method::GET, "/v1/auth/logout".to_owned(), "POST"),
        (
            reqwest::Method::DELETE,
            "/v1/auth/logout-all".to_owned(),
            "POST",
        ),
        (
            reqwest::Method::PUT,
            "/v1/users/me".to_owned(),
            "GET, PATCH",
        ),
        (
            reqwest::Method::GET,
            "/v1/users/me/password".to_owned(),
            "POST",
        ),
        (
            reqwest::Method::POST,
            "/v1/users/me/sessions".to_owned(),
            "GET",
        ),
        (
            reqwest::Method::GET,
            format!("/v1/users/me/sessions/{id}"),
            "DELETE",
        ),
        (
            reqwest::Method::GET,
            format!("/v1/users/{id}/unlock"),
            "POST",
        ),
        (
            reqwest::Method::POST,
            "/.well-known/jwks.json".to_owned(),
            "GET",
        ),
    ];
    for (method, path, allow) in cases {
        let response = app
            .client
            .request(method, app.url(&path))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.headers()["allow"], allow, "{path}");
        assert_error(
            response,
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowedError",
        )
        .await;
    }
}
