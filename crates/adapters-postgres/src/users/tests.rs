//! The repository against a real PostgreSQL. Each test works inside a
//! transaction that is rolled back when it ends, so tests run in parallel
//! and leave nothing behind.

use std::time::Duration;

use domain::error::{Conflict, RepoError};
use domain::password::PasswordHash;
use domain::ports::{Transactor, UserRepository};
use domain::user::{DisplayName, Email, NewUser, Role, UserId, UserStatus};
use secrecy::SecretString;
use uuid::Uuid;

use super::*;
use crate::pool::{PoolSettings, connect_lazy};
use crate::test_support::migrated_pool;
use crate::transaction::PgTransactor;

/// An account with an address no other test uses, in the given case.
fn new_user(local_part: &str) -> NewUser {
    NewUser {
        id: UserId::generate(),
        email: Email::parse(&format!(
            "{local_part}.{}@Example.com",
            Uuid::now_v7().simple()
        ))
        .expect("valid"),
        display_name: DisplayName::parse("Ada Lovelace").expect("valid"),
        password_hash: PasswordHash::parse(
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        )
        .expect("valid"),
    }
}

#[tokio::test]
async fn insert_returns_the_account_with_the_stores_defaults() {
    let pool = migrated_pool().await;
    let mut tx = pool.begin().await.expect("begin");
    let new = new_user("Ada");

    let user = insert(&mut *tx, &new).await.expect("inserted");

    assert_eq!(user.id, new.id);
    assert_eq!(user.email, new.email);
    assert_eq!(user.display_name, new.display_name);
    assert_eq!(user.password_hash, new.password_hash);
    assert_eq!((user.role, user.status), (Role::User, UserStatus::Active));
    assert!(!user.email_verified);
    assert_eq!(user.version, 1);
    assert_eq!(user.created_at, user.updated_at);
}

#[tokio::test]
async fn finds_by_email_in_any_letter_case_and_keeps_the_typed_case() {
    let pool = migrated_pool().await;
    let mut tx = pool.begin().await.expect("begin");
    let new = new_user("MiXeD");
    insert(&mut *tx, &new).await.expect("inserted");

    for variant in [
        new.email.as_str().to_lowercase(),
        new.email.as_str().to_uppercase(),
    ] {
        let email = Email::parse(&variant).expect("valid");
        let found = find_by_email(&mut *tx, &email)
            .await
            .expect("query")
            .expect("found");
        assert_eq!(found.id, new.id);
        assert_eq!(found.email.as_str(), new.email.as_str());
    }
}

#[tokio::test]
async fn the_same_email_in_another_case_is_email_taken() {
    let pool = migrated_pool().await;
    let mut tx = pool.begin().await.expect("begin");
    let first = new_user("ada");
    insert(&mut *tx, &first).await.expect("inserted");
    let mut second = new_user("other");
    second.email = Email::parse(&first.email.as_str().to_uppercase()).expect("valid");

    let error = insert(&mut *tx, &second).await.expect_err("duplicate");

    assert!(
        matches!(error, RepoError::Conflict(Conflict::EmailTaken)),
        "{error:?}"
    );
}

#[tokio::test]
async fn unknown_ids_and_addresses_are_not_found() {
    let pool = migrated_pool().await;
    let mut tx = pool.begin().await.expect("begin");

    assert!(
        find_by_id(&mut *tx, UserId::generate())
            .await
            .expect("query")
            .is_none()
    );
    let email = new_user("nobody").email;
    assert!(
        find_by_email(&mut *tx, &email)
            .await
            .expect("query")
            .is_none()
    );
}

#[tokio::test]
async fn a_stored_row_that_breaks_the_domains_rules_is_internal() {
    let pool = migrated_pool().await;
    let mut tx = pool.begin().await.expect("begin");
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash)
         VALUES ($1, 'not an address', 'Ada', '$argon2id$v=19$x')",
    )
    .bind(id)
    .execute(&mut *tx)
    .await
    .expect("raw insert");

    let error = find_by_id(&mut *tx, id.into()).await.expect_err("corrupt");

    assert!(matches!(error, RepoError::Internal(_)), "{error:?}");
    assert!(
        format!("{:?}", error).contains("invalid email"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_unit_of_work_is_invisible_until_committed_and_gone_when_dropped() {
    let pool = migrated_pool().await;
    let transactor = PgTransactor::new(pool.clone());
    let outside = PgUserRepository::new(pool.clone());
    let kept = new_user("kept");
    let dropped = new_user("dropped");

    let unit = transactor.begin().await.expect("begin");
    unit.users().insert(&dropped).await.expect("inserted");
    drop(unit);

    let unit = transactor.begin().await.expect("begin");
    unit.users().insert(&kept).await.expect("inserted");
    assert!(
        unit.users()
            .find_by_id(kept.id)
            .await
            .expect("query")
            .is_some(),
        "seen inside"
    );
    assert!(
        outside.find_by_id(kept.id).await.expect("query").is_none(),
        "unseen outside"
    );
    unit.commit().await.expect("committed");

    assert!(
        outside
            .find_by_email(&kept.email)
            .await
            .expect("query")
            .is_some(),
        "committed"
    );
    assert!(
        outside
            .find_by_id(dropped.id)
            .await
            .expect("query")
            .is_none(),
        "rolled back"
    );
    sqlx::query!("DELETE FROM users WHERE id = $1", kept.id.as_uuid())
        .execute(&pool)
        .await
        .expect("clean up");
}

#[tokio::test]
async fn an_unreachable_database_is_unavailable_within_the_acquire_timeout() {
    let pool = connect_lazy(&PoolSettings {
        url: SecretString::from("postgres://doorman@localhost/doorman?host=/nonexistent"),
        max_connections: 1,
        acquire_timeout: Duration::from_millis(300),
        application_name: "doorman-test".to_owned(),
    })
    .expect("valid URL");

    let error = PgUserRepository::new(pool)
        .find_by_id(UserId::generate())
        .await
        .expect_err("unreachable");

    assert!(matches!(error, RepoError::Unavailable(_)), "{error:?}");
}
