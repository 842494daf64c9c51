//! Transactions on the shared rollback database, for tests that need one
//! connection and commit nothing.

use std::thread::available_parallelism;

use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres, Transaction};
use tokio::sync::OnceCell;

use crate::error::{OrPanic, Result, Step};
use crate::fresh;
use crate::isolation::{Isolation, isolation};
use crate::runtime::on_shared_runtime;
use crate::server::{connect_options, require_database_url};
use crate::template::template;

/// A connection of the process-wide pool on the shared rollback database (a
/// clone of the template, created once per template key and reused), with
/// BEGIN already run; dropping it rolls everything back.
pub async fn rollback_transaction() -> Transaction<'static, Postgres> {
    require_database_url();
    let begun = match isolation() {
        Isolation::Template => on_shared_runtime(begin()).await,
        Isolation::Fresh => on_shared_runtime(fresh::transaction()).await,
    };
    begun.or_panic()
}

async fn begin() -> Result<Transaction<'static, Postgres>> {
    pool()
        .await?
        .begin()
        .await
        .step("begin a transaction on the rollback database")
}

/// The pool on the rollback database, on the shared runtime so that its
/// connections outlive the tests that borrow them.
async fn pool() -> Result<&'static PgPool> {
    static POOL: OnceCell<PgPool> = OnceCell::const_new();
    POOL.get_or_try_init(|| async {
        let template = template().await?;
        // Every test thread holds at most one, even on a small machine.
        let cores = available_parallelism().map_or(1, usize::from);
        let size = u32::try_from(cores * 2).unwrap_or(u32::MAX).max(8);
        Ok(PgPoolOptions::new()
            .max_connections(size)
            .connect_lazy_with(connect_options(&template.rollback_database)))
    })
    .await
}

#[cfg(test)]
mod tests {
    use sqlx::PgConnection;
    use uuid::Uuid;

    use super::*;
    use crate::run;

    async fn accounts_with(email: &str, connection: &mut PgConnection) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(connection)
            .await
            .expect("count accounts")
    }

    #[test]
    fn a_rollback_transaction_leaves_nothing_behind() {
        run(async {
            let email = format!("rollback-{}@example.com", Uuid::now_v7().simple());
            let mut transaction = rollback_transaction().await;
            sqlx::query(
                "INSERT INTO users (id, email, display_name, password_hash)
                 VALUES ($1, $2, 'Ada', 'not a hash')",
            )
            .bind(Uuid::now_v7())
            .bind(&email)
            .execute(&mut *transaction)
            .await
            .expect("insert");
            assert_eq!(accounts_with(&email, &mut transaction).await, 1);
            drop(transaction);

            let mut later = rollback_transaction().await;
            assert_eq!(accounts_with(&email, &mut later).await, 0);
        });
    }

    #[test]
    fn rollback_transactions_share_one_migrated_database_unless_fresh() {
        run(async {
            let mut first = rollback_transaction().await;
            let mut second = rollback_transaction().await;
            let query = "SELECT current_database() || ' ' || count(*) FROM _sqlx_migrations";
            let first: String = sqlx::query_scalar(query)
                .fetch_one(&mut *first)
                .await
                .expect("first");
            let second: String = sqlx::query_scalar(query)
                .fetch_one(&mut *second)
                .await
                .expect("second");
            match isolation() {
                Isolation::Template => {
                    assert_eq!(first, second);
                    assert!(first.starts_with("doorman_rollback_"), "{first}");
                }
                Isolation::Fresh => {
                    assert_ne!(first, second);
                    assert!(first.starts_with("doorman_fresh_"), "{first}");
                }
            }
        });
    }

    #[tokio::test]
    async fn a_rollback_transaction_serves_a_test_on_its_own_runtime() {
        let mut transaction = rollback_transaction().await;
        let one: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&mut *transaction)
            .await
            .expect("query");
        assert_eq!(one, 1);
    }
}
