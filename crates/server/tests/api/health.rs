use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn liveness_and_readiness_answer_when_the_database_is_migrated() {
    let app = spawn_app().await;

    for (path, status) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let response = app.client.get(app.url(path)).send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(response.headers().contains_key("x-request-id"));
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["status"], status);
    }
}

#[tokio::test]
async fn a_sane_request_id_is_echoed() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-42")
        .send()
        .await
        .expect("sent");

    assert_eq!(response.headers()["x-request-id"], "trace-42");
}
