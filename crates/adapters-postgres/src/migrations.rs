//! The schema migrations, embedded from `migrations/` at the workspace's
//! top.

use sqlx::PgPool;
use sqlx::migrate::{MigrateError, Migrator};

pub(crate) static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// Migrations could not be applied.
#[derive(Debug, thiserror::Error)]
#[error("cannot migrate the database")]
pub struct MigrationError(#[from] MigrateError);

/// Applies every pending migration, holding PostgreSQL's advisory lock so
/// that concurrent migrators take turns.
///
/// # Errors
///
/// [`MigrationError`] when the database is unreachable, a migration fails,
/// or an applied migration differs from the embedded one.
pub async fn migrate(pool: &PgPool) -> Result<(), MigrationError> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// The version of the newest embedded migration.
pub(crate) fn latest_version() -> i64 {
    MIGRATOR
        .iter()
        .map(|migration| migration.version)
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use sqlx::migrate::MigrationType;
    use test_db::TestDatabase;

    use super::*;
    use crate::test_support::schema_of;

    #[test]
    fn every_migration_has_a_down_that_restores_the_schema() {
        test_db::run(migrations_round_trip());
    }

    async fn migrations_round_trip() {
        let versions = |kind: MigrationType| -> Vec<i64> {
            MIGRATOR
                .iter()
                .filter(|m| m.migration_type == kind)
                .map(|m| m.version)
                .collect()
        };
        assert_eq!(
            versions(MigrationType::Simple),
            Vec::<i64>::new(),
            "irreversible migrations"
        );
        assert_eq!(
            versions(MigrationType::ReversibleUp),
            versions(MigrationType::ReversibleDown),
            "every up migration needs a down migration"
        );

        let database = TestDatabase::empty().await;
        let pool = database.pool(2).await;
        let empty = schema_of(&pool).await;

        MIGRATOR.run(&pool).await.expect("up");
        let migrated = schema_of(&pool).await;
        assert_ne!(migrated, empty, "the migrations create something");

        MIGRATOR.undo(&pool, 0).await.expect("down to zero");
        assert_eq!(
            schema_of(&pool).await,
            empty,
            "down to zero leaves what was there before"
        );

        MIGRATOR.run(&pool).await.expect("up again");
        assert_eq!(
            schema_of(&pool).await,
            migrated,
            "up after down rebuilds the same schema"
        );

        pool.close().await;
    }
}
