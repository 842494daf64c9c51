//! Behind a transaction pooler, where clients take turns on the same server
//! connection: each transaction runs under its own database's limits and
//! statements, and nothing it sets stays behind. Through PgBouncer when
//! `cargo xtask test-db` gives the suite one (`TEST_DB_POOLER_URL`), its
//! pools smaller than their clients; directly otherwise.

use std::time::Duration;

use futures_util::future::join_all;
use secrecy::SecretString;
use sqlx::postgres::{PgConnectOptions, PgRow};
use sqlx::{ConnectOptions as _, Row as _};

use super::*;
use crate::database::{Database, Thresholds};
use crate::pool::{DatabaseSettings, connect_lazy};
use crate::pooler::Pooler;
use crate::query::{One, Operation};

/// The URL the service would use: through the suite's pooler if it has one.
fn service_url(test_database: &TestDatabase) -> String {
    test_db::through_pooler(&test_database.url()).unwrap_or_else(|| test_database.url())
}

/// The database in pooler mode, its lock timeout `lock_timeout_ms`.
fn behind_pooler(test_database: &TestDatabase, lock_timeout_ms: u64) -> Database {
    connect_lazy(
        &DatabaseSettings {
            url: SecretString::from(service_url(test_database)),
            max_connections: 3,
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
fn clients_taking_turns_see_their_own_limits_and_statements_and_leave_nothing_set() {
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

        // A plain session on the same server connections: the server's
        // default, whatever the transactions before it set.
        let mut plain = service_url(&test_database)
            .parse::<PgConnectOptions>()
            .expect("URL")
            .extra_float_digits(None)
            .connect()
            .await
            .expect("connect");
        let row = sqlx::raw_sql("SHOW lock_timeout")
            .fetch_one(&mut plain)
            .await
            .expect("show");
        assert_eq!(row.get::<String, _>(0), "0");
    });
}
