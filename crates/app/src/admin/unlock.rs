use domain::audit::{AuditAction, AuditEvent, Origin};
use domain::auth::AccessClaims;
use domain::ports::TransactionOptions;
use domain::throttle::ThrottleKey;
use domain::user::UserId;

use super::AdminService;
use crate::caller;
use crate::error::AppError;

impl AdminService {
    /// Clears the sign-in lockout of an account's address. Locks on client
    /// addresses stay: they protect every account.
    ///
    /// # Errors
    ///
    /// [`AppError::NotFound`] when there is no such account; the errors of
    /// the administrator check; the store's.
    #[tracing::instrument(name = "admin.unlock", skip_all, fields(user.id = %caller.user_id, target.id = %id))]
    pub async fn unlock(
        &self,
        caller: &AccessClaims,
        id: UserId,
        origin: &Origin,
    ) -> Result<(), AppError> {
        let admin = caller::administrator(&*self.users, caller).await?;
        let now = self.clock.now();
        self.transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                let target = unit
                    .users()
                    .find_by_id(id)
                    .await?
                    .ok_or(AppError::NotFound("user"))?;
                unit.throttles()
                    .clear(&ThrottleKey::login_account(&target.email))
                    .await?;
                let mut event = AuditEvent::new(AuditAction::Unlock, now, origin)
                    .about(target.id)
                    .in_session(caller.session_id);
                event.actor = Some(admin.id);
                unit.audit().record(&event).await?;
                Ok(())
            })
            .await?;
        tracing::info!("sign-in lockout cleared");
        Ok(())
    }
}
