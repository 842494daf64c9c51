//! PostgreSQL's failures in the domain's terms.
//!
//! The table in `docs/ARCHITECTURE.md` lists every mapping; keep the two in
//! step.

use std::borrow::Cow;

use domain::error::{Conflict, InvalidData, RepoError, Retry};
use sqlx::error::DatabaseError;
use sqlx::postgres::PgDatabaseError;

use crate::users::EMAIL_UNIQUE_INDEX;
use crate::{audit, devices, sessions, throttles, users};

/// The SQLSTATE of "cached plan must not change result type": a prepared
/// statement outlived a change to the tables it reads.
pub(crate) const STALE_PLAN: &str = "0A000";

/// Translates a driver failure by its SQLSTATE or kind; the failure itself
/// is kept as the source, for the log.
pub(crate) fn repo_error(error: sqlx::Error) -> RepoError {
    let sqlstate = sqlstate(&error).map(Cow::into_owned);
    match sqlstate.as_deref() {
        Some(code) => database_error(code, error),
        None => driver_error(error),
    }
}

/// Translates a failure of `COMMIT`. Only an answer from the server says
/// what became of the transaction; a connection that broke on the way
/// leaves the outcome unknown (SQLSTATE 08007 says so outright).
pub(crate) fn commit_error(error: sqlx::Error) -> RepoError {
    let lost = match sqlstate(&error).as_deref() {
        Some(code) => code.starts_with("08") || code.starts_with("57P"),
        None => !matches!(error, sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed),
    };
    if lost {
        RepoError::OutcomeUnknown(error.into())
    } else {
        repo_error(error)
    }
}

/// The SQLSTATE of a failure the server reported.
pub(crate) fn sqlstate(error: &sqlx::Error) -> Option<Cow<'_, str>> {
    match error {
        sqlx::Error::Database(database) => database.code(),
        _ => None,
    }
}

/// Whether the failure is PostgreSQL refusing a cached plan whose result
/// type changed under it.
pub(crate) fn is_stale_plan(error: &sqlx::Error) -> bool {
    sqlstate(error).as_deref() == Some(STALE_PLAN)
        && matches!(error, sqlx::Error::Database(database)
            if database.message().contains("cached plan must not change result type"))
}

fn database_error(code: &str, error: sqlx::Error) -> RepoError {
    let sqlx::Error::Database(database) = &error else {
        return RepoError::Internal(error.into());
    };
    match code {
        "23505" => RepoError::Conflict(unique_conflict(database.constraint())),
        "23503" => RepoError::Conflict(Conflict::Reference {
            constraint: database.constraint().unwrap_or("unknown").to_owned(),
        }),
        "23502" => invalid(&**database, column_of(&**database), "is required"),
        "23514" => invalid(
            &**database,
            database
                .constraint()
                .and_then(checked_column)
                .map(str::to_owned),
            "breaks a rule of the store",
        ),
        "22001" => invalid(&**database, column_of(&**database), "is too long"),
        "22P02" => invalid(&**database, column_of(&**database), "is malformed"),
        "22003" => invalid(&**database, column_of(&**database), "is out of range"),
        "40001" => RepoError::Retryable {
            reason: Retry::Serialization,
            source: error.into(),
        },
        "40P01" => RepoError::Retryable {
            reason: Retry::Deadlock,
            source: error.into(),
        },
        // Statement timeout or cancel, and lock timeout (or NOWAIT).
        "57014" | "55P03" => RepoError::Timeout(error.into()),
        // Connection exceptions, too many connections, the server shutting
        // down or starting, and a read-only server (a standby after a
        // failover): all pass with time.
        "53300" | "57P01" | "57P02" | "57P03" | "25006" => RepoError::Unavailable(error.into()),
        code if code.starts_with("08") => RepoError::Unavailable(error.into()),
        // Everything else, among them 25P02 (a statement after a failure
        // in the same transaction) and a stale plan that was not
        // recovered: bugs, for the log.
        _ => RepoError::Internal(error.into()),
    }
}

fn driver_error(error: sqlx::Error) -> RepoError {
    match error {
        sqlx::Error::RowNotFound => RepoError::NotFound,
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => RepoError::Unavailable(error.into()),
        _ => RepoError::Internal(error.into()),
    }
}

/// The refusal of a value for `column`, with the account field it holds
/// when it is a column of `users`.
fn invalid(
    database: &dyn DatabaseError,
    column: Option<String>,
    problem: &'static str,
) -> RepoError {
    let field = column
        .as_deref()
        .filter(|_| database.table() == Some(users::TABLE))
        .and_then(users::field_of);
    RepoError::Invalid(InvalidData {
        column,
        field,
        problem,
    })
}

fn column_of(database: &dyn DatabaseError) -> Option<String> {
    database
        .try_downcast_ref::<PgDatabaseError>()
        .and_then(PgDatabaseError::column)
        .map(str::to_owned)
}

fn checked_column(constraint: &str) -> Option<&'static str> {
    users::CHECK_CONSTRAINTS
        .iter()
        .chain(&sessions::CHECK_CONSTRAINTS)
        .chain(&throttles::CHECK_CONSTRAINTS)
        .chain(&devices::CHECK_CONSTRAINTS)
        .chain(&audit::CHECK_CONSTRAINTS)
        .find(|(name, _)| *name == constraint)
        .map(|(_, column)| *column)
}

fn unique_conflict(constraint: Option<&str>) -> Conflict {
    match constraint {
        Some(EMAIL_UNIQUE_INDEX) => Conflict::EmailTaken,
        other => Conflict::Unique {
            constraint: other.unwrap_or("unknown").to_owned(),
        },
    }
}

#[cfg(test)]
mod provoked;
#[cfg(test)]
mod tests;
