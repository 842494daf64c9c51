use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{PASSWORD, assert_error, spawn_app, unique_email};

#[tokio::test]
async fn register_then_login_in_any_case_then_read_me() {
    let app = spawn_app().await;
    let email = unique_email();
    assert_eq!(app.register(&email).await.status(), StatusCode::CREATED);

    let response = app.login(&email.to_uppercase(), PASSWORD).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["tokenType"], "Bearer");
    assert_eq!(body["expiresIn"], 900);
    assert_eq!(body["user"]["email"], email);
    let token = body["accessToken"].as_str().expect("token");
    let me: Value = app
        .get_with_token("/v1/users/me", token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["user"], body["user"]);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    let email = unique_email();
    assert_eq!(app.register(&email).await.status(), StatusCode::CREATED);

    let wrong_password = app.login(&email, "not the password").await;
    let unknown_email = app.login(&unique_email(), PASSWORD).await;

    for response in [&wrong_password, &unknown_email] {
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer realm=\"doorman\""
        );
    }
    let mut wrong_password = assert_error(
        wrong_password,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    let mut unknown_email = assert_error(
        unknown_email,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    wrong_password["requestId"].take();
    unknown_email["requestId"].take();
    assert_eq!(wrong_password, unknown_email);
}

#[tokio::test]
async fn a_disabled_account_is_refused_only_once_the_password_is_right() {
    let app = spawn_app().await;
    let email = unique_email();
    let registered: Value = app.register(&email).await.json().await.expect("json");
    let id = registered["user"]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");
    app.alter_account("UPDATE users SET status = 'disabled' WHERE id = $1", id)
        .await;

    assert_error(
        app.login(&email, "not the password").await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    assert_error(
        app.login(&email, PASSWORD).await,
        StatusCode::FORBIDDEN,
        "ForbiddenError",
    )
    .await;
}

#[tokio::test]
async fn sign_in_accepts_any_password_length_the_hasher_takes() {
    let app = spawn_app().await;

    // Shorter than the rule for new passwords: a wrong password, not a 400.
    assert_error(
        app.login(&unique_email(), "short").await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    let error = assert_error(
        app.login(&unique_email(), "").await,
        StatusCode::BAD_REQUEST,
        "ValidationError",
    )
    .await;
    assert_eq!(error["field"], "password");
}
