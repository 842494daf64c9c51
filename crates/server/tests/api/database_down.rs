//! With the database down, the service still answers, in the contract's
//! shape, within the acquire timeout.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{PASSWORD, assert_error, spawn_app_without_database, unique_email};
use crate::log_audit::audited;

#[tokio::test]
async fn requests_that_need_the_database_get_a_503_with_retry_after() {
    let base = spawn_app_without_database(200).await;
    let client = reqwest::Client::new();

    let login = client
        .post(format!("{base}/v1/auth/login"))
        .json(&audited(
            json!({"email": unique_email(), "password": PASSWORD}),
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(login.headers()["retry-after"], "5");
    assert_error(
        login,
        StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailableError",
    )
    .await;

    let ready = client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("sent");
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.headers()["retry-after"], "5");

    let alive = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("sent");
    assert_eq!(alive.status(), StatusCode::OK, "liveness needs no database");
}
