use domain::audit::{AuditAction, AuditEvent, Origin};
use domain::auth::AccessClaims;
use domain::ports::TransactionOptions;
use domain::throttle::ThrottleKey;
use domain::user::UserId;

use super::AuthService;
use crate::caller;
use crate::error::AppError;

impl AuthService {
    /// Clears the sign-in lockout of an account's address, for an
    /// administrator. Locks on client addresses stay: they protect every
    /// account.
    ///
    /// # Errors
    ///
    /// [`Forbidden::AdminOnly`](crate::error::Forbidden::AdminOnly) when the
    /// caller is not an active administrator, by the token and by the store;
    /// [`AppError::NotFound`] when there is no such account;
    /// [`AppError::Unavailable`] or [`AppError::Internal`] when the store
    /// fails.
    #[tracing::instrument(name = "auth.unlock", skip_all, fields(user.id = %caller.user_id, target.id = %id))]
    pub async fn unlock(
        &self,
        caller: &AccessClaims,
        id: UserId,
        origin: &Origin,
    ) -> Result<(), AppError> {
        let admin = caller::administrator(&*self.ports.users, caller).await?;
        let target = self
            .ports
            .users
            .find_by_id(id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        let key = ThrottleKey::login_account(&target.email);
        let mut event = AuditEvent::new(AuditAction::Unlock, self.ports.clock.now(), origin)
            .about(target.id)
            .in_session(caller.session_id);
        event.actor = Some(admin.id);
        self.ports
            .transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                unit.throttles().clear(&key).await?;
                unit.audit().record(&event).await?;
                Ok(())
            })
            .await?;
        tracing::info!("sign-in lockout cleared");
        Ok(())
    }
}
