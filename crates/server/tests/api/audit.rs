//! The audit trail, as the database keeps it.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, spawn_app_with_flags, unique_email};

#[tokio::test]
async fn every_security_event_of_an_account_is_on_its_trail_without_secrets() {
    let app = spawn_app_with_flags(&["--refresh-grace-secs=0"]).await;
    let email = unique_email();
    assert_eq!(app.register(&email).await.status(), StatusCode::CREATED);
    let id = app.user_id(&email).await;
    assert_eq!(
        app.login(&email, "not the password").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let first = app.sign_in(&email).await;
    let second = app.sign_in(&email).await;
    app.refresh(&first.refresh).await;
    assert_eq!(
        app.refresh(&first.refresh).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let third = app.sign_in(&email).await;
    let sessions_path = format!(
        "/v1/users/me/sessions/{}",
        second.refresh.split_once('.').expect("token").0
    );
    app.send_with_token(Method::DELETE, &sessions_path, &third.access, None)
        .await;
    app.send_with_token(
        Method::POST,
        "/v1/users/me/password",
        &third.access,
        Some(&json!({"currentPassword": PASSWORD, "newPassword": "quartz lantern drifts over seven rivers"})),
    )
    .await;
    app.send_with_token(
        Method::POST,
        "/v1/auth/logout",
        &third.access,
        Some(&json!({"refreshToken": third.refresh})),
    )
    .await;

    let trail: Vec<(String, Option<String>, bool, bool)> = sqlx::query_as(
        "SELECT action, detail, request_id IS NOT NULL, host(ip) = '127.0.0.1'
           FROM audit_events WHERE subject_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.pool())
    .await
    .expect("the trail");

    let actions: Vec<(&str, Option<&str>)> = trail
        .iter()
        .map(|(action, detail, _, _)| (action.as_str(), detail.as_deref()))
        .collect();
    assert_eq!(
        actions,
        [
            ("user.register", None),
            ("auth.login_failed", Some("wrong_password")),
            ("auth.login", None),
            ("auth.login", None),
            ("auth.refresh_reuse", None),
            ("auth.login", None),
            ("session.ended", None),
            ("user.password_changed", None),
            ("auth.logout", None),
        ]
    );
    assert!(
        trail
            .iter()
            .all(|(_, _, request_id, local)| *request_id && *local),
        "{trail:?}"
    );
    let leaked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events
          WHERE concat_ws(' ', action, detail, user_agent, request_id) ~ $1",
    )
    .bind(format!(
        "{}|{}|{}",
        PASSWORD,
        first.refresh.split_once('.').expect("token").1,
        "quartz"
    ))
    .fetch_one(&app.pool())
    .await
    .expect("count");
    assert_eq!(leaked, 0);
}
