//! The connection pool and the limits every session runs under.

use std::str::FromStr;
use std::time::Duration;

use opentelemetry::metrics::Meter;
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::database::{Database, Thresholds};
use crate::pool_metrics::{PoolMetrics, PoolName};
use crate::pooler::{Pooler, TransactionLimits};
use crate::query::QueryMetrics;

/// How long a connection may sit idle and still be handed out unchecked.
const PING_AFTER_IDLE: Duration = Duration::from_secs(5);

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
    /// What sits between the service and PostgreSQL.
    pub pooler: Pooler,
    /// The name the pool's metrics carry.
    pub pool: PoolName,
}

/// A database URL the service cannot use. The message never repeats the
/// URL, which may hold a password.
#[derive(Debug, thiserror::Error)]
pub enum InvalidDatabaseUrl {
    #[error("the database URL is not a valid PostgreSQL URL")]
    Unparsable(#[source] sqlx::Error),
    /// A transaction pooler refuses a connection with start-up options.
    #[error(
        "behind a transaction pooler the connection takes no start-up options: \
         remove `options` from the database URL and unset PGOPTIONS"
    )]
    OptionsBehindPooler,
}

/// A pool that opens connections on first use, so that the service starts
/// (and reports itself not ready) while the database is down. Its
/// statements and the pool itself are measured on `meter`.
///
/// # Errors
///
/// [`InvalidDatabaseUrl`] when the URL does not parse.
pub fn connect_lazy(
    settings: &DatabaseSettings,
    meter: &Meter,
) -> Result<Database, InvalidDatabaseUrl> {
    let options = connect_options(settings)?;
    let pool_metrics = PoolMetrics::new(meter, settings.pool);
    let pool_options = PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        // sqlx pings every connection before handing it out: one more round
        // trip per statement. Only a connection idle for long enough to
        // have been dropped by a restart, a failover or a middlebox is
        // pinged here, within the acquire timeout as before; a busy pool's
        // connections go out as they are.
        .test_before_acquire(false)
        .before_acquire(|connection, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_AFTER_IDLE {
                    sqlx::Connection::ping(connection).await?;
                }
                Ok(true)
            })
        });
    let pool = match settings.pooler {
        Pooler::None => {
            let on_connect = pool_metrics.clone();
            pool_options.after_connect(move |connection, _| {
                let metrics = on_connect.clone();
                Box::pin(async move {
                    // The measure is worth less than the connection: failing
                    // to take it must not fail the connection.
                    match setup_time(connection).await {
                        Ok(setup) => metrics.created(setup),
                        Err(error) => {
                            tracing::debug!(error = %error, "cannot read the connection's setup time");
                        }
                    }
                    Ok(())
                })
            })
        }
        // The server session a pooler's connection starts on is not this
        // connection's, and a statement outside a transaction may not
        // reach it whole.
        Pooler::Transaction => pool_options,
    }
    .connect_lazy_with(options);
    pool_metrics.observe(meter, &pool);
    let database = Database::measured(
        pool,
        settings.thresholds,
        QueryMetrics::new(meter),
        pool_metrics,
    );
    Ok(match settings.pooler {
        Pooler::None => database,
        Pooler::Transaction => database.behind_pooler(TransactionLimits::new(
            settings.statement_timeout,
            settings.lock_timeout,
            settings.idle_in_transaction_timeout,
        )),
    })
}

/// How long the server took from accepting the connection to being ready
/// for its first statement (authentication and start-up), by the server's
/// own clock: sqlx gives no hook before the connection is made.
async fn setup_time(connection: &mut PgConnection) -> Result<Duration, sqlx::Error> {
    let seconds = sqlx::query_scalar!(
        r#"SELECT extract(epoch FROM clock_timestamp() - backend_start)::float8 AS "seconds!"
           FROM pg_stat_get_activity(pg_backend_pid())"#
    )
    .fetch_one(connection)
    .await?;
    Ok(Duration::try_from_secs_f64(seconds).unwrap_or_default())
}

/// The connection options with the session limits as startup parameters,
/// so that they hold from the first statement of every connection. A
/// transaction pooler refuses start-up parameters it does not know, and
/// would keep them for one server session only: behind one, there are none,
/// and each transaction sets the limits instead.
fn connect_options(settings: &DatabaseSettings) -> Result<PgConnectOptions, InvalidDatabaseUrl> {
    let options = PgConnectOptions::from_str(settings.url.expose_secret())
        .map_err(InvalidDatabaseUrl::Unparsable)?
        .application_name(&settings.application_name);
    if settings.pooler == Pooler::Transaction {
        if options.get_options().is_some() {
            return Err(InvalidDatabaseUrl::OptionsBehindPooler);
        }
        // Floats are read in binary, whatever the setting says. With no
        // statement cache, nothing named can be found and reused.
        return Ok(options.extra_float_digits(None).statement_cache_capacity(0));
    }
    let options = options.options([
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

    fn settings_behind_a_pooler(url: &str) -> DatabaseSettings {
        DatabaseSettings {
            url: SecretString::from(url),
            max_connections: 1,
            acquire_timeout: Duration::from_secs(5),
            application_name: "doorman".to_owned(),
            statement_timeout: Duration::from_secs(5),
            lock_timeout: Duration::from_secs(2),
            idle_in_transaction_timeout: Duration::from_secs(10),
            thresholds: Thresholds::default(),
            pooler: Pooler::Transaction,
            pool: PoolName::Primary,
        }
    }

    #[test]
    fn behind_a_pooler_the_connection_sends_no_start_up_options() {
        let options = connect_options(&settings_behind_a_pooler(
            "postgres://doorman@127.0.0.1:6432/doorman",
        ))
        .expect("valid URL");
        assert_eq!(options.get_options(), None);

        let refused = connect_options(&settings_behind_a_pooler(
            "postgres://doorman@127.0.0.1:6432/doorman?options=-c%20work_mem%3D64MB",
        ));
        assert!(
            matches!(refused, Err(InvalidDatabaseUrl::OptionsBehindPooler)),
            "{refused:?}"
        );
    }

    #[test]
    fn every_session_runs_under_the_configured_limits_and_name() {
        test_db::run(async {
            let test_database = TestDatabase::create().await;
            let database = connect_lazy(
                &DatabaseSettings {
                    url: SecretString::from(test_database.url()),
                    max_connections: 1,
                    acquire_timeout: Duration::from_secs(5),
                    application_name: "doorman-limits".to_owned(),
                    statement_timeout: Duration::from_millis(1500),
                    lock_timeout: Duration::from_millis(250),
                    idle_in_transaction_timeout: Duration::from_secs(7),
                    thresholds: Thresholds::default(),
                    pooler: Pooler::None,
                    pool: PoolName::Primary,
                },
                &opentelemetry::global::meter("tests"),
            )
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
