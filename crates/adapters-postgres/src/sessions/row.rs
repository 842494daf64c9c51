use std::net::IpAddr;

use domain::error::RepoError;
use domain::session::Session;
use domain::user::User;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::users::UserRow;

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

/// A rotated session and its account, as one statement returns them: the
/// session's columns prefixed, the account's as in `users`.
pub(super) struct RotatedRow {
    pub session_id: Uuid,
    pub session_created_at: OffsetDateTime,
    pub session_last_used_at: OffsetDateTime,
    pub session_expires_at: OffsetDateTime,
    pub session_user_agent: Option<String>,
    pub session_ip: Option<String>,
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub status: String,
    pub email_verified: bool,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl TryFrom<RotatedRow> for (Session, User) {
    type Error = RepoError;

    fn try_from(row: RotatedRow) -> Result<Self, Self::Error> {
        let session = SessionRow {
            id: row.session_id,
            user_id: row.id,
            created_at: row.session_created_at,
            last_used_at: row.session_last_used_at,
            expires_at: row.session_expires_at,
            user_agent: row.session_user_agent,
            ip: row.session_ip,
        };
        let user = UserRow {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            password_hash: row.password_hash,
            role: row.role,
            status: row.status,
            email_verified: row.email_verified,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        };
        Ok((session.try_into()?, user.try_into()?))
    }
}
