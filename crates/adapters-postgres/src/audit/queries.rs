//! The SQL of the audit trail, written once for the pool and for units of
//! work alike.

use domain::audit::AuditEvent;
use domain::error::RepoError;

use crate::lease::Lease;
use crate::query::{Affected, Nullable, Operation, Param};

/// The address crosses as text, as for sessions.
pub(crate) async fn record(lease: &mut Lease, event: &AuditEvent) -> Result<(), RepoError> {
    let ip = event.origin.ip.map(|ip| ip.to_string());
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
                                             session_id, request_id, ip, user_agent, detail)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::inet, $9, $10)"#,
                event.id,
                event.occurred_at,
                event.action.as_str(),
                event.actor.map(|user| user.as_uuid()),
                event.subject.map(|user| user.as_uuid()),
                event.session.map(|session| session.as_uuid()),
                event.origin.request_id.as_deref(),
                ip.as_deref(),
                event.origin.user_agent.as_deref(),
                event.detail,
            ))
        })
        .await?;
    Ok(())
}
