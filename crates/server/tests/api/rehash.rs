//! Hashes made with older argon2 parameters are upgraded at sign-in.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{CHEAP_ARGON2_MEMORY_KIB, PASSWORD, spawn_app};
use crate::log_audit::audited;

#[tokio::test]
async fn a_sign_in_on_an_instance_with_new_parameters_rehashes_the_password() {
    let app = spawn_app().await;
    let (email, _) = app.new_account().await;
    let id = app.user_id(&email).await;
    let before = app.password_hash(id).await;
    let upgraded = app
        .another_instance(&["--argon2-memory-kib=2048", "--argon2-iterations=2"])
        .await;
    let login = |password: &'static str| {
        app.client
            .post(format!("{upgraded}/v1/auth/login"))
            .json(&audited(json!({"email": email, "password": password})))
            .send()
    };

    assert_eq!(
        login("not the password").await.expect("sent").status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.password_hash(id).await,
        before,
        "only a right password upgrades"
    );
    assert_eq!(
        login(PASSWORD).await.expect("sent").status(),
        StatusCode::OK
    );

    let after = app.password_hash(id).await;
    assert!(
        before.contains(&format!("m={CHEAP_ARGON2_MEMORY_KIB},t=1")),
        "{before}"
    );
    assert!(after.contains("m=2048,t=2"), "{after}");
    assert_eq!(app.login(&email, PASSWORD).await.status(), StatusCode::OK);
    let version: i64 = app
        .count("SELECT version FROM users WHERE id = $1", id)
        .await;
    assert_eq!(version, 1, "an upgrade is not a change of the account");
}
