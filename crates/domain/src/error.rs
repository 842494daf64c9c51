//! Errors that cross the ports.

use std::error::Error as StdError;

/// A boxed error kept as the cause of a failure, for the log only.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// What a repository or the transaction port reports when it fails.
///
/// Adapters translate their driver's failures into these variants; callers
/// decide from the variant alone, never from the cause's text.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// A uniqueness rule of the store refused the write.
    #[error("{0}")]
    Conflict(Conflict),
    /// The store did not answer, refused the connection or has no
    /// connection free within the acquire timeout. Trying later may succeed.
    #[error("the database is unavailable")]
    Unavailable(#[source] BoxError),
    /// The statement ran longer than the configured timeout and was cancelled.
    #[error("the database statement timed out")]
    Timeout(#[source] BoxError),
    /// The transaction lost a serialization conflict or a deadlock and was
    /// rolled back; running it again from the start may succeed.
    #[error("the transaction conflicted with a concurrent one")]
    Retryable(#[source] BoxError),
    /// Anything else: a bug, a schema mismatch or data that no longer
    /// satisfies the domain's rules.
    #[error("unexpected database failure")]
    Internal(#[source] BoxError),
}

/// The uniqueness rule behind a [`RepoError::Conflict`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// Another account already uses this email address (compared without
    /// regard to letter case).
    #[error("the email address is already registered")]
    EmailTaken,
    /// A uniqueness rule that the domain has no name for.
    #[error("unique constraint {constraint} was violated")]
    Other {
        /// The name of the violated constraint or index.
        constraint: String,
    },
}
