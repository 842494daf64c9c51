//! The audit trail.

mod queries;
mod row;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use domain::audit::{AuditEvent, AuditFilter, AuditRecord};
use domain::error::RepoError;
use domain::ports::AuditLog;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::database::Database;

pub(crate) use queries::{list, purge, record};

/// The named CHECK constraints of `audit_events`, with the column each
/// guards.
pub(crate) const CHECK_CONSTRAINTS: [(&str, &str); 5] = [
    ("audit_events_action_length", "action"),
    ("audit_events_request_id_length", "request_id"),
    ("audit_events_user_agent_length", "user_agent"),
    ("audit_events_detail_length", "detail"),
    ("audit_events_changes_array", "changes"),
];

/// The trail on the pool: each event is committed on its own, whatever
/// becomes of the change it records. To keep an event only with its
/// change, record it in the change's unit of work.
#[derive(Debug, Clone)]
pub struct PgAuditLog {
    database: Database,
}

impl PgAuditLog {
    /// A trail on this database.
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

#[async_trait]
impl AuditLog for PgAuditLog {
    async fn record(&self, event: &AuditEvent) -> Result<(), RepoError> {
        record(&mut self.database.lease("audit.record").await?, event).await
    }

    async fn list(
        &self,
        filter: &AuditFilter,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, RepoError> {
        let mut lease = self.database.lease("audit.list").await?;
        list(&mut lease, filter, after, limit).await
    }

    async fn purge(&self, before: OffsetDateTime, batch: u32) -> Result<u64, RepoError> {
        purge(
            &mut self.database.lease("audit.purge").await?,
            before,
            batch,
        )
        .await
    }
}
