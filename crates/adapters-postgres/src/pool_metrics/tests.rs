use std::time::Duration;

use secrecy::SecretString;
use sqlx::postgres::PgPoolOptions;
use test_db::TestDatabase;

use crate::database::{Database, Thresholds};
use crate::pool::{DatabaseSettings, connect_lazy};
use crate::test_support::RecordedMetrics;

const POOL: &str = "db.client.connection.pool.name=primary";

fn of_pool() -> String {
    POOL.to_owned()
}

#[tokio::test]
async fn a_pool_is_measured_from_the_start_and_through_every_lease() {
    let test_database = TestDatabase::create().await;
    let metrics = RecordedMetrics::new();
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_millis(100))
        .connect_with(test_database.connect_options())
        .await
        .expect("connect");
    let database = Database::new(pool, Thresholds::default(), &metrics.meter());

    assert_eq!(
        metrics.series("db.client.connection.timeouts"),
        [(of_pool(), 0.0)].into()
    );
    assert_eq!(
        metrics.series("db.client.connection.max"),
        [(of_pool(), 1.0)].into()
    );
    assert_eq!(
        metrics.series("db.client.connection.idle.min"),
        [(of_pool(), 0.0)].into()
    );

    let held = database.lease().await.expect("the one connection");
    assert_eq!(
        metrics.series("db.client.connection.count"),
        [
            (format!("{POOL},db.client.connection.state=idle"), 0.0),
            (format!("{POOL},db.client.connection.state=used"), 1.0),
        ]
        .into()
    );
    let waiting = tokio::spawn({
        let database = database.clone();
        async move { database.lease().await.map(drop) }
    });
    tokio::time::timeout(Duration::from_secs(5), async {
        while metrics.series("db.client.connection.pending_requests") != [(of_pool(), 1.0)].into() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the waiting request is counted");
    waiting
        .await
        .expect("joined")
        .expect_err("no second connection within the timeout");
    drop(held);

    assert_eq!(
        metrics.series("db.client.connection.timeouts"),
        [(of_pool(), 1.0)].into()
    );
    assert_eq!(
        metrics.series("db.client.connection.wait_time"),
        [(of_pool(), 2.0)].into()
    );
    assert_eq!(
        metrics.series("db.client.connection.use_time"),
        [(of_pool(), 1.0)].into()
    );
    assert_eq!(
        metrics.series("db.client.connection.pending_requests"),
        [(of_pool(), 0.0)].into()
    );
}

#[tokio::test]
async fn every_new_connection_reports_how_long_the_server_took_to_set_it_up() {
    let test_database = TestDatabase::create().await;
    let metrics = RecordedMetrics::new();
    let database = connect_lazy(
        &DatabaseSettings {
            url: SecretString::from(test_database.url()),
            max_connections: 2,
            acquire_timeout: Duration::from_secs(5),
            application_name: "doorman-test".to_owned(),
            statement_timeout: Duration::from_secs(5),
            lock_timeout: Duration::from_secs(1),
            idle_in_transaction_timeout: Duration::from_secs(5),
            thresholds: Thresholds::default(),
            pooler: crate::Pooler::None,
            pool: crate::PoolName::Primary,
        },
        &metrics.meter(),
    )
    .expect("valid URL");

    let first = database.lease().await.expect("a connection");
    let second = database.lease().await.expect("another connection");
    drop((first, second));

    assert_eq!(
        metrics.series("db.client.connection.create_time"),
        [(of_pool(), 2.0)].into()
    );
}
