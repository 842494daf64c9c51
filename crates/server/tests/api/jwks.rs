//! `GET /.well-known/jwks.json`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_key_set_holds_the_key_that_signs_access_tokens() {
    let app = spawn_app().await;
    let (_, tokens) = app.new_account().await;

    let response = app
        .client
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .expect("sent");

    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("application/json"))
    );
    let jwks: Value = response.json().await.expect("json");
    let header = jsonwebtoken::decode_header(&tokens.access).expect("header");
    let key = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|key| key["kid"].as_str() == header.kid.as_deref())
        .expect("the signing key is listed");
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["alg"], "EdDSA");
    let x = key["x"].as_str().expect("x");
    assert_eq!(URL_SAFE_NO_PAD.decode(x).expect("base64url").len(), 32);
    // A verifier that knows only the published key accepts the token.
    let published = DecodingKey::from_ed_components(x).expect("an Ed25519 key");
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&["doorman"]);
    let claims = jsonwebtoken::decode::<Value>(&tokens.access, &published, &validation)
        .expect("verifies")
        .claims;
    assert!(claims["sid"].is_string(), "{claims}");
}
