//! How each authentication attempt ended, as the operators count it.

use domain::outcome::{AuthOperation, AuthOutcome};

use super::AuthService;
use crate::error::{AppError, AuthFailure, Conflict, Forbidden, Rejection};

impl AuthService {
    /// Reports how `operation` ended, and hands its result on.
    pub(super) fn counted<T>(
        &self,
        operation: AuthOperation,
        result: Result<T, AppError>,
    ) -> Result<T, AppError> {
        let outcome = result
            .as_ref()
            .map_or_else(|error| failure(operation, error), |_| AuthOutcome::Success);
        self.ports.outcomes.auth_attempt(operation, outcome);
        result
    }
}

/// The outcome a failure of `operation` counts as.
fn failure(operation: AuthOperation, error: &AppError) -> AuthOutcome {
    match error {
        AppError::Unauthenticated(AuthFailure::InvalidCredentials)
        | AppError::Rejected(Rejection::WrongCurrentPassword) => AuthOutcome::WrongCredentials,
        AppError::Unauthenticated(AuthFailure::RefreshTokenReused) => AuthOutcome::ReuseDetected,
        AppError::Unauthenticated(_) => AuthOutcome::InvalidToken,
        AppError::Forbidden(Forbidden::AccountDisabled) => AuthOutcome::Disabled,
        AppError::Forbidden(Forbidden::AdminOnly) => AuthOutcome::Forbidden,
        // Registrations are rate limited per client; everything else that
        // waits does so because failed sign-ins locked the account or client.
        AppError::RateLimited { .. } if operation == AuthOperation::Register => {
            AuthOutcome::RateLimited
        }
        AppError::RateLimited { .. } => AuthOutcome::Locked,
        AppError::Rejected(_) => AuthOutcome::Rejected,
        AppError::Conflict(Conflict::EmailTaken) => AuthOutcome::EmailTaken,
        AppError::Conflict(_) | AppError::PreconditionFailed { .. } => AuthOutcome::Conflict,
        AppError::Invalid { .. } => AuthOutcome::Invalid,
        AppError::NotFound(_) => AuthOutcome::NotFound,
        AppError::Contention(_) => AuthOutcome::Contention,
        AppError::Unavailable(_) => AuthOutcome::Unavailable,
        AppError::OutcomeUnknown(_) => AuthOutcome::OutcomeUnknown,
        AppError::Internal(_) => AuthOutcome::Internal,
    }
}
