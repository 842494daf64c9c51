//! The user repository.

mod listing;
mod queries;
mod row;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use domain::error::RepoError;
use domain::password::PasswordHash;
use domain::ports::UserRepository;
use domain::user::{Email, NewUser, User, UserChanges, UserFilter, UserId, UserPosition};
use time::OffsetDateTime;

use crate::database::Database;

pub(crate) use listing::{list, lock_active_admins};
pub(crate) use queries::{
    delete, find_by_email, find_by_id, insert, set_password_hash, update, upgrade_password_hash,
};

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

/// Accounts on the pool: each call runs on its own connection and commits
/// on its own. For several calls as one unit, use
/// [`PgTransactor`](crate::PgTransactor).
#[derive(Debug, Clone)]
pub struct PgUserRepository {
    database: Database,
}

impl PgUserRepository {
    /// A repository on this database.
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

#[async_trait]
impl UserRepository for PgUserRepository {
    async fn insert(&self, user: &NewUser) -> Result<User, RepoError> {
        insert(&mut self.database.lease("users.insert").await?, user).await
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError> {
        find_by_id(&mut self.database.lease("users.find_by_id").await?, id).await
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, RepoError> {
        find_by_email(
            &mut self.database.lease("users.find_by_email").await?,
            email,
        )
        .await
    }

    async fn update(
        &self,
        id: UserId,
        changes: &UserChanges,
        expected: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<User, RepoError> {
        let mut lease = self.database.lease("users.update").await?;
        update(&mut lease, id, changes, expected, now).await
    }

    async fn delete(&self, id: UserId, expected: Option<i64>) -> Result<User, RepoError> {
        delete(
            &mut self.database.lease("users.delete").await?,
            id,
            expected,
        )
        .await
    }

    async fn list(
        &self,
        filter: &UserFilter,
        after: Option<UserPosition>,
        limit: u32,
    ) -> Result<Vec<User>, RepoError> {
        let mut lease = self.database.lease("users.list").await?;
        list(&mut lease, filter, after, limit).await
    }

    /// On the pool, the locks end with the statement: this only reads.
    async fn lock_active_admins(&self) -> Result<Vec<UserId>, RepoError> {
        let mut lease = self.database.lease("users.lock_active_admins").await?;
        lock_active_admins(&mut lease).await
    }

    async fn set_password_hash(
        &self,
        id: UserId,
        hash: &PasswordHash,
        now: OffsetDateTime,
    ) -> Result<User, RepoError> {
        let mut lease = self.database.lease("users.set_password_hash").await?;
        set_password_hash(&mut lease, id, hash, now).await
    }

    async fn upgrade_password_hash(
        &self,
        id: UserId,
        old: &PasswordHash,
        new: &PasswordHash,
    ) -> Result<bool, RepoError> {
        let mut lease = self.database.lease("users.upgrade_password_hash").await?;
        upgrade_password_hash(&mut lease, id, old, new).await
    }
}
