//! The one error type of the use cases.

use domain::error::{BoxError, Conflict as StoreConflict, RepoError};
use domain::ports::{HasherError, TokenError};
use domain::user::AccountField;
use time::Duration;

/// Why a use case failed, in the use cases' own terms.
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
    #[error("the store refused a value that {problem}")]
    Invalid {
        /// The account field the value was for, when the store says.
        field: Option<AccountField>,
        /// What was wrong with it, in words fit for a client.
        problem: &'static str,
        /// The store's report, for the log.
        #[source]
        source: BoxError,
    },
    /// Concurrent work kept winning: the unit of work lost a conflict more
    /// times than the retry budget allows, or the state a change relied on
    /// changed before it could be made. Trying later may succeed.
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

/// What the request contradicts.
#[derive(Debug, thiserror::Error)]
pub enum Conflict {
    /// Another account already uses this email address (compared without
    /// regard to letter case).
    #[error("the email address is already registered")]
    EmailTaken,
    /// The change would leave no active administrator.
    #[error("the last active administrator cannot be demoted, disabled or deleted")]
    LastAdmin,
    /// A rule of the store that the use cases have no name for; the rule
    /// is for the log only.
    #[error("the request conflicts with a rule of the store")]
    Store(#[source] BoxError),
}

/// A value of the request that a use case refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The chosen password of a new account is too easy to guess; why, in
    /// words for a person.
    #[error("the password {0}")]
    WeakPassword(String),
    /// The new password of a password change is too easy to guess; why, in
    /// words for a person.
    #[error("the new password {0}")]
    WeakNewPassword(String),
    /// The new password of a password change is the current one.
    #[error("the new password is the current one")]
    UnchangedPassword,
    /// The password given as the current one is not.
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    /// A listing's cursor that the service did not seal for this listing
    /// and filter.
    #[error("the cursor is not one of this listing")]
    ForeignCursor,
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
            RepoError::Conflict(StoreConflict::StaleVersion { current }) => {
                Self::PreconditionFailed { current }
            }
            RepoError::Conflict(StoreConflict::EmailTaken) => Self::Conflict(Conflict::EmailTaken),
            RepoError::Conflict(conflict) => Self::Conflict(Conflict::Store(conflict.into())),
            RepoError::NotFound => Self::NotFound("record"),
            RepoError::Invalid(invalid) => Self::Invalid {
                field: invalid.field,
                problem: invalid.problem,
                source: invalid.into(),
            },
            RepoError::Unavailable(source) | RepoError::Timeout(source) => {
                Self::Unavailable(source)
            }
            // Outside the transaction runner, which retries it: a lost
            // conflict is contention all the same.
            RepoError::Retryable { source, .. } => Self::Contention(source),
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
