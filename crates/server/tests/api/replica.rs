//! The administrators' listings served by a streaming replica: stale for
//! as long as the replica has not replayed a change, while a sign-out holds
//! at once, and read from the primary when the replica cannot serve them.
//!
//! The tests marked `ignore` need a replica of the test server that replays
//! with a delay, which `cargo xtask test-db` starts and names in
//! `TEST_DB_REPLICA_URL` for them alone (it runs them with `--ignored`).

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::Value;
use sqlx::{Connection as _, PgConnection};
use test_db::TestDatabase;

use crate::helpers::{AppSettings, TestApp, spawn_app_on, unique_email};

/// Longer than the replica's delay, with room for a slow machine.
const CATCH_UP_TIMEOUT: Duration = Duration::from_secs(30);

/// The service on a database of its own, its listings on `replica_url`.
async fn spawn_app_with_replica_at(database: TestDatabase, replica_url: &str) -> TestApp {
    spawn_app_on(
        database,
        AppSettings::default(),
        &[format!("--db-replica-url={replica_url}")],
    )
    .await
}

/// How often a test looks again for what the replica has replayed.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// The service with the suite's replica, once the replica has replayed the
/// creation of its database, and a session on the replica.
async fn spawn_app_with_replica() -> (TestApp, PgConnection) {
    let database = TestDatabase::create().await;
    let replica_url = test_db::on_replica(&database.url())
        .expect("TEST_DB_REPLICA_URL names the replica: run these with `cargo xtask test-db`");
    let deadline = Instant::now() + CATCH_UP_TIMEOUT;
    let replica = loop {
        match PgConnection::connect(&replica_url).await {
            Ok(replica) => break replica,
            Err(error) => assert!(
                Instant::now() < deadline,
                "the replica never replayed the creation of the database: {error}"
            ),
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    };
    (
        spawn_app_with_replica_at(database, &replica_url).await,
        replica,
    )
}

/// The ids of the accounts the listing shows for `email`.
async fn listed(app: &TestApp, admin_token: &str, email: &str) -> Vec<String> {
    let response = app
        .request(
            Method::GET,
            &format!("/v1/users?email={email}"),
            admin_token,
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let page: Value = response.json().await.expect("json");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|user| user["id"].as_str().expect("id").to_owned())
        .collect()
}

/// The sum of the series of `name` in a scrape, if it has any.
fn sample(scrape: &str, name: &str) -> Option<f64> {
    let values: Vec<f64> = scrape
        .lines()
        .filter(|line| line.starts_with(name))
        .filter_map(|line| line.rsplit(' ').next()?.parse().ok())
        .collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

#[tokio::test]
#[ignore = "needs a streaming replica: `cargo xtask test-db` runs it with one"]
async fn the_listing_shows_the_replicas_past_while_a_sign_out_holds_at_once() {
    let (app, mut replica) = spawn_app_with_replica().await;
    let (_, admin) = app.new_admin().await;
    // Beyond its delay, the replica replays nothing until the listing has
    // been seen stale, however slow this machine.
    sqlx::query("SELECT pg_wal_replay_pause()")
        .execute(&mut replica)
        .await
        .expect("paused");
    let (email, tokens) = app.new_account().await;
    let id = app.user_id(&email).await.to_string();

    let logout = app
        .send_with_token(Method::POST, "/v1/auth/logout-all", &tokens.access, None)
        .await;
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    let me = app
        .request(Method::GET, "/v1/users/me", &tokens.access)
        .send()
        .await
        .expect("sent");
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "refused at once");
    assert_eq!(
        listed(&app, &admin.access, &email).await,
        Vec::<String>::new(),
        "the replica has not replayed the registration yet"
    );

    sqlx::query("SELECT pg_wal_replay_resume()")
        .execute(&mut replica)
        .await
        .expect("resumed");
    let deadline = Instant::now() + CATCH_UP_TIMEOUT;
    while listed(&app, &admin.access, &email).await != [id.as_str()] {
        assert!(Instant::now() < deadline, "the replica never caught up");
        tokio::time::sleep(POLL_INTERVAL).await;
    }
    let scrape = app.scrape().await;
    let lag = sample(&scrape, "doorman_db_replica_lag_seconds").expect("the lag is served");
    assert!(lag.is_finite() && lag >= 0.0, "{lag}");
    assert_eq!(
        sample(&scrape, "doorman_db_replica_up"),
        Some(1.0),
        "streaming"
    );
    assert!(
        scrape.contains(r#"db_client_connection_pool_name="replica""#),
        "the replica's pool is measured"
    );
    assert_eq!(
        sample(&scrape, "doorman_db_replica_fallbacks_total"),
        Some(0.0),
        "{scrape}"
    );
}

#[tokio::test]
async fn listings_the_replica_cannot_serve_come_from_the_primary() {
    let database = TestDatabase::create().await;
    let app = spawn_app_with_replica_at(
        database,
        "postgres://doorman@localhost/doorman?host=/nonexistent",
    )
    .await;
    let (_, admin) = app.new_admin().await;
    let email = unique_email();
    assert_eq!(app.register(&email).await.status(), StatusCode::CREATED);
    let id = app.user_id(&email).await.to_string();

    assert_eq!(listed(&app, &admin.access, &email).await, [id.as_str()]);
    let trail = app
        .request(Method::GET, "/v1/audit-events", &admin.access)
        .send()
        .await
        .expect("sent");
    assert_eq!(trail.status(), StatusCode::OK);

    let scrape = app.scrape().await;
    assert_eq!(
        sample(&scrape, "doorman_db_replica_fallbacks_total"),
        Some(2.0),
        "{scrape}"
    );
}
