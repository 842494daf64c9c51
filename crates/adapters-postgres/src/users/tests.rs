//! The repository's SQL against a real PostgreSQL. Each test works inside a
//! transaction that is rolled back when it ends, so tests run in parallel
//! and leave nothing behind; the race for the last administrator and the
//! listing's plans commit, each on a database of its own.

mod admins;
mod changes;
mod deletion;
mod listing;
mod locks;
mod plans;

use std::time::Duration;

use domain::error::{Conflict, RepoError};
use domain::ports::UserReads;
use domain::user::{DisplayName, Email, Role, UserId, UserStatus};
use secrecy::SecretString;
use uuid::Uuid;

use super::*;
use crate::database::Thresholds;
use crate::pool::{DatabaseSettings, connect_lazy};
use crate::reads::PgReads;
use crate::test_support::{RecordedMetrics, new_user, rolled_back_lease};

#[test]
fn insert_returns_the_account_with_the_stores_defaults() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let new = new_user("Ada");

        let user = insert(&mut lease, &new).await.expect("inserted");

        assert_eq!(user.id, new.id);
        assert_eq!(user.email, new.email);
        assert_eq!(user.display_name, new.display_name);
        assert_eq!(user.password_hash, new.password_hash);
        assert_eq!((user.role, user.status), (Role::User, UserStatus::Active));
        assert!(!user.email_verified);
        assert_eq!(user.version, 1);
        assert_eq!(user.created_at, user.updated_at);
    });
}

#[test]
fn the_longest_email_and_display_name_the_domain_allows_fit_the_store() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let label = |c: &str, n: usize| c.repeat(n);
        let domain_part = format!(
            "{}.{}.{}.com",
            label("b", 63),
            label("c", 63),
            label("d", 57)
        );
        let email = format!("{}@{domain_part}", label("a", 64));
        let mut new = new_user("longest");
        new.email = Email::parse(&email).expect("the longest address");
        new.display_name =
            DisplayName::parse(&"n".repeat(DisplayName::MAX_CHARS)).expect("the longest name");

        let user = insert(&mut lease, &new).await.expect("stored");

        assert_eq!(user.email.as_str().chars().count(), Email::MAX_CHARS);
        assert_eq!(
            user.display_name.as_str().chars().count(),
            DisplayName::MAX_CHARS
        );
    });
}

#[test]
fn finds_by_email_in_any_letter_case_and_keeps_the_typed_case() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let new = new_user("MiXeD");
        insert(&mut lease, &new).await.expect("inserted");

        for variant in [
            new.email.as_str().to_lowercase(),
            new.email.as_str().to_uppercase(),
        ] {
            let email = Email::parse(&variant).expect("valid");
            let found = find_by_email(&mut lease, &email)
                .await
                .expect("query")
                .expect("found");
            assert_eq!(found.id, new.id);
            assert_eq!(found.email.as_str(), new.email.as_str());
        }
    });
}

#[test]
fn the_same_email_in_another_case_is_email_taken() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let first = new_user("ada");
        insert(&mut lease, &first).await.expect("inserted");
        let mut second = new_user("other");
        second.email = Email::parse(&first.email.as_str().to_uppercase()).expect("valid");

        let error = insert(&mut lease, &second).await.expect_err("duplicate");

        assert!(
            matches!(error, RepoError::Conflict(Conflict::EmailTaken)),
            "{error:?}"
        );
    });
}

#[test]
fn unknown_ids_and_addresses_are_not_found() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;

        assert!(
            find_by_id(&mut lease, UserId::generate())
                .await
                .expect("query")
                .is_none()
        );
        let email = new_user("nobody").email;
        assert!(
            find_by_email(&mut lease, &email)
                .await
                .expect("query")
                .is_none()
        );
    });
}

#[test]
fn a_stored_row_that_breaks_the_domains_rules_is_internal() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO users (id, email, display_name, password_hash)
             VALUES ($1, 'not an address', 'Ada', '$argon2id$v=19$x')",
        )
        .bind(id)
        .execute(&mut *lease)
        .await
        .expect("raw insert");

        let error = find_by_id(&mut lease, id.into())
            .await
            .expect_err("corrupt");

        assert!(matches!(error, RepoError::Internal(_)), "{error:?}");
        assert!(
            format!("{:?}", error).contains("invalid email"),
            "{error:?}"
        );
    });
}

#[test]
fn an_unreachable_database_is_unavailable_within_the_acquire_timeout() {
    test_db::run(async {
        let metrics = RecordedMetrics::new();
        let database = connect_lazy(
            &DatabaseSettings {
                url: SecretString::from("postgres://doorman@localhost/doorman?host=/nonexistent"),
                max_connections: 1,
                acquire_timeout: Duration::from_millis(300),
                application_name: "doorman-test".to_owned(),
                statement_timeout: Duration::from_secs(1),
                lock_timeout: Duration::from_secs(1),
                idle_in_transaction_timeout: Duration::from_secs(1),
                thresholds: Thresholds::default(),
                pooler: crate::Pooler::None,
                pool: crate::PoolName::Primary,
            },
            &metrics.meter(),
        )
        .expect("valid URL");

        let error = PgReads::new(database)
            .find_by_id(UserId::generate())
            .await
            .expect_err("unreachable");

        assert!(matches!(error, RepoError::Unavailable(_)), "{error:?}");
        // The server cannot be reached at all: a failure at once, not a
        // wait that timed out.
        let pool = "db.client.connection.pool.name=primary";
        assert_eq!(
            metrics.series("db.client.connection.timeouts"),
            [(pool.to_owned(), 0.0)].into()
        );
        assert_eq!(
            metrics.series("db.client.connection.wait_time"),
            [(pool.to_owned(), 1.0)].into()
        );
    });
}
