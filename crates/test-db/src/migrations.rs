//! The service's migrations, embedded here rather than taken from
//! `adapters-postgres`, whose tests depend on this crate.

use sha2::{Digest, Sha256};
use sqlx::migrate::{Migration, Migrator};

use crate::names;

pub(crate) static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// Identifies the schema that `migrations` build: a short hash of every up
/// migration's version and checksum. Down migrations leave the schema built
/// by the ups unchanged, so they are left out.
pub(crate) fn schema_key<'a>(migrations: impl IntoIterator<Item = &'a Migration>) -> String {
    let mut hash = Sha256::new();
    for migration in migrations {
        if migration.migration_type.is_down_migration() {
            continue;
        }
        hash.update(migration.version.to_be_bytes());
        hash.update((migration.checksum.len() as u64).to_be_bytes());
        hash.update(&migration.checksum);
    }
    names::short_hex(&hash.finalize())
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use sqlx::migrate::MigrationType;
    use sqlx::{AssertSqlSafe, SqlSafeStr};

    use super::*;

    fn migration(version: i64, kind: MigrationType, sql: &str) -> Migration {
        Migration::new(
            version,
            Cow::Borrowed("users"),
            kind,
            AssertSqlSafe(sql.to_owned()).into_sql_str(),
            false,
        )
    }

    fn key_of(migrations: &[Migration]) -> String {
        schema_key(migrations)
    }

    #[test]
    fn the_key_is_16_hex_digits_and_stable() {
        let migrations = [migration(
            1,
            MigrationType::ReversibleUp,
            "CREATE TABLE a ()",
        )];
        let key = key_of(&migrations);
        assert_eq!(key.len(), 16);
        assert!(key.bytes().all(|byte| byte.is_ascii_hexdigit()));
        assert_eq!(key, key_of(&migrations));
    }

    #[test]
    fn the_key_changes_with_any_checksum_or_version_and_with_a_new_migration() {
        let base = key_of(&[migration(
            1,
            MigrationType::ReversibleUp,
            "CREATE TABLE a ()",
        )]);
        for changed in [
            vec![migration(
                1,
                MigrationType::ReversibleUp,
                "CREATE TABLE b ()",
            )],
            vec![migration(
                2,
                MigrationType::ReversibleUp,
                "CREATE TABLE a ()",
            )],
            vec![
                migration(1, MigrationType::ReversibleUp, "CREATE TABLE a ()"),
                migration(2, MigrationType::ReversibleUp, "CREATE TABLE b ()"),
            ],
        ] {
            assert_ne!(key_of(&changed), base, "{changed:?}");
        }
    }

    #[test]
    fn down_migrations_do_not_change_the_key() {
        let up = migration(1, MigrationType::ReversibleUp, "CREATE TABLE a ()");
        let with_down = [
            migration(1, MigrationType::ReversibleUp, "CREATE TABLE a ()"),
            migration(1, MigrationType::ReversibleDown, "DROP TABLE a"),
        ];
        assert_eq!(key_of(&with_down), key_of(&[up]));
    }

    #[test]
    fn the_embedded_migrations_have_a_key() {
        assert!(
            MIGRATOR
                .iter()
                .any(|m| !m.migration_type.is_down_migration())
        );
        assert_eq!(schema_key(MIGRATOR.iter()).len(), 16);
    }
}
