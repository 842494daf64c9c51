//! The audit trail.

mod queries;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use domain::audit::AuditEvent;
use domain::error::RepoError;
use domain::ports::AuditLog;

use crate::database::Database;

pub(crate) use queries::record;

/// The named CHECK constraints of `audit_events`, with the column each
/// guards.
pub(crate) const CHECK_CONSTRAINTS: [(&str, &str); 4] = [
    ("audit_events_action_length", "action"),
    ("audit_events_request_id_length", "request_id"),
    ("audit_events_user_agent_length", "user_agent"),
    ("audit_events_detail_length", "detail"),
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
}
