use domain::audit::{AuditAction, AuditEvent, FieldChange, Origin};
use domain::auth::AccessClaims;
use domain::ports::{TransactionOptions, UnitOfWork};
use domain::session::EndReason;
use domain::user::{AccountField, Role, User, UserChanges, UserId, UserStatus};

use super::AdminService;
use crate::caller;
use crate::error::{AppError, Conflict, Forbidden};
use crate::transaction::UnitError;

/// An administrator's change of an account.
#[derive(Debug, Clone)]
pub struct UserChange {
    /// The fields to change.
    pub changes: UserChanges,
    /// The version the change was based on (`If-Match`), if the client
    /// sent one; without it the last write wins.
    pub expected_version: Option<i64>,
}

impl AdminService {
    /// Changes an account's display name, role or status. Disabling it, or
    /// changing its role, ends its sessions in the same unit of work: their
    /// access tokens carry the role and status they were issued with.
    ///
    /// # Errors
    ///
    /// [`Conflict::LastAdmin`] when the change would leave no active
    /// administrator; [`Forbidden::AdminOnly`] when the caller stopped being
    /// an active administrator before the unit locked the administrators;
    /// [`AppError::PreconditionFailed`] when the account is
    /// not at the expected version; [`AppError::NotFound`] when there is no
    /// such account; the errors of the administrator check; the store's.
    #[tracing::instrument(name = "admin.update_user", skip_all, fields(user.id = %caller.user_id, target.id = %id))]
    pub async fn update_user(
        &self,
        caller: &AccessClaims,
        id: UserId,
        change: UserChange,
        origin: &Origin,
    ) -> Result<User, AppError> {
        let admin = caller::administrator(&*self.users, caller).await?;
        let now = self.clock.now();
        let changes = &change.changes;
        self.transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                let admins = lock_active_admins(unit, admin.id).await?;
                let before = lock(unit, id).await?;
                let after_role = changes.role.unwrap_or(before.role);
                let after_status = changes.status.unwrap_or(before.status);
                if is_active_admin(before.role, before.status)
                    && !is_active_admin(after_role, after_status)
                {
                    ensure_not_last_admin(&admins, id)?;
                }
                let updated = unit
                    .users()
                    .update(id, changes, change.expected_version, now)
                    .await?;
                let ended = if before.is_active() && !updated.is_active() {
                    Some(EndReason::AccountDisabled)
                } else {
                    (before.role != updated.role).then_some(EndReason::RoleChanged)
                };
                if let Some(reason) = ended {
                    unit.sessions().end_all(id, None, reason, now).await?;
                }
                let mut event = AuditEvent::new(AuditAction::UserUpdated, now, origin)
                    .about(id)
                    .in_session(caller.session_id)
                    .changing(differences(&before, &updated));
                event.actor = Some(admin.id);
                unit.audit().record(&event).await?;
                Ok(updated)
            })
            .await
    }

    /// Deletes an account and its sessions.
    ///
    /// # Errors
    ///
    /// As for [`update_user`](Self::update_user).
    #[tracing::instrument(name = "admin.delete_user", skip_all, fields(user.id = %caller.user_id, target.id = %id))]
    pub async fn delete_user(
        &self,
        caller: &AccessClaims,
        id: UserId,
        expected_version: Option<i64>,
        origin: &Origin,
    ) -> Result<(), AppError> {
        let admin = caller::administrator(&*self.users, caller).await?;
        let now = self.clock.now();
        self.transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                let admins = lock_active_admins(unit, admin.id).await?;
                let before = lock(unit, id).await?;
                if is_active_admin(before.role, before.status) {
                    ensure_not_last_admin(&admins, id)?;
                }
                let deleted = unit.users().delete(id, expected_version).await?;
                let mut event = AuditEvent::new(AuditAction::UserDeleted, now, origin)
                    .about(id)
                    .in_session(caller.session_id)
                    .changing(removal(&deleted));
                event.actor = Some(admin.id);
                unit.audit().record(&event).await?;
                Ok(())
            })
            .await
    }
}

/// The active administrators, their rows locked until the unit ends, so
/// that changes that could remove one run one after another and each sees
/// the administrators the one before left. The `caller`, checked before
/// the unit, must still be one of them: an administrator demoted or
/// disabled meanwhile changes nothing.
async fn lock_active_admins(
    unit: &dyn UnitOfWork,
    caller: UserId,
) -> Result<Vec<UserId>, UnitError> {
    let admins = unit.users().lock_active_admins().await?;
    if !admins.contains(&caller) {
        return Err(AppError::Forbidden(Forbidden::AdminOnly).into());
    }
    Ok(admins)
}

/// The account as stored now, locked until the unit ends, so that what the
/// trail says it was is what the change replaced.
async fn lock(unit: &dyn UnitOfWork, id: UserId) -> Result<User, UnitError> {
    Ok(unit
        .users()
        .lock_by_id(id)
        .await?
        .ok_or(AppError::NotFound("user"))?)
}

/// Refuses to let `leaving` go when no other of the locked `admins` stays.
fn ensure_not_last_admin(admins: &[UserId], leaving: UserId) -> Result<(), AppError> {
    if admins.iter().any(|admin| *admin != leaving) {
        Ok(())
    } else {
        Err(AppError::Conflict(Conflict::LastAdmin))
    }
}

fn is_active_admin(role: Role, status: UserStatus) -> bool {
    role == Role::Admin && status == UserStatus::Active
}

/// What a deleted account was, so that the trail still says whom it
/// removed.
fn removal(deleted: &User) -> Vec<FieldChange> {
    [
        (AccountField::Email, deleted.email.as_str()),
        (AccountField::DisplayName, deleted.display_name.as_str()),
        (AccountField::Role, deleted.role.as_str()),
        (AccountField::Status, deleted.status.as_str()),
    ]
    .into_iter()
    .map(|(field, before)| FieldChange::removed(field, before))
    .collect()
}

/// The fields that differ.
fn differences(before: &User, after: &User) -> Vec<FieldChange> {
    let fields = [
        (
            AccountField::DisplayName,
            before.display_name.as_str(),
            after.display_name.as_str(),
        ),
        (
            AccountField::Role,
            before.role.as_str(),
            after.role.as_str(),
        ),
        (
            AccountField::Status,
            before.status.as_str(),
            after.status.as_str(),
        ),
    ];
    fields
        .into_iter()
        .filter(|(_, before, after)| before != after)
        .map(|(field, before, after)| FieldChange::replaced(field, before, after))
        .collect()
}
