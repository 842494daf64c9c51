use domain::audit::{AuditAction, AuditEvent, FieldChange, Origin};
use domain::auth::AccessClaims;
use domain::ports::TransactionOptions;
use domain::user::{AccountField, DisplayName, User, UserChanges};

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
    /// changed, one version later. The account is read, locked, in the unit
    /// that changes it, so that the trail's "before" is the name that was
    /// really replaced.
    ///
    /// # Errors
    ///
    /// [`AppError::PreconditionFailed`] when the account is no longer at
    /// the expected version;
    /// [`AuthFailure::AccountGone`](crate::error::AuthFailure::AccountGone)
    /// when the account was deleted after the token was issued;
    /// [`Forbidden::AccountDisabled`](crate::error::Forbidden::AccountDisabled)
    /// when it was disabled.
    #[tracing::instrument(name = "users.update_me", skip_all, fields(user.id = %caller.user_id))]
    pub async fn update_me(
        &self,
        caller: &AccessClaims,
        change: ProfileChange,
        origin: &Origin,
    ) -> Result<User, AppError> {
        let now = self.clock.now();
        let changes = UserChanges {
            display_name: Some(change.display_name),
            ..UserChanges::default()
        };
        self.transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                let before = caller::active(unit.users().lock_by_id(caller.user_id).await?)?;
                let updated = unit
                    .users()
                    .update(before.id, &changes, change.expected_version, now)
                    .await?;
                let event = AuditEvent::new(AuditAction::ProfileUpdated, now, origin)
                    .by(before.id)
                    .in_session(caller.session_id)
                    .changing(vec![FieldChange::replaced(
                        AccountField::DisplayName,
                        before.display_name.as_str(),
                        updated.display_name.as_str(),
                    )]);
                unit.audit().record(&event).await?;
                Ok(updated)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use domain::user::UserStatus;

    use super::*;
    use crate::error::Forbidden;
    use crate::fixtures::{Ports, claims_for, registered_user};

    fn rename_to(name: &str) -> ProfileChange {
        ProfileChange {
            display_name: DisplayName::parse(name).expect("valid"),
            expected_version: None,
        }
    }

    #[tokio::test]
    async fn the_trail_records_the_name_read_under_the_lock_as_the_one_replaced() {
        let mut ports = Ports::new();
        let mut locked = registered_user("any password");
        locked.display_name = DisplayName::parse("Changed meanwhile").expect("valid");
        let claims = claims_for(&locked);
        let id = locked.id;
        let stored = locked.clone();
        ports
            .unit
            .users
            .expect_lock_by_id()
            .withf(move |wanted| *wanted == id)
            .times(1)
            .returning(move |_| Ok(Some(stored.clone())));
        ports
            .unit
            .users
            .expect_update()
            .times(1)
            .returning(move |_, changes, _, _| {
                let mut updated = locked.clone();
                updated.display_name = changes.display_name.clone().expect("a new name");
                updated.version += 1;
                Ok(updated)
            });
        ports
            .unit
            .audit
            .expect_record()
            .withf(|event| {
                event.action == AuditAction::ProfileUpdated
                    && event.changes
                        == [FieldChange {
                            field: AccountField::DisplayName,
                            before: Some("Changed meanwhile".to_owned()),
                            after: Some("Grace".to_owned()),
                        }]
            })
            .times(1)
            .returning(|_| Ok(()));
        let journal = ports.journal.clone();

        let updated = ports
            .user_service()
            .update_me(&claims, rename_to("Grace"), &Origin::default())
            .await
            .expect("updated");

        assert_eq!(updated.display_name.as_str(), "Grace");
        assert_eq!(*journal.lock().expect("journal"), ["commit"]);
    }

    #[tokio::test]
    async fn an_account_disabled_before_the_lock_is_refused_and_left_as_it_is() {
        let mut ports = Ports::new();
        let mut disabled = registered_user("any password");
        disabled.status = UserStatus::Disabled;
        let claims = claims_for(&disabled);
        ports
            .unit
            .users
            .expect_lock_by_id()
            .returning(move |_| Ok(Some(disabled.clone())));
        ports.unit.users.expect_update().never();
        ports.unit.audit.expect_record().never();
        let journal = ports.journal.clone();

        let error = ports
            .user_service()
            .update_me(&claims, rename_to("Grace"), &Origin::default())
            .await
            .expect_err("refused");

        assert!(
            matches!(error, AppError::Forbidden(Forbidden::AccountDisabled)),
            "{error:?}"
        );
        assert_eq!(*journal.lock().expect("journal"), ["rollback"]);
    }
}
