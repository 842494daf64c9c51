//! Units of work as PostgreSQL transactions, nested units as savepoints.
//!
//! A unit's connection goes back to the pool clean whatever happens: after
//! a commit or rollback it is idle; if the unit is dropped first (an error
//! path that skipped the rollback, a panic, a request future cancelled at
//! any await, even during `BEGIN`), the session rolls back before the
//! connection is reused, or the connection is closed. sqlx's own
//! `Pool::begin` is not used: a cancellation during its `BEGIN` can return a
//! connection still inside a transaction (sqlx issues 4385 and 4393).

mod session;
mod sql;
#[cfg(test)]
mod tests;
mod unit;

use async_trait::async_trait;
use domain::error::RepoError;
use domain::ports::{TransactionOptions, Transactor, UnitOfWork};

use crate::database::Database;
use session::Session;
pub(crate) use unit::PgUnitOfWork;

/// Opens units of work on the database.
#[derive(Debug, Clone)]
pub struct PgTransactor {
    database: Database,
}

impl PgTransactor {
    /// A transactor on this database.
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

#[async_trait]
impl Transactor for PgTransactor {
    async fn begin(&self, options: TransactionOptions) -> Result<Box<dyn UnitOfWork>, RepoError> {
        let lease = self.database.lease().await?;
        let session = Session::begin(lease, options).await?;
        Ok(Box::new(PgUnitOfWork::outermost(session)))
    }
}
