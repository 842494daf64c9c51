//! Refresh-token rotation and reuse detection.

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    Tokens, assert_error, session_id, spawn_app, spawn_app_with_flags, spawn_racing_app,
};

#[tokio::test]
async fn a_refresh_rotates_the_token_within_the_same_session() {
    let app = spawn_app().await;
    let (_, first) = app.new_account().await;

    let response = app.refresh(&first.refresh).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.expect("json");
    let second = Tokens::of(&body);
    assert_ne!(second.refresh, first.refresh);
    assert_eq!(session_id(&second.refresh), session_id(&first.refresh));
    assert_eq!(body["tokenType"], "Bearer");
    assert!(body["user"]["id"].is_string());
    let me = app.get_with_token("/v1/users/me", &second.access).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(
        app.refresh(&second.refresh).await.status(),
        StatusCode::OK,
        "the new token rotates in turn"
    );
}

#[tokio::test]
async fn the_replaced_token_within_the_grace_window_yields_a_pair_of_the_same_session() {
    let app = spawn_app().await;
    let (_, first) = app.new_account().await;
    assert_eq!(app.refresh(&first.refresh).await.status(), StatusCode::OK);

    let again = app.refresh(&first.refresh).await;

    assert_eq!(again.status(), StatusCode::OK);
    let again = Tokens::of(&again.json().await.expect("json"));
    assert_eq!(session_id(&again.refresh), session_id(&first.refresh));
    assert_eq!(app.refresh(&again.refresh).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn reuse_outside_the_grace_window_ends_the_whole_session() {
    let app = spawn_app_with_flags(&["--refresh-grace-secs=0"]).await;
    let (_, first) = app.new_account().await;
    let second = Tokens::of(
        &app.refresh(&first.refresh)
            .await
            .json()
            .await
            .expect("json"),
    );

    let reuse = app.refresh(&first.refresh).await;

    let error = assert_error(reuse, StatusCode::UNAUTHORIZED, "AuthenticationError").await;
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("already used"),
        "{error}"
    );
    // The thief's copy and the owner's current token are both dead now.
    assert_error(
        app.refresh(&second.refresh).await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    assert_error(
        app.get_with_token("/v1/users/me", &second.access).await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    let reuses = app
        .count(
            "SELECT count(*) FROM audit_events WHERE session_id = $1 AND action = 'auth.refresh_reuse'",
            session_id(&first.refresh),
        )
        .await;
    assert_eq!(reuses, 1);
}

#[tokio::test]
async fn twenty_concurrent_refreshes_with_one_token_leave_one_live_session() {
    let app = spawn_racing_app(&[]).await;
    let (_, first) = app.new_account().await;

    let responses = join_all((0..20).map(|_| app.refresh(&first.refresh))).await;

    let mut pairs = Vec::new();
    for response in responses {
        assert_eq!(response.status(), StatusCode::OK);
        pairs.push(Tokens::of(&response.json().await.expect("json")));
    }
    assert!(
        pairs
            .iter()
            .all(|pair| session_id(&pair.refresh) == session_id(&first.refresh))
    );
    let sessions: Value = app
        .get_with_token("/v1/users/me/sessions", &pairs[0].access)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(sessions["items"].as_array().expect("items").len(), 1);
    // Whichever pair a client kept, it goes on working.
    for pair in [&pairs[0], &pairs[19]] {
        assert_eq!(app.refresh(&pair.refresh).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn malformed_and_unknown_refresh_tokens_are_refused() {
    let app = spawn_app().await;
    let (_, tokens) = app.new_account().await;
    let forged = format!("{}.{}", session_id(&tokens.refresh), "A".repeat(43));

    let malformed = assert_error(
        app.refresh("not-a-token").await,
        StatusCode::BAD_REQUEST,
        "ValidationError",
    )
    .await;
    assert_eq!(malformed["field"], "refreshToken");
    assert_error(
        app.refresh(&format!("{}.{}", Uuid::now_v7(), "A".repeat(43)))
            .await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    // A guess at the secret of a real session ends nothing.
    assert_error(
        app.refresh(&forged).await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    assert_eq!(app.refresh(&tokens.refresh).await.status(), StatusCode::OK);
    let extra = app
        .post_json(
            "/v1/auth/refresh",
            &json!({"refreshToken": tokens.refresh, "extra": 1}),
        )
        .await;
    assert_error(extra, StatusCode::BAD_REQUEST, "ValidationError").await;
}

#[tokio::test]
async fn a_disabled_account_gets_no_new_pair() {
    let app = spawn_app().await;
    let (email, tokens) = app.new_account().await;
    let id = app.user_id(&email).await;
    app.alter_account("UPDATE users SET status = 'disabled' WHERE id = $1", id)
        .await;

    assert_error(
        app.refresh(&tokens.refresh).await,
        StatusCode::FORBIDDEN,
        "ForbiddenError",
    )
    .await;
}
