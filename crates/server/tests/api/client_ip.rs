//! Whose address counts: the socket's, or a trusted proxy's word for it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, spawn_app_with_flags, unique_email};
use crate::log_audit::audited;

async fn login_from(app: &TestApp, email: &str, password: &str, forwarded_for: &str) -> StatusCode {
    app.client
        .post(app.url("/v1/auth/login"))
        .header("x-forwarded-for", forwarded_for)
        .json(&audited(json!({"email": email, "password": password})))
        .send()
        .await
        .expect("sent")
        .status()
}

#[tokio::test]
async fn x_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app_with_flags(&["--login-max-failures-per-network=3"]).await;
    for n in 1..=3 {
        let status = login_from(&app, &unique_email(), "wrong", &format!("198.51.100.{n}")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    // Another address, another claimed client: still the same socket peer.
    let status = login_from(&app, &unique_email(), PASSWORD, "203.0.113.77").await;

    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn x_forwarded_for_through_a_trusted_proxy_names_the_client() {
    let app = spawn_app_with_flags(&[
        "--login-max-failures-per-network=3",
        "--trusted-proxies=127.0.0.1",
    ])
    .await;
    for n in 1..=3 {
        let status = login_from(&app, &unique_email(), "wrong", "198.51.100.1").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let (email, _) = app.new_account().await;

    // The locked client is refused; another client behind the same proxy is
    // not, and a client cannot pose as another by prepending an address.
    assert_eq!(
        login_from(&app, &email, PASSWORD, "198.51.100.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        login_from(&app, &email, PASSWORD, "203.0.113.5, 198.51.100.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("x-forwarded-for", "198.51.100.1, 203.0.113.5")
        .json(&audited(json!({"email": email, "password": PASSWORD})))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let access = response.json::<Value>().await.expect("json")["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let sessions: Value = app
        .send_with_token(Method::GET, "/v1/users/me/sessions", &access, None)
        .await
        .json()
        .await
        .expect("json");
    let current = sessions["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| item["current"] == true)
        .expect("the current session")
        .clone();
    assert_eq!(current["ip"], "203.0.113.5");
}
