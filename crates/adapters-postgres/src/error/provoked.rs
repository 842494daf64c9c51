//! Every failure that PostgreSQL can be made to produce, provoked for real
//! and mapped.

use std::time::Duration;

use domain::error::{Conflict, InvalidData, RepoError};
use domain::ports::{TransactionOptions, Transactor, UserReads};
use domain::user::{AccountField, UserId};
use sqlx::postgres::PgPoolOptions;
use sqlx::{AssertSqlSafe, Connection as _, PgConnection};
use test_db::TestDatabase;
use uuid::Uuid;

use super::repo_error;
use crate::database::{Database, Thresholds};
use crate::lease::Lease;
use crate::reads::PgReads;
use crate::test_support::{committed, database, lease_in, new_user, rolled_back_lease};
use crate::transaction::PgTransactor;
use crate::users::insert;

/// Runs `sql` on the lease and maps its failure.
async fn failure_of(lease: &mut Lease, sql: &'static str) -> RepoError {
    let error = sqlx::raw_sql(sql)
        .execute(&mut **lease)
        .await
        .expect_err("the statement fails");
    repo_error(error)
}

async fn admin() -> PgConnection {
    PgConnection::connect_with(&test_db::admin_connect_options())
        .await
        .expect("admin connection")
}

#[test]
fn a_broken_foreign_key_is_a_reference_conflict() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        sqlx::raw_sql(
            "CREATE TEMPORARY TABLE parent (id int PRIMARY KEY);
             CREATE TEMPORARY TABLE child (parent int CONSTRAINT child_parent_fkey REFERENCES parent)",
        )
        .execute(&mut *lease)
        .await
        .expect("tables");

        let error = failure_of(&mut lease, "INSERT INTO child VALUES (1)").await;

        assert!(
            matches!(error, RepoError::Conflict(Conflict::Reference { ref constraint }) if constraint == "child_parent_fkey"),
            "{error:?}"
        );
    });
}

#[test]
fn a_broken_check_names_the_column_it_guards() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;

        let error = failure_of(
            &mut lease,
            "INSERT INTO users (id, email, display_name, password_hash)
             VALUES (gen_random_uuid(), 'a@example.com', repeat('x', 101), 'hash')",
        )
        .await;

        assert_eq!(
            invalid(&error),
            Some((
                "display_name",
                Some(AccountField::DisplayName),
                "breaks a rule of the store"
            ))
        );
    });
}

#[test]
fn a_missing_value_names_its_column() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;

        let error = failure_of(
            &mut lease,
            "INSERT INTO users (id, email, display_name, password_hash)
             VALUES (gen_random_uuid(), NULL, 'Ada', 'hash')",
        )
        .await;

        assert_eq!(
            invalid(&error),
            Some(("email", Some(AccountField::Email), "is required"))
        );
    });
}

#[test]
fn values_too_long_malformed_or_out_of_range_are_invalid() {
    test_db::run(async {
        for (sql, problem) in [
            (
                "CREATE TEMPORARY TABLE short (code varchar(3)); INSERT INTO short VALUES ('abcd')",
                "is too long",
            ),
            ("SELECT 'not a uuid'::uuid", "is malformed"),
            ("SELECT 2147483647::int4 + 1", "is out of range"),
        ] {
            let mut lease = rolled_back_lease().await;
            let error = failure_of(&mut lease, sql).await;
            assert!(
                matches!(error, RepoError::Invalid(InvalidData { problem: p, .. }) if p == problem),
                "{sql}: {error:?}"
            );
        }
    });
}

#[test]
fn a_statement_past_its_timeout_is_a_timeout() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;

        let error = failure_of(
            &mut lease,
            "SET LOCAL statement_timeout = '20ms'; SELECT pg_sleep(10)",
        )
        .await;

        assert!(matches!(error, RepoError::Timeout(_)), "{error:?}");
    });
}

#[test]
fn a_lock_wait_past_the_lock_timeout_is_a_timeout() {
    test_db::run(async {
        // Both transactions in one database, whatever the harness's mode.
        let test_database = TestDatabase::create().await;
        let pool = test_database.pool(2).await;
        let mut holder = lease_in(pool.begin().await.expect("begin"));
        let mut waiter = lease_in(pool.begin().await.expect("begin"));
        let user = new_user("locked");
        insert(&mut holder, &user)
            .await
            .expect("uncommitted insert");
        sqlx::raw_sql("SET LOCAL lock_timeout = '20ms'")
            .execute(&mut *waiter)
            .await
            .expect("set");

        // The same address: the unique index makes the waiter wait for the
        // holder's transaction to end.
        let mut same = new_user("same");
        same.email = user.email.clone();
        let error = insert(&mut waiter, &same).await.expect_err("times out");

        assert!(matches!(error, RepoError::Timeout(_)), "{error:?}");
    });
}

#[test]
fn a_statement_after_a_failure_in_the_same_transaction_is_internal() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        failure_of(&mut lease, "SELECT 1 / 0").await;

        let error = failure_of(&mut lease, "SELECT 1").await;

        assert!(matches!(error, RepoError::Internal(_)), "{error:?}");
    });
}

#[test]
fn a_terminated_session_is_unavailable() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let pool = test_database.pool(1).await;
        let mut connection = pool.acquire().await.expect("connection");
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut *connection)
            .await
            .expect("pid");
        let terminated: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1, 5000)")
            .bind(pid)
            .fetch_one(&mut admin().await)
            .await
            .expect("terminate");
        assert!(terminated);

        let error = sqlx::query("SELECT 1")
            .execute(&mut *connection)
            .await
            .expect_err("the session is gone");

        assert!(
            matches!(repo_error(error), RepoError::Unavailable(_)),
            "terminated"
        );
    });
}

#[test]
fn a_pool_exhausted_past_its_acquire_timeout_is_unavailable() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_millis(50))
            .connect_with(test_database.connect_options())
            .await
            .expect("pool");
        let database = Database::new(
            pool,
            Thresholds::default(),
            &opentelemetry::global::meter("tests"),
        );
        let _held = database.lease().await.expect("the only connection");

        let error = PgReads::new(database)
            .find_by_id(UserId::generate())
            .await
            .expect_err("no connection free");

        assert!(matches!(error, RepoError::Unavailable(_)), "{error:?}");
    });
}

#[test]
fn too_many_connections_is_unavailable() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let role = format!("doorman_limited_{}", Uuid::now_v7().simple());
        let mut admin = admin().await;
        sqlx::raw_sql(AssertSqlSafe(format!(
            "CREATE ROLE {role} LOGIN CONNECTION LIMIT 0"
        )))
        .execute(&mut admin)
        .await
        .expect("role");

        let refused =
            PgConnection::connect_with(&test_database.connect_options().username(&role)).await;
        sqlx::raw_sql(AssertSqlSafe(format!("DROP ROLE {role}")))
            .execute(&mut admin)
            .await
            .expect("drop role");

        let error = repo_error(refused.expect_err("over the limit"));
        assert!(matches!(error, RepoError::Unavailable(_)), "{error:?}");
    });
}

#[test]
fn a_stale_cached_plan_is_recovered_outside_a_transaction_and_retried_inside_one() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let pool = test_database.pool(1).await;
        let database = database(pool.clone());
        let users = PgReads::new(database.clone());
        let user = new_user("stale");
        committed(&database, async |unit| {
            unit.users().insert(&user).await.expect("insert")
        })
        .await;
        let transactor = PgTransactor::new(database);
        users
            .find_by_id(user.id)
            .await
            .expect("prepared and cached");
        let change_result_type = |to: &'static str| {
            let name = test_database.name().to_owned();
            async move {
                let mut connection =
                    PgConnection::connect_with(&test_db::admin_connect_options().database(&name))
                        .await
                        .expect("connect");
                sqlx::raw_sql(AssertSqlSafe(format!(
                    "ALTER TABLE users ALTER COLUMN display_name TYPE {to}"
                )))
                .execute(&mut connection)
                .await
                .expect("alter");
            }
        };

        change_result_type("varchar(100)").await;
        let found = users.find_by_id(user.id).await.expect("recovered");
        assert_eq!(found.map(|u| u.id), Some(user.id));

        change_result_type("text").await;
        let unit = transactor
            .begin(TransactionOptions::default())
            .await
            .expect("begin");
        let error = unit
            .users()
            .find_by_id(user.id)
            .await
            .expect_err("the transaction is aborted");
        assert!(matches!(error, RepoError::Retryable { .. }), "{error:?}");
        unit.rollback().await.expect("rollback");
        let unit = transactor
            .begin(TransactionOptions::default())
            .await
            .expect("begin again");
        assert!(
            unit.users()
                .find_by_id(user.id)
                .await
                .expect("the cache was cleared")
                .is_some()
        );
    });
}

/// The column, account field and problem of an [`RepoError::Invalid`].
fn invalid(error: &RepoError) -> Option<(&str, Option<AccountField>, &'static str)> {
    match error {
        RepoError::Invalid(InvalidData {
            column: Some(column),
            field,
            problem,
        }) => Some((column, *field, problem)),
        _ => None,
    }
}
