//! The connection pool.

use std::str::FromStr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// How to reach the database and how many connections to keep.
#[derive(Debug, Clone)]
pub struct PoolSettings {
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
pub fn connect_lazy(settings: &PoolSettings) -> Result<PgPool, InvalidDatabaseUrl> {
    let options = PgConnectOptions::from_str(settings.url.expose_secret())
        .map_err(InvalidDatabaseUrl)?
        .application_name(&settings.application_name);
    Ok(PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        .connect_lazy_with(options))
}
