use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, assert_error, spawn_app, unique_email};

#[tokio::test]
async fn registering_returns_the_new_account_where_it_lives() {
    let app = spawn_app().await;
    let email = unique_email().replace("user", "New.User");

    let response = app.register(&email).await;

    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let body: Value = response.json().await.expect("json");
    let user = &body["user"];
    assert_eq!(
        location,
        format!("/v1/users/{}", user["id"].as_str().expect("id"))
    );
    assert_eq!(user["email"], email, "kept as typed");
    assert_eq!(user["displayName"], "Ada Lovelace");
    assert_eq!(user["role"], "user");
    assert_eq!(user["status"], "active");
    assert_eq!(user["emailVerified"], false);
    assert_eq!(user["version"], 1);
    assert!(user["createdAt"].as_str().expect("time").ends_with('Z'));
    assert!(user.get("password").is_none() && user.get("passwordHash").is_none());
    assert!(!body.to_string().contains("argon2"));
}

#[tokio::test]
async fn the_same_email_in_another_case_is_a_conflict_on_the_email_field() {
    let app = spawn_app().await;
    let email = unique_email();
    assert_eq!(app.register(&email).await.status(), StatusCode::CREATED);

    let error = assert_error(
        app.register(&email.to_uppercase()).await,
        StatusCode::CONFLICT,
        "ConflictError",
    )
    .await;

    assert_eq!(error["field"], "email");
    assert_eq!(error["details"][0]["field"], "email");
}

#[tokio::test]
async fn every_field_that_breaks_a_rule_is_named() {
    let app = spawn_app().await;

    let error = assert_error(
        app.post_json(
            "/v1/auth/register",
            &json!({"email": "not an address", "password": "short", "displayName": " \u{202E} "}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "ValidationError",
    )
    .await;

    let fields: Vec<&str> = error["details"]
        .as_array()
        .expect("details")
        .iter()
        .map(|detail| detail["field"].as_str().expect("field"))
        .collect();
    assert_eq!(fields, ["displayName", "email", "password"]);
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("email: must be a valid email address")
    );
}

#[tokio::test]
async fn limits_are_counted_in_characters_and_passwords_are_never_truncated() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"email": unique_email(), "password": "x".repeat(257), "displayName": "Ada"}),
            "password",
        ),
        (
            json!({"email": unique_email(), "password": PASSWORD, "displayName": "é".repeat(101)}),
            "displayName",
        ),
        (
            json!({"email": format!("{}@example.com", "a".repeat(250)), "password": PASSWORD, "displayName": "Ada"}),
            "email",
        ),
    ];
    for (body, field) in cases {
        let error = assert_error(
            app.post_json("/v1/auth/register", &body).await,
            StatusCode::BAD_REQUEST,
            "ValidationError",
        )
        .await;
        assert_eq!(error["field"], field);
    }
    // 256 characters of 512 bytes, guessable by no dictionary.
    let password: String = "Zürich-Ölmühle 7 ßtraße quäkt Ærø ∑ "
        .chars()
        .cycle()
        .take(256)
        .collect();
    let longest =
        json!({"email": unique_email(), "password": password, "displayName": "é".repeat(100)});
    assert_eq!(
        app.post_json("/v1/auth/register", &longest).await.status(),
        StatusCode::CREATED
    );
}
