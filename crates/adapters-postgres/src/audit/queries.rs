//! The SQL of the audit trail, over whatever holds the connection: the
//! pool for a read, a unit of work for the rest.

use domain::audit::{AuditEvent, AuditFilter, AuditRecord};
use domain::error::RepoError;
use sqlx::types::Json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::row::{AuditRow, ChangeRow};
use crate::lease::Lease;
use crate::query::{Affected, Many, Nullable, Operation, Param};

/// The address crosses as text, as for sessions.
pub(crate) async fn record(lease: &mut Lease, event: &AuditEvent) -> Result<(), RepoError> {
    let ip = event.origin.ip.map(|ip| ip.to_string());
    let changes: Vec<ChangeRow> = event.changes.iter().map(ChangeRow::from).collect();
    let params: [Param<'_>; 4] = [
        ("event.id", &event.id),
        ("action", &event.action.as_str()),
        ("subject", &Nullable(event.subject)),
        ("session.id", &Nullable(event.session)),
    ];
    lease
        .run(Operation::new("audit.record", &params), || {
            Affected(sqlx::query!(
                r#"INSERT INTO audit_events (id, occurred_at, action, actor_id, subject_id,
                                             session_id, request_id, client_request_id, ip,
                                             user_agent, detail, changes)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::inet, $10, $11, $12)"#,
                event.id,
                event.occurred_at,
                event.action.as_str(),
                event.actor.map(|user| user.as_uuid()),
                event.subject.map(|user| user.as_uuid()),
                event.session.map(|session| session.as_uuid()),
                event.origin.request_id.as_deref(),
                event.origin.client_request_id.as_deref(),
                ip.as_deref(),
                event.origin.user_agent.as_deref(),
                event.detail,
                Json(&changes) as _,
            ))
        })
        .await?;
    Ok(())
}

/// Identifiers are UUID v7, so `id < after` is "older than `after`", and
/// each filter has an index in that order (`audit_events_subject_id_idx`,
/// `audit_events_action_id_idx`; the primary key without one).
pub(crate) async fn list(
    lease: &mut Lease,
    filter: &AuditFilter,
    after: Option<Uuid>,
    limit: u32,
) -> Result<Vec<AuditRecord>, RepoError> {
    let action = filter.action.map(|action| action.as_str());
    let params: [Param<'_>; 4] = [
        ("subject", &Nullable(filter.subject)),
        ("action", &Nullable(action)),
        ("after", &Nullable(after)),
        ("limit", &limit),
    ];
    lease
        .run(Operation::new("audit.list", &params), || {
            Many(sqlx::query_as!(
                AuditRow,
                r#"SELECT id, occurred_at, action, actor_id, subject_id, session_id, request_id,
                          client_request_id, host(ip) AS "ip?", user_agent, detail, changes
                     FROM audit_events
                    WHERE ($1::uuid IS NULL OR subject_id = $1)
                      AND ($2::text IS NULL OR action = $2)
                      AND ($3::uuid IS NULL OR id < $3)
                    ORDER BY id DESC
                    LIMIT $4"#,
                filter.subject.map(|user| user.as_uuid()),
                action,
                after,
                i64::from(limit),
            ))
        })
        .await?
        .into_iter()
        .map(AuditRecord::try_from)
        .collect()
}

/// Locks what it deletes and skips rows locked by others, like the
/// sessions' purge, so that purges on several replicas share the work.
pub(crate) async fn purge(
    lease: &mut Lease,
    before: OffsetDateTime,
    batch: u32,
) -> Result<u64, RepoError> {
    let params: [Param<'_>; 2] = [("before", &before), ("batch", &batch)];
    lease
        .run(Operation::new("audit.purge", &params), || {
            Affected(sqlx::query!(
                r#"DELETE FROM audit_events
                    WHERE id IN (SELECT id
                                   FROM audit_events
                                  WHERE occurred_at < $1
                                  LIMIT $2
                                    FOR UPDATE SKIP LOCKED)"#,
                before,
                i64::from(batch),
            ))
        })
        .await
}
