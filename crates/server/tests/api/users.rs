use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn only_an_administrator_reads_other_accounts() {
    let app = spawn_app().await;
    let (target, _) = app.signed_in_user().await;
    let (_, admin) = app.new_admin().await;
    let admin_token = admin.access;
    let (_, user_token) = app.signed_in_user().await;
    let path = format!("/v1/users/{target}");

    assert_error(
        app.get_with_token(&path, &user_token).await,
        StatusCode::FORBIDDEN,
        "ForbiddenError",
    )
    .await;
    let response = app.get_with_token(&path, &admin_token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["user"]["id"], target.to_string());
    assert_error(
        app.get_with_token(&format!("/v1/users/{}", Uuid::now_v7()), &admin_token)
            .await,
        StatusCode::NOT_FOUND,
        "NotFoundError",
    )
    .await;
}

#[tokio::test]
async fn a_path_id_that_is_not_a_uuid_is_a_validation_error() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in_user().await;

    for id in [
        "not-a-uuid",
        "123",
        "%00",
        "0193a5c2-0000-7000-8000-00000000000g",
    ] {
        let error = assert_error(
            app.get_with_token(&format!("/v1/users/{id}"), &token).await,
            StatusCode::BAD_REQUEST,
            "ValidationError",
        )
        .await;
        assert_eq!(error["field"], "id");
    }
}
