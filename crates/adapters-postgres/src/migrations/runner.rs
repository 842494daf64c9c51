//! Applying and reverting migrations on a connection of their own, not the
//! service's pool, whose statement and lock timeouts would cut short the
//! wait for another migrator's advisory lock and any long migration. The
//! lock is a session's: `DATABASE_URL` must reach PostgreSQL directly or
//! through a pooler in session mode, never one in transaction mode.

use std::fmt;
use std::str::FromStr as _;
use std::time::Duration;

use secrecy::ExposeSecret as _;
use sqlx::migrate::{Migrate as _, MigrateError, Migration, Migrator};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions as _, Connection as _};

use uuid::Uuid;

use super::catalogue::{self, MigrationState, MigrationStatus};
use super::{MIGRATOR, MigrationError, Problem, schema};
use crate::pool::{DatabaseSettings, InvalidDatabaseUrl};

/// SQLSTATE `lock_not_available`: `lock_timeout` ran out.
const LOCK_NOT_AVAILABLE: &str = "55P03";

/// The migrations of this build against one database.
#[derive(Clone)]
pub struct Migrations {
    options: PgConnectOptions,
    connect_timeout: Duration,
    lock_timeout: Duration,
}

/// Not derived: the connection options would print the password.
impl fmt::Debug for Migrations {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Migrations")
            .field("connect_timeout", &self.connect_timeout)
            .field("lock_timeout", &self.lock_timeout)
            .finish_non_exhaustive()
    }
}

/// A connection holding the migrators' advisory lock, and what the
/// database had applied when it took it.
struct Locked {
    connection: PgConnection,
    statuses: Vec<MigrationStatus>,
}

impl Migrations {
    /// The migrations of the database of `settings`, connecting within its
    /// acquire timeout. Each statement of a
    /// migration waits at most `lock_timeout` for a lock, so that it never
    /// queues behind a long transaction while every request queues behind
    /// it.
    ///
    /// # Errors
    ///
    /// When the URL is not a PostgreSQL URL.
    pub fn new(
        settings: &DatabaseSettings,
        lock_timeout: Duration,
    ) -> Result<Self, InvalidDatabaseUrl> {
        // No statement timeout: a migration may rightly take long, and the
        // lock timeout keeps it from blocking others while it waits.
        let options = PgConnectOptions::from_str(settings.url.expose_secret())
            .map_err(InvalidDatabaseUrl::Unparsable)?
            .application_name(&format!("{} migrate", settings.application_name))
            .options([("statement_timeout", "0"), ("lock_timeout", "0")])
            .disable_statement_logging();
        Ok(Self {
            options,
            connect_timeout: settings.acquire_timeout,
            lock_timeout,
        })
    }

    /// Every migration this build or the database knows, by version.
    ///
    /// # Errors
    ///
    /// When the database cannot be reached or read.
    pub async fn status(&self) -> Result<Vec<MigrationStatus>, MigrationError> {
        let mut connection = self.connect().await?;
        let statuses = catalogue::read(&mut connection, true).await;
        close(connection).await;
        statuses
    }

    /// What [`problems`](super::problems) finds, and else whether the live
    /// schema is the one the applied migrations build: it migrates a
    /// scratch database on the same server to the same version, compares
    /// the catalogues, and drops it.
    ///
    /// # Errors
    ///
    /// When the database cannot be reached or read, or the scratch
    /// database cannot be made (the role needs `CREATEDB`).
    pub async fn verify(&self) -> Result<Vec<Problem>, MigrationError> {
        // Under the migrators' lock, so that an `up` running meanwhile is
        // not taken for drift.
        let Locked {
            connection: mut live,
            statuses,
        } = match self.lock().await {
            Ok(locked) => locked,
            Err(MigrationError::Problems(problems)) => return Ok(problems),
            Err(error) => return Err(error),
        };
        let applied: Vec<i64> = statuses
            .iter()
            .filter(|status| status.state == MigrationState::Applied)
            .map(|status| status.version)
            .collect();
        let version = applied.last().copied().unwrap_or(0);
        let found = schema::describe(&mut live)
            .await
            .map_err(MigrationError::Read)?;
        let built = self.built_schema(&mut live, &applied).await;
        finish(live, Ok(())).await?;
        let built = built?;
        let missing: Vec<String> = built
            .iter()
            .filter(|line| !found.contains(line))
            .cloned()
            .collect();
        let unexpected: Vec<String> = found
            .iter()
            .filter(|line| !built.contains(line))
            .cloned()
            .collect();
        Ok(if missing.is_empty() && unexpected.is_empty() {
            Vec::new()
        } else {
            vec![Problem::SchemaDiffers {
                version,
                missing,
                unexpected,
            }]
        })
    }

    /// The schema that exactly the `applied` migrations build, in a
    /// scratch database made (from `template0`, so that nothing added to
    /// `template1` shows) and dropped through `live`.
    async fn built_schema(
        &self,
        live: &mut PgConnection,
        applied: &[i64],
    ) -> Result<Vec<String>, MigrationError> {
        // Made here, of letters, digits and `_`: safe to splice.
        let name = format!("doorman_verify_{}", Uuid::now_v7().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} TEMPLATE template0"
        )))
        .execute(&mut *live)
        .await
        .map_err(MigrationError::Scratch)?;
        let built = async {
            let options = self.options.clone().database(&name);
            let mut scratch =
                tokio::time::timeout(self.connect_timeout, PgConnection::connect_with(&options))
                    .await
                    .map_err(|_| MigrationError::ConnectTimeout(self.connect_timeout))?
                    .map_err(MigrationError::Scratch)?;
            let migrated = without_its_own_lock(|migration| applied.contains(&migration.version))
                .run(&mut scratch)
                .await
                .map_err(MigrationError::ScratchMigration);
            let built = match migrated {
                Ok(()) => schema::describe(&mut scratch)
                    .await
                    .map_err(MigrationError::Scratch),
                Err(error) => Err(error),
            };
            close(scratch).await;
            built
        }
        .await;
        let dropped = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut *live)
        .await;
        if let Err(error) = dropped {
            tracing::warn!(error = %error, database = %name, "cannot drop the scratch database");
            return Err(MigrationError::ScratchLeft(name));
        }
        built
    }

    /// Applies the pending migrations up to `to` (all without it), oldest
    /// first, each in a transaction of its own: the ones it applied.
    ///
    /// # Errors
    ///
    /// [`MigrationError::Problems`] when the database has a migration this
    /// build cannot trust (nothing is applied), a lock timeout, or the
    /// failure of a migration (those before it stay applied).
    pub async fn up(&self, to: Option<i64>) -> Result<Vec<MigrationStatus>, MigrationError> {
        let Locked {
            mut connection,
            statuses,
        } = self.lock().await?;
        if let Some(to) = to {
            check_version(to)?;
        }
        let to = to.unwrap_or_else(super::latest_version);
        let outcome = without_its_own_lock(|_| true)
            .run_to(to, &mut connection)
            .await
            .map_err(|error| self.explain(error));
        finish(connection, outcome).await?;
        Ok(statuses
            .into_iter()
            .filter(|status| status.state == MigrationState::Pending && status.version <= to)
            .collect())
    }

    /// The applied migrations that [`down`](Self::down) to `to` reverts,
    /// newest first.
    ///
    /// # Errors
    ///
    /// When `to` is neither 0 nor a migration's version, or the database
    /// cannot be read.
    pub async fn to_revert(&self, to: i64) -> Result<Vec<MigrationStatus>, MigrationError> {
        check_version(to)?;
        Ok(reverted_by(self.status().await?, to))
    }

    /// Reverts the applied migrations newer than `to`, newest first, each
    /// in a transaction of its own: the ones it reverted.
    ///
    /// # Errors
    ///
    /// As [`up`](Self::up), and when `to` is neither 0 nor a migration's
    /// version.
    pub async fn down(&self, to: i64) -> Result<Vec<MigrationStatus>, MigrationError> {
        check_version(to)?;
        let Locked {
            mut connection,
            statuses,
        } = self.lock().await?;
        let outcome = without_its_own_lock(|_| true)
            .undo(&mut connection, to)
            .await
            .map_err(|error| self.explain(error));
        finish(connection, outcome).await?;
        Ok(reverted_by(statuses, to))
    }

    async fn connect(&self) -> Result<PgConnection, MigrationError> {
        tokio::time::timeout(
            self.connect_timeout,
            PgConnection::connect_with(&self.options),
        )
        .await
        .map_err(|_| MigrationError::ConnectTimeout(self.connect_timeout))?
        .map_err(MigrationError::Connect)
    }

    /// Waits for the migrators' lock (the one sqlx takes, so that a server
    /// of an earlier version takes turns too), then reads what was applied
    /// and refuses to go on from a state it cannot trust.
    async fn lock(&self) -> Result<Locked, MigrationError> {
        let mut connection = self.connect().await?;
        connection.lock().await?;
        let statuses = catalogue::read(&mut connection, true).await?;
        let problems = Problem::of(&statuses);
        if !problems.is_empty() {
            close(connection).await;
            return Err(MigrationError::Problems(problems));
        }
        // Only now: waiting for another migrator is not waiting on a table.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SET lock_timeout = {}",
            self.lock_timeout.as_millis()
        )))
        .execute(&mut connection)
        .await
        .map_err(MigrationError::Read)?;
        Ok(Locked {
            connection,
            statuses,
        })
    }

    fn explain(&self, error: MigrateError) -> MigrationError {
        match error {
            MigrateError::ExecuteMigration(sqlx::Error::Database(cause), version)
                if cause.code().as_deref() == Some(LOCK_NOT_AVAILABLE) =>
            {
                MigrationError::LockTimeout {
                    version,
                    timeout_ms: self.lock_timeout.as_millis(),
                    no_transaction: MIGRATOR
                        .iter()
                        .any(|migration| migration.version == version && migration.no_tx),
                }
            }
            other => MigrationError::Migrate(other),
        }
    }
}

/// The migrations of this build that `keep` keeps, for a connection that
/// already holds the lock.
fn without_its_own_lock(keep: impl Fn(&Migration) -> bool) -> Migrator {
    let mut migrator =
        Migrator::with_migrations(MIGRATOR.iter().filter(|m| keep(m)).cloned().collect());
    migrator.set_locking(false);
    migrator
}

fn check_version(to: i64) -> Result<(), MigrationError> {
    if to == 0 || MIGRATOR.version_exists(to) {
        Ok(())
    } else {
        Err(MigrationError::NoSuchVersion(to))
    }
}

/// The applied migrations newer than `to`, newest first.
fn reverted_by(statuses: Vec<MigrationStatus>, to: i64) -> Vec<MigrationStatus> {
    let mut reverted: Vec<MigrationStatus> = statuses
        .into_iter()
        .filter(|status| status.state == MigrationState::Applied && status.version > to)
        .collect();
    reverted.reverse();
    reverted
}

/// Releases the lock when the work succeeded; on a failure the connection
/// is dropped, which ends its session and the lock with it.
async fn finish(
    mut connection: PgConnection,
    outcome: Result<(), MigrationError>,
) -> Result<(), MigrationError> {
    outcome?;
    // Closing ends the session, and the lock with it, whatever the unlock
    // said: the work is done.
    if let Err(error) = connection.unlock().await {
        tracing::debug!(error = %error, "the migrators' lock was released by closing instead");
    }
    close(connection).await;
    Ok(())
}

/// Ends the session politely; if that fails the server ends it anyway.
async fn close(connection: PgConnection) {
    if let Err(error) = connection.close().await {
        tracing::debug!(error = %error, "the migration connection did not close cleanly");
    }
}
