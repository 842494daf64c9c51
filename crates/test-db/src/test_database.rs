//! Databases of their own, for tests that commit or use several
//! connections.

use std::future::Future;
use std::mem;
use std::thread;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::clone::{CloneStrategy, clone_database};
use crate::dropper::drop_later;
use crate::error::{OrPanic, Result, Step};
use crate::fresh;
use crate::isolation::{Isolation, isolation};
use crate::names::{self, quoted};
use crate::owner::owner;
use crate::ready;
use crate::runtime::{block_on_shared_runtime, on_shared_runtime};
use crate::seeded;
use crate::server::{
    self, admin_pool, drop_database, execute, rename_database, require_database_url,
};
use crate::template::template;

/// A database of its own, cloned from the template.
///
/// Dropped with the value, unless the test is failing: then it is kept,
/// renamed `doorman_kept_...`, and its name and how to connect to it are
/// printed.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    dropping: Dropping,
}

/// When a database that is no longer needed is gone.
#[derive(Debug, Clone, Copy)]
enum Dropping {
    /// In the background: the test ends at once.
    Later,
    /// Before the test ends, as `#[sqlx::test]` drops its databases.
    Now,
}

impl TestDatabase {
    /// A migrated clone of the template, taken from those made ahead of
    /// need and dropped in the background; under
    /// `DOORMAN_TEST_DB_ISOLATION=fresh`, a [`fresh`](Self::fresh) database
    /// instead.
    pub async fn create() -> Self {
        match isolation() {
            Isolation::Template => {
                Self::make("test", Dropping::Later, |name| async move {
                    ready::take(&name).await
                })
                .await
            }
            Isolation::Fresh => Self::fresh().await,
        }
    }

    /// A clone of a template that holds the rows `seed` (SQL) loads into a
    /// migrated database: for tests that start from more rows than they can
    /// afford to load each time. The seeded template is built once per seed
    /// and schema and kept on the server as the template is; under
    /// `DOORMAN_TEST_DB_ISOLATION=fresh`, the seed is run on a
    /// [`fresh`](Self::fresh) database instead, as `#[sqlx::test]` runs its
    /// fixtures.
    pub async fn seeded(seed: &'static str) -> Self {
        match isolation() {
            Isolation::Template => {
                Self::make("test", Dropping::Later, move |name| async move {
                    let template = seeded::template_of(seed).await?;
                    clone_database(
                        admin_pool().await?,
                        &name,
                        &template,
                        CloneStrategy::FASTEST,
                    )
                    .await
                })
                .await
            }
            Isolation::Fresh => {
                Self::make("fresh", Dropping::Now, move |name| async move {
                    fresh::create(&name).await?;
                    seeded::load(&name, seed).await
                })
                .await
            }
        }
    }

    /// A clone of the template made now with `strategy`, to compare
    /// strategies.
    pub async fn clone_with(strategy: CloneStrategy) -> Self {
        Self::make("test", Dropping::Now, move |name| async move {
            let template = template().await?;
            clone_database(admin_pool().await?, &name, &template.name, strategy).await
        })
        .await
    }

    /// A database created empty with every migration then applied, as
    /// `#[sqlx::test]` makes one; its cost grows with the migrations.
    pub async fn fresh() -> Self {
        Self::make("fresh", Dropping::Now, |name| async move {
            fresh::create(&name).await
        })
        .await
    }

    /// An empty database (for migration up/down tests).
    pub async fn empty() -> Self {
        Self::make("empty", Dropping::Now, |name| async move {
            execute(
                admin_pool().await?,
                format!("CREATE DATABASE {}", quoted(&name)),
            )
            .await
        })
        .await
    }

    async fn make<F, Made>(kind: &'static str, dropping: Dropping, create: F) -> Self
    where
        F: FnOnce(String) -> Made + Send + 'static,
        Made: Future<Output = Result<()>> + Send,
    {
        require_database_url();
        let name = on_shared_runtime(async move {
            let name = names::owned(kind, owner().await?);
            create(name.clone()).await.map(|()| name)
        })
        .await
        .or_panic();
        Self { name, dropping }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn connect_options(&self) -> PgConnectOptions {
        server::connect_options(&self.name)
    }

    /// A postgres URL for this database (to pass as `--database-url` to the
    /// server).
    pub fn url(&self) -> String {
        server::url(&self.name)
    }

    /// A pool on this database, on the caller's runtime.
    pub async fn pool(&self, max_connections: u32) -> PgPool {
        PgPoolOptions::new()
            .max_connections(max_connections)
            .connect_with(self.connect_options())
            .await
            .step(format!("connect to test database {}", self.name))
            .or_panic()
    }

    /// A pool on this database that connects on first use, for tests that
    /// may never read it: each connection is a server process started and
    /// stopped.
    pub fn lazy_pool(&self, max_connections: u32) -> PgPool {
        PgPoolOptions::new()
            .max_connections(max_connections)
            .connect_lazy_with(self.connect_options())
    }

    /// Renames the database of a failed test out of the sweep's way and
    /// says where it is.
    #[expect(
        clippy::print_stderr,
        reason = "the failing test's output is where its database is looked for"
    )]
    fn keep(&self) {
        let test = thread::current()
            .name()
            .map(|name| format!(" of test {name}"))
            .unwrap_or_default();
        let kept = names::kept(&self.name);
        match block_on_shared_runtime(rename_database(&self.name, &kept)) {
            Ok(()) => eprintln!(
                "kept test database {kept}{test}; connect with: psql '{}'",
                server::url(&kept)
            ),
            Err(failure) => eprintln!(
                "cannot keep test database {}{test}, which the next run will drop: {}",
                self.name, failure
            ),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if thread::panicking() {
            self.keep();
            return;
        }
        match self.dropping {
            Dropping::Later => drop_later(mem::take(&mut self.name)),
            Dropping::Now => block_on_shared_runtime(drop_database(&self.name)).or_panic(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use super::*;
    use crate::run;

    async fn exists(name: &str) -> bool {
        let name = name.to_owned();
        on_shared_runtime(async move { server::database_exists(admin_pool().await?, &name).await })
            .await
            .or_panic()
    }

    async fn tables_of(database: &TestDatabase) -> Vec<String> {
        let pool = database.pool(1).await;
        let tables = sqlx::query_scalar(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        )
        .fetch_all(&pool)
        .await
        .expect("list tables");
        pool.close().await;
        tables
    }

    /// The tables of a database with every migration applied.
    const MIGRATED_TABLES: [&str; 6] = [
        "_sqlx_migrations",
        "audit_events",
        "device_tokens",
        "sessions",
        "throttles",
        "users",
    ];

    #[test]
    fn a_clone_has_the_schema_and_is_dropped_when_the_test_succeeds() {
        run(async {
            let database = TestDatabase::create().await;
            let name = database.name().to_owned();
            assert!(exists(&name).await);
            assert_eq!(tables_of(&database).await, MIGRATED_TABLES);

            drop(database);
            crate::dropper::settled().await;

            assert!(!exists(&name).await);
        });
    }

    #[test]
    fn a_database_is_kept_when_its_test_fails() {
        let kept = std::sync::Mutex::new(String::new());
        let failed = catch_unwind(AssertUnwindSafe(|| {
            run(async {
                let database = TestDatabase::create().await;
                *kept.lock().expect("not poisoned") = database.name().to_owned();
                panic!("the test fails");
            })
        }));
        assert!(failed.is_err());
        let name = kept.into_inner().expect("not poisoned");
        run(async {
            let kept = names::kept(&name);
            assert!(!exists(&name).await, "{name} is still in use");
            assert!(exists(&kept).await, "{kept} was dropped");
            on_shared_runtime(async move { drop_database(&kept).await })
                .await
                .or_panic();
        });
    }

    #[tokio::test]
    async fn a_clone_is_dropped_from_a_test_on_its_own_runtime() {
        let database = TestDatabase::create().await;
        let name = database.name().to_owned();
        let pool = database.pool(2).await;
        sqlx::query(
            "INSERT INTO users (id, email, display_name, password_hash)
             VALUES (gen_random_uuid(), 'a@example.com', 'Ada', 'x')",
        )
        .execute(&pool)
        .await
        .expect("commit an account");

        drop(database);
        crate::dropper::settled().await;

        assert!(!exists(&name).await);
        assert!(pool.acquire().await.is_err(), "the pool's database is gone");
    }

    #[test]
    fn an_empty_database_has_no_tables_and_a_fresh_one_every_migration() {
        run(async {
            let empty = TestDatabase::empty().await;
            let fresh = TestDatabase::fresh().await;
            assert_eq!(tables_of(&empty).await, Vec::<String>::new());
            assert_eq!(tables_of(&fresh).await, MIGRATED_TABLES);
        });
    }

    #[test]
    fn both_clone_strategies_copy_the_template() {
        run(async {
            for strategy in [CloneStrategy::WalLog, CloneStrategy::FileCopy] {
                let database = TestDatabase::clone_with(strategy).await;
                assert_eq!(tables_of(&database).await, MIGRATED_TABLES);
            }
        });
    }

    const SEED: &str = "INSERT INTO users (id, email, display_name, password_hash)
        SELECT gen_random_uuid(), n || '@example.com', 'User ' || n, 'x'
          FROM generate_series(1, 3) AS n";

    async fn count_users(database: &TestDatabase) -> i64 {
        let pool = database.pool(1).await;
        let count = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(&pool)
            .await
            .expect("count the accounts");
        pool.close().await;
        count
    }

    #[test]
    fn every_seeded_database_starts_from_the_seed_alone() {
        run(async {
            let first = TestDatabase::seeded(SEED).await;
            let second = TestDatabase::seeded(SEED).await;
            assert_eq!(count_users(&first).await, 3);
            let pool = first.pool(1).await;
            sqlx::query("DELETE FROM users")
                .execute(&pool)
                .await
                .expect("delete the seeded accounts");
            pool.close().await;

            assert_eq!(count_users(&first).await, 0);
            assert_eq!(count_users(&second).await, 3);
            assert_eq!(count_users(&TestDatabase::seeded(SEED).await).await, 3);
            assert_eq!(tables_of(&second).await, MIGRATED_TABLES);
        });
    }

    #[test]
    fn the_url_reaches_the_database() {
        run(async {
            let database = TestDatabase::create().await;
            let options: PgConnectOptions = database.url().parse().expect("parses");
            let pool = PgPoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await
                .expect("connect by URL");
            let current: String = sqlx::query_scalar("SELECT current_database()::text")
                .fetch_one(&pool)
                .await
                .expect("query");
            pool.close().await;
            assert_eq!(current, database.name());
        });
    }
}
