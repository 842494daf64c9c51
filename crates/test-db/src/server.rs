//! The PostgreSQL server that `DATABASE_URL` names: its maintenance
//! database, where databases are created and dropped, and how to reach the
//! others.

use std::env;
use std::str::FromStr;
use std::sync::OnceLock;
use std::thread::available_parallelism;
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, ConnectOptions as _, Executor, PgPool, Postgres};
use tokio::sync::OnceCell;
use url::Url;

use crate::error::{Result, Step};
use crate::names;

/// How long a drop or rename waits for the sessions it ends before it goes
/// ahead.
const DISCONNECT_TIMEOUT: Duration = Duration::from_secs(5);

const NOT_SET: &str = "DATABASE_URL is not set: run the database tests with `cargo xtask test-db`";

/// Names a transaction pooler in front of the server (the URL of any
/// database through it), for the black-box suite to run the service
/// through; `cargo xtask test-db` sets it for its second pass.
pub const POOLER_VARIABLE: &str = "TEST_DB_POOLER_URL";

/// Names a streaming replica of the server that replays with a delay (the
/// URL of any database on it), for the tests of reads served by a replica;
/// `cargo xtask test-db` sets it for them.
pub const REPLICA_VARIABLE: &str = "TEST_DB_REPLICA_URL";

struct Server {
    url: Url,
    options: PgConnectOptions,
}

/// `DATABASE_URL`, read once; a test without it fails, saying how to run it.
fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let url = env::var("DATABASE_URL").unwrap_or_else(|_| panic!("{NOT_SET}"));
        // The harness's and the tests' own statements are not the service's:
        // they stay out of the logs that the black-box suite audits.
        let options = PgConnectOptions::from_str(&url)
            .unwrap_or_else(|error| panic!("DATABASE_URL is not a PostgreSQL URL: {error}"))
            .disable_statement_logging();
        let url =
            Url::parse(&url).unwrap_or_else(|error| panic!("DATABASE_URL is not a URL: {error}"));
        Server { url, options }
    })
}

/// Fails the calling test, on its own thread where its output is captured,
/// when `DATABASE_URL` is missing.
pub(crate) fn require_database_url() {
    server();
}

/// Options for the server's maintenance database (DATABASE_URL), for tests
/// that must act as an administrator (e.g. pg_terminate_backend).
pub fn admin_connect_options() -> PgConnectOptions {
    server().options.clone()
}

/// Options for `database` on the same server, as the same role.
pub(crate) fn connect_options(database: &str) -> PgConnectOptions {
    admin_connect_options().database(database)
}

/// `DATABASE_URL` with `database` in place of its database.
pub(crate) fn url(database: &str) -> String {
    with_database(&server().url, database)
}

/// `url`, a database of this server, as reached through the pooler that
/// [`POOLER_VARIABLE`] names; `None` without one, or for a URL of another
/// server.
pub fn through_pooler(url: &str) -> Option<String> {
    elsewhere(POOLER_VARIABLE, url)
}

/// `url`, a database of this server, on the streaming replica that
/// [`REPLICA_VARIABLE`] names; `None` without one, or for a URL of another
/// server.
pub fn on_replica(url: &str) -> Option<String> {
    elsewhere(REPLICA_VARIABLE, url)
}

/// `url`'s database at the server the URL in `variable` names.
fn elsewhere(variable: &str, url: &str) -> Option<String> {
    let there = env::var(variable).ok()?;
    let there =
        Url::parse(&there).unwrap_or_else(|error| panic!("{variable} is not a URL: {error}"));
    let url = Url::parse(url).ok()?;
    let database = url.path().trim_start_matches('/');
    // The same server: the same URL but for the database.
    (with_database(&url, "") == with_database(&server().url, ""))
        .then(|| with_database(&there, database))
}

fn with_database(url: &Url, database: &str) -> String {
    let mut url = url.clone();
    url.set_path(&format!("/{database}"));
    if url.query_pairs().any(|(key, _)| key == "dbname") {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(key, _)| key != "dbname")
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect();
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url.into()
}

/// Connections to the maintenance database shared by every test of the
/// process. Only awaited on the shared runtime, where they live.
pub(crate) async fn admin_pool() -> Result<&'static PgPool> {
    static POOL: OnceCell<PgPool> = OnceCell::const_new();
    POOL.get_or_try_init(|| async {
        let cores = available_parallelism().map_or(1, usize::from);
        PgPoolOptions::new()
            .max_connections(u32::try_from(cores).unwrap_or(u32::MAX).max(4))
            .connect_with(admin_connect_options())
            .await
            .step("connect to DATABASE_URL")
    })
    .await
}

/// Runs one statement that takes no parameters (`CREATE DATABASE` and the
/// like), as a simple query: a single round trip, and no prepared statement
/// kept for a text that never comes back.
pub(crate) async fn execute<'c>(
    executor: impl Executor<'c, Database = Postgres>,
    sql: String,
) -> Result<()> {
    sqlx::raw_sql(AssertSqlSafe(sql.as_str()))
        .execute(executor)
        .await
        .map(drop)
        .step(sql)
}

pub(crate) async fn database_exists<'c>(
    executor: impl Executor<'c, Database = Postgres>,
    database: &str,
) -> Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)")
        .bind(database)
        .fetch_one(executor)
        .await
        .step(format!("look for database {database}"))
}

/// Drops `database`, disconnecting whoever is still connected to it.
pub(crate) async fn drop_database(database: &str) -> Result<()> {
    let pool = admin_pool().await?;
    disconnect(pool, database).await?;
    let sql = format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        names::quoted(database)
    );
    execute(pool, sql).await
}

/// Renames `database` to `name`, disconnecting whoever is still connected
/// to it (PostgreSQL renames no database in use).
pub(crate) async fn rename_database(database: &str, name: &str) -> Result<()> {
    let pool = admin_pool().await?;
    disconnect(pool, database).await?;
    let sql = format!(
        "ALTER DATABASE {} RENAME TO {}",
        names::quoted(database),
        names::quoted(name)
    );
    execute(pool, sql).await
}

/// Ends the sessions on `database` and waits until they are gone, for at
/// most [`DISCONNECT_TIMEOUT`].
///
/// `DROP DATABASE ... WITH (FORCE)` alone would do for a drop, but it
/// checks for the sessions it ends in steps of 100 ms, and the first check
/// comes before they can have ended: every drop of a database in use would
/// take 100 ms. So they are ended first, and awaited in steps of a
/// millisecond.
async fn disconnect(pool: &PgPool, database: &str) -> Result<()> {
    let deadline = Instant::now() + DISCONNECT_TIMEOUT;
    loop {
        let connected: i64 = sqlx::query_scalar(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
              WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(database)
        .fetch_one(pool)
        .await
        .step(format!("disconnect the sessions of {database}"))?;
        if connected == 0 || Instant::now() >= deadline {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_names_the_database_and_keeps_the_rest() {
        let other = url("doorman_other");
        let options = PgConnectOptions::from_str(&other).expect("parses");
        assert_eq!(options.get_database(), Some("doorman_other"));
        let admin = admin_connect_options();
        assert_eq!(options.get_host(), admin.get_host());
        assert_eq!(options.get_port(), admin.get_port());
        assert_eq!(options.get_username(), admin.get_username());
        assert_eq!(options.get_socket(), admin.get_socket());
    }

    #[test]
    fn a_database_named_in_the_query_is_replaced_too() {
        let url = Url::parse("postgres://ada@localhost/?dbname=main&host=%2Ftmp%2Fpg&port=5433")
            .expect("parses");
        let options =
            PgConnectOptions::from_str(&with_database(&url, "doorman_other")).expect("parses");
        assert_eq!(options.get_database(), Some("doorman_other"));
        assert_eq!(options.get_port(), 5433);
        assert_eq!(
            options
                .get_socket()
                .map(|path| path.to_string_lossy().into_owned()),
            Some("/tmp/pg".to_owned())
        );
    }
}
