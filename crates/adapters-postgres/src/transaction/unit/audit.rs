//! The audit trail inside a unit of work: an event is kept only if the
//! unit commits.

use async_trait::async_trait;
use domain::audit::AuditEvent;
use domain::error::RepoError;
use domain::ports::AuditLog;

use super::PgUnitOfWork;
use crate::audit;

#[async_trait]
impl AuditLog for PgUnitOfWork {
    async fn record(&self, event: &AuditEvent) -> Result<(), RepoError> {
        let mut session = self.usable().await?;
        let outcome = audit::record(session.lease()?, event).await;
        session.track(outcome)
    }
}
