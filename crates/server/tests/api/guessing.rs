//! Guessing attacks, with `X-Forwarded-For` standing for distinct clients
//! behind a trusted proxy: a lockout that cannot keep the owner out, limits
//! that hold over IPv6 and under concurrency.

use futures_util::future::join_all;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, spawn_app_with_flags, spawn_racing_app, unique_email};
use crate::log_audit::audited;

const TRUSTING_THE_TEST_CLIENT: &str = "--trusted-proxies=127.0.0.1";

/// A sign-in from the client at `client`, with a device token when given.
async fn login_from(
    app: &TestApp,
    client: &str,
    email: &str,
    password: &str,
    device_token: Option<&str>,
) -> Response {
    let mut body = json!({"email": email, "password": password});
    if let Some(token) = device_token {
        body["deviceToken"] = json!(token);
    }
    app.client
        .post(app.url("/v1/auth/login"))
        .header("x-forwarded-for", client)
        .json(&audited(body))
        .send()
        .await
        .expect("sent")
}

async fn device_token_of(response: Response) -> String {
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    body["deviceToken"]
        .as_str()
        .expect("a sign-in returns a device token")
        .to_owned()
}

/// An attacker at 203.0.113.66 sends wrong passwords until the account is
/// locked for strangers.
async fn lock_for_strangers(app: &TestApp, email: &str) {
    for _ in 0..5 {
        let response = login_from(app, "203.0.113.66", email, "not the password", None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let stranger = login_from(app, "198.51.100.20", email, PASSWORD, None).await;
    assert_eq!(stranger.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_owner_with_a_device_token_gets_in_while_an_attacker_keeps_the_account_locked() {
    let app = spawn_app_with_flags(&[TRUSTING_THE_TEST_CLIENT]).await;
    let (email, _) = app.new_account().await;
    let (other_email, _) = app.new_account().await;
    let owner = "198.51.100.10";
    let token = device_token_of(login_from(&app, owner, &email, PASSWORD, None).await).await;
    let others_token =
        device_token_of(login_from(&app, owner, &other_email, PASSWORD, None).await).await;

    lock_for_strangers(&app, &email).await;
    let renewed =
        device_token_of(login_from(&app, owner, &email, PASSWORD, Some(&token)).await).await;

    assert_ne!(renewed, token, "a sign-in renews the token");
    let replayed = login_from(&app, owner, &email, PASSWORD, Some(&token)).await;
    assert_eq!(
        replayed.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a renewed token's old secret vouches for nothing"
    );
    let borrowed = login_from(&app, owner, &email, PASSWORD, Some(&others_token)).await;
    assert_eq!(
        borrowed.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "another account's device token vouches for nothing"
    );
    device_token_of(login_from(&app, "192.0.2.1", &email, PASSWORD, Some(&renewed)).await).await;
}

#[tokio::test]
async fn failures_through_a_device_token_lock_that_device_only() {
    let app = spawn_app_with_flags(&[TRUSTING_THE_TEST_CLIENT]).await;
    let (email, _) = app.new_account().await;
    let client = "198.51.100.11";
    let token = device_token_of(login_from(&app, client, &email, PASSWORD, None).await).await;
    for _ in 0..5 {
        let response = login_from(&app, client, &email, "not the password", Some(&token)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    // The device stopped vouching: its client is a stranger, whose count
    // for the account the device's failures did not touch.
    for _ in 0..5 {
        let response = login_from(&app, client, &email, "not the password", Some(&token)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = login_from(&app, client, &email, PASSWORD, Some(&token)).await;

    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_password_change_revokes_the_accounts_device_tokens() {
    let app = spawn_app_with_flags(&[TRUSTING_THE_TEST_CLIENT]).await;
    let (email, _) = app.new_account().await;
    let owner = "198.51.100.12";
    let signed_in = login_from(&app, owner, &email, PASSWORD, None).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let body: Value = signed_in.json().await.expect("json");
    let token = body["deviceToken"].as_str().expect("device token");
    let new_password = "a different pass phrase 42";
    let changed = app
        .send_with_token(
            Method::POST,
            "/v1/users/me/password",
            body["accessToken"].as_str().expect("access token"),
            Some(&json!({"currentPassword": PASSWORD, "newPassword": new_password})),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    for _ in 0..5 {
        let response = login_from(&app, "203.0.113.66", &email, "not it", None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    let revoked = login_from(&app, owner, &email, new_password, Some(token)).await;

    assert_eq!(revoked.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn an_account_locked_for_strangers_still_lets_its_owner_change_the_password() {
    let app = spawn_app_with_flags(&[TRUSTING_THE_TEST_CLIENT]).await;
    let (email, tokens) = app.new_account().await;

    lock_for_strangers(&app, &email).await;
    let changed = app
        .send_with_token(
            Method::POST,
            "/v1/users/me/password",
            &tokens.access,
            Some(
                &json!({"currentPassword": PASSWORD, "newPassword": "a different pass phrase 42"}),
            ),
        )
        .await;

    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn seventy_failures_across_one_ipv6_64_are_limited() {
    let app = spawn_app_with_flags(&[TRUSTING_THE_TEST_CLIENT]).await;
    let mut statuses = Vec::new();
    for n in 1..=70 {
        let client = format!("2001:db8:7:7:{n:x}::1");
        let response = login_from(&app, &client, &unique_email(), "not the password", None).await;
        statuses.push(response.status());
    }
    let elsewhere = login_from(&app, "2001:db8:7:8::1", &unique_email(), "nope", None).await;

    let checked = statuses
        .iter()
        .filter(|status| **status == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(checked, 50, "the /64's limit: {statuses:?}");
    assert!(
        statuses[50..]
            .iter()
            .all(|status| *status == StatusCode::TOO_MANY_REQUESTS)
    );
    assert_eq!(
        elsewhere.status(),
        StatusCode::UNAUTHORIZED,
        "another /64 of the same /48 is still under the /48's limit"
    );
}

#[tokio::test]
async fn the_wide_network_limits_a_holder_of_many_64s() {
    let app = spawn_app_with_flags(&[
        TRUSTING_THE_TEST_CLIENT,
        "--login-max-failures-per-wide-network=10",
    ])
    .await;
    let mut statuses = Vec::new();
    for n in 1..=12 {
        let client = format!("2001:db8:9:{n:x}::1");
        let response = login_from(&app, &client, &unique_email(), "not the password", None).await;
        statuses.push(response.status());
    }

    assert_eq!(&statuses[..10], [StatusCode::UNAUTHORIZED; 10]);
    assert_eq!(&statuses[10..], [StatusCode::TOO_MANY_REQUESTS; 2]);
}

#[tokio::test]
async fn thirty_concurrent_guesses_for_one_account_get_at_most_five_checks() {
    let app = spawn_racing_app(&[TRUSTING_THE_TEST_CLIENT]).await;
    let (email, _) = app.new_account().await;

    let guesses = (0..30).map(|n| {
        let client = format!("203.0.113.{}", n + 1);
        let app = &app;
        let email = &email;
        async move {
            login_from(app, &client, email, "not the password", None)
                .await
                .status()
        }
    });
    let statuses = join_all(guesses).await;

    let checked = statuses
        .iter()
        .filter(|status| **status == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|status| **status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 25), "{statuses:?}");
}

#[tokio::test]
async fn a_burst_of_registrations_honours_its_limit() {
    let app = spawn_racing_app(&[TRUSTING_THE_TEST_CLIENT, "--registrations-per-network=3"]).await;

    let registrations = (0..12).map(|_| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/v1/auth/register"))
                .header("x-forwarded-for", "2001:db8:5:5::1")
                .json(&audited(json!({
                    "email": unique_email(), "password": PASSWORD, "displayName": "Ada"
                })))
                .send()
                .await
                .expect("sent")
                .status()
        }
    });
    let statuses = join_all(registrations).await;

    let created = statuses
        .iter()
        .filter(|status| **status == StatusCode::CREATED)
        .count();
    assert_eq!(created, 3, "{statuses:?}");
}

#[tokio::test]
async fn a_malformed_device_token_is_a_validation_error_on_its_field() {
    let app = spawn_app_with_flags(&[TRUSTING_THE_TEST_CLIENT]).await;

    let response = login_from(
        &app,
        "198.51.100.13",
        &unique_email(),
        PASSWORD,
        Some("forged"),
    )
    .await;

    let body =
        crate::helpers::assert_error(response, StatusCode::BAD_REQUEST, "ValidationError").await;
    assert_eq!(body["field"], "deviceToken", "{body}");
    assert!(!body.to_string().contains("forged"));
}
