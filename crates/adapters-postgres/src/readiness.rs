//! Whether the database can serve this build.

use async_trait::async_trait;
use domain::ports::{NotReady, ReadinessProbe};

use crate::database::Database;
use crate::migrations::latest_version;
use crate::query::{One, Operation, Optional};

/// Ready when the database answers and its newest applied migration is the
/// newest one embedded in this build. Its statements take the measured
/// path of every other, so that a probe is seen like any request.
#[derive(Debug, Clone)]
pub struct PgReadinessProbe {
    database: Database,
}

impl PgReadinessProbe {
    /// A probe on this database.
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

#[async_trait]
impl ReadinessProbe for PgReadinessProbe {
    async fn check(&self) -> Result<(), NotReady> {
        let expected = latest_version();
        let mut lease = self.database.lease().await.map_err(NotReady::Database)?;
        // Before the first migration the bookkeeping table does not exist,
        // and a statement naming it would fail rather than find nothing.
        let bookkept = lease
            .run(Operation::new("readiness.find_migrations", &[]), || {
                Optional(sqlx::query!(
                    r#"SELECT true AS "bookkept!" WHERE to_regclass('_sqlx_migrations') IS NOT NULL"#
                ))
            })
            .await
            .map_err(NotReady::Database)?
            .is_some();
        let applied = if bookkept {
            lease
                .run(Operation::new("readiness.schema_version", &[]), || {
                    One(sqlx::query!(
                        "SELECT max(version) AS version FROM _sqlx_migrations WHERE success"
                    ))
                })
                .await
                .map_err(NotReady::Database)?
                .version
        } else {
            None
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
