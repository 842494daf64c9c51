//! The audit trail, as the database keeps it.

use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{PASSWORD, spawn_app, spawn_app_with_flags, unique_email};
use crate::log_audit::audited;

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

#[tokio::test]
async fn a_client_cannot_choose_the_id_its_requests_are_filed_under() {
    let app = spawn_app().await;
    let (email, _) = app.new_account().await;
    let id = app.user_id(&email).await;

    let mut ours = Vec::new();
    for _ in 0..2 {
        let response = app
            .client
            .post(app.url("/v1/auth/login"))
            .header("x-request-id", "chosen-1")
            .json(&audited(
                json!({"email": email, "password": "not the password"}),
            ))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["x-request-id"], "chosen-1");
        let body: serde_json::Value = response.json().await.expect("a JSON error body");
        let id = body["error"]["requestId"].as_str().expect("an id");
        ours.push(id.to_owned());
    }

    let trail: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT request_id, client_request_id FROM audit_events
          WHERE subject_id = $1 AND action = 'auth.login_failed' ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.pool())
    .await
    .expect("the trail");
    let chosen = Some("chosen-1".to_owned());
    assert_eq!(
        trail,
        [
            (Some(ours[0].clone()), chosen.clone()),
            (Some(ours[1].clone()), chosen)
        ]
    );
    assert_ne!(ours[0], ours[1]);
    for id in &ours {
        let id: Uuid = id.parse().expect("the service's own id, a UUID");
        assert_eq!(id.get_version_num(), 7);
    }
}
