//! The user repository inside a unit of work.

use async_trait::async_trait;
use domain::error::RepoError;
use domain::password::PasswordHash;
use domain::ports::UserRepository;
use domain::user::{DisplayName, Email, NewUser, User, UserId};
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

    async fn update_display_name(
        &self,
        id: UserId,
        display_name: &DisplayName,
        expected: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<User, RepoError> {
        let mut session = self.usable().await?;
        let outcome =
            users::update_display_name(session.lease()?, id, display_name, expected, now).await;
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
