//! Sign-out and the sessions list.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{assert_error, session_id, spawn_app};

#[tokio::test]
async fn logout_ends_that_session_and_its_access_token_at_once() {
    let app = spawn_app().await;
    let (email, first) = app.new_account().await;
    let other = app.sign_in(&email).await;

    let response = app
        .send_with_token(
            Method::POST,
            "/v1/auth/logout",
            &first.access,
            Some(&json!({"refreshToken": first.refresh})),
        )
        .await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get_with_token("/v1/users/me", &first.access).await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    assert_error(
        app.refresh(&first.refresh).await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    assert_eq!(
        app.get_with_token("/v1/users/me", &other.access)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn logout_needs_a_well_formed_token_of_a_session_of_the_caller() {
    let app = spawn_app().await;
    let (_, mine) = app.new_account().await;
    let (_, theirs) = app.new_account().await;
    let body = json!({"refreshToken": theirs.refresh});

    assert_error(
        app.post_json("/v1/auth/logout", &body).await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    assert_error(
        app.send_with_token(Method::POST, "/v1/auth/logout", &mine.access, Some(&body))
            .await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    let malformed = assert_error(
        app.send_with_token(
            Method::POST,
            "/v1/auth/logout",
            &mine.access,
            Some(&json!({"refreshToken": "nope"})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "ValidationError",
    )
    .await;
    assert_eq!(malformed["field"], "refreshToken");
    assert_eq!(app.refresh(&theirs.refresh).await.status(), StatusCode::OK);
    assert_eq!(app.refresh(&mine.refresh).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn logout_all_refuses_every_access_token_of_the_account_at_once() {
    let app = spawn_app().await;
    let (email, first) = app.new_account().await;
    let second = app.sign_in(&email).await;
    let (_, stranger) = app.new_account().await;

    let response = app
        .send_with_token(Method::POST, "/v1/auth/logout-all", &second.access, None)
        .await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    for tokens in [&first, &second] {
        assert_error(
            app.get_with_token("/v1/users/me", &tokens.access).await,
            StatusCode::UNAUTHORIZED,
            "AuthenticationError",
        )
        .await;
        assert_error(
            app.refresh(&tokens.refresh).await,
            StatusCode::UNAUTHORIZED,
            "AuthenticationError",
        )
        .await;
    }
    assert_eq!(
        app.get_with_token("/v1/users/me", &stranger.access)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_sessions_list_shows_the_callers_live_sessions_and_which_is_current() {
    let app = spawn_app().await;
    let (email, first) = app.new_account().await;
    let second = app.sign_in(&email).await;
    app.new_account().await;

    let response = app
        .get_with_token("/v1/users/me/sessions", &second.access)
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], session_id(&second.refresh).to_string());
    assert_eq!(items[0]["current"], true);
    assert_eq!(items[1]["id"], session_id(&first.refresh).to_string());
    assert_eq!(items[1]["current"], false);
    for item in items {
        assert_eq!(item["ip"], "127.0.0.1");
        for field in ["createdAt", "lastUsedAt", "expiresAt"] {
            assert!(
                item[field].as_str().is_some_and(|t| t.ends_with('Z')),
                "{item}"
            );
        }
    }
}

#[tokio::test]
async fn ending_a_session_from_the_list_refuses_its_tokens_and_only_its_owner_may() {
    let app = spawn_app().await;
    let (email, first) = app.new_account().await;
    let second = app.sign_in(&email).await;
    let (_, stranger) = app.new_account().await;
    let path = format!("/v1/users/me/sessions/{}", session_id(&first.refresh));

    assert_error(
        app.send_with_token(Method::DELETE, &path, &stranger.access, None)
            .await,
        StatusCode::NOT_FOUND,
        "NotFoundError",
    )
    .await;
    let response = app
        .send_with_token(Method::DELETE, &path, &second.access, None)
        .await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get_with_token("/v1/users/me", &first.access).await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    assert_error(
        app.send_with_token(Method::DELETE, &path, &second.access, None)
            .await,
        StatusCode::NOT_FOUND,
        "NotFoundError",
    )
    .await;
    let bad_id = assert_error(
        app.send_with_token(
            Method::DELETE,
            "/v1/users/me/sessions/123",
            &second.access,
            None,
        )
        .await,
        StatusCode::BAD_REQUEST,
        "ValidationError",
    )
    .await;
    assert_eq!(bad_id["field"], "id");
}
