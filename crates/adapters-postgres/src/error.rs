//! PostgreSQL's failures in the domain's terms.

use domain::error::{Conflict, RepoError};

use crate::users::EMAIL_UNIQUE_INDEX;

/// Translates a driver failure by its SQLSTATE or kind; the failure itself
/// is kept as the source, for the log.
pub(crate) fn repo_error(error: sqlx::Error) -> RepoError {
    let sqlstate = match &error {
        sqlx::Error::Database(database) => database.code().map(|code| code.into_owned()),
        _ => None,
    };
    match (sqlstate.as_deref(), &error) {
        (Some("23505"), sqlx::Error::Database(database)) => {
            RepoError::Conflict(conflict(database.constraint()))
        }
        (Some("40001" | "40P01"), _) => RepoError::Retryable(error.into()),
        (Some("57014"), _) => RepoError::Timeout(error.into()),
        // Connection exceptions, too many connections, server shutting down.
        (Some(code), _)
            if code.starts_with("08") || matches!(code, "53300" | "57P01" | "57P02" | "57P03") =>
        {
            RepoError::Unavailable(error.into())
        }
        (
            None,
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_),
        ) => RepoError::Unavailable(error.into()),
        _ => RepoError::Internal(error.into()),
    }
}

fn conflict(constraint: Option<&str>) -> Conflict {
    match constraint {
        Some(EMAIL_UNIQUE_INDEX) => Conflict::EmailTaken,
        other => Conflict::Other {
            constraint: other.unwrap_or("unknown").to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_and_network_failures_are_unavailable() {
        for error in [
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        ] {
            assert!(matches!(repo_error(error), RepoError::Unavailable(_)));
        }
    }

    #[test]
    fn other_driver_failures_are_internal() {
        for error in [
            sqlx::Error::RowNotFound,
            sqlx::Error::Protocol("unexpected message".into()),
            sqlx::Error::ColumnNotFound("email".into()),
        ] {
            assert!(matches!(repo_error(error), RepoError::Internal(_)));
        }
    }
}
