//! Rotating the key that signs access tokens without signing anyone out.

use adapters_crypto::SigningKey;
use reqwest::StatusCode;
use secrecy::ExposeSecret as _;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn tokens_of_the_previous_key_stay_valid_on_an_instance_that_signs_with_a_new_one() {
    let app = spawn_app().await;
    let (_, tokens) = app.new_account().await;
    let new_key = SigningKey::generate();
    let previous =
        std::env::temp_dir().join(format!("doorman-previous-{}.pem", uuid::Uuid::now_v7()));
    std::fs::write(
        &previous,
        app.key.to_pkcs8_pem().expect("PEM").expose_secret(),
    )
    .expect("written");
    let previous_flag = format!(
        "--access-token-verification-keys-file={}",
        previous.display()
    );
    let rotated = app
        .another_instance_with_key(&new_key, &[&previous_flag])
        .await;
    let not_rotated = app.another_instance_with_key(&new_key, &[]).await;
    std::fs::remove_file(&previous).expect("removed");

    let get_me = |base: &str| {
        app.client
            .get(format!("{base}/v1/users/me"))
            .bearer_auth(&tokens.access)
            .send()
    };

    assert_eq!(
        get_me(&rotated).await.expect("sent").status(),
        StatusCode::OK
    );
    assert_eq!(
        get_me(&not_rotated).await.expect("sent").status(),
        StatusCode::UNAUTHORIZED
    );
    let jwks: Value = app
        .client
        .get(format!("{rotated}/.well-known/jwks.json"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|key| key["kid"].as_str().expect("kid"))
        .collect();
    assert_eq!(kids, [new_key.key_id(), app.key.key_id()]);
}
