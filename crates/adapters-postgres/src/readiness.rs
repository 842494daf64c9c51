//! Whether the database can serve this build.

use async_trait::async_trait;
use domain::ports::{NotReady, ReadinessProbe};
use sqlx::PgPool;

use crate::error::repo_error;
use crate::migrations::latest_version;

const UNDEFINED_TABLE: &str = "42P01";

/// Ready when the database answers and its newest applied migration is the
/// newest one embedded in this build.
#[derive(Debug, Clone)]
pub struct PgReadinessProbe {
    pool: PgPool,
}

impl PgReadinessProbe {
    /// A probe on this pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl ReadinessProbe for PgReadinessProbe {
    async fn check(&self) -> Result<(), NotReady> {
        let expected = latest_version();
        let applied =
            sqlx::query_scalar!("SELECT max(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await;
        let applied = match applied {
            Ok(version) => version,
            // No migration has ever run: the bookkeeping table is missing.
            Err(sqlx::Error::Database(error))
                if error.code().as_deref() == Some(UNDEFINED_TABLE) =>
            {
                None
            }
            Err(error) => return Err(NotReady::Database(repo_error(error))),
        };
        if applied == Some(expected) {
            Ok(())
        } else {
            Err(NotReady::Schema {
                expected,
                found: applied,
            })
        }
    }
}
