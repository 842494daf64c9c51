//! The metrics as a scraper sees them: on their own port, every series of
//! the table there, labels that never carry what a client sent, and the
//! dashboards and alerts asking only for what is served.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use test_db::TestDatabase;
use uuid::Uuid;

use crate::helpers::{
    AppSettings, PASSWORD, TestApp, Tokens, spawn_app, spawn_app_on, spawn_app_with_flags,
    unique_email,
};
use crate::log_audit::audited;

/// One sample of a scrape: the series' name and its labels.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Series {
    name: String,
    labels: Vec<(String, String)>,
}

/// Every series of a scrape in the Prometheus text format.
fn series(scrape: &str) -> BTreeSet<Series> {
    scrape
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (name, rest) = line
                .split_once(['{', ' '])
                .expect("a sample has a name and a value");
            let labels = if line.as_bytes()[name.len()] == b'{' {
                labels_of(rest)
            } else {
                Vec::new()
            };
            Series {
                name: name.to_owned(),
                labels,
            }
        })
        .collect()
}

/// The `key="value"` pairs up to the closing brace, unescaped.
fn labels_of(text: &str) -> Vec<(String, String)> {
    let mut labels = Vec::new();
    let mut chars = text.chars();
    loop {
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        let key = key.trim_start_matches(',').to_owned();
        if key.starts_with('}') || key.is_empty() {
            return labels;
        }
        assert_eq!(chars.next(), Some('"'), "a quoted value after {key}");
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('n') => value.push('\n'),
                    Some(escaped) => value.push(escaped),
                    None => break,
                },
                '"' => break,
                c => value.push(c),
            }
        }
        labels.push((key, value));
    }
}

fn names(series: &BTreeSet<Series>) -> BTreeSet<&str> {
    series.iter().map(|series| series.name.as_str()).collect()
}

/// The service with its own database standing in for a replica, so that
/// the replica's metrics are served too: a primary is never behind.
async fn spawn_app_with_stand_in_replica() -> TestApp {
    let database = TestDatabase::create().await;
    let url = database.url();
    spawn_app_on(
        database,
        AppSettings::default(),
        &[format!("--db-replica-url={url}")],
    )
    .await
}

/// A scrape once the replica's lag has been read, which the service does
/// every second from its start.
async fn scrape_with_lag(app: &TestApp) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let scrape = app.scrape().await;
        if scrape.contains("doorman_db_replica_lag_seconds ") {
            return scrape;
        }
        assert!(
            Instant::now() < deadline,
            "the lag is never served: {scrape}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The names every row of the operators' table is served under, the
/// replica's with one.
const TABLE: [&str; 20] = [
    "http_server_request_duration_seconds_bucket",
    "http_server_active_requests",
    "db_client_operation_duration_seconds_bucket",
    "db_client_connection_count",
    "db_client_connection_max",
    "db_client_connection_idle_max",
    "db_client_connection_idle_min",
    "db_client_connection_pending_requests",
    "db_client_connection_wait_time_seconds_bucket",
    "db_client_connection_use_time_seconds_bucket",
    "db_client_connection_create_time_seconds_bucket",
    "db_client_connection_timeouts_total",
    "doorman_auth_attempts_total",
    "doorman_password_hash_duration_seconds_bucket",
    "doorman_password_hash_queue",
    "doorman_transaction_attempts_total",
    "doorman_purge_deleted_total",
    "doorman_db_replica_lag_seconds",
    "doorman_db_replica_up",
    "doorman_db_replica_fallbacks_total",
];

/// What a scrape holds before the first request: every counter and gauge,
/// at zero where nothing happened, and the hash made at start-up.
const FROM_START_UP: [&str; 12] = [
    "doorman_password_hash_duration_seconds_bucket",
    "http_server_active_requests",
    "db_client_connection_count",
    "db_client_connection_max",
    "db_client_connection_idle_max",
    "db_client_connection_idle_min",
    "db_client_connection_pending_requests",
    "db_client_connection_timeouts_total",
    "doorman_auth_attempts_total",
    "doorman_password_hash_queue",
    "doorman_transaction_attempts_total",
    "doorman_purge_deleted_total",
];

/// Some of everything: a registration, sign-ins right and wrong, a
/// refresh, the caller's account, a sign-out, the probes.
async fn traffic(app: &TestApp) {
    let (email, tokens) = app.new_account().await;
    assert_eq!(
        app.login(&email, "not the password").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let refreshed = Tokens::of(
        &app.refresh(&tokens.refresh)
            .await
            .json()
            .await
            .expect("json"),
    );
    let me = app
        .request(reqwest::Method::GET, "/v1/users/me", &refreshed.access)
        .send()
        .await
        .expect("sent");
    assert_eq!(me.status(), StatusCode::OK);
    let logout = app
        .request(reqwest::Method::POST, "/v1/auth/logout", &refreshed.access)
        .json(&audited(json!({ "refreshToken": refreshed.refresh })))
        .send()
        .await
        .expect("sent");
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    for probe in ["/healthz", "/readyz"] {
        let response = app.client.get(app.url(probe)).send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::OK, "{probe}");
    }
}

#[tokio::test]
async fn every_row_of_the_table_is_served_on_the_metrics_port_only() {
    let app = spawn_app_with_stand_in_replica().await;
    let at_start = series(&app.scrape().await);
    let started = names(&at_start);
    for name in FROM_START_UP {
        assert!(started.contains(name), "{name} is missing at start-up");
    }
    let attempts = at_start
        .iter()
        .filter(|series| series.name == "doorman_auth_attempts_total")
        .count();
    assert_eq!(attempts, 6 * 17, "every operation and outcome, at zero");

    traffic(&app).await;
    let scrape = scrape_with_lag(&app).await;

    let served = series(&scrape);
    let served_names = names(&served);
    for name in TABLE {
        // Behind a transaction pooler the server session a connection
        // starts on is the pooler's: its set-up time is not measured.
        if name == "db_client_connection_create_time_seconds_bucket" && app.behind_pooler() {
            assert!(
                !served_names.contains(name),
                "{name} is served behind a pooler"
            );
            continue;
        }
        assert!(served_names.contains(name), "{name} is missing");
    }
    let states: BTreeSet<&str> = served
        .iter()
        .filter(|series| series.name == "db_client_connection_count")
        .flat_map(|series| &series.labels)
        .filter(|(key, _)| key == "db_client_connection_state")
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(states, BTreeSet::from(["idle", "used"]));
    assert!(
        scrape.contains(
            r#"doorman_auth_attempts_total{operation="login",outcome="wrong_credentials"} 1"#
        ),
        "{scrape}"
    );
    let on_the_api = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("sent");
    assert_eq!(on_the_api.status(), StatusCode::NOT_FOUND);
}

/// Hostile input of every kind a label could pick up: unknown paths, ids
/// that are not ones, email addresses, forged tokens, user agents and
/// forwarded addresses, each with `marker` in it. What was sent, to look
/// for afterwards.
async fn hostile(app: &TestApp, marker: &str) -> Vec<String> {
    let mut sent = Vec::new();
    for n in 0..5 {
        let token = format!("{marker}x{n}");
        // Paths are not secret, and a debug log may show them: the secrets
        // sent must not be in one.
        let segment = format!("{marker}p{n}");
        sent.push(token.clone());
        sent.push(segment.clone());
        let email = format!("{token}@example.com");
        let agent = format!("agent-{token}");
        for path in [
            format!("/{segment}"),
            format!("/v1/users/{segment}"),
            format!("/v1/users/{}", Uuid::now_v7()),
            format!("/v1/{segment}/{segment}"),
        ] {
            let response = app
                .client
                .get(app.url(&path))
                .header("user-agent", &agent)
                .send()
                .await
                .expect("sent");
            assert!(response.status().is_client_error(), "{path}");
        }
        assert_eq!(
            app.register(&email).await.status(),
            StatusCode::CREATED,
            "{email}"
        );
        let not_an_email = app
            .post_json(
                "/v1/auth/register",
                &json!({"email": token, "password": PASSWORD, "displayName": token}),
            )
            .await;
        assert_eq!(not_an_email.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            app.login(&email, &token).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let forged = app
            .request(reqwest::Method::GET, "/v1/users/me", &token)
            .header("x-forwarded-for", "203.0.113.7")
            .send()
            .await
            .expect("sent");
        assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
        let refresh = app.refresh(&format!("{}.{token}", Uuid::now_v7())).await;
        assert!(refresh.status().is_client_error());
    }
    sent
}

#[tokio::test]
async fn hostile_input_adds_no_series_and_appears_in_no_label() {
    let app = spawn_app_with_flags(&[
        "--registrations-per-network=1000000",
        "--login-max-failures-per-account=1000000",
        "--login-max-failures-per-network=1000000",
    ])
    .await;

    let first = hostile(&app, &format!("h{}", Uuid::now_v7().simple())).await;
    let after_first = series(&app.scrape().await);
    let second = hostile(&app, &format!("h{}", Uuid::now_v7().simple())).await;
    let scrape = app.scrape().await;
    let after_second = series(&scrape);

    assert_eq!(
        after_first, after_second,
        "new input of the same kinds made new series"
    );
    for sent in first.iter().chain(&second) {
        assert!(
            !scrape.contains(sent.as_str()),
            "{sent} reached the metrics"
        );
    }
    let routes: BTreeSet<&str> = after_second
        .iter()
        .flat_map(|series| &series.labels)
        .filter(|(key, _)| key == "http_route")
        .map(|(_, value)| value.as_str())
        .collect();
    assert!(routes.contains("unmatched"), "{routes:?}");
    assert!(routes.contains("/v1/users/{id}"), "{routes:?}");
    assert!(
        routes
            .iter()
            .all(|route| route.starts_with('/') || *route == "unmatched")
    );
}

/// The metric and label names a dashboard or alert file mentions: words of
/// the service's prefixes.
fn mentioned(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| {
            ["doorman_", "http_", "db_"]
                .iter()
                .any(|prefix| word.starts_with(prefix))
        })
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn dashboards_and_alerts_ask_only_for_what_the_service_serves() {
    let app = spawn_app_with_stand_in_replica().await;
    traffic(&app).await;
    let served = series(&scrape_with_lag(&app).await);
    let mut known: BTreeSet<&str> = names(&served);
    known.extend(
        served
            .iter()
            .flat_map(|series| &series.labels)
            .map(|(key, _)| key.as_str()),
    );
    // Relative to the package, where tests run: a path fixed at build time
    // would name whichever clone sharing the target directory built last.
    let deploy = "../../deploy";

    for file in ["grafana/doorman.json", "prometheus/alerts.yml"] {
        let text = std::fs::read_to_string(format!("{deploy}/{file}")).expect("readable");
        let asked = mentioned(&text);
        assert!(asked.len() >= 5, "{file} mentions too little: {asked:?}");
        let unknown: Vec<&String> = asked
            .iter()
            .filter(|name| !known.contains(name.as_str()))
            .collect();
        assert!(
            unknown.is_empty(),
            "{file} asks for what is not served: {unknown:?}"
        );
    }
}

#[tokio::test]
async fn registrations_count_by_outcome() {
    let app = spawn_app().await;
    let email = unique_email();
    assert_eq!(app.register(&email).await.status(), StatusCode::CREATED);
    assert_eq!(app.register(&email).await.status(), StatusCode::CONFLICT);

    let scrape = app.scrape().await;

    for line in [
        r#"doorman_auth_attempts_total{operation="register",outcome="success"} 1"#,
        r#"doorman_auth_attempts_total{operation="register",outcome="email_taken"} 1"#,
    ] {
        assert!(scrape.contains(line), "{line} in {scrape}");
    }
}
