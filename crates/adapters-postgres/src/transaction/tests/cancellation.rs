//! A unit of work cancelled at every await point, dropped after an error,
//! or abandoned by a panic gives its connection back outside any
//! transaction, with no `idle in transaction` session left behind.

use std::future::poll_fn;
use std::pin::pin;
use std::task::Poll;

use domain::error::RepoError;
use domain::ports::{TransactionOptions, Transactor};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection as _, PgConnection, PgPool};
use test_db::TestDatabase;
use uuid::Uuid;

use super::super::PgTransactor;
use crate::lease::started;
use crate::test_support::{database, new_user};

/// The statements of [`every_kind_of_await`], in order, as the
/// instrumented path names them.
const STATEMENTS: [&str; 7] = [
    "transaction.begin",
    "users.insert",
    "users.lock_by_email",
    "transaction.savepoint",
    "users.insert",
    "transaction.release",
    "transaction.commit",
];

/// Polls `future` until it completes, or until it is left waiting while
/// its `statement`-th statement (counted from 0) is under way: then it is
/// dropped right there, at whichever await point it was waiting on. The
/// future is polled on this thread, where its statements are written down.
async fn cancel_during<F: Future>(future: F, statement: usize) -> Option<F::Output> {
    started::watch();
    let mut future = pin!(future);
    poll_fn(|context| match future.as_mut().poll(context) {
        Poll::Ready(output) => Poll::Ready(Some(output)),
        Poll::Pending if started::so_far().len() == statement + 1 => Poll::Ready(None),
        Poll::Pending => Poll::Pending,
    })
    .await
}

/// A unit of work with a statement of every kind: begin, queries, a
/// savepoint, its release and the commit.
async fn every_kind_of_await(transactor: &PgTransactor) -> Result<(), RepoError> {
    let unit = transactor.begin(TransactionOptions::SERIALIZABLE).await?;
    let user = new_user("cancelled");
    unit.users().insert(&user).await?;
    unit.users().lock_by_email(&user.email).await?;
    let nested = unit.nest().await?;
    nested.users().insert(&new_user("nested")).await?;
    nested.commit().await?;
    unit.commit().await
}

/// A database of its own with a pool of one connection, so that the next
/// borrower gets the very connection the last unit used, named so that it
/// can be found in `pg_stat_activity`.
struct OneConnection {
    _database: TestDatabase,
    pool: PgPool,
    name: String,
}

impl OneConnection {
    async fn new() -> Self {
        let database = TestDatabase::create().await;
        let name = format!("doorman-test-{}", Uuid::now_v7().simple());
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(database.connect_options().application_name(&name))
            .await
            .expect("connect");
        Self {
            _database: database,
            pool,
            name,
        }
    }

    fn transactor(&self) -> PgTransactor {
        PgTransactor::new(database(self.pool.clone()))
    }
}

/// Asserts that the pool's connection is outside any transaction and that
/// the server has no session of `name` idle in a transaction.
async fn assert_clean(pool: &PgPool, name: &str) {
    let mut connection = pool.acquire().await.expect("the connection came back");
    // Outside a transaction, each statement runs in a transaction of its
    // own: two in a row get different transaction ids.
    let mut ids = Vec::new();
    for _ in 0..2 {
        let id: String = sqlx::query_scalar("SELECT pg_current_xact_id()::text")
            .fetch_one(&mut *connection)
            .await
            .expect("query");
        ids.push(id);
    }
    assert_ne!(ids[0], ids[1], "the next borrower is inside a transaction");
    drop(connection);

    let mut admin = PgConnection::connect_with(&test_db::admin_connect_options())
        .await
        .expect("admin connection");
    let idle_in_transaction: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity
          WHERE application_name = $1 AND state LIKE 'idle in transaction%'",
    )
    .bind(name)
    .fetch_one(&mut admin)
    .await
    .expect("query");
    assert_eq!(idle_in_transaction, 0, "a session is idle in a transaction");
}

#[test]
fn a_unit_cancelled_at_any_await_point_returns_its_connection_clean() {
    test_db::run(async {
        let one = OneConnection::new().await;
        let (pool, name, transactor) = (&one.pool, &one.name, one.transactor());

        for statement in 0..STATEMENTS.len() {
            // A statement whose answer is already there when it is polled
            // does not wait; try again until it does.
            let mut cancelled = false;
            for _ in 0..100 {
                let outcome = cancel_during(every_kind_of_await(&transactor), statement).await;
                if outcome.is_none() {
                    cancelled = true;
                    break;
                }
                outcome.expect("ran").expect("an uncancelled unit commits");
            }
            assert!(
                cancelled,
                "never cancelled during {}",
                STATEMENTS[statement]
            );
            assert_eq!(
                started::so_far(),
                &STATEMENTS[..=statement],
                "cancelled during the wrong statement"
            );
            assert_clean(pool, name).await;
        }
    });
}

#[test]
fn a_unit_dropped_after_a_failed_statement_returns_its_connection_clean() {
    test_db::run(async {
        let one = OneConnection::new().await;
        let (pool, name, transactor) = (&one.pool, &one.name, one.transactor());
        let user = new_user("twice");

        let unit = transactor
            .begin(TransactionOptions::default())
            .await
            .expect("begin");
        unit.users().insert(&user).await.expect("insert");
        unit.users().insert(&user).await.expect_err("duplicate");
        drop(unit);

        assert_clean(pool, name).await;
    });
}

#[test]
fn a_unit_abandoned_by_a_panic_returns_its_connection_clean() {
    test_db::run(async {
        let one = OneConnection::new().await;
        let (pool, name, transactor) = (&one.pool, &one.name, one.transactor());

        let task = tokio::spawn(async move {
            let unit = transactor
                .begin(TransactionOptions::default())
                .await
                .expect("begin");
            unit.users()
                .insert(&new_user("panicked"))
                .await
                .expect("insert");
            // Unwinds as a panic does, without the panic hook: under
            // RUST_BACKTRACE the hook would symbolise a backtrace of a
            // debug build, which takes longer than the rest of the test.
            std::panic::resume_unwind(Box::new("a bug in the middle of a unit of work"));
        });

        assert!(task.await.expect_err("panicked").is_panic());
        assert_clean(pool, name).await;
    });
}
