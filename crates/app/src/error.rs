//! The one error type of the use cases.

use domain::error::{BoxError, Conflict, InvalidData, RepoError};
use domain::ports::{HasherError, TokenError};
use time::Duration;

/// Why a use case failed, in the terms the HTTP contract answers with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The caller did not prove who they are.
    #[error("{0}")]
    Unauthenticated(AuthFailure),
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(Forbidden),
    /// There is no such resource.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request contradicts what is stored.
    #[error("{0}")]
    Conflict(Conflict),
    /// The change was based on an older version of the record.
    #[error("the record is at version {current}, not the one the change was based on")]
    PreconditionFailed {
        /// The version the record is at.
        current: i64,
    },
    /// A value of the request breaks a rule that only the use case can
    /// check (a guessable password, a wrong current password).
    #[error("{0}")]
    Rejected(Rejection),
    /// Too many attempts: the caller must wait before trying again.
    #[error("too many attempts; try again in {} seconds", retry_after.whole_seconds())]
    RateLimited {
        /// How long to wait, rounded up to whole seconds.
        retry_after: Duration,
    },
    /// The store refused a value that the request supplied.
    #[error("{0}")]
    Invalid(InvalidData),
    /// Concurrent work kept winning: the unit of work lost a conflict more
    /// times than the retry budget allows. Trying later may succeed.
    #[error("the request kept conflicting with concurrent ones")]
    Contention(#[source] BoxError),
    /// The connection broke while a change was being committed: it may or
    /// may not have been made.
    #[error("the outcome of the change is unknown")]
    OutcomeUnknown(#[source] BoxError),
    /// A dependency is down or saturated; trying later may succeed.
    #[error("the service is temporarily unavailable")]
    Unavailable(#[source] BoxError),
    /// A bug or a broken invariant; the cause goes to the log only.
    #[error("internal error")]
    Internal(#[source] BoxError),
}

/// Why the caller is not authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// Unknown email or wrong password: deliberately the same failure.
    #[error("invalid email or password")]
    InvalidCredentials,
    /// The access token is missing, malformed, forged or from elsewhere.
    #[error("the access token is invalid")]
    InvalidToken,
    /// The access token was valid but has expired.
    #[error("the access token has expired")]
    TokenExpired,
    /// The token is genuine but its account no longer exists.
    #[error("the account of this access token no longer exists")]
    AccountGone,
    /// The access token is genuine but its session has ended (sign-out,
    /// password change, reuse of a refresh token).
    #[error("the session of this access token has ended")]
    SessionEnded,
    /// The refresh token is unknown, expired, or its session has ended.
    #[error("the refresh token is invalid or expired")]
    InvalidRefreshToken,
    /// A replaced refresh token was presented again: its session was ended
    /// in case the token was stolen.
    #[error("the refresh token was already used; its session has ended, sign in again")]
    RefreshTokenReused,
}

/// A value of the request that a use case refused, with the field it came
/// in (in the HTTP contract's spelling).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Rejection {
    /// The request field, as the contract spells it (`newPassword`).
    pub field: &'static str,
    /// What is wrong, in words for a person.
    pub message: String,
}

/// Why an authenticated caller may not do what they asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Forbidden {
    /// The account is disabled.
    #[error("the account is disabled")]
    AccountDisabled,
    /// Only administrators may do this.
    #[error("only administrators may do this")]
    AdminOnly,
}

impl From<RepoError> for AppError {
    fn from(error: RepoError) -> Self {
        match error {
            RepoError::Conflict(Conflict::StaleVersion { current }) => {
                Self::PreconditionFailed { current }
            }
            RepoError::Conflict(conflict) => Self::Conflict(conflict),
            RepoError::NotFound => Self::NotFound("record"),
            RepoError::Invalid(invalid) => Self::Invalid(invalid),
            RepoError::Unavailable(source) | RepoError::Timeout(source) => {
                Self::Unavailable(source)
            }
            RepoError::Retryable(source) => Self::Contention(source),
            RepoError::OutcomeUnknown(source) => Self::OutcomeUnknown(source),
            RepoError::Internal(source) => Self::Internal(source),
        }
    }
}

impl From<HasherError> for AppError {
    fn from(error: HasherError) -> Self {
        match error {
            HasherError::Busy => Self::Unavailable(error.into()),
            HasherError::Failed(_) => Self::Internal(error.into()),
        }
    }
}

impl From<TokenError> for AppError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Expired => Self::Unauthenticated(AuthFailure::TokenExpired),
            TokenError::Invalid(_) => Self::Unauthenticated(AuthFailure::InvalidToken),
            TokenError::Signing(_) => Self::Internal(error.into()),
        }
    }
}
