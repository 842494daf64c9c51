//! The user repository.

mod queries;
mod row;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use domain::error::RepoError;
use domain::ports::UserRepository;
use domain::user::{Email, NewUser, User, UserId};
use sqlx::PgPool;

pub(crate) use queries::{find_by_email, find_by_id, insert};

/// The unique index that keeps one account per email address in any case.
pub(crate) const EMAIL_UNIQUE_INDEX: &str = "users_email_lower_key";

/// Accounts on the pool: each call runs on its own connection and commits
/// on its own. For several calls as one unit, use
/// [`PgTransactor`](crate::PgTransactor).
#[derive(Debug, Clone)]
pub struct PgUserRepository {
    pool: PgPool,
}

impl PgUserRepository {
    /// A repository on this pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl UserRepository for PgUserRepository {
    async fn insert(&self, user: &NewUser) -> Result<User, RepoError> {
        insert(&self.pool, user).await
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError> {
        find_by_id(&self.pool, id).await
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, RepoError> {
        find_by_email(&self.pool, email).await
    }
}
