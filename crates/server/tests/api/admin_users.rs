//! `/v1/users` for administrators.

use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, assert_error, spawn_app, spawn_racing_app};
use crate::log_audit::audited;

async fn json_of(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

/// Inserts `count` accounts straight into the database, some sharing a
/// registration instant, as a directory that grew for years would.
async fn directory_of(app: &TestApp, count: i64) {
    sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash, role, status, created_at, updated_at)
         SELECT gen_random_uuid(), format('member-%s@example.com', n), format('Member %s', n),
                '$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA',
                CASE WHEN n % 10 = 0 THEN 'admin' ELSE 'user' END,
                CASE WHEN n % 7 = 0 THEN 'disabled' ELSE 'active' END,
                now() - make_interval(secs => n / 3), now()
           FROM generate_series(1, $1) AS n",
    )
    .bind(count)
    .execute(&app.pool())
    .await
    .expect("the directory");
}

/// The ids of the page of `query` at `cursor`, and the next cursor.
async fn page(
    app: &TestApp,
    token: &str,
    query: &str,
    cursor: Option<&str>,
) -> (Vec<String>, Option<String>) {
    let path = match cursor {
        Some(cursor) => format!("/v1/users?{query}&cursor={cursor}"),
        None => format!("/v1/users?{query}"),
    };
    let page = json_of(
        app.request(Method::GET, &path, token)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    let ids = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|user| user["id"].as_str().expect("id").to_owned())
        .collect();
    (ids, page["nextCursor"].as_str().map(str::to_owned))
}

/// The pages of `query` from `cursor` on (from the first page for
/// `None`), following the cursors: the ids in order.
async fn walk_from(app: &TestApp, token: &str, query: &str, cursor: Option<String>) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor = cursor;
    loop {
        let (page_ids, next) = page(app, token, query, cursor.as_deref()).await;
        ids.extend(page_ids);
        match next {
            Some(next) => cursor = Some(next),
            None => return ids,
        }
    }
}

/// Every page of `query`: the ids in order.
async fn walk(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    walk_from(app, token, query, None).await
}

#[tokio::test]
async fn pages_of_37_walk_a_thousand_users_once_each_newest_first_while_others_register() {
    // 21 registrations from one address: more than a client may make.
    let app = spawn_racing_app(&["--registrations-per-network=100"]).await;
    directory_of(&app, 1000).await;
    let (_, admin) = app.new_admin().await;
    let expected: Vec<String> =
        sqlx::query_scalar("SELECT id::text FROM users ORDER BY created_at DESC, id DESC")
            .fetch_all(&app.pool())
            .await
            .expect("the order");

    let (mut walked, next) = page(&app, &admin.access, "limit=37", None).await;

    // Registrations start once the first page is read, so that every one
    // of them lands while the walk is under way.
    let (rest, registered) = tokio::join!(
        walk_from(&app, &admin.access, "limit=37", next),
        join_all((0..20).map(|_| async { app.new_account().await }))
    );
    walked.extend(rest);

    assert_eq!(registered.len(), 20);
    // Accounts registered during the walk are newer than its first page,
    // so they never show up in a later one; nothing is missed or repeated.
    assert_eq!(walked, expected);
}

#[tokio::test]
async fn filters_combine_and_match_the_email_prefix_in_any_case() {
    let app = spawn_app().await;
    directory_of(&app, 300).await;
    let (_, admin) = app.new_admin().await;
    let pool = app.pool();
    let count = async |sql: &'static str| {
        let count: i64 = sqlx::query_scalar(sql)
            .fetch_one(&pool)
            .await
            .expect("count");
        usize::try_from(count).expect("a count")
    };

    let admins = walk(&app, &admin.access, "limit=100&role=admin").await;
    let disabled_admins = walk(&app, &admin.access, "role=admin&status=disabled").await;
    let prefixed = walk(&app, &admin.access, "email=MEMBER-2&limit=50").await;

    assert_eq!(
        admins.len(),
        count("SELECT count(*) FROM users WHERE role = 'admin'").await
    );
    assert_eq!(
        disabled_admins.len(),
        count("SELECT count(*) FROM users WHERE role = 'admin' AND status = 'disabled'").await
    );
    assert_eq!(
        prefixed.len(),
        count("SELECT count(*) FROM users WHERE email LIKE 'member-2%'").await
    );
    assert!(!disabled_admins.is_empty());
}

#[tokio::test]
async fn bad_limits_filters_and_tampered_or_foreign_cursors_are_400() {
    let app = spawn_app().await;
    directory_of(&app, 10).await;
    let (_, admin) = app.new_admin().await;
    let first = json_of(
        app.request(Method::GET, "/v1/users?limit=2&role=user", &admin.access)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    let cursor = first["nextCursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let mut tampered = cursor.clone().into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ascii");

    for (query, field) in [
        ("limit=0".to_owned(), "limit"),
        ("limit=101".to_owned(), "limit"),
        ("limit=abc".to_owned(), "limit"),
        ("role=root".to_owned(), "role"),
        ("status=gone".to_owned(), "status"),
        ("sort=email".to_owned(), "query"),
        (format!("limit=2&role=user&cursor={tampered}"), "cursor"),
        (format!("limit=2&role=admin&cursor={cursor}"), "cursor"),
        ("cursor=not-ours".to_owned(), "cursor"),
    ] {
        let error = assert_error(
            app.request(Method::GET, &format!("/v1/users?{query}"), &admin.access)
                .send()
                .await
                .expect("sent"),
            StatusCode::BAD_REQUEST,
            "ValidationError",
        )
        .await;
        assert_eq!(error["field"], field, "{query}");
    }
}

#[tokio::test]
async fn an_administrator_reads_changes_with_if_match_and_deletes_accounts() {
    let app = spawn_app().await;
    let (_, admin) = app.new_admin().await;
    let (email, user) = app.new_account().await;
    let id = app.user_id(&email).await;
    let path = format!("/v1/users/{id}");

    let read = app
        .request(Method::GET, &path, &admin.access)
        .send()
        .await
        .expect("sent");
    assert_eq!(read.headers()["etag"], "\"1\"");
    let changed = app
        .request(Method::PATCH, &path, &admin.access)
        .header("if-match", "\"1\"")
        .json(&audited(json!({"displayName": "Renamed", "role": "admin"})))
        .send()
        .await
        .expect("sent");
    assert_eq!(changed.headers()["etag"], "\"2\"");
    let changed = json_of(changed).await;
    assert_eq!(changed["user"]["displayName"], "Renamed");
    assert_eq!(changed["user"]["role"], "admin");
    assert_error(
        app.request(Method::PATCH, &path, &admin.access)
            .header("if-match", "\"1\"")
            .json(&json!({"status": "disabled"}))
            .send()
            .await
            .expect("sent"),
        StatusCode::PRECONDITION_FAILED,
        "PreconditionFailedError",
    )
    .await;
    for bad in [
        json!({}),
        json!({"role": "root"}),
        json!({"email": "x@example.com"}),
    ] {
        assert_error(
            app.request(Method::PATCH, &path, &admin.access)
                .json(&audited(bad))
                .send()
                .await
                .expect("sent"),
            StatusCode::BAD_REQUEST,
            "ValidationError",
        )
        .await;
    }

    let deleted = app
        .request(Method::DELETE, &path, &admin.access)
        .send()
        .await
        .expect("sent");

    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get_with_token("/v1/users/me", &user.access).await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let response = app
            .request(method, &path, &admin.access)
            .json(&audited(json!({"displayName": "Ghost"})))
            .send()
            .await
            .expect("sent");
        assert_error(response, StatusCode::NOT_FOUND, "NotFoundError").await;
    }
}

#[tokio::test]
async fn disabling_a_user_refuses_their_tokens_at_once() {
    let app = spawn_app().await;
    let (_, admin) = app.new_admin().await;
    let (email, user) = app.new_account().await;
    let id = app.user_id(&email).await;

    let response = app
        .request(Method::PATCH, &format!("/v1/users/{id}"), &admin.access)
        .json(&json!({"status": "disabled"}))
        .send()
        .await
        .expect("sent");

    assert_eq!(response.status(), StatusCode::OK);
    assert_error(
        app.get_with_token("/v1/users/me", &user.access).await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    assert_error(
        app.refresh(&user.refresh).await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    assert_error(
        app.login(&email, crate::helpers::PASSWORD).await,
        StatusCode::FORBIDDEN,
        "ForbiddenError",
    )
    .await;
}

#[tokio::test]
async fn demoting_an_administrator_ends_the_sessions_whose_tokens_say_admin() {
    let app = spawn_app().await;
    let (_, admin) = app.new_admin().await;
    let (demoted_id, demoted) = app.new_admin().await;

    let response = app
        .request(
            Method::PATCH,
            &format!("/v1/users/{demoted_id}"),
            &admin.access,
        )
        .json(&json!({"role": "user"}))
        .send()
        .await
        .expect("sent");

    assert_eq!(response.status(), StatusCode::OK);
    assert_error(
        app.get_with_token("/v1/users/me", &demoted.access).await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    assert_error(
        app.refresh(&demoted.refresh).await,
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
    )
    .await;
    assert_eq!(
        app.get_with_token("/v1/users/me", &admin.access)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_last_active_administrator_stays_even_when_two_demote_each_other_at_once() {
    let app = spawn_racing_app(&[]).await;
    let (only, admin) = app.new_admin().await;
    let demote = |id: Uuid, token: String| {
        let app = &app;
        async move {
            app.request(Method::PATCH, &format!("/v1/users/{id}"), &token)
                .json(&json!({"role": "user"}))
                .send()
                .await
                .expect("sent")
        }
    };
    let alone = demote(only, admin.access.clone()).await;
    assert_error(alone, StatusCode::CONFLICT, "ConflictError").await;
    assert_error(
        app.request(Method::DELETE, &format!("/v1/users/{only}"), &admin.access)
            .send()
            .await
            .expect("sent"),
        StatusCode::CONFLICT,
        "ConflictError",
    )
    .await;
    let (other, other_admin) = app.new_admin().await;

    let (first, second) = tokio::join!(
        demote(other, admin.access.clone()),
        demote(only, other_admin.access.clone())
    );

    // The loser is refused as the last admin's demoter (409); or, when the
    // winner committed first, as no longer an administrator (403), or with
    // its session, which the demotion ended, gone (401); never both
    // demoted.
    let mut statuses = [first.status(), second.status()];
    statuses.sort();
    assert_eq!(statuses[0], StatusCode::OK, "{statuses:?}");
    assert!(
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::FORBIDDEN,
            StatusCode::CONFLICT
        ]
        .contains(&statuses[1]),
        "{statuses:?}"
    );
    let admins = app
        .count(
            "SELECT count(*) FROM users WHERE role = 'admin' AND status = 'active' AND id <> $1",
            Uuid::nil(),
        )
        .await;
    assert_eq!(admins, 1);
}

#[tokio::test]
async fn users_reach_no_admin_route_and_a_demoted_admin_loses_access_at_once() {
    let app = spawn_app().await;
    let (admin_id, admin) = app.new_admin().await;
    let (_, user) = app.new_account().await;
    let target = format!("/v1/users/{admin_id}");
    let routes = [
        (Method::GET, "/v1/users".to_owned()),
        (Method::GET, target.clone()),
        (Method::PATCH, target.clone()),
        (Method::DELETE, target.clone()),
        (Method::POST, format!("{target}/unlock")),
        (Method::GET, "/v1/audit-events".to_owned()),
    ];
    for (method, path) in &routes {
        let response = app
            .request(method.clone(), path, &user.access)
            .json(&audited(json!({"displayName": "Mallory"})))
            .send()
            .await
            .expect("sent");
        assert_error(response, StatusCode::FORBIDDEN, "ForbiddenError").await;
    }
    let (_, second_admin) = app.new_admin().await;
    app.alter_account("UPDATE users SET role = 'user' WHERE id = $1", admin_id)
        .await;

    assert_error(
        app.request(Method::GET, "/v1/users", &admin.access)
            .send()
            .await
            .expect("sent"),
        StatusCode::FORBIDDEN,
        "ForbiddenError",
    )
    .await;
    assert_eq!(
        app.request(Method::GET, "/v1/users", &second_admin.access)
            .send()
            .await
            .expect("sent")
            .status(),
        StatusCode::OK
    );
}
