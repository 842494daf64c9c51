//! `doorman migrate`, and what the service checks of its schema at start.

use std::fmt::Write as _;

use adapters_postgres::{Database, MigrationError, MigrationStatus};
use anyhow::Context as _;
use time::format_description::well_known::Rfc3339;

use crate::config::{Config, MigrateCommand};

/// Runs `command`: what to print, or why it failed.
///
/// # Errors
///
/// When the database cannot be reached, a migration fails, or (`verify`)
/// the database has a migration this build cannot trust.
pub async fn run_migrate(command: &MigrateCommand) -> anyhow::Result<String> {
    match command {
        MigrateCommand::Status { config } => Ok(table(&config.migrations()?.status().await?)),
        MigrateCommand::Up { to, config } => {
            let applied = config.migrations()?.up(*to).await?;
            Ok(listed("applied", "nothing to apply", &applied))
        }
        MigrateCommand::Down { to, config } => {
            let migrations = config.migrations()?;
            let planned = migrations.to_revert(*to).await?;
            #[expect(
                clippy::print_stderr,
                reason = "the operator sees the plan before it runs"
            )]
            {
                eprint!("{}", listed("reverting", "nothing to revert", &planned));
            }
            let reverted = migrations.down(*to).await?;
            Ok(listed("reverted", "nothing reverted", &reverted))
        }
        MigrateCommand::Verify { config } => {
            let problems = config.migrations()?.verify().await?;
            if problems.is_empty() {
                Ok("the database's migrations are as this build has them\n".to_owned())
            } else {
                Err(MigrationError::Problems(problems).into())
            }
        }
    }
}

/// Applies the pending migrations when the configuration asks for it (the
/// database must then be reachable); otherwise refuses a database whose
/// applied migrations this build cannot trust. A database that cannot be
/// reached, or does not answer within the acquire timeout, is left to the
/// readiness probe, which says when it comes.
///
/// # Errors
///
/// A migration that failed, or the problems that keep the service from
/// starting.
pub(crate) async fn prepare_schema(config: &Config, database: &Database) -> anyhow::Result<()> {
    if config.migrate {
        let applied = config.migrations()?.up(None).await?;
        tracing::info!(applied = applied.len(), "migrations applied");
        return Ok(());
    }
    let checked = tokio::time::timeout(
        config.acquire_timeout(),
        adapters_postgres::migration_problems(database),
    )
    .await;
    let Ok(checked) = checked else {
        tracing::warn!("the database did not answer the migration check at start in time");
        return Ok(());
    };
    match checked {
        Ok(problems) if problems.is_empty() => Ok(()),
        Ok(problems) => Err(MigrationError::Problems(problems))
            .context("refusing to start on a schema this build cannot trust"),
        Err(error @ (MigrationError::Connect(_) | MigrationError::ConnectTimeout(_))) => {
            tracing::warn!(
                error = %error,
                "cannot check the migrations at start; the readiness probe says when the \
                 database is reachable"
            );
            Ok(())
        }
        Err(error) => Err(error).context("cannot check the migrations at start"),
    }
}

/// `status`'s table: version, state, when applied, name.
fn table(statuses: &[MigrationStatus]) -> String {
    let mut text = format!(
        "{:>7}  {:<21}  {:<30}  {}\n",
        "version", "state", "applied at", "name"
    );
    for status in statuses {
        let applied_at = status
            .applied_at
            .and_then(|at| at.format(&Rfc3339).ok())
            .unwrap_or_else(|| "-".to_owned());
        let _ = writeln!(
            text,
            "{:>7}  {:<21}  {:<30}  {}",
            status.version,
            status.state.as_str(),
            applied_at,
            status.description
        );
    }
    text
}

/// One line per migration, after a verb, or `none`.
fn listed(verb: &str, none: &str, statuses: &[MigrationStatus]) -> String {
    if statuses.is_empty() {
        return format!("{none}\n");
    }
    let mut text = String::new();
    for status in statuses {
        let _ = writeln!(text, "{verb} {} ({})", status.version, status.description);
    }
    text
}
