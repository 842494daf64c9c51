use async_trait::async_trait;

use crate::error::RepoError;

/// Tells whether the service can do its work: the store answers and its
/// schema is the one this build expects.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ReadinessProbe: Send + Sync {
    /// `Ok` when requests can be served.
    ///
    /// # Errors
    ///
    /// [`NotReady`] says what is missing.
    async fn check(&self) -> Result<(), NotReady>;
}

/// Why the service cannot serve requests now.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    /// The store does not answer.
    #[error("the database is unreachable")]
    Database(#[source] RepoError),
    /// The store's schema is not at the version this build was made for.
    #[error("the database schema is at version {found:?}, this build expects {expected}")]
    Schema {
        /// The newest migration this build knows.
        expected: i64,
        /// The newest migration applied to the store, if any.
        found: Option<i64>,
    },
}
