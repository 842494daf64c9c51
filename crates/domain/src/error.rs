//! Errors that cross the ports.

use std::error::Error as StdError;

use crate::user::AccountField;

/// A boxed error kept as the cause of a failure, for the log only.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// What a repository or the transaction port reports when it fails.
///
/// Adapters translate their driver's failures into these variants; callers
/// decide from the variant alone, never from the cause's text.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// A uniqueness or reference rule of the store refused the write.
    #[error("{0}")]
    Conflict(Conflict),
    /// A statement that must touch one row found none.
    #[error("the record does not exist")]
    NotFound,
    /// The store refused a value that the domain let through: a missing,
    /// too long or malformed value, or one that breaks a check.
    #[error("{0}")]
    Invalid(InvalidData),
    /// The store did not answer, refused the connection, is shutting down,
    /// is read-only (a standby) or has no connection free within the
    /// acquire timeout. Trying later may succeed.
    #[error("the database is unavailable")]
    Unavailable(#[source] BoxError),
    /// A statement ran past its time limit or waited too long for a lock,
    /// and was cancelled.
    #[error("the database statement timed out")]
    Timeout(#[source] BoxError),
    /// The transaction lost a conflict (or outlived a cached plan) and was
    /// rolled back; running it again from the start may succeed.
    #[error("the transaction must run again: {reason}")]
    Retryable {
        /// What it lost.
        reason: Retry,
        /// The store's report.
        #[source]
        source: BoxError,
    },
    /// The connection broke while a commit was under way: the changes may
    /// or may not be durable. Never retry blindly.
    #[error("the outcome of the commit is unknown")]
    OutcomeUnknown(#[source] BoxError),
    /// Anything else: a bug, a schema mismatch or data that no longer
    /// satisfies the domain's rules.
    #[error("unexpected database failure")]
    Internal(#[source] BoxError),
}

/// The rule behind a [`RepoError::Conflict`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// Another account already uses this email address (compared without
    /// regard to letter case).
    #[error("the email address is already registered")]
    EmailTaken,
    /// The record changed since the version the caller based its change on.
    #[error("the record is at version {current}, not the expected one")]
    StaleVersion {
        /// The version the record is at.
        current: i64,
    },
    /// A uniqueness rule that the domain has no name for.
    #[error("unique constraint {constraint} was violated")]
    Unique {
        /// The name of the violated constraint or index.
        constraint: String,
    },
    /// A write referred to a record that does not exist, or removed one
    /// that is still referred to.
    #[error("foreign key constraint {constraint} was violated")]
    Reference {
        /// The name of the violated foreign key.
        constraint: String,
    },
}

/// A value the store refused, and where it was going.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the store refused the value of {}", .column.as_deref().unwrap_or("a column"))]
pub struct InvalidData {
    /// The column the value was for, when the store says: for the log.
    pub column: Option<String>,
    /// The account field that column holds, if it holds one.
    pub field: Option<AccountField>,
    /// What was wrong with it, in words fit for a client.
    pub problem: &'static str,
}

/// Why a unit of work must run again from the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Retry {
    /// A concurrent transaction changed what this one read or wrote.
    #[error("it lost a serialization conflict")]
    Serialization,
    /// It waited on a transaction that waited on it.
    #[error("it lost a deadlock")]
    Deadlock,
    /// A statement's cached plan outlived a change to its tables.
    #[error("a cached plan went stale")]
    StalePlan,
}
