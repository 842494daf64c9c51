//! Failed sign-ins, counted in the database for every replica.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, assert_error, spawn_app, spawn_app_with_flags, unique_email};
use crate::log_audit::audited;

async fn fail_login(app_login: impl Future<Output = Response>) {
    assert_eq!(app_login.await.status(), StatusCode::UNAUTHORIZED);
}

/// The error body without its request id, and the `Retry-After` seconds.
async fn rate_limited(response: Response) -> (Value, u64) {
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    let mut error = assert_error(response, StatusCode::TOO_MANY_REQUESTS, "RateLimitError").await;
    error["requestId"].take();
    (error, retry_after)
}

#[tokio::test]
async fn five_failures_lock_an_address_whether_or_not_it_has_an_account() {
    let app = spawn_app().await;
    let known = unique_email();
    assert_eq!(app.register(&known).await.status(), StatusCode::CREATED);
    let unknown = unique_email();
    for _ in 0..5 {
        fail_login(app.login(&known, "not the password")).await;
        fail_login(app.login(&unknown, "not the password")).await;
    }

    let (known_error, known_wait) = rate_limited(app.login(&known, PASSWORD).await).await;
    let (unknown_error, unknown_wait) = rate_limited(app.login(&unknown, PASSWORD).await).await;

    // Same answer: a lock tells nothing about whether the account exists.
    assert_eq!(known_error, unknown_error);
    assert!((1..=30).contains(&known_wait), "{known_wait}");
    assert!((1..=30).contains(&unknown_wait), "{unknown_wait}");
    // Other addresses are not affected.
    let (_, other) = app.new_account().await;
    assert!(!other.access.is_empty());
}

#[tokio::test]
async fn each_failure_past_the_threshold_doubles_the_lock() {
    let app = spawn_app_with_flags(&["--lockout-base-secs=100", "--lockout-max-secs=1000"]).await;
    let email = unique_email();
    for _ in 0..5 {
        fail_login(app.login(&email, "not the password")).await;
    }
    let (_, first) = rate_limited(app.login(&email, PASSWORD).await).await;
    // An administrator clears the lock; the count of the window remains, so
    // the next failure locks for twice as long.
    app.alter_throttles("UPDATE throttles SET locked_until = NULL")
        .await;
    fail_login(app.login(&email, "not the password")).await;

    let (_, second) = rate_limited(app.login(&email, PASSWORD).await).await;

    assert!((90..=100).contains(&first), "{first}");
    assert!((190..=200).contains(&second), "{second}");
}

#[tokio::test]
async fn a_success_resets_the_count_of_the_address() {
    let app = spawn_app().await;
    let email = unique_email();
    assert_eq!(app.register(&email).await.status(), StatusCode::CREATED);
    for _ in 0..4 {
        fail_login(app.login(&email, "not the password")).await;
    }
    assert_eq!(app.login(&email, PASSWORD).await.status(), StatusCode::OK);

    for _ in 0..4 {
        fail_login(app.login(&email, "not the password")).await;
    }

    assert_eq!(app.login(&email, PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_lock_is_seen_by_every_instance_sharing_the_database() {
    let app = spawn_app().await;
    let other_instance = app.another_instance(&[]).await;
    let email = unique_email();
    assert_eq!(app.register(&email).await.status(), StatusCode::CREATED);
    let login_on = |base: &str| {
        app.client
            .post(format!("{base}/v1/auth/login"))
            .json(&audited(
                json!({"email": email, "password": "not the password"}),
            ))
            .send()
    };
    for base in [
        &app.base,
        &other_instance,
        &app.base,
        &other_instance,
        &app.base,
    ] {
        assert_eq!(
            login_on(base).await.expect("sent").status(),
            StatusCode::UNAUTHORIZED
        );
    }

    let on_other = login_on(&other_instance).await.expect("sent");

    rate_limited(on_other).await;
}

#[tokio::test]
async fn an_administrator_clears_a_lockout() {
    let app = spawn_app().await;
    let (admin_email, _) = app.new_account().await;
    let admin_id = app.user_id(&admin_email).await;
    app.alter_account("UPDATE users SET role = 'admin' WHERE id = $1", admin_id)
        .await;
    let admin = app.sign_in(&admin_email).await;
    let (email, user) = app.new_account().await;
    let id = app.user_id(&email).await;
    for _ in 0..5 {
        fail_login(app.login(&email, "not the password")).await;
    }
    rate_limited(app.login(&email, PASSWORD).await).await;
    let path = format!("/v1/users/{id}/unlock");

    assert_error(
        app.send_with_token(Method::POST, &path, &user.access, None)
            .await,
        StatusCode::FORBIDDEN,
        "ForbiddenError",
    )
    .await;
    let response = app
        .send_with_token(Method::POST, &path, &admin.access, None)
        .await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.login(&email, PASSWORD).await.status(), StatusCode::OK);
    assert_error(
        app.send_with_token(Method::POST, "/v1/users/nope/unlock", &admin.access, None)
            .await,
        StatusCode::BAD_REQUEST,
        "ValidationError",
    )
    .await;
    assert_error(
        app.send_with_token(
            Method::POST,
            &format!("/v1/users/{}/unlock", uuid::Uuid::now_v7()),
            &admin.access,
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
        "NotFoundError",
    )
    .await;
}

#[tokio::test]
async fn registrations_are_limited_per_client() {
    let app = spawn_app_with_flags(&["--registrations-per-network=2"]).await;
    for _ in 0..2 {
        assert_eq!(
            app.register(&unique_email()).await.status(),
            StatusCode::CREATED
        );
    }

    let (error, wait) = rate_limited(app.register(&unique_email()).await).await;

    assert!(wait > 3000, "{wait}");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("try again"))
    );
}
