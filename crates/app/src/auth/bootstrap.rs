use domain::audit::{AuditAction, AuditEvent, FieldChange, Origin};
use domain::ports::TransactionOptions;
use domain::user::{AccountField, Email, Role, User, UserChanges, UserStatus};

use super::{AuthService, Registration};
use crate::error::AppError;

impl AuthService {
    /// Makes the account with this address an active administrator, for the
    /// command line that administers a fresh deployment. Returns `None`
    /// when there is no such account.
    ///
    /// # Errors
    ///
    /// [`AppError::Unavailable`] or [`AppError::Internal`] when the store
    /// fails.
    #[tracing::instrument(name = "auth.promote_to_admin", skip_all)]
    pub async fn promote_to_admin(
        &self,
        email: &Email,
        origin: &Origin,
    ) -> Result<Option<User>, AppError> {
        let now = self.ports.clock.now();
        let changes = UserChanges {
            role: Some(Role::Admin),
            status: Some(UserStatus::Active),
            display_name: None,
        };
        self.ports
            .transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                let Some(before) = unit.users().lock_by_email(email).await? else {
                    return Ok(None);
                };
                let promoted = unit.users().update(before.id, &changes, None, now).await?;
                let event = AuditEvent::new(AuditAction::AdminBootstrapped, now, origin)
                    .about(promoted.id)
                    .detail("promoted")
                    .changing(vec![
                        FieldChange::replaced(
                            AccountField::Role,
                            before.role.as_str(),
                            promoted.role.as_str(),
                        ),
                        FieldChange::replaced(
                            AccountField::Status,
                            before.status.as_str(),
                            promoted.status.as_str(),
                        ),
                    ]);
                unit.audit().record(&event).await?;
                Ok(Some(promoted))
            })
            .await
    }

    /// Opens an account that is an administrator from the start, for the
    /// command line that administers a fresh deployment. The password must
    /// pass the same rules as any other.
    ///
    /// # Errors
    ///
    /// [`AppError::Rejected`] for a guessable password;
    /// [`AppError::Conflict`] when the address is taken; the store's and
    /// the hasher's.
    #[tracing::instrument(name = "auth.create_admin", skip_all, fields(user.id))]
    pub async fn create_admin(
        &self,
        registration: Registration,
        origin: &Origin,
    ) -> Result<User, AppError> {
        let new_user = self.new_account(registration).await?;
        let now = self.ports.clock.now();
        let admin = UserChanges {
            role: Some(Role::Admin),
            ..UserChanges::default()
        };
        let event = AuditEvent::new(AuditAction::AdminBootstrapped, now, origin)
            .about(new_user.id)
            .detail("created");
        self.ports
            .transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                let user = unit.users().insert(&new_user).await?;
                let user = unit.users().update(user.id, &admin, None, now).await?;
                unit.audit().record(&event).await?;
                Ok(user)
            })
            .await
    }
}
