use domain::audit::{AuditAction, AuditEvent, Origin};
use domain::auth::AccessClaims;
use domain::outcome::AuthOperation;
use domain::ports::TransactionOptions;
use domain::session::{EndReason, RefreshToken};

use super::AuthService;
use crate::error::{AppError, AuthFailure};

impl AuthService {
    /// Ends the caller's session that `token` belongs to.
    ///
    /// # Errors
    ///
    /// [`AuthFailure::InvalidRefreshToken`] when the token names no live
    /// session of the caller; [`AppError::Unavailable`] or
    /// [`AppError::Internal`] when the store fails.
    #[tracing::instrument(name = "auth.logout", skip_all, fields(user.id = %caller.user_id, session.id = %token.session_id()))]
    pub async fn logout(
        &self,
        caller: &AccessClaims,
        token: &RefreshToken,
        origin: &Origin,
    ) -> Result<(), AppError> {
        let outcome: Result<(), AppError> = async {
            let ended = self
                .end_own_session(
                    caller,
                    token.session_id(),
                    EndReason::Logout,
                    AuditAction::Logout,
                    origin,
                )
                .await?;
            if !ended {
                return Err(AppError::Unauthenticated(AuthFailure::InvalidRefreshToken));
            }
            tracing::info!("signed out");
            Ok(())
        }
        .await;
        self.counted(AuthOperation::Logout, outcome)
    }

    /// Ends every session of the caller, this one included: their access
    /// tokens stop working at once.
    ///
    /// # Errors
    ///
    /// [`AppError::Unavailable`] or [`AppError::Internal`] when the store
    /// fails.
    #[tracing::instrument(name = "auth.logout_all", skip_all, fields(user.id = %caller.user_id))]
    pub async fn logout_all(&self, caller: &AccessClaims, origin: &Origin) -> Result<(), AppError> {
        let outcome: Result<(), AppError> = async {
            let now = self.ports.clock.now();
            let event = AuditEvent::new(AuditAction::LogoutAll, now, origin)
                .by(caller.user_id)
                .in_session(caller.session_id);
            let ended = self
                .ports
                .transactions
                .run(TransactionOptions::READ_COMMITTED, async |unit| {
                    let ended = unit
                        .sessions()
                        .end_all(caller.user_id, None, EndReason::LogoutAll, now)
                        .await?;
                    unit.audit().record(&event).await?;
                    Ok(ended)
                })
                .await?;
            tracing::info!(sessions.ended = ended, "signed out everywhere");
            Ok(())
        }
        .await;
        self.counted(AuthOperation::LogoutAll, outcome)
    }
}
