//! The user repository inside a unit of work.

use async_trait::async_trait;
use domain::error::RepoError;
use domain::password::PasswordHash;
use domain::ports::UserRepository;
use domain::user::{Email, NewUser, User, UserChanges, UserFilter, UserId, UserPosition};
use time::OffsetDateTime;

use super::PgUnitOfWork;
use crate::users;

#[async_trait]
impl UserRepository for PgUnitOfWork {
    async fn insert(&self, user: &NewUser) -> Result<User, RepoError> {
        let mut session = self.usable().await?;
        let outcome = users::insert(session.lease()?, user).await;
        session.track(outcome)
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError> {
        let mut session = self.usable().await?;
        let outcome = users::find_by_id(session.lease()?, id).await;
        session.track(outcome)
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, RepoError> {
        let mut session = self.usable().await?;
        let outcome = users::find_by_email(session.lease()?, email).await;
        session.track(outcome)
    }

    async fn update(
        &self,
        id: UserId,
        changes: &UserChanges,
        expected: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<User, RepoError> {
        let mut session = self.usable().await?;
        let outcome = users::update(session.lease()?, id, changes, expected, now).await;
        session.track(outcome)
    }

    async fn delete(&self, id: UserId, expected: Option<i64>) -> Result<User, RepoError> {
        let mut session = self.usable().await?;
        let outcome = users::delete(session.lease()?, id, expected).await;
        session.track(outcome)
    }

    async fn list(
        &self,
        filter: &UserFilter,
        after: Option<UserPosition>,
        limit: u32,
    ) -> Result<Vec<User>, RepoError> {
        let mut session = self.usable().await?;
        let outcome = users::list(session.lease()?, filter, after, limit).await;
        session.track(outcome)
    }

    async fn lock_active_admins(&self) -> Result<Vec<UserId>, RepoError> {
        let mut session = self.usable().await?;
        let outcome = users::lock_active_admins(session.lease()?).await;
        session.track(outcome)
    }

    async fn set_password_hash(
        &self,
        id: UserId,
        hash: &PasswordHash,
        now: OffsetDateTime,
    ) -> Result<User, RepoError> {
        let mut session = self.usable().await?;
        let outcome = users::set_password_hash(session.lease()?, id, hash, now).await;
        session.track(outcome)
    }

    async fn upgrade_password_hash(
        &self,
        id: UserId,
        old: &PasswordHash,
        new: &PasswordHash,
    ) -> Result<bool, RepoError> {
        let mut session = self.usable().await?;
        let outcome = users::upgrade_password_hash(session.lease()?, id, old, new).await;
        session.track(outcome)
    }
}
