//! Units of work as PostgreSQL transactions.

use async_trait::async_trait;
use domain::error::RepoError;
use domain::ports::{Transactor, UnitOfWork, UserRepository};
use domain::user::{Email, NewUser, User, UserId};
use sqlx::{PgPool, Postgres, Transaction};
use tokio::sync::Mutex;

use crate::error::repo_error;
use crate::users;

/// Opens units of work on the pool.
#[derive(Debug, Clone)]
pub struct PgTransactor {
    pool: PgPool,
}

impl PgTransactor {
    /// A transactor on this pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl Transactor for PgTransactor {
    #[tracing::instrument(name = "transaction.begin", skip_all, fields(db.system = "postgresql"))]
    async fn begin(&self) -> Result<Box<dyn UnitOfWork>, RepoError> {
        let transaction = self.pool.begin().await.map_err(repo_error)?;
        Ok(Box::new(PgUnitOfWork::new(transaction)))
    }
}

/// One open transaction. Its repositories share its connection, so every
/// call sees the earlier ones' writes.
pub(crate) struct PgUnitOfWork {
    // The repository ports take `&self` so that they can be shared; the
    // connection needs `&mut`, hence the lock. Calls within one unit of work
    // are sequential, so it is never contended.
    transaction: Mutex<Transaction<'static, Postgres>>,
}

impl PgUnitOfWork {
    pub(crate) fn new(transaction: Transaction<'static, Postgres>) -> Self {
        Self {
            transaction: Mutex::new(transaction),
        }
    }
}

#[async_trait]
impl UnitOfWork for PgUnitOfWork {
    fn users(&self) -> &dyn UserRepository {
        self
    }

    #[tracing::instrument(name = "transaction.commit", skip_all, fields(db.system = "postgresql"))]
    async fn commit(self: Box<Self>) -> Result<(), RepoError> {
        self.transaction
            .into_inner()
            .commit()
            .await
            .map_err(repo_error)
    }
}

#[async_trait]
impl UserRepository for PgUnitOfWork {
    async fn insert(&self, user: &NewUser) -> Result<User, RepoError> {
        users::insert(&mut **self.transaction.lock().await, user).await
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError> {
        users::find_by_id(&mut **self.transaction.lock().await, id).await
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, RepoError> {
        users::find_by_email(&mut **self.transaction.lock().await, email).await
    }
}
