//! The pooler mode. Behind a transaction pooler, where clients take turns
//! on the same server connection, each transaction runs under its own
//! database's limits and statements: through PgBouncer when `cargo xtask
//! test-db` gives the suite one (`TEST_DB_POOLER_URL`), its pools smaller
//! than their clients; directly otherwise. On a direct connection, which
//! keeps its session: nothing a transaction sets stays behind, a lone read
//! cannot write, and a statement cut short closes its connection.

use std::time::Duration;

use futures_util::future::join_all;
use secrecy::SecretString;
use sqlx::Row as _;
use sqlx::postgres::PgRow;

use super::*;
use crate::database::{Database, Thresholds};
use crate::pool::{DatabaseSettings, connect_lazy};
use crate::pooler::Pooler;
use crate::query::{Affected, One, Operation, Optional};

/// The URL the service would use: through the suite's pooler if it has one.
fn service_url(test_database: &TestDatabase) -> String {
    test_db::through_pooler(&test_database.url()).unwrap_or_else(|| test_database.url())
}

/// The database in pooler mode, its lock timeout `lock_timeout_ms`.
fn behind_pooler(test_database: &TestDatabase, lock_timeout_ms: u64) -> Database {
    in_pooler_mode(&service_url(test_database), lock_timeout_ms, 3)
}

/// The pooler mode on `url`, with `max_connections`.
fn in_pooler_mode(url: &str, lock_timeout_ms: u64, max_connections: u32) -> Database {
    connect_lazy(
        &DatabaseSettings {
            url: SecretString::from(url),
            max_connections,
            acquire_timeout: Duration::from_secs(20),
            application_name: "doorman-pooler".to_owned(),
            statement_timeout: Duration::from_secs(30),
            lock_timeout: Duration::from_millis(lock_timeout_ms),
            idle_in_transaction_timeout: Duration::from_secs(30),
            thresholds: Thresholds::default(),
            pooler: Pooler::Transaction,
            pool: crate::PoolName::Primary,
        },
        &opentelemetry::global::meter("tests"),
    )
    .expect("valid URL")
}

/// The lock timeout a statement outside a unit runs under, and `nonce` as
/// that statement returned it.
async fn seen_alone(database: &Database, nonce: i64) -> (String, i64) {
    let mut lease = database.lease().await.expect("lease");
    lease
        .run(Operation::new("tests.lock_timeout", &[]), || {
            One(
                sqlx::query("SELECT current_setting('lock_timeout'), $1::int8")
                    .bind(nonce)
                    .map(|row: PgRow| (row.get(0), row.get(1))),
            )
        })
        .await
        .expect("read")
}

/// The lock timeout a unit of work runs under.
async fn seen_in_unit(database: &Database) -> String {
    let lease = database.lease().await.expect("lease");
    let unit = PgUnitOfWork::outermost(
        Session::begin(lease, TransactionOptions::default())
            .await
            .expect("begin"),
    );
    let seen = unit.setting("lock_timeout").await;
    Box::new(unit).commit().await.expect("commit");
    seen
}

#[test]
fn clients_taking_turns_see_their_own_limits_and_statements() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let databases = [
            (behind_pooler(&test_database, 250), "250ms"),
            (behind_pooler(&test_database, 750), "750ms"),
        ];

        let turns = (0..60_i64).map(|turn| {
            let (database, expected) = &databases[usize::from(turn % 2 == 1)];
            async move {
                assert_eq!(
                    seen_alone(database, turn).await,
                    ((*expected).to_owned(), turn)
                );
                assert_eq!(seen_in_unit(database).await, *expected);
            }
        });
        join_all(turns).await;
    });
}

/// A connection's backend, its lock timeout, and whether this statement
/// began its transaction (it was in none), read on the connection itself,
/// past the pooler mode's own transactions.
async fn session_state(lease: &mut crate::lease::Lease) -> (i32, String, bool) {
    let row = sqlx::raw_sql(
        "SELECT pg_backend_pid(), current_setting('lock_timeout'), xact_start = query_start \
           FROM pg_stat_activity WHERE pid = pg_backend_pid()",
    )
    .fetch_one(&mut **lease)
    .await
    .expect("state");
    (row.get(0), row.get(1), row.get(2))
}

#[test]
fn on_a_direct_connection_the_limits_end_with_their_transaction() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let database = in_pooler_mode(&test_database.url(), 250, 1);

        assert_eq!(seen_alone(&database, 1).await, ("250ms".to_owned(), 1));
        assert_eq!(seen_in_unit(&database).await, "250ms");

        // The pool's one connection, as the next request would find it.
        let mut lease = database.lease().await.expect("lease");
        let (_, lock_timeout, outside_any) = session_state(&mut lease).await;
        assert_eq!((lock_timeout.as_str(), outside_any), ("0", true));
    });
}

#[test]
fn a_lone_statement_that_writes_must_say_so() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let database = in_pooler_mode(&test_database.url(), 250, 1);
        let write = |operation: Operation<'static>| {
            let database = database.clone();
            async move {
                let mut lease = database.lease().await.expect("lease");
                lease
                    .run(operation, || {
                        Affected(sqlx::query("UPDATE users SET updated_at = now()"))
                    })
                    .await
            }
        };

        let refused = write(Operation::new("tests.write_as_read", &[])).await;
        let Err(RepoError::Unavailable(error)) = refused else {
            panic!("a write in a read-only transaction: {refused:?}");
        };
        assert!(
            error.to_string().contains("read-only transaction"),
            "{error}"
        );
        let written = write(Operation::new("tests.write", &[]).changing()).await;
        assert_eq!(written.expect("written"), 0, "no account yet");
    });
}

#[test]
fn a_lone_statement_cut_short_closes_its_connection() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let database = in_pooler_mode(&test_database.url(), 30_000, 1);
        // One connection holds the lock, one watches for the wait.
        let pool = test_database.pool(2).await;
        let user = new_user("cut-short");
        crate::test_support::committed(&database, async |unit| {
            unit.users().insert(&user).await.expect("insert");
        })
        .await;
        let (first, _, _) = session_state(&mut database.lease().await.expect("lease")).await;
        let mut holder = pool.begin().await.expect("begin");
        sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
            .bind(user.id.as_uuid())
            .execute(&mut *holder)
            .await
            .expect("locked");

        let waiting = async {
            let mut lease = database.lease().await.expect("lease");
            lease
                // A row lock is a change, as far as read-only goes.
                .run(
                    Operation::new("tests.wait_for_the_lock", &[]).changing(),
                    || {
                        Optional(
                            sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR SHARE")
                                .bind(user.id.as_uuid())
                                .map(|_: PgRow| ()),
                        )
                    },
                )
                .await
        };
        tokio::select! {
            outcome = waiting => panic!("the lock was held: {outcome:?}"),
            () = test_db::until_a_session_waits_for_a_lock(&pool) => {}
        }
        holder.rollback().await.expect("rollback");

        // The connection that waited was closed, not handed back inside its
        // transaction: the pool's one connection is another.
        let (next, _, outside_any) =
            session_state(&mut database.lease().await.expect("lease")).await;
        assert_ne!(next, first);
        assert!(outside_any);
    });
}
