//! Databases made the way `#[sqlx::test]` makes one for each test: created
//! empty, then every migration applied. They build the template, and
//! `DOORMAN_TEST_DB_ISOLATION=fresh` puts them in place of clones and
//! rolled-back transactions, to compare the two.

use sqlx::postgres::PgPoolOptions;
use sqlx::{Postgres, Transaction};

use crate::error::{Result, Step};
use crate::migrations::MIGRATOR;
use crate::names::{self, quoted};
use crate::owner::owner;
use crate::report::report;
use crate::server::{admin_pool, connect_options, drop_database, execute};

/// Creates `database` with every migration applied.
pub(crate) async fn create(database: &str) -> Result<()> {
    let sql = format!("CREATE DATABASE {}", quoted(database));
    execute(admin_pool().await?, sql).await?;
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(connect_options(database))
        .await
        .step(format!("connect to {database}"))?;
    let migrated = MIGRATOR
        .run(&pool)
        .await
        .step(format!("migrate {database}"));
    pool.close().await;
    migrated
}

/// A transaction on a fresh database of its own, which is dropped once the
/// transaction has ended. Must run on the shared runtime.
pub(crate) async fn transaction() -> Result<Transaction<'static, Postgres>> {
    let database = names::owned("fresh", owner().await?);
    create(&database).await?;
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_lazy_with(connect_options(&database));
    let begun = pool
        .begin()
        .await
        .step(format!("begin a transaction on {database}"));
    tokio::spawn(async move {
        // Waits until the transaction's connection comes back to the pool.
        pool.close().await;
        if let Err(failure) = drop_database(&database).await {
            report(&failure);
        }
    });
    begun
}
