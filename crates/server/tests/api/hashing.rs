//! Password hashing under more load than it may take.

use futures_util::future::join_all;
use reqwest::StatusCode;

use crate::helpers::{AppSettings, assert_error, spawn_app_configured, unique_email};

#[tokio::test]
async fn sign_ins_beyond_the_hashing_queue_get_503_at_once() {
    // One hash at a time, none waiting, each slow enough (about 0.15 s)
    // that eight concurrent sign-ins overlap.
    let flags = [
        "--password-hash-concurrency=1",
        "--password-hash-queue=0",
        "--argon2-memory-kib=32768",
        "--argon2-iterations=2",
    ]
    .map(str::to_owned);
    let app = spawn_app_configured(AppSettings::RACING, &flags).await;

    let emails: Vec<String> = (0..8).map(|_| unique_email()).collect();
    let responses = join_all(emails.iter().map(|email| app.login(email, "some password"))).await;

    let mut statuses: Vec<StatusCode> = responses.iter().map(reqwest::Response::status).collect();
    statuses.sort();
    assert!(
        statuses
            .iter()
            .all(|s| [StatusCode::UNAUTHORIZED, StatusCode::SERVICE_UNAVAILABLE].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED, "{statuses:?}");
    let busy = responses
        .into_iter()
        .find(|r| r.status() == StatusCode::SERVICE_UNAVAILABLE)
        .expect("at least one sign-in found the queue full");
    assert!(busy.headers().contains_key("retry-after"));
    assert_error(
        busy,
        StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailableError",
    )
    .await;
}
