//! Clones of the template made ahead of need, so that handing one to a
//! test is a rename rather than a copy: the stock is filled in the
//! background while tests run, as IntegreSQL does.
//!
//! A clone in stock is named as ready ([`names::ready`]) and nobody ever
//! connects to it. Handing it to a test renames it to the test's own name,
//! which is also how a process claims the ready clones that an earlier one
//! left behind: a rename of a database that another process renamed first
//! finds nothing, and the next clone is taken instead.

use std::sync::Arc;
use std::thread::available_parallelism;

use sqlx::PgPool;
use tokio::sync::{Mutex, Notify, OnceCell, mpsc};

use crate::clone::{CloneStrategy, clone_database};
use crate::error::{Failure, Result, Step};
use crate::names::{self, quoted};
use crate::report::report;
use crate::server::{admin_pool, drop_database};
use crate::template::{Template, template};

/// SQLSTATE `invalid_catalog_name`: the database does not exist.
const NO_SUCH_DATABASE: &str = "3D000";

/// The ready clones, in the order they were made or found.
struct Stock {
    ready: Mutex<mpsc::Receiver<Result<String>>>,
    size: usize,
    /// Told of every clone put in stock.
    stocked: Arc<Notify>,
}

/// The stock of this process, filled from first use on. Must be awaited on
/// the shared runtime.
async fn stock() -> Result<&'static Stock> {
    static STOCK: OnceCell<Stock> = OnceCell::const_new();
    STOCK
        .get_or_try_init(|| async {
            let template = template().await?;
            let pool = admin_pool().await?;
            // One for every test thread, as libtest runs one per core.
            let size = available_parallelism().map_or(1, usize::from).max(2);
            let (sender, receiver) = mpsc::channel(size);
            let stocked = Arc::new(Notify::new());
            tokio::spawn(fill(pool, template, sender, Arc::clone(&stocked)));
            Ok(Stock {
                ready: Mutex::new(receiver),
                size,
                stocked,
            })
        })
        .await
}

/// Waits until the stock is full. Must be awaited on the shared runtime.
pub(crate) async fn until_full() -> Result<()> {
    let stock = stock().await?;
    loop {
        let stocked = stock.stocked.notified();
        if stock.ready.lock().await.len() >= stock.size {
            return Ok(());
        }
        stocked.await;
    }
}

/// Renames a ready clone of the template to `database`: a database of its
/// own for a test, at the cost of a catalogue update. Must be awaited on
/// the shared runtime.
pub(crate) async fn take(database: &str) -> Result<()> {
    let stock = stock().await?;
    let pool = admin_pool().await?;
    let mut ready = stock.ready.lock().await;
    loop {
        let clone = ready
            .recv()
            .await
            .ok_or_else(|| Failure::new("take a ready clone", "the stock is no longer filled"))??;
        if claim(pool, &clone, database).await? {
            return Ok(());
        }
    }
}

/// Renames `clone` to `database`; false when another process has claimed
/// `clone` first.
async fn claim(pool: &PgPool, clone: &str, database: &str) -> Result<bool> {
    let sql = format!(
        "ALTER DATABASE {} RENAME TO {}",
        quoted(clone),
        quoted(database)
    );
    match sqlx::raw_sql(sqlx::AssertSqlSafe(sql.as_str()))
        .execute(pool)
        .await
    {
        Ok(_) => Ok(true),
        Err(error)
            if error
                .as_database_error()
                .and_then(|error| error.code())
                .is_some_and(|code| code == NO_SUCH_DATABASE) =>
        {
            Ok(false)
        }
        Err(error) => Err(error).step(sql),
    }
}

/// Puts the clones that earlier processes left into the stock, then keeps
/// it full with new ones until the process ends; a clone that cannot be
/// made is passed on as the failure of the test that would have had it.
async fn fill(
    pool: &'static PgPool,
    template: &'static Template,
    stock: mpsc::Sender<Result<String>>,
    stocked: Arc<Notify>,
) {
    let left = match left_behind(pool, template).await {
        Ok(left) => left,
        Err(failure) => {
            report(&failure);
            Vec::new()
        }
    };
    for clone in left {
        if stock.send(Ok(clone)).await.is_err() {
            return;
        }
        stocked.notify_waiters();
    }
    loop {
        let clone = names::ready(&template.key);
        let made = clone_database(pool, &clone, &template.name, CloneStrategy::FASTEST)
            .await
            .map(|()| clone);
        if stock.send(made).await.is_err() {
            return;
        }
        stocked.notify_waiters();
    }
}

/// The ready clones of this template that earlier processes left; those of
/// other templates, made by an earlier schema, are dropped.
async fn left_behind(pool: &PgPool, template: &Template) -> Result<Vec<String>> {
    let pattern = names::starting_with(&names::ready_prefix());
    let ready: Vec<String> = sqlx::query_scalar(
        "SELECT datname::text FROM pg_database WHERE datname LIKE $1 ORDER BY datname",
    )
    .bind(pattern)
    .fetch_all(pool)
    .await
    .step("list the ready clones")?;
    let ours = names::ready_prefix_of(&template.key);
    let (current, stale): (Vec<String>, Vec<String>) =
        ready.into_iter().partition(|name| name.starts_with(&ours));
    for clone in stale {
        drop_database(&clone).await?;
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run;
    use crate::runtime::on_shared_runtime;
    use crate::server::database_exists;

    async fn exists(name: String) -> bool {
        on_shared_runtime(async move { database_exists(admin_pool().await?, &name).await })
            .await
            .expect("look for a database")
    }

    #[test]
    fn a_clone_claimed_elsewhere_first_is_passed_over() {
        run(async {
            let (clone, mine) = (names::ready("0000000000000000"), names::ready("0"));
            let claimed = on_shared_runtime({
                let (clone, mine) = (clone.clone(), mine.clone());
                async move { claim(admin_pool().await?, &clone, &mine).await }
            })
            .await
            .expect("a rename of a missing database is no failure");
            assert!(!claimed);
            assert!(!exists(mine).await);
        });
    }

    #[test]
    fn left_clones_of_this_schema_are_found_and_those_of_another_dropped() {
        run(async {
            let found = on_shared_runtime(async {
                let pool = admin_pool().await?;
                let template = template().await?;
                let (ours, stale) = (names::ready(&template.key), names::ready("0"));
                for clone in [&ours, &stale] {
                    clone_database(pool, clone, &template.name, CloneStrategy::FASTEST).await?;
                }
                let found = left_behind(pool, template).await?;
                let remaining = (
                    database_exists(pool, &ours).await?,
                    database_exists(pool, &stale).await?,
                );
                drop_database(&ours).await?;
                Ok::<_, Failure>((found.contains(&ours), found.contains(&stale), remaining))
            })
            .await
            .expect("listed");
            assert_eq!(found, (true, false, (true, false)));
        });
    }
}
