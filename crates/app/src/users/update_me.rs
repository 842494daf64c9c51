use domain::audit::{AuditAction, AuditEvent, FieldChange, Origin};
use domain::auth::AccessClaims;
use domain::ports::TransactionOptions;
use domain::user::{DisplayName, User, UserChanges};

use super::UserService;
use crate::caller;
use crate::error::AppError;

/// A change of the caller's own profile.
#[derive(Debug)]
pub struct ProfileChange {
    /// The new display name.
    pub display_name: DisplayName,
    /// The version the change was based on (`If-Match`), if the client
    /// sent one.
    pub expected_version: Option<i64>,
}

impl UserService {
    /// Changes the caller's display name and returns the account as
    /// changed, one version later.
    ///
    /// # Errors
    ///
    /// [`AppError::PreconditionFailed`] when the account is no longer at
    /// the expected version; the errors of [`get_me`](Self::get_me).
    #[tracing::instrument(name = "users.update_me", skip_all, fields(user.id = %caller.user_id))]
    pub async fn update_me(
        &self,
        caller: &AccessClaims,
        change: ProfileChange,
        origin: &Origin,
    ) -> Result<User, AppError> {
        let user = caller::active_account(&*self.users, caller).await?;
        let now = self.clock.now();
        let changes = UserChanges {
            display_name: Some(change.display_name),
            ..UserChanges::default()
        };
        self.transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                let updated = unit
                    .users()
                    .update(user.id, &changes, change.expected_version, now)
                    .await?;
                let event = AuditEvent::new(AuditAction::ProfileUpdated, now, origin)
                    .by(user.id)
                    .in_session(caller.session_id)
                    .changing(vec![FieldChange {
                        field: "displayName".to_owned(),
                        before: Some(user.display_name.as_str().to_owned()),
                        after: Some(updated.display_name.as_str().to_owned()),
                    }]);
                unit.audit().record(&event).await?;
                Ok(updated)
            })
            .await
    }
}
