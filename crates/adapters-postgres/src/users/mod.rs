//! Accounts: their SQL, and the read and unit-of-work ports on it.

mod listing;
mod queries;
mod row;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use domain::error::RepoError;
use domain::password::PasswordHash;
use domain::ports::{UserReads, UserRepository};
use domain::session::SessionId;
use domain::user::{
    AccountField, Email, NewUser, User, UserChanges, UserFilter, UserId, UserPosition,
};
use time::OffsetDateTime;

use crate::reads::PgReads;
use crate::transaction::PgUnitOfWork;
pub(crate) use listing::{list, lock_active_admins};
pub(crate) use queries::{
    delete, find_by_email, find_by_id, find_by_live_session, insert, lock_by_email, lock_by_id,
    set_password_hash, update, upgrade_password_hash,
};
pub(crate) use row::UserRow;

/// The table of accounts.
pub(crate) const TABLE: &str = "users";

/// The account field a column of `users` holds, if it holds one.
pub(crate) fn field_of(column: &str) -> Option<AccountField> {
    match column {
        "email" => Some(AccountField::Email),
        "display_name" => Some(AccountField::DisplayName),
        "password_hash" => Some(AccountField::Password),
        "role" => Some(AccountField::Role),
        "status" => Some(AccountField::Status),
        _ => None,
    }
}

/// The unique index that keeps one account per email address in any case.
pub(crate) const EMAIL_UNIQUE_INDEX: &str = "users_email_lower_key";

/// The named CHECK constraints of `users`, with the column each guards.
pub(crate) const CHECK_CONSTRAINTS: [(&str, &str); 5] = [
    ("users_email_length", "email"),
    ("users_display_name_length", "display_name"),
    ("users_role_known", "role"),
    ("users_status_known", "status"),
    ("users_version_positive", "version"),
];

#[async_trait]
impl UserReads for PgReads {
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError> {
        find_by_id(&mut self.lease().await?, id).await
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, RepoError> {
        find_by_email(&mut self.lease().await?, email).await
    }

    async fn find_by_live_session(
        &self,
        session: SessionId,
        now: OffsetDateTime,
    ) -> Result<Option<User>, RepoError> {
        find_by_live_session(&mut self.lease().await?, session, now).await
    }

    async fn list(
        &self,
        filter: &UserFilter,
        after: Option<UserPosition>,
        limit: u32,
    ) -> Result<Vec<User>, RepoError> {
        list(&mut self.lease().await?, filter, after, limit).await
    }
}

#[async_trait]
impl UserRepository for PgUnitOfWork {
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError> {
        find_by_id(&mut *self.lease().await?, id).await
    }

    async fn lock_by_id(&self, id: UserId) -> Result<Option<User>, RepoError> {
        lock_by_id(&mut *self.lease().await?, id).await
    }

    async fn lock_by_email(&self, email: &Email) -> Result<Option<User>, RepoError> {
        lock_by_email(&mut *self.lease().await?, email).await
    }

    async fn lock_active_admins(&self) -> Result<Vec<UserId>, RepoError> {
        lock_active_admins(&mut *self.lease().await?).await
    }

    async fn insert(&self, user: &NewUser) -> Result<User, RepoError> {
        insert(&mut *self.lease().await?, user).await
    }

    async fn update(
        &self,
        id: UserId,
        changes: &UserChanges,
        expected: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<User, RepoError> {
        update(&mut *self.lease().await?, id, changes, expected, now).await
    }

    async fn delete(&self, id: UserId, expected: Option<i64>) -> Result<User, RepoError> {
        delete(&mut *self.lease().await?, id, expected).await
    }

    async fn set_password_hash(
        &self,
        id: UserId,
        hash: &PasswordHash,
        now: OffsetDateTime,
    ) -> Result<User, RepoError> {
        set_password_hash(&mut *self.lease().await?, id, hash, now).await
    }

    async fn upgrade_password_hash(
        &self,
        id: UserId,
        old: &PasswordHash,
        new: &PasswordHash,
    ) -> Result<bool, RepoError> {
        upgrade_password_hash(&mut *self.lease().await?, id, old, new).await
    }
}
