//! The audit trail inside a unit of work: an event is kept only if the
//! unit commits.

use async_trait::async_trait;
use domain::audit::{AuditEvent, AuditFilter, AuditRecord};
use domain::error::RepoError;
use domain::ports::AuditLog;
use time::OffsetDateTime;
use uuid::Uuid;

use super::PgUnitOfWork;
use crate::audit;

#[async_trait]
impl AuditLog for PgUnitOfWork {
    async fn record(&self, event: &AuditEvent) -> Result<(), RepoError> {
        let mut session = self.usable().await?;
        let outcome = audit::record(session.lease()?, event).await;
        session.track(outcome)
    }

    async fn list(
        &self,
        filter: &AuditFilter,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, RepoError> {
        let mut session = self.usable().await?;
        let outcome = audit::list(session.lease()?, filter, after, limit).await;
        session.track(outcome)
    }

    async fn purge(&self, before: OffsetDateTime, batch: u32) -> Result<u64, RepoError> {
        let mut session = self.usable().await?;
        let outcome = audit::purge(session.lease()?, before, batch).await;
        session.track(outcome)
    }
}
