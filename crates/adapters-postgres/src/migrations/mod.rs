//! The schema migrations, embedded from `migrations/` at the workspace's
//! top: what the database has applied of them, and applying or reverting
//! them on a connection of their own.

mod catalogue;
mod problem;
mod runner;
mod schema;
#[cfg(test)]
mod tests;

use sqlx::migrate::{MigrateError, Migrator};

pub use catalogue::{MigrationState, MigrationStatus};
pub use problem::Problem;
pub use runner::Migrations;

use crate::database::Database;

pub(crate) static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// Migrations could not be read, applied or reverted.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The database could not be reached.
    #[error("cannot connect to the database to migrate it")]
    Connect(#[source] sqlx::Error),
    /// The database did not answer in time.
    #[error("the database did not accept a connection within {} ms", .0.as_millis())]
    ConnectTimeout(std::time::Duration),
    /// What the database has applied does not match this build.
    #[error("{}", Problem::describe_all(.0))]
    Problems(Vec<Problem>),
    /// A statement of a migration waited for a lock longer than allowed.
    #[error(
        "migration {version} waited more than {timeout_ms} ms for a lock that another session \
         holds, and stopped: {}. Retry when the transactions on its tables are shorter, or \
         raise DOORMAN_MIGRATION_LOCK_TIMEOUT_MS",
        if *no_transaction {
            "it runs outside a transaction, so what it did before stays (an index built \
             CONCURRENTLY is left INVALID: drop it before retrying)"
        } else {
            "its transaction was rolled back, so the database is as it was before it"
        }
    )]
    LockTimeout {
        version: i64,
        timeout_ms: u128,
        no_transaction: bool,
    },
    /// `down` was asked for a version that is not one.
    #[error("there is no migration {0}: `doorman migrate status` lists them")]
    NoSuchVersion(i64),
    /// Applying, reverting or reading them failed.
    #[error("cannot migrate the database")]
    Migrate(#[from] MigrateError),
    /// Reading what was applied failed.
    #[error("cannot read the applied migrations")]
    Read(#[source] sqlx::Error),
    /// The database to compare the schema with could not be made or read.
    #[error("cannot build a scratch database to compare the schema with (the role needs CREATEDB)")]
    Scratch(#[source] sqlx::Error),
    /// The migrations failed on the scratch database.
    #[error("the migrations fail on a scratch database, so the schema cannot be compared")]
    ScratchMigration(#[source] MigrateError),
    /// The scratch database could not be dropped.
    #[error("cannot drop the scratch database {0}: drop it by hand (DROP DATABASE {0})")]
    ScratchLeft(String),
}

/// What keeps this build from trusting the database: an applied migration
/// whose checksum differs, a failed one, or one it does not know. Read on a
/// connection of the service's pool, unlike the migrations themselves: a
/// read takes no lock, and the connection is kept for the service rather
/// than being a server process started and stopped. Behind a transaction
/// pooler the read is a transaction of its own, and its connection is
/// closed after: a check cut short could leave it inside that transaction.
///
/// # Errors
///
/// When the database cannot be reached or read.
pub async fn problems(database: &Database) -> Result<Vec<Problem>, MigrationError> {
    let mut connection = database
        .pool()
        .acquire()
        .await
        .map_err(MigrationError::Connect)?;
    let Some(limits) = database.transaction_limits() else {
        return Ok(Problem::of(&catalogue::read(&mut connection, true).await?));
    };
    connection.close_on_drop();
    sqlx::raw_sql(limits.after("BEGIN READ ONLY"))
        .execute(&mut *connection)
        .await
        .map_err(unreachable_or_unreadable)?;
    let statuses = catalogue::read(&mut connection, false).await?;
    sqlx::raw_sql("COMMIT")
        .execute(&mut *connection)
        .await
        .map_err(unreachable_or_unreadable)?;
    Ok(Problem::of(&statuses))
}

/// A failure of the connection itself, which the readiness probe reports
/// when it mends, or of the read.
fn unreachable_or_unreadable(error: sqlx::Error) -> MigrationError {
    let connection_failed = match &error {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(error) => error.code().is_some_and(|code| code.starts_with("08")),
        _ => false,
    };
    if connection_failed {
        MigrationError::Connect(error)
    } else {
        MigrationError::Read(error)
    }
}

/// The version of the newest embedded migration.
pub(crate) fn latest_version() -> i64 {
    MIGRATOR
        .iter()
        .map(|migration| migration.version)
        .max()
        .unwrap_or(0)
}
