//! `GET /v1/audit-events`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{assert_error, spawn_app};
use crate::log_audit::audited;

#[tokio::test]
async fn an_administrators_change_is_on_the_trail_with_before_and_after() {
    let app = spawn_app().await;
    let (admin_id, admin) = app.new_admin().await;
    let (email, _) = app.new_account().await;
    let id = app.user_id(&email).await;
    let response = app
        .request(Method::PATCH, &format!("/v1/users/{id}"), &admin.access)
        .header("x-request-id", "change-42")
        .json(&audited(
            json!({"role": "admin", "displayName": "Promoted"}),
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-request-id"], "change-42");

    let page: Value = app
        .request(
            Method::GET,
            &format!("/v1/audit-events?userId={id}&action=user.updated"),
            &admin.access,
        )
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");

    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{page}");
    let event = &items[0];
    assert_eq!(event["action"], "user.updated");
    assert_eq!(event["actorId"], admin_id.to_string());
    assert_eq!(event["subjectId"], id.to_string());
    // The client's id is its word, filed apart from ours.
    assert_eq!(event["clientRequestId"], "change-42");
    let ours: Uuid = event["requestId"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("the service's own id, a UUID");
    assert_eq!(ours.get_version_num(), 7);
    assert_eq!(event["ip"], "127.0.0.1");
    assert_eq!(
        event["changes"],
        json!([
            {"field": "displayName", "before": "Ada Lovelace", "after": "Promoted"},
            {"field": "role", "before": "user", "after": "admin"},
        ])
    );
    assert!(page["nextCursor"].is_null());

    let deleted = app
        .request(Method::DELETE, &format!("/v1/users/{id}"), &admin.access)
        .send()
        .await
        .expect("sent");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let page: Value = app
        .request(
            Method::GET,
            &format!("/v1/audit-events?userId={id}&action=user.deleted"),
            &admin.access,
        )
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(
        page["items"][0]["changes"],
        json!([
            {"field": "email", "before": email, "after": null},
            {"field": "displayName", "before": "Promoted", "after": null},
            {"field": "role", "before": "admin", "after": null},
            {"field": "status", "before": "active", "after": null},
        ])
    );
}

#[tokio::test]
async fn the_trail_pages_newest_first_and_refuses_bad_filters() {
    let app = spawn_app().await;
    let (_, admin) = app.new_admin().await;
    let (email, _) = app.new_account().await;
    let id = app.user_id(&email).await;
    for _ in 0..4 {
        app.login(&email, "not the password").await;
    }
    let mut seen = Vec::new();
    let mut path = format!("/v1/audit-events?userId={id}&limit=2");
    loop {
        let page: Value = app
            .request(Method::GET, &path, &admin.access)
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        for event in page["items"].as_array().expect("items") {
            seen.push(event["action"].as_str().expect("action").to_owned());
        }
        match page["nextCursor"].as_str() {
            Some(next) => path = format!("/v1/audit-events?userId={id}&limit=2&cursor={next}"),
            None => break,
        }
    }

    assert_eq!(
        seen,
        [
            "auth.login_failed",
            "auth.login_failed",
            "auth.login_failed",
            "auth.login_failed",
            "auth.login",
            "user.register",
        ]
    );
    for (query, field) in [
        ("userId=42", "userId"),
        ("action=user.exploded", "action"),
        ("limit=500", "limit"),
    ] {
        let error = assert_error(
            app.request(
                Method::GET,
                &format!("/v1/audit-events?{query}"),
                &admin.access,
            )
            .send()
            .await
            .expect("sent"),
            StatusCode::BAD_REQUEST,
            "ValidationError",
        )
        .await;
        assert_eq!(error["field"], field, "{query}");
    }
}
