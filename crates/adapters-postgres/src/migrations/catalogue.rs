//! What the database has applied, next to what this build embeds.

use std::collections::BTreeMap;

use sqlx::PgConnection;
use sqlx::migrate::Migration;
use time::OffsetDateTime;

use super::{MIGRATOR, MigrationError};
use crate::query::Statements;

/// One migration, as this build and the database know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub version: i64,
    pub description: String,
    pub state: MigrationState,
    /// When it was applied, if it was.
    pub applied_at: Option<OffsetDateTime>,
}

/// Where a migration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationState {
    /// Applied, as this build has it.
    Applied,
    /// Not applied yet.
    Pending,
    /// Applied, but its SQL was not the SQL this build has.
    ChecksumDiffers,
    /// Marked as failed. sqlx 0.9 itself records only successes (a
    /// migration outside a transaction that fails halfway shows as
    /// pending); other tools, and hands, may leave such a row.
    Failed,
    /// Applied by a build that knows migrations this one does not.
    Unknown,
}

impl MigrationState {
    /// The state as `status` prints it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Pending => "pending",
            Self::ChecksumDiffers => "checksum differs",
            Self::Failed => "failed",
            Self::Unknown => "unknown to this build",
        }
    }
}

/// A row of sqlx's bookkeeping table.
struct Applied {
    description: String,
    installed_on: OffsetDateTime,
    success: bool,
    checksum: Vec<u8>,
}

/// Every migration this build embeds or the database has applied, by
/// version.
/// Its statements are named unless `named` is false (behind a transaction
/// pooler).
pub(super) async fn read(
    connection: &mut PgConnection,
    named: bool,
) -> Result<Vec<MigrationStatus>, MigrationError> {
    let mut applied = applied(connection, named).await?;
    let mut statuses: Vec<MigrationStatus> = embedded()
        .map(|migration| {
            let (state, applied_at) = match applied.remove(&migration.version) {
                None => (MigrationState::Pending, None),
                Some(row) => {
                    let state = if !row.success {
                        MigrationState::Failed
                    } else if *row.checksum != *migration.checksum {
                        MigrationState::ChecksumDiffers
                    } else {
                        MigrationState::Applied
                    };
                    (state, Some(row.installed_on))
                }
            };
            MigrationStatus {
                version: migration.version,
                description: migration.description.to_string(),
                state,
                applied_at,
            }
        })
        .collect();
    statuses.extend(applied.into_iter().map(|(version, row)| MigrationStatus {
        version,
        description: row.description,
        state: if row.success {
            MigrationState::Unknown
        } else {
            MigrationState::Failed
        },
        applied_at: Some(row.installed_on),
    }));
    statuses.sort_by_key(|status| status.version);
    Ok(statuses)
}

/// The up migrations of this build.
fn embedded() -> impl Iterator<Item = &'static Migration> {
    MIGRATOR
        .iter()
        .filter(|migration| !migration.migration_type.is_down_migration())
}

async fn applied(
    connection: &mut PgConnection,
    named: bool,
) -> Result<BTreeMap<i64, Applied>, MigrationError> {
    // Before the first migration the bookkeeping table does not exist, and
    // a statement naming it would fail rather than find nothing.
    let bookkept =
        sqlx::query_scalar!(r#"SELECT to_regclass('_sqlx_migrations') IS NOT NULL AS "bookkept!""#)
            .fetch_one(Statements::new(&mut *connection, named))
            .await
            .map_err(MigrationError::Read)?;
    if !bookkept {
        return Ok(BTreeMap::new());
    }
    let rows = sqlx::query!(
        "SELECT version, description, installed_on, success, checksum
           FROM _sqlx_migrations ORDER BY version"
    )
    .fetch_all(Statements::new(connection, named))
    .await
    .map_err(MigrationError::Read)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            (
                row.version,
                Applied {
                    description: row.description,
                    installed_on: row.installed_on,
                    success: row.success,
                    checksum: row.checksum,
                },
            )
        })
        .collect())
}
