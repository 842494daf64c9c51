//! `doorman admin create`: the first administrator without SQL.

use std::io::Write as _;
use std::process::{Command, Stdio};

use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret as _;

use crate::helpers::{CHEAP_ARGON2_MEMORY_KIB, assert_error, spawn_app};

const ADMIN_PASSWORD: &str = "amber falcon crosses nine valleys";

/// Runs `doorman admin create` against the app's database with `password`
/// on standard input and `flags` after the address: its exit status, and
/// its standard output followed by its standard error.
fn admin_create(
    app: &crate::helpers::TestApp,
    email: &str,
    password: &str,
    flags: &[&str],
) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doorman"))
        .args(["admin", "create", "--email", email])
        .args(flags)
        .env("DATABASE_URL", &app.database_url)
        .env(
            "DOORMAN_ACCESS_TOKEN_PRIVATE_KEY",
            app.key.to_pkcs8_pem().expect("PEM").expose_secret(),
        )
        .env(
            "DOORMAN_ARGON2_MEMORY_KIB",
            CHEAP_ARGON2_MEMORY_KIB.to_string(),
        )
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
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

/// The status of `GET /v1/users`, which only administrators may list.
async fn listing_status(app: &crate::helpers::TestApp, access: &str) -> StatusCode {
    app.request(Method::GET, "/v1/users", access)
        .send()
        .await
        .expect("sent")
        .status()
}

#[tokio::test]
async fn the_command_line_creates_an_administrator_who_can_administer() {
    let app = spawn_app().await;
    let email = crate::helpers::unique_email();

    let (created, said) = admin_create(&app, &email, ADMIN_PASSWORD, &[]);

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
async fn the_command_line_refuses_an_address_someone_registered_and_a_weak_password() {
    let app = spawn_app().await;
    let (email, stranger) = app.new_account().await;

    let (taken, said) = admin_create(&app, &email, ADMIN_PASSWORD, &[]);
    let (weak, _) = admin_create(&app, &crate::helpers::unique_email(), "password1234", &[]);

    assert!(!taken, "{said}");
    assert!(said.contains("--promote-existing"), "{said}");
    assert!(!weak);
    assert_error(
        app.request(Method::GET, "/v1/users", &stranger.access)
            .send()
            .await
            .expect("sent"),
        StatusCode::FORBIDDEN,
        "ForbiddenError",
    )
    .await;
    assert_eq!(
        app.login(&email, ADMIN_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn promoting_takes_the_accounts_own_password_and_ends_its_sessions() {
    let app = spawn_app().await;
    let (email, before) = app.new_account().await;
    let promote = ["--promote-existing"];

    let (guessed, said_to_guesser) = admin_create(&app, &email, ADMIN_PASSWORD, &promote);
    let still_user = listing_status(&app, &before.access).await;
    let (promoted, said) = admin_create(&app, &email, crate::helpers::PASSWORD, &promote);

    assert!(!guessed, "{said_to_guesser}");
    assert!(
        said_to_guesser.contains("nothing changed"),
        "{said_to_guesser}"
    );
    assert_eq!(still_user, StatusCode::FORBIDDEN);
    assert!(promoted, "{said}");
    assert!(said.contains("now an active administrator"), "{said}");
    assert!(said.contains("1 of its sessions ended"), "{said}");
    assert_eq!(
        app.request(Method::GET, "/v1/users/me", &before.access)
            .send()
            .await
            .expect("sent")
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let admin = app.sign_in(&email).await;
    assert_eq!(listing_status(&app, &admin.access).await, StatusCode::OK);
}

#[tokio::test]
async fn promoting_an_address_without_an_account_creates_nothing() {
    let app = spawn_app().await;
    let email = crate::helpers::unique_email();

    let (promoted, said) = admin_create(&app, &email, ADMIN_PASSWORD, &["--promote-existing"]);

    assert!(!promoted, "{said}");
    assert!(said.contains("no account has this address"), "{said}");
    assert_eq!(
        app.login(&email, ADMIN_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}
