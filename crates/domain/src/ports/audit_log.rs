use async_trait::async_trait;

use crate::audit::AuditEvent;
use crate::error::RepoError;

/// Keeps the audit trail. Inside a unit of work, an event is kept only if
/// the change it records is.
///
/// # Errors
///
/// Fails as [`UserRepository`](super::UserRepository)'s methods do.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends the event.
    async fn record(&self, event: &AuditEvent) -> Result<(), RepoError>;
}
