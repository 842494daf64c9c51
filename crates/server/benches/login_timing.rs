//! How long a refused sign-in takes for an unknown address and for a wrong
//! password, through HTTP against the real service with the default
//! (OWASP) argon2 cost. The two must be close: otherwise the timing tells
//! an attacker which addresses have accounts.
//!
//! `cargo xtask bench login-timing` provides the database, runs this and
//! prints the ratio.

use std::time::Duration;

use clap::Parser as _;
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use serde_json::json;
use server::{Application, Cli};
use test_db::{TestDatabase, run};

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "correct horse battery staple";

/// The service on a random port with production hashing cost and locks
/// out of reach, so that every attempt does the full work: its base URL.
async fn start(database: &TestDatabase) -> String {
    let key = adapters_crypto::SigningKey::generate();
    let mut cli = Cli::try_parse_from([
        "doorman",
        &format!("--database-url={}", database.url()),
        "--bind-address=127.0.0.1:0",
        "--http-workers=1",
        "--login-max-failures-per-account=1000000000",
        "--login-max-failures-per-network=1000000000",
        "--log=off",
        "--metrics-bind-address=",
    ])
    .expect("arguments parse");
    cli.config.access_token_private_key = Some(key.to_pkcs8_pem().expect("encodes"));
    let application = Application::build(&cli.config)
        .await
        .expect("the service starts");
    let base = format!("http://{}", application.address());
    tokio::spawn(application.run());
    base
}

fn login_timing(criterion: &mut Criterion) {
    let database = run(TestDatabase::create());
    let base = run(start(&database));
    let client = reqwest::Client::new();
    let registered = run(client
        .post(format!("{base}/v1/auth/register"))
        .json(&json!({"email": EMAIL, "password": PASSWORD, "displayName": "Ada"}))
        .send())
    .expect("registered");
    assert!(registered.status().is_success(), "{}", registered.status());
    let refused = |email: &'static str| {
        let request = client
            .post(format!("{base}/v1/auth/login"))
            .json(&json!({"email": email, "password": "not the password"}));
        move || {
            let response = run(request.try_clone().expect("a plain body").send()).expect("sent");
            assert_eq!(response.status(), reqwest::StatusCode::UNAUTHORIZED);
        }
    };

    let mut group = criterion.benchmark_group("login_timing");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(40)
        .measurement_time(Duration::from_secs(10));
    let unknown = refused("nobody@example.com");
    group.bench_function("unknown_email", |bencher| bencher.iter(&unknown));
    let wrong = refused(EMAIL);
    group.bench_function("wrong_password", |bencher| bencher.iter(&wrong));
    group.finish();
    run(async move { drop(database) });
}

criterion_group!(benches, login_timing);
criterion_main!(benches);
