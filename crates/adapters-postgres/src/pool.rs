//! The connection pool and the limits every session runs under.

use std::str::FromStr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::database::{Database, Thresholds};

/// How to reach the database, how many connections to keep and what each
/// session may do.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// `postgres://user:password@host:port/database?...`; it may hold a
    /// password, so it never prints.
    pub url: SecretString,
    /// The most connections open at once.
    pub max_connections: u32,
    /// How long a request waits for a free connection before it is told the
    /// database is unavailable.
    pub acquire_timeout: Duration,
    /// The name the connections show in `pg_stat_activity`.
    pub application_name: String,
    /// The longest one statement may run before the server cancels it.
    pub statement_timeout: Duration,
    /// The longest a statement may wait for a lock.
    pub lock_timeout: Duration,
    /// The longest a transaction may sit idle before the server ends its
    /// session: the last line of defence against a leaked transaction.
    pub idle_in_transaction_timeout: Duration,
    /// When to warn about slow statements and long-held connections.
    pub thresholds: Thresholds,
}

/// A `DATABASE_URL` that does not parse. The message never repeats the URL,
/// which may hold a password.
#[derive(Debug, thiserror::Error)]
#[error("DATABASE_URL is not a valid PostgreSQL URL")]
pub struct InvalidDatabaseUrl(#[source] sqlx::Error);

/// A pool that opens connections on first use, so that the service starts
/// (and reports itself not ready) while the database is down.
///
/// # Errors
///
/// [`InvalidDatabaseUrl`] when the URL does not parse.
pub fn connect_lazy(settings: &DatabaseSettings) -> Result<Database, InvalidDatabaseUrl> {
    let options = connect_options(settings)?;
    let pool = PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        .connect_lazy_with(options);
    Ok(Database::new(pool, settings.thresholds))
}

/// The connection options with the session limits as startup parameters,
/// so that they hold from the first statement of every connection.
fn connect_options(settings: &DatabaseSettings) -> Result<PgConnectOptions, InvalidDatabaseUrl> {
    let options = PgConnectOptions::from_str(settings.url.expose_secret())
        .map_err(InvalidDatabaseUrl)?
        .application_name(&settings.application_name)
        .options([
            (
                "statement_timeout",
                milliseconds(settings.statement_timeout),
            ),
            ("lock_timeout", milliseconds(settings.lock_timeout)),
            (
                "idle_in_transaction_session_timeout",
                milliseconds(settings.idle_in_transaction_timeout),
            ),
        ]);
    Ok(options)
}

fn milliseconds(duration: Duration) -> String {
    format!("{}ms", duration.as_millis())
}

#[cfg(test)]
mod tests {
    use test_db::TestDatabase;

    use super::*;

    #[test]
    fn every_session_runs_under_the_configured_limits_and_name() {
        test_db::run(async {
            let test_database = TestDatabase::create().await;
            let database = connect_lazy(&DatabaseSettings {
                url: SecretString::from(test_database.url()),
                max_connections: 1,
                acquire_timeout: Duration::from_secs(5),
                application_name: "doorman-limits".to_owned(),
                statement_timeout: Duration::from_millis(1500),
                lock_timeout: Duration::from_millis(250),
                idle_in_transaction_timeout: Duration::from_secs(7),
                thresholds: Thresholds::default(),
            })
            .expect("valid URL");

            let settings: Vec<String> = sqlx::query_scalar(
                "SELECT current_setting(name) FROM unnest(ARRAY[
                     'statement_timeout', 'lock_timeout',
                     'idle_in_transaction_session_timeout', 'application_name'
                 ]) WITH ORDINALITY AS s(name, n) ORDER BY n",
            )
            .fetch_all(database.pool())
            .await
            .expect("settings");

            assert_eq!(settings, ["1500ms", "250ms", "7s", "doorman-limits"]);
        });
    }
}
