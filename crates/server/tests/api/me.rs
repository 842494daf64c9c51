use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::helpers::{TestApp, assert_error, spawn_app};
use crate::log_audit::audited;

/// A token signed with `key`'s PEM, with these claims.
fn forge(key_pem: &str, kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    let key = EncodingKey::from_ed_pem(key_pem.as_bytes()).expect("PEM");
    jsonwebtoken::encode(&header, claims, &key).expect("signed")
}

/// Claims for `user`'s live session of `token`.
fn claims(user: Uuid, token: &str, issued_at: OffsetDateTime, lifetime_secs: i64) -> Value {
    let iat = issued_at.unix_timestamp();
    json!({"sub": user, "sid": session_of(token), "role": "user", "iat": iat,
           "exp": iat + lifetime_secs, "iss": "doorman", "aud": "doorman"})
}

/// The `sid` claim of a token the service issued.
fn session_of(token: &str) -> String {
    let payload = token.split('.').nth(1).expect("three parts");
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("json");
    claims["sid"].as_str().expect("sid").to_owned()
}

async fn assert_refused(app: &TestApp, token: &str) {
    let response = app.get_with_token("/v1/users/me", token).await;
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert_error(response, StatusCode::UNAUTHORIZED, "AuthenticationError").await;
}

#[tokio::test]
async fn a_request_without_a_bearer_token_is_unauthenticated() {
    let app = spawn_app().await;

    let missing = app
        .client
        .get(app.url("/v1/users/me"))
        .send()
        .await
        .expect("sent");
    assert_error(missing, StatusCode::UNAUTHORIZED, "AuthenticationError").await;
    let basic = app
        .client
        .get(app.url("/v1/users/me"))
        .basic_auth("ada", Some("secret"))
        .send()
        .await
        .expect("sent");
    assert_error(basic, StatusCode::UNAUTHORIZED, "AuthenticationError").await;
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    let app = spawn_app().await;
    let (id, token) = app.signed_in_user().await;
    let other = adapters_crypto::SigningKey::generate();
    let pem = other.to_pkcs8_pem().expect("PEM");

    // Under the service's key id and under its own.
    for kid in [app.key.key_id(), other.key_id()] {
        let forged = forge(
            pem.expose_secret(),
            kid,
            &claims(id, &token, OffsetDateTime::now_utc(), 900),
        );
        assert_refused(&app, &forged).await;
    }
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = spawn_app().await;
    let (id, token) = app.signed_in_user().await;
    let pem = app.key.to_pkcs8_pem().expect("PEM");
    let an_hour_ago = OffsetDateTime::now_utc() - time::Duration::hours(1);

    let expired = forge(
        pem.expose_secret(),
        app.key.key_id(),
        &claims(id, &token, an_hour_ago, 900),
    );
    let fresh = forge(
        pem.expose_secret(),
        app.key.key_id(),
        &claims(id, &token, OffsetDateTime::now_utc(), 900),
    );

    assert_refused(&app, &expired).await;
    assert_eq!(
        app.get_with_token("/v1/users/me", &fresh).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_unsigned_token_is_refused() {
    let app = spawn_app().await;
    let (id, token) = app.signed_in_user().await;
    let header = json!({"alg": "none", "typ": "JWT", "kid": app.key.key_id()});
    let payload = claims(id, &token, OffsetDateTime::now_utc(), 900);

    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let signature_stripped = format!("{}.", token.rsplit_once('.').expect("three parts").0);

    assert_refused(&app, &unsigned).await;
    assert_refused(&app, &signature_stripped).await;
    assert_refused(&app, "garbage").await;
}

#[tokio::test]
async fn a_token_outlives_neither_its_account_nor_its_activation() {
    let app = spawn_app().await;
    let (disabled, disabled_token) = app.signed_in_user().await;
    let (deleted, deleted_token) = app.signed_in_user().await;
    app.alter_account(
        "UPDATE users SET status = 'disabled' WHERE id = $1",
        disabled,
    )
    .await;
    app.alter_account("DELETE FROM users WHERE id = $1", deleted)
        .await;

    assert_error(
        app.get_with_token("/v1/users/me", &disabled_token).await,
        StatusCode::FORBIDDEN,
        "ForbiddenError",
    )
    .await;
    assert_refused(&app, &deleted_token).await;
}

#[tokio::test]
async fn the_display_name_changes_with_a_new_version_and_if_match_guards_it() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in_user().await;
    let patch = |if_match: Option<&'static str>, body: Value| {
        let mut request = app
            .client
            .patch(app.url("/v1/users/me"))
            .bearer_auth(&token)
            .json(&audited(body));
        if let Some(version) = if_match {
            request = request.header("if-match", version);
        }
        request.send()
    };

    let changed = patch(Some("\"1\""), json!({"displayName": "  Countess  "}))
        .await
        .expect("sent");

    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(changed.headers()["etag"], "\"2\"");
    let body: Value = changed.json().await.expect("json");
    assert_eq!(body["user"]["displayName"], "Countess");
    assert_eq!(body["user"]["version"], 2);
    let stale = assert_error(
        patch(Some("\"1\""), json!({"displayName": "Ada"}))
            .await
            .expect("sent"),
        StatusCode::PRECONDITION_FAILED,
        "PreconditionFailedError",
    )
    .await;
    assert!(
        stale["message"].as_str().is_some_and(|m| m.contains('2')),
        "{stale}"
    );
    let unconditional = patch(None, json!({"displayName": "Ada"}))
        .await
        .expect("sent");
    assert_eq!(unconditional.headers()["etag"], "\"3\"");
    for bad in [
        json!({"displayName": ""}),
        json!({"displayName": "Ada", "role": "admin"}),
        json!({}),
    ] {
        assert_error(
            patch(None, bad).await.expect("sent"),
            StatusCode::BAD_REQUEST,
            "ValidationError",
        )
        .await;
    }
}
