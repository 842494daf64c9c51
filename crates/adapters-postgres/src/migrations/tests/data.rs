//! Data survives every migration: rows seeded as the previous version
//! wrote them are checked after the `up`, and again after the `down`,
//! against what the `down` claims to keep. A new migration adds one
//! [`Case`].

use super::*;

/// One migration's rows and what must hold of them.
struct Case {
    version: i64,
    /// Run at `version - 1`: rows as the previous release wrote them.
    seed: &'static str,
    /// One boolean, true when the `up` kept what it must.
    after_up: &'static str,
    /// Run after the `up`: rows that only the new version can hold, for
    /// the `down` to deal with.
    new_rows: &'static str,
    /// One boolean, true when the `down` kept what it claims to.
    after_down: &'static str,
}

/// An account, as every later seed refers to it.
const ACCOUNT: &str = "INSERT INTO users (id, email, display_name, password_hash)
     VALUES ('0193a5c2-0000-7000-8000-000000000001', 'ada@example.com', 'Ada',
             '$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA')";

const CASES: [Case; 6] = [
    Case {
        version: 1,
        seed: "SELECT 1",
        after_up: "SELECT count(*) = 0 FROM users",
        new_rows: "SELECT 1",
        after_down: "SELECT to_regclass('users') IS NULL",
    },
    Case {
        version: 2,
        seed: ACCOUNT,
        after_up: "SELECT count(*) = 1 FROM users WHERE email = 'ada@example.com'",
        new_rows: "SELECT 1",
        after_down: "SELECT count(*) = 1 FROM users WHERE display_name = 'Ada'",
    },
    Case {
        version: 3,
        seed: "INSERT INTO sessions (id, user_id, current_digests, created_at, last_used_at,
                                     absolute_expires_at, expires_at, ended_at, end_reason)
               SELECT gen_random_uuid(), '0193a5c2-0000-7000-8000-000000000001',
                      ARRAY['\\x01'::bytea], now(), now(), now() + interval '30 days',
                      now() + interval '1 day', ended_at, reason
                 FROM (VALUES (NULL::timestamptz, NULL), (now(), 'logout_all')) AS s(ended_at, reason);
               INSERT INTO audit_events (id, occurred_at, action, request_id)
               VALUES (gen_random_uuid(), now(), 'auth.login', 'r-1')",
        after_up: "SELECT (SELECT count(*) = 2 FROM sessions)
                      AND (SELECT changes = '[]' FROM audit_events WHERE request_id = 'r-1')",
        new_rows: "UPDATE sessions SET ended_at = now(), end_reason = 'account_disabled'
                    WHERE ended_at IS NULL",
        // A session ended by disabling its account keeps an older reason.
        after_down: "SELECT (SELECT count(*) = 2 FROM sessions WHERE end_reason = 'logout_all')
                        AND (SELECT count(*) = 1 FROM audit_events WHERE request_id = 'r-1')",
    },
    Case {
        version: 4,
        seed: "UPDATE sessions SET end_reason = 'account_disabled'
                WHERE id = (SELECT id FROM sessions ORDER BY id LIMIT 1)",
        after_up: "SELECT count(*) = 1 FROM sessions WHERE end_reason = 'account_disabled'",
        new_rows: "UPDATE sessions SET end_reason = 'role_changed'
                    WHERE end_reason = 'logout_all'",
        after_down: "SELECT (SELECT count(*) = 1 FROM sessions WHERE end_reason = 'account_disabled')
                        AND (SELECT count(*) = 1 FROM sessions WHERE end_reason = 'logout_all')",
    },
    Case {
        version: 5,
        seed: "INSERT INTO throttles (scope, subject, attempts, window_started_at, locked_until)
               VALUES ('login_account', 'ada@example.com', 3, now(), NULL),
                      ('login_ip', '203.0.113.9', 5, now(), now() + interval '15 minutes')",
        after_up: "SELECT count(*) = 2 FROM throttles",
        new_rows: "INSERT INTO throttles (scope, subject, attempts, window_started_at)
                   VALUES ('login_network', '2001:db8::/64', 4, now()),
                          ('login_account', 'grace@example.com', 0, now());
                   INSERT INTO device_tokens (id, user_id, digest, created_at, last_used_at,
                                              expires_at)
                   VALUES (gen_random_uuid(), '0193a5c2-0000-7000-8000-000000000001',
                           sha256('x'), now(), now(), now() + interval '90 days')",
        // The down keeps the old scopes' counters that still count, and
        // drops the rest and the devices.
        after_down: "SELECT (SELECT array_agg(subject ORDER BY subject) FROM throttles)
                          = ARRAY['203.0.113.9', 'ada@example.com']
                        AND to_regclass('device_tokens') IS NULL",
    },
    Case {
        version: 6,
        seed: "INSERT INTO audit_events (id, occurred_at, action, request_id)
               VALUES (gen_random_uuid(), now(), 'auth.login_failed', 'client-chosen')",
        after_up: "SELECT request_id = 'client-chosen' AND client_request_id IS NULL
                     FROM audit_events WHERE action = 'auth.login_failed'",
        new_rows: "INSERT INTO audit_events (id, occurred_at, action, request_id,
                                             client_request_id)
                   VALUES (gen_random_uuid(), now(), 'auth.logout', 'ours', 'theirs')",
        after_down: "SELECT count(*) = 1 FROM audit_events WHERE request_id = 'client-chosen'",
    },
];

/// Whether `check` is true; null (say, of no rows) is not.
async fn holds(pool: &sqlx::PgPool, check: &'static str) -> bool {
    sqlx::query_scalar::<_, Option<bool>>(sqlx::AssertSqlSafe(check))
        .fetch_one(pool)
        .await
        .unwrap_or_else(|error| panic!("{check}: {error}"))
        .unwrap_or(false)
}

#[test]
fn every_migration_has_a_case() {
    let versions: Vec<i64> = CASES.iter().map(|case| case.version).collect();
    let all: Vec<i64> = (1..=latest_version()).collect();
    assert_eq!(versions, all, "a new migration adds its case to CASES");
}

#[test]
fn rows_written_before_each_migration_survive_its_up_and_its_down() {
    test_db::run(async {
        let (_database, pool, migrations) = unmigrated(Duration::from_secs(5)).await;
        for case in &CASES {
            let previous = case.version - 1;
            sqlx::raw_sql(sqlx::AssertSqlSafe(case.seed))
                .execute(&pool)
                .await
                .unwrap_or_else(|error| panic!("seeding {}: {error}", case.version));

            migrations.up(Some(case.version)).await.expect("up");
            assert!(
                holds(&pool, case.after_up).await,
                "after up {}",
                case.version
            );
            sqlx::raw_sql(sqlx::AssertSqlSafe(case.new_rows))
                .execute(&pool)
                .await
                .unwrap_or_else(|error| panic!("new rows of {}: {error}", case.version));
            migrations.down(previous).await.expect("down");
            assert!(
                holds(&pool, case.after_down).await,
                "after down to {previous}"
            );
            migrations.up(Some(case.version)).await.expect("up again");
        }
        pool.close().await;
    });
}
