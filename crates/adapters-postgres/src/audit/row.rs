use std::net::IpAddr;

use domain::audit::{AuditRecord, FieldChange, Origin};
use domain::error::RepoError;
use domain::user::AccountField;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// An `audit_events` row as PostgreSQL returns it. The address comes as
/// text (`host(ip)`), the changes as the stored JSON.
pub(super) struct AuditRow {
    pub id: Uuid,
    pub occurred_at: OffsetDateTime,
    pub action: String,
    pub actor_id: Option<Uuid>,
    pub subject_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub request_id: Option<String>,
    pub client_request_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
    pub changes: serde_json::Value,
}

/// One element of the `changes` column:
/// `{"field": "role", "before": "admin", "after": "user"}`, with `null` for
/// a value that was or is absent. The stored shape, kept apart from the
/// domain's type so that serde stays in this crate.
#[derive(Serialize, Deserialize)]
pub(super) struct ChangeRow {
    field: String,
    before: Option<String>,
    after: Option<String>,
}

impl From<&FieldChange> for ChangeRow {
    fn from(change: &FieldChange) -> Self {
        Self {
            field: stored_name(change.field).to_owned(),
            before: change.before.clone(),
            after: change.after.clone(),
        }
    }
}

impl TryFrom<ChangeRow> for FieldChange {
    type Error = String;

    fn try_from(row: ChangeRow) -> Result<Self, Self::Error> {
        let field = AccountField::ALL
            .into_iter()
            .find(|field| stored_name(*field) == row.field)
            .ok_or_else(|| format!("unknown field {:?}", row.field))?;
        Ok(Self {
            field,
            before: row.before,
            after: row.after,
        })
    }
}

/// The name the trail stores a field under: the names it was first written
/// with, kept so that every stored event reads back the same.
fn stored_name(field: AccountField) -> &'static str {
    match field {
        AccountField::Email => "email",
        AccountField::DisplayName => "displayName",
        AccountField::Password => "password",
        AccountField::Role => "role",
        AccountField::Status => "status",
    }
}

impl TryFrom<AuditRow> for AuditRecord {
    type Error = RepoError;

    /// An address or changes that no longer parse are a fault of the
    /// store, reported as internal.
    fn try_from(row: AuditRow) -> Result<Self, Self::Error> {
        let corrupt = |field: &str, error: &dyn std::fmt::Display| {
            RepoError::Internal(
                format!("stored audit event {} has invalid {field}: {error}", row.id).into(),
            )
        };
        let ip = row
            .ip
            .as_deref()
            .map(str::parse::<IpAddr>)
            .transpose()
            .map_err(|error| corrupt("ip", &error))?;
        let changes: Vec<ChangeRow> =
            serde_json::from_value(row.changes).map_err(|error| corrupt("changes", &error))?;
        let changes = changes
            .into_iter()
            .map(FieldChange::try_from)
            .collect::<Result<_, _>>()
            .map_err(|error| corrupt("changes", &error))?;
        Ok(AuditRecord {
            id: row.id,
            occurred_at: row.occurred_at,
            action: row.action,
            actor: row.actor_id.map(Into::into),
            subject: row.subject_id.map(Into::into),
            session: row.session_id.map(Into::into),
            origin: Origin {
                request_id: row.request_id,
                client_request_id: row.client_request_id,
                ip,
                user_agent: row.user_agent,
            },
            detail: row.detail,
            changes,
        })
    }
}
