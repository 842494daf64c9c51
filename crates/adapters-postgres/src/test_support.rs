//! Real databases for this crate's tests.

use std::env;
use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool};
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::migrations::MIGRATOR;

fn database_url() -> String {
    env::var("DATABASE_URL")
        .expect("DATABASE_URL is not set: run the database tests with `cargo xtask test-db`")
}

/// A pool on the shared test database, migrated once per test process.
pub async fn migrated_pool() -> PgPool {
    static MIGRATED: OnceCell<()> = OnceCell::const_new();
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect(&database_url())
        .await
        .expect("connect to DATABASE_URL");
    MIGRATED
        .get_or_init(|| async {
            MIGRATOR
                .run(&pool)
                .await
                .expect("migrate the test database");
        })
        .await;
    pool
}

/// An empty database of its own, for a test that changes the schema.
pub struct ScratchDatabase {
    name: String,
}

impl ScratchDatabase {
    pub async fn create(purpose: &str) -> Self {
        let name = format!("doorman_{purpose}_{}", Uuid::now_v7().simple());
        admin_execute(&format!("CREATE DATABASE {name}")).await;
        Self { name }
    }

    pub async fn pool(&self) -> PgPool {
        let options = PgConnectOptions::from_str(&database_url())
            .expect("DATABASE_URL parses")
            .database(&self.name);
        PgPoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await
            .expect("connect to the scratch database")
    }

    /// Drops the database; a test that fails before this leaves it for
    /// inspection, and the throw-away cluster goes with it anyway.
    pub async fn drop_database(self) {
        admin_execute(&format!("DROP DATABASE {} WITH (FORCE)", self.name)).await;
    }
}

async fn admin_execute(sql: &str) {
    let mut connection = PgConnection::connect(&database_url())
        .await
        .expect("connect to DATABASE_URL");
    sqlx::query(AssertSqlSafe(sql))
        .execute(&mut connection)
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error}"));
}

/// Everything in the `public` schema that migrations create, as sorted
/// text lines, leaving out the migrations' own bookkeeping table.
pub async fn schema_of(pool: &PgPool) -> String {
    const CATALOG_QUERIES: [&str; 10] = [
        "SELECT format('table %I', tablename) FROM pg_tables
          WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations'",
        "SELECT format('column %I.%I %s %s default %s', table_name, column_name, data_type,
                       is_nullable, coalesce(column_default, '-'))
           FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
        "SELECT format('constraint %s %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
           FROM pg_constraint
          WHERE connamespace = 'public'::regnamespace
            AND conrelid::regclass::text <> '_sqlx_migrations'",
        "SELECT format('index %s', indexdef) FROM pg_indexes
          WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations'",
        "SELECT format('function %s', pg_get_functiondef(oid)) FROM pg_proc
          WHERE pronamespace = 'public'::regnamespace AND prokind IN ('f', 'p')",
        "SELECT format('trigger %s', pg_get_triggerdef(oid)) FROM pg_trigger WHERE NOT tgisinternal",
        "SELECT format('type %s %s %s', t.typname, t.typtype,
                       (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder)
                          FROM pg_enum WHERE enumtypid = t.oid))
           FROM pg_type t
          WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd')",
        "SELECT format('view %I %s', viewname, definition) FROM pg_views WHERE schemaname = 'public'",
        "SELECT format('sequence %I', sequencename) FROM pg_sequences WHERE schemaname = 'public'",
        "SELECT format('extension %I', extname) FROM pg_extension",
    ];
    let mut lines = Vec::new();
    for query in CATALOG_QUERIES {
        let rows: Vec<(String,)> = sqlx::query_as(query)
            .fetch_all(pool)
            .await
            .unwrap_or_else(|error| panic!("{query}: {error}"));
        lines.extend(rows.into_iter().map(|(line,)| line));
    }
    lines.sort();
    lines.join("\n")
}
