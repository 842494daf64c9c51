use domain::audit::{AuditAction, AuditEvent, Origin};
use domain::auth::AccessClaims;
use domain::ports::TransactionOptions;
use domain::session::{EndReason, Session, SessionId};

use super::AuthService;
use crate::error::AppError;

impl AuthService {
    /// Ends the caller's live session `id` and records it as `action`, in
    /// one unit of work. Returns whether there was such a session.
    pub(super) async fn end_own_session(
        &self,
        caller: &AccessClaims,
        id: SessionId,
        reason: EndReason,
        action: AuditAction,
        origin: &Origin,
    ) -> Result<bool, AppError> {
        let now = self.ports.clock.now();
        let event = AuditEvent::new(action, now, origin)
            .by(caller.user_id)
            .in_session(id);
        self.ports
            .transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                let ended = unit.sessions().end(caller.user_id, id, reason, now).await?;
                if ended {
                    unit.audit().record(&event).await?;
                }
                Ok(ended)
            })
            .await
    }

    /// The caller's live sessions, the newest first.
    ///
    /// # Errors
    ///
    /// [`AppError::Unavailable`] or [`AppError::Internal`] when the store
    /// fails.
    #[tracing::instrument(name = "auth.list_sessions", skip_all, fields(user.id = %caller.user_id))]
    pub async fn list_sessions(&self, caller: &AccessClaims) -> Result<Vec<Session>, AppError> {
        Ok(self
            .ports
            .sessions
            .list_live(caller.user_id, self.ports.clock.now())
            .await?)
    }

    /// Ends one of the caller's live sessions.
    ///
    /// # Errors
    ///
    /// [`AppError::NotFound`] when `id` is no live session of the caller
    /// (someone else's included); [`AppError::Unavailable`] or
    /// [`AppError::Internal`] when the store fails.
    #[tracing::instrument(name = "auth.end_session", skip_all, fields(user.id = %caller.user_id, session.id = %id))]
    pub async fn end_session(
        &self,
        caller: &AccessClaims,
        id: SessionId,
        origin: &Origin,
    ) -> Result<(), AppError> {
        let ended = self
            .end_own_session(
                caller,
                id,
                EndReason::EndedByOwner,
                AuditAction::SessionEnded,
                origin,
            )
            .await?;
        if ended {
            Ok(())
        } else {
            Err(AppError::NotFound("session"))
        }
    }
}
