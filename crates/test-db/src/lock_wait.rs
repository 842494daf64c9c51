//! Waiting, in a test, for a session to wait for a lock.

use std::time::Duration;

use sqlx::PgPool;

/// The longest a test waits for another session to start waiting.
const PATIENCE: Duration = Duration::from_secs(10);

/// Returns once another session of `pool`'s database waits for a lock: the
/// point where a test makes a concurrent change land between two
/// statements of the session under test. Panics after ten seconds.
pub async fn until_a_session_waits_for_a_lock(pool: &PgPool) {
    let waiting = async {
        loop {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity
                  WHERE datname = current_database()
                    AND pid <> pg_backend_pid()
                    AND wait_event_type = 'Lock'",
            )
            .fetch_one(pool)
            .await
            .expect("activity");
            if waiting > 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(PATIENCE, waiting)
        .await
        .expect("a session waits for the lock");
}
