//! `POST /v1/users/me/password`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, assert_error, spawn_app};

const NEW_PASSWORD: &str = "quartz lantern drifts over seven rivers";

#[tokio::test]
async fn a_password_change_ends_every_other_session_at_once() {
    let app = spawn_app().await;
    let (email, other) = app.new_account().await;
    let current = app.sign_in(&email).await;

    let response = app
        .send_with_token(
            Method::POST,
            "/v1/users/me/password",
            &current.access,
            Some(&json!({"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD})),
        )
        .await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get_with_token("/v1/users/me", &other.access).await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    assert_error(
        app.refresh(&other.refresh).await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    assert_eq!(
        app.get_with_token("/v1/users/me", &current.access)
            .await
            .status(),
        StatusCode::OK
    );
    assert_error(
        app.login(&email, PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    assert_eq!(
        app.login(&email, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_wrong_current_password_or_a_weak_new_one_is_refused_on_its_field() {
    let app = spawn_app().await;
    let (email, tokens) = app.new_account().await;
    let change = async |current: &str, new: &str| {
        app.send_with_token(
            Method::POST,
            "/v1/users/me/password",
            &tokens.access,
            Some(&json!({"currentPassword": current, "newPassword": new})),
        )
        .await
    };

    let wrong = assert_error(
        change("not my password", NEW_PASSWORD).await,
        StatusCode::BAD_REQUEST,
        "ValidationError",
    )
    .await;
    let weak = assert_error(
        change(PASSWORD, "password1234").await,
        StatusCode::BAD_REQUEST,
        "ValidationError",
    )
    .await;
    let like_email = assert_error(
        change(PASSWORD, &format!("{email}!!")).await,
        StatusCode::BAD_REQUEST,
        "ValidationError",
    )
    .await;
    let short = assert_error(
        change(PASSWORD, "short").await,
        StatusCode::BAD_REQUEST,
        "ValidationError",
    )
    .await;

    assert_eq!(wrong["field"], "currentPassword");
    for error in [&weak, &like_email, &short] {
        assert_eq!(error["field"], "newPassword", "{error}");
    }
    assert!(
        weak["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("newPassword: ")),
        "{weak}"
    );
    assert_eq!(app.login(&email, PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn guessing_the_current_password_locks_the_checks_of_the_account_not_its_sign_ins() {
    let app = spawn_app().await;
    let (email, tokens) = app.new_account().await;
    for _ in 0..5 {
        let response = app
            .send_with_token(
                Method::POST,
                "/v1/users/me/password",
                &tokens.access,
                Some(&json!({"currentPassword": "a wrong guess", "newPassword": NEW_PASSWORD})),
            )
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }

    let locked = app
        .send_with_token(
            Method::POST,
            "/v1/users/me/password",
            &tokens.access,
            Some(&json!({"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD})),
        )
        .await;

    assert!(locked.headers().contains_key("retry-after"));
    assert_error(locked, StatusCode::TOO_MANY_REQUESTS, "RateLimitError").await;
    assert_eq!(app.login(&email, PASSWORD).await.status(), StatusCode::OK);
}
