use async_trait::async_trait;

use super::UserRepository;
use crate::error::RepoError;

/// Starts units of work: groups of repository calls that succeed or fail as
/// one.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait Transactor: Send + Sync {
    /// Opens a unit of work (a database transaction).
    ///
    /// # Errors
    ///
    /// [`RepoError::Unavailable`] when no connection can be had within the
    /// acquire timeout; [`RepoError::Internal`] for anything else.
    async fn begin(&self) -> Result<Box<dyn UnitOfWork>, RepoError>;
}

/// An open unit of work. The repositories it hands out all act inside it.
///
/// Nothing it did is visible to others until [`commit`](Self::commit)
/// succeeds; dropping it without committing (an early return, an error, a
/// cancelled request) rolls everything back and returns its connection.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait UnitOfWork: Send {
    /// The user repository, acting inside this unit of work.
    fn users(&self) -> &dyn UserRepository;

    /// Makes every change of this unit of work durable and visible at once.
    ///
    /// # Errors
    ///
    /// [`RepoError::Retryable`] when the commit lost a serialization
    /// conflict (nothing was committed); [`RepoError::Unavailable`] when the
    /// connection broke, in which case the outcome is unknown;
    /// [`RepoError::Internal`] for anything else.
    async fn commit(self: Box<Self>) -> Result<(), RepoError>;
}
