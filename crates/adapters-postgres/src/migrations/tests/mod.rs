//! The migrations against a real PostgreSQL.

mod data;

use std::time::{Duration, Instant};

use secrecy::SecretString;
use sqlx::migrate::{Migrate as _, MigrationType};
use test_db::TestDatabase;

use super::*;
use crate::database::Thresholds;
use crate::pool::DatabaseSettings;

/// The schema of the pool's database, as one text.
async fn schema_of(pool: &sqlx::PgPool) -> String {
    let mut connection = pool.acquire().await.expect("a connection");
    schema::describe(&mut connection)
        .await
        .expect("the catalogue reads")
        .join("\n")
}

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

/// This build's migrations on `database`, waiting `lock_timeout` for a lock.
fn migrations_of(database: &TestDatabase, lock_timeout: Duration) -> Migrations {
    Migrations::new(
        &DatabaseSettings {
            url: SecretString::from(database.url()),
            max_connections: 1,
            acquire_timeout: Duration::from_secs(10),
            application_name: "doorman-tests".to_owned(),
            statement_timeout: Duration::from_secs(5),
            lock_timeout: Duration::from_secs(2),
            idle_in_transaction_timeout: Duration::from_secs(10),
            thresholds: Thresholds::default(),
            pooler: crate::Pooler::None,
            pool: crate::PoolName::Primary,
        },
        lock_timeout,
    )
    .expect("a PostgreSQL URL")
}

/// An empty database of its own migrated to `version`, a pool on it, and
/// its migrations.
async fn migrated_to(version: i64) -> (TestDatabase, sqlx::PgPool, Migrations) {
    let (database, pool, migrations) = unmigrated(Duration::from_secs(5)).await;
    migrations.up(Some(version)).await.expect("migrated");
    (database, pool, migrations)
}

/// An empty database of its own, a pool of one on it, and its migrations
/// waiting `lock_timeout` for a lock.
async fn unmigrated(lock_timeout: Duration) -> (TestDatabase, sqlx::PgPool, Migrations) {
    let database = TestDatabase::empty().await;
    let pool = database.pool(1).await;
    let migrations = migrations_of(&database, lock_timeout);
    (database, pool, migrations)
}

fn states(statuses: &[MigrationStatus]) -> Vec<(i64, MigrationState)> {
    statuses
        .iter()
        .map(|status| (status.version, status.state))
        .collect()
}

fn versions(statuses: &[MigrationStatus]) -> Vec<i64> {
    statuses.iter().map(|status| status.version).collect()
}

#[test]
fn status_up_and_down_move_through_the_versions() {
    test_db::run(async {
        let database = TestDatabase::empty().await;
        let migrations = migrations_of(&database, Duration::from_secs(5));
        let latest = latest_version();
        let all: Vec<i64> = (1..=latest).collect();

        let fresh = migrations.status().await.expect("status");
        assert_eq!(versions(&fresh), all);
        assert!(
            fresh
                .iter()
                .all(|s| s.state == MigrationState::Pending && s.applied_at.is_none())
        );

        assert_eq!(
            versions(&migrations.up(Some(3)).await.expect("up to 3")),
            [1, 2, 3]
        );
        let later: Vec<i64> = (4..=latest).collect();
        assert_eq!(versions(&migrations.up(None).await.expect("up")), later);
        assert!(migrations.up(None).await.expect("nothing left").is_empty());

        let planned = migrations.to_revert(2).await.expect("planned");
        let reverted = migrations.down(2).await.expect("down to 2");
        let newest_first: Vec<i64> = (3..=latest).rev().collect();
        assert_eq!(versions(&planned), newest_first);
        assert_eq!(versions(&reverted), newest_first);
        let expected: Vec<(i64, MigrationState)> = all
            .iter()
            .map(|&v| {
                (
                    v,
                    if v <= 2 {
                        MigrationState::Applied
                    } else {
                        MigrationState::Pending
                    },
                )
            })
            .collect();
        assert_eq!(
            states(&migrations.status().await.expect("status")),
            expected
        );

        assert!(matches!(
            migrations.down(latest + 1).await,
            Err(MigrationError::NoSuchVersion(v)) if v == latest + 1
        ));
    });
}

#[test]
fn a_tampered_failed_or_unknown_migration_is_a_problem_and_stops_up() {
    test_db::run(async {
        let (_database, pool, migrations) = migrated_to(2).await;
        let before = schema_of(&pool).await;
        for sql in [
            "UPDATE _sqlx_migrations SET checksum = '\\x00' WHERE version = 1",
            "UPDATE _sqlx_migrations SET success = false WHERE version = 2",
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (9999, 'from a newer build', true, '\\x01', 1)",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&pool)
                .await
                .expect(sql);
        }

        let problems = problems(&crate::test_support::database(pool.clone()))
            .await
            .expect("read");
        assert_eq!(
            problems,
            [
                Problem::ChecksumDiffers {
                    version: 1,
                    description: "create users".to_owned()
                },
                Problem::Failed {
                    version: 2,
                    description: "sessions throttles audit".to_owned()
                },
                Problem::Unknown {
                    version: 9999,
                    description: "from a newer build".to_owned()
                },
            ]
        );
        let refused = migrations.up(None).await.expect_err("refused");
        assert!(matches!(refused, MigrationError::Problems(ref found) if *found == problems));
        assert!(
            refused
                .to_string()
                .contains("migration 9999 (from a newer build)"),
            "{refused}"
        );
        assert_eq!(schema_of(&pool).await, before, "nothing applied");
        pool.close().await;
    });
}

#[test]
fn concurrent_migrators_take_turns_and_apply_each_migration_once() {
    test_db::run(async {
        let database = TestDatabase::empty().await;
        let migrators: Vec<Migrations> = (0..3)
            .map(|_| migrations_of(&database, Duration::from_secs(5)))
            .collect();

        let (first, second, third) = tokio::join!(
            migrators[0].up(None),
            migrators[1].up(None),
            migrators[2].up(None)
        );

        let mut applied: Vec<i64> = [first, second, third]
            .into_iter()
            .flat_map(|outcome| versions(&outcome.expect("no migrator fails")))
            .collect();
        applied.sort_unstable();
        let all: Vec<i64> = (1..=latest_version()).collect();
        assert_eq!(applied, all, "each migration applied by exactly one");
        let pool = database.pool(1).await;
        assert!(
            problems(&crate::test_support::database(pool.clone()))
                .await
                .expect("read")
                .is_empty()
        );
        pool.close().await;
    });
}

#[test]
fn a_migration_blocked_by_a_lock_fails_fast_and_leaves_the_database_as_it_was() {
    test_db::run(async {
        let database = TestDatabase::empty().await;
        let pool = database.pool(2).await;
        let latest = latest_version();
        let migrations = migrations_of(&database, Duration::from_millis(200));
        migrations
            .up(Some(latest - 1))
            .await
            .expect("all but the last");
        let before = schema_of(&pool).await;
        // A reader of every table, as a long report would be.
        let mut reader = pool.begin().await.expect("begin");
        sqlx::query(
            "LOCK TABLE users, sessions, throttles, audit_events, device_tokens IN ACCESS SHARE MODE",
        )
        .execute(&mut *reader)
        .await
        .expect("locked");

        let error = migrations.up(None).await.expect_err("times out");

        assert!(
            matches!(error, MigrationError::LockTimeout { version, timeout_ms: 200, no_transaction: false } if version == latest),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .contains("DOORMAN_MIGRATION_LOCK_TIMEOUT_MS"),
            "{error}"
        );
        reader.rollback().await.expect("rolled back");
        assert_eq!(schema_of(&pool).await, before, "nothing of it applied");
        let last = migrations
            .status()
            .await
            .expect("status")
            .pop()
            .expect("one");
        assert_eq!(
            (last.version, last.state),
            (latest, MigrationState::Pending)
        );
        assert_eq!(
            versions(&migrations.up(None).await.expect("then it applies")),
            [latest]
        );
        pool.close().await;
    });
}

#[test]
fn verify_finds_ddl_run_by_hand_and_nothing_on_a_migrated_database() {
    test_db::run(async {
        let (_database, pool, migrations) = migrated_to(3).await;
        assert_eq!(migrations.verify().await.expect("verified"), []);

        for sql in [
            "CREATE INDEX users_by_hand_idx ON users (display_name)",
            "ALTER TABLE users DROP CONSTRAINT users_display_name_length",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&pool)
                .await
                .expect(sql);
        }

        let problems = migrations.verify().await.expect("verified");
        let [
            Problem::SchemaDiffers {
                version,
                missing,
                unexpected,
            },
        ] = problems.as_slice()
        else {
            panic!("one drift: {problems:?}");
        };
        assert_eq!(*version, 3);
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert!(
            missing[0].contains("users_display_name_length"),
            "{missing:?}"
        );
        assert_eq!(unexpected.len(), 1, "{unexpected:?}");
        assert!(
            unexpected[0].contains("users_by_hand_idx"),
            "{unexpected:?}"
        );
        let scratch: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'doorman_verify_%'",
        )
        .fetch_one(&pool)
        .await
        .expect("counted");
        assert_eq!(scratch, 0, "the scratch databases are dropped");
        pool.close().await;
    });
}

#[test]
fn waiting_for_another_migrator_is_not_cut_short_by_the_lock_timeout() {
    test_db::run(async {
        let (_database, pool, migrations) = unmigrated(Duration::from_millis(50)).await;
        // Another migrator holds the lock, as sqlx takes it.
        let mut other = pool.acquire().await.expect("a connection");
        other.lock().await.expect("locked");
        let release = async {
            // Until the waiting migrator shows in pg_locks, then well past
            // its lock timeout.
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                // Of this database only: other tests migrate beside it.
                let waiters: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM pg_locks
                      WHERE locktype = 'advisory' AND NOT granted
                        AND database = (SELECT oid FROM pg_database
                                         WHERE datname = current_database())",
                )
                .fetch_one(&mut *other)
                .await
                .expect("counted");
                if waiters > 0 {
                    break;
                }
                assert!(Instant::now() < deadline, "the migrator never waited");
                tokio::task::yield_now().await;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            other.unlock().await.expect("unlocked");
        };
        let (applied, ()) = tokio::join!(migrations.up(None), release);
        let applied = applied.expect("it waited, then applied");
        let all: Vec<i64> = (1..=latest_version()).collect();
        assert_eq!(versions(&applied), all);
        drop(other);
        pool.close().await;
    });
}
