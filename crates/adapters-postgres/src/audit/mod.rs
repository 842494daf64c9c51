//! The audit trail: its SQL, and the read and unit-of-work ports on it.

mod queries;
mod row;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use domain::audit::{AuditEvent, AuditFilter, AuditRecord};
use domain::error::RepoError;
use domain::ports::{AuditLog, AuditReads};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::reads::PgReads;
use crate::transaction::PgUnitOfWork;
pub(crate) use queries::{list, purge, record};

/// The named CHECK constraints of `audit_events`, with the column each
/// guards.
pub(crate) const CHECK_CONSTRAINTS: [(&str, &str); 6] = [
    ("audit_events_action_length", "action"),
    ("audit_events_request_id_length", "request_id"),
    ("audit_events_client_request_id_length", "client_request_id"),
    ("audit_events_user_agent_length", "user_agent"),
    ("audit_events_detail_length", "detail"),
    ("audit_events_changes_array", "changes"),
];

#[async_trait]
impl AuditReads for PgReads {
    async fn list(
        &self,
        filter: &AuditFilter,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, RepoError> {
        list(&mut self.lease().await?, filter, after, limit).await
    }
}

#[async_trait]
impl AuditLog for PgUnitOfWork {
    async fn record(&self, event: &AuditEvent) -> Result<(), RepoError> {
        record(&mut *self.lease().await?, event).await
    }

    async fn purge(&self, before: OffsetDateTime, batch: u32) -> Result<u64, RepoError> {
        purge(&mut *self.lease().await?, before, batch).await
    }
}
