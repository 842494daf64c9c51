use async_trait::async_trait;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::{AuditEvent, AuditFilter, AuditRecord};
use crate::error::RepoError;

/// Reads the audit trail without a unit of work.
///
/// # Errors
///
/// Fails as [`UserReads`](super::UserReads)' methods do.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait AuditReads: Send + Sync {
    /// Up to `limit` events matching `filter`, newest first, strictly
    /// older than the event `after`.
    async fn list(
        &self,
        filter: &AuditFilter,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, RepoError>;
}

/// Keeps the audit trail, inside a [`UnitOfWork`](super::UnitOfWork): an
/// event is kept only if the change it records is.
///
/// # Errors
///
/// Fails as [`UserRepository`](super::UserRepository)'s methods do.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends the event.
    async fn record(&self, event: &AuditEvent) -> Result<(), RepoError>;

    /// Deletes up to `batch` events that happened before `before`, skipping
    /// rows that others hold. Returns how many it deleted.
    async fn purge(&self, before: OffsetDateTime, batch: u32) -> Result<u64, RepoError>;
}
