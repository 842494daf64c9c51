//! The mapping of every SQLSTATE, with failures built by hand. The
//! failures PostgreSQL can be made to produce are also provoked for real,
//! in `provoked`.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

use sqlx::error::{DatabaseError, ErrorKind};

use super::*;

#[derive(Debug)]
struct ServerError {
    code: &'static str,
    message: &'static str,
    constraint: Option<&'static str>,
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl StdError for ServerError {}

impl DatabaseError for ServerError {
    fn message(&self) -> &str {
        self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(self.code))
    }

    fn as_error(&self) -> &(dyn StdError + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn StdError + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn StdError + Send + Sync + 'static> {
        self
    }

    fn constraint(&self) -> Option<&str> {
        self.constraint
    }

    fn kind(&self) -> ErrorKind {
        ErrorKind::Other
    }
}

fn server(code: &'static str) -> sqlx::Error {
    server_with(code, "failed", None)
}

fn server_with(
    code: &'static str,
    message: &'static str,
    constraint: Option<&'static str>,
) -> sqlx::Error {
    sqlx::Error::Database(Box::new(ServerError {
        code,
        message,
        constraint,
    }))
}

#[test]
fn unique_violations_name_their_rule() {
    let taken = repo_error(server_with("23505", "duplicate", Some(EMAIL_UNIQUE_INDEX)));
    let other = repo_error(server_with("23505", "duplicate", Some("users_pkey")));

    assert!(matches!(taken, RepoError::Conflict(Conflict::EmailTaken)));
    assert!(
        matches!(other, RepoError::Conflict(Conflict::Unique { ref constraint }) if constraint == "users_pkey"),
        "{other:?}"
    );
}

#[test]
fn a_foreign_key_violation_is_a_reference_conflict() {
    let error = repo_error(server_with(
        "23503",
        "violates",
        Some("sessions_user_id_fkey"),
    ));

    assert!(
        matches!(error, RepoError::Conflict(Conflict::Reference { ref constraint }) if constraint == "sessions_user_id_fkey"),
        "{error:?}"
    );
}

#[test]
fn refused_values_are_invalid_and_a_known_check_names_its_column() {
    let check = repo_error(server_with(
        "23514",
        "violates check",
        Some("users_display_name_length"),
    ));

    assert!(
        matches!(check, RepoError::Invalid(InvalidData { column: Some(ref column), .. }) if column == "display_name"),
        "{check:?}"
    );
    for code in ["23502", "22001", "22P02", "22003"] {
        assert!(
            matches!(repo_error(server(code)), RepoError::Invalid(_)),
            "{code}"
        );
    }
}

#[test]
fn the_checks_of_sessions_counters_and_the_trail_name_their_columns() {
    for (constraint, column) in [
        ("sessions_current_digests_bounded", "current_digests"),
        ("sessions_ended_with_reason", "end_reason"),
        ("throttles_subject_length", "subject"),
        ("audit_events_user_agent_length", "user_agent"),
        ("audit_events_changes_array", "changes"),
    ] {
        let error = repo_error(server_with("23514", "violates check", Some(constraint)));
        assert!(
            matches!(error, RepoError::Invalid(InvalidData { column: Some(ref named), .. }) if named == column),
            "{constraint}: {error:?}"
        );
    }
}

/// A CHECK added by a migration must be added to its table's list too.
#[test]
fn every_check_constraint_of_the_schema_names_its_column() {
    test_db::run(async {
        let mut lease = crate::test_support::rolled_back_lease().await;
        let checks: Vec<String> = sqlx::query_scalar(
            "SELECT conname::text FROM pg_constraint
              WHERE contype = 'c' AND connamespace = 'public'::regnamespace",
        )
        .fetch_all(&mut *lease)
        .await
        .expect("the schema's checks");

        let unnamed: Vec<_> = checks
            .iter()
            .filter(|check| checked_column(check).is_none())
            .collect();

        assert!(!checks.is_empty());
        assert!(unnamed.is_empty(), "{unnamed:?}");
    });
}

#[test]
fn lost_conflicts_are_retryable() {
    for (code, expected) in [("40001", Retry::Serialization), ("40P01", Retry::Deadlock)] {
        assert!(
            matches!(repo_error(server(code)), RepoError::Retryable { reason, .. } if reason == expected),
            "{code}"
        );
    }
}

#[test]
fn cancelled_statements_and_lock_waits_are_timeouts() {
    for code in ["57014", "55P03"] {
        assert!(
            matches!(repo_error(server(code)), RepoError::Timeout(_)),
            "{code}"
        );
    }
}

#[test]
fn a_server_that_is_away_full_or_read_only_is_unavailable() {
    for code in [
        "08000", "08003", "08006", "08001", "08004", "53300", "57P01", "57P02", "57P03", "25006",
    ] {
        assert!(
            matches!(repo_error(server(code)), RepoError::Unavailable(_)),
            "{code}"
        );
    }
}

#[test]
fn a_statement_in_an_aborted_transaction_is_internal() {
    assert!(matches!(
        repo_error(server("25P02")),
        RepoError::Internal(_)
    ));
}

#[test]
fn only_the_stale_plan_message_counts_as_a_stale_plan() {
    let stale = server_with(STALE_PLAN, "cached plan must not change result type", None);
    let unsupported = server_with(STALE_PLAN, "feature not supported", None);

    assert!(is_stale_plan(&stale));
    assert!(!is_stale_plan(&unsupported));
    assert!(matches!(repo_error(unsupported), RepoError::Internal(_)));
}

#[test]
fn driver_failures_map_by_kind() {
    assert!(matches!(
        repo_error(sqlx::Error::RowNotFound),
        RepoError::NotFound
    ));
    for error in [
        sqlx::Error::PoolTimedOut,
        sqlx::Error::PoolClosed,
        sqlx::Error::WorkerCrashed,
        sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
    ] {
        assert!(matches!(repo_error(error), RepoError::Unavailable(_)));
    }
    for error in [
        sqlx::Error::Protocol("unexpected message".into()),
        sqlx::Error::ColumnNotFound("email".into()),
    ] {
        assert!(matches!(repo_error(error), RepoError::Internal(_)));
    }
}

#[test]
fn a_commit_cut_off_on_the_way_has_an_unknown_outcome() {
    for error in [
        server("08007"),
        server("08006"),
        server("57P01"),
        sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset)),
        sqlx::Error::Protocol("unexpected end of stream".into()),
    ] {
        assert!(
            matches!(commit_error(error), RepoError::OutcomeUnknown(_)),
            "unknown outcome expected"
        );
    }
}

#[test]
fn a_commit_the_server_refused_keeps_its_meaning() {
    assert!(matches!(
        commit_error(server("40001")),
        RepoError::Retryable { .. }
    ));
    assert!(matches!(
        commit_error(server_with("23505", "duplicate", Some(EMAIL_UNIQUE_INDEX))),
        RepoError::Conflict(Conflict::EmailTaken)
    ));
    assert!(matches!(
        commit_error(sqlx::Error::PoolClosed),
        RepoError::Unavailable(_)
    ));
}
