//! The one error type of the use cases.

use domain::error::{BoxError, Conflict, InvalidData, RepoError};
use domain::ports::{HasherError, TokenError};

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
        Self::Internal(error.into())
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
