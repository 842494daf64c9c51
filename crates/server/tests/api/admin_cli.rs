//! `doorman admin create`: the first administrator without SQL.

use std::io::Write as _;
use std::process::{Command, Stdio};

use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret as _;

use crate::helpers::{assert_error, spawn_app};

const ADMIN_PASSWORD: &str = "amber falcon crosses nine valleys";

/// Runs `doorman admin create` against the app's database with `password`
/// on standard input: its exit status and standard output.
fn admin_create(app: &crate::helpers::TestApp, email: &str, password: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doorman"))
        .args(["admin", "create", "--email", email])
        .env("DATABASE_URL", &app.database_url)
        .env(
            "DOORMAN_ACCESS_TOKEN_PRIVATE_KEY",
            app.key.to_pkcs8_pem().expect("PEM").expose_secret(),
        )
        .env("DOORMAN_ARGON2_MEMORY_KIB", "1024")
        .env("DOORMAN_ARGON2_ITERATIONS", "1")
        .env_remove("DOORMAN_ADMIN_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("written");
    let output = child.wait_with_output().expect("finished");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[tokio::test]
async fn the_command_line_creates_an_administrator_who_can_administer() {
    let app = spawn_app().await;
    let email = crate::helpers::unique_email();

    let (created, said) = admin_create(&app, &email, ADMIN_PASSWORD);

    assert!(created, "{said}");
    assert!(said.contains("created the administrator"), "{said}");
    let admin = app.sign_in_with(&email, ADMIN_PASSWORD).await;
    let listing = app
        .request(Method::GET, "/v1/users", &admin.access)
        .send()
        .await
        .expect("sent");
    assert_eq!(listing.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_command_line_promotes_an_existing_account_and_refuses_a_weak_password() {
    let app = spawn_app().await;
    let (email, before) = app.new_account().await;
    assert_error(
        app.request(Method::GET, "/v1/users", &before.access)
            .send()
            .await
            .expect("sent"),
        StatusCode::FORBIDDEN,
        "ForbiddenError",
    )
    .await;

    let (promoted, said) = admin_create(&app, &email, "ignored");
    let (weak, _) = admin_create(&app, &crate::helpers::unique_email(), "password1234");

    assert!(promoted, "{said}");
    assert!(said.contains("now an active administrator"), "{said}");
    assert!(!weak);
    let admin = app.sign_in(&email).await;
    assert_eq!(
        app.request(Method::GET, "/v1/users", &admin.access)
            .send()
            .await
            .expect("sent")
            .status(),
        StatusCode::OK
    );
}
