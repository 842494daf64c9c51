use domain::error::RepoError;
use domain::password::PasswordHash;
use domain::user::{DisplayName, Email, User};
use time::OffsetDateTime;
use uuid::Uuid;

/// A `users` row as PostgreSQL returns it.
pub(crate) struct UserRow {
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

impl TryFrom<UserRow> for User {
    type Error = RepoError;

    /// Parses the stored values again: a row that no longer satisfies the
    /// domain's rules is a fault of the store, reported as internal.
    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        let corrupt = |field: &str, error: &dyn std::fmt::Display| {
            RepoError::Internal(
                format!("stored user {} has an invalid {field}: {error}", row.id).into(),
            )
        };
        Ok(User {
            id: row.id.into(),
            email: Email::parse(&row.email).map_err(|e| corrupt("email", &e))?,
            display_name: DisplayName::parse(&row.display_name)
                .map_err(|e| corrupt("display name", &e))?,
            password_hash: PasswordHash::parse(row.password_hash)
                .map_err(|e| corrupt("password hash", &e))?,
            role: row.role.parse().map_err(|e| corrupt("role", &e))?,
            status: row.status.parse().map_err(|e| corrupt("status", &e))?,
            email_verified: row.email_verified,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}
