use std::net::IpAddr;

use domain::error::RepoError;
use domain::session::Session;
use time::OffsetDateTime;
use uuid::Uuid;

/// A `sessions` row as PostgreSQL returns it, without the digests, which
/// never leave the database. The address comes as text (`host(ip)`).
pub(super) struct SessionRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: OffsetDateTime,
    pub last_used_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

impl TryFrom<SessionRow> for Session {
    type Error = RepoError;

    /// An address that no longer parses is a fault of the store, reported
    /// as internal.
    fn try_from(row: SessionRow) -> Result<Self, Self::Error> {
        let ip = row
            .ip
            .map(|ip| ip.parse::<IpAddr>())
            .transpose()
            .map_err(|error| {
                RepoError::Internal(
                    format!("stored session {} has an invalid ip: {error}", row.id).into(),
                )
            })?;
        Ok(Session {
            id: row.id.into(),
            user_id: row.user_id.into(),
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            expires_at: row.expires_at,
            user_agent: row.user_agent,
            ip,
        })
    }
}
