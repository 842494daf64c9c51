//! The SQL of the attempt counters, over whatever holds the connection: the
//! pool for a read, a unit of work for the rest. Times come from the
//! caller's clock.

use domain::error::RepoError;
use domain::throttle::{Attempt, ThrottleKey};
use time::{Duration, OffsetDateTime};

use crate::instants::before;
use crate::lease::Lease;
use crate::query::{Affected, Nullable, Operation, Optional, Param, Redacted};

/// One statement counts, so that concurrent attempts serialise on the row
/// lock: under read committed each waiting one re-reads the row as the one
/// before left it, its lock included. A locked key is not updated (its row
/// is locked all the same); a second statement, which sees what the first
/// waited for, reads the lock's end.
pub(crate) async fn reserve(
    lease: &mut Lease,
    key: &ThrottleKey,
    now: OffsetDateTime,
    window: Duration,
) -> Result<Attempt, RepoError> {
    let window_from = before(now, window)?;
    let params: [Param<'_>; 3] = [
        ("scope", &key.scope().as_str()),
        ("subject", &Redacted),
        ("now", &now),
    ];
    let counted = lease
        .run(Operation::new("throttles.reserve", &params), || {
            Optional(sqlx::query!(
                r#"INSERT INTO throttles AS t (scope, subject, attempts, window_started_at)
                   VALUES ($1, $2, 1, $3)
                   ON CONFLICT (scope, subject) DO UPDATE
                      SET attempts = CASE WHEN t.window_started_at <= $4
                                          THEN 1 ELSE t.attempts + 1 END,
                          window_started_at = CASE WHEN t.window_started_at <= $4
                                                   THEN $3 ELSE t.window_started_at END
                    WHERE t.locked_until IS NULL OR t.locked_until <= $3
                   RETURNING attempts"#,
                key.scope().as_str(),
                key.subject(),
                now,
                window_from,
            ))
        })
        .await?;
    match counted.map(|row| row.attempts) {
        Some(attempts) => u32::try_from(attempts)
            .map(Attempt::Counted)
            .map_err(|error| {
                RepoError::Internal(
                    format!("stored attempts {attempts} are invalid: {error}").into(),
                )
            }),
        None => {
            let until = lease
                .run(Operation::new("throttles.lock_end", &params[..2]), || {
                    Optional(sqlx::query!(
                        "SELECT locked_until FROM throttles WHERE scope = $1 AND subject = $2",
                        key.scope().as_str(),
                        key.subject(),
                    ))
                })
                .await?
                .and_then(|row| row.locked_until);
            // Cleared between the two statements: locked no longer, but this
            // attempt was not counted, so it is refused for the least time.
            Ok(Attempt::Locked(until.unwrap_or(now)))
        }
    }
}

/// The lock is lifted only if it is still the one the attempt started:
/// a later attempt may have lengthened it.
pub(crate) async fn give_back(
    lease: &mut Lease,
    key: &ThrottleKey,
    lock: Option<OffsetDateTime>,
) -> Result<(), RepoError> {
    let params: [Param<'_>; 3] = [
        ("scope", &key.scope().as_str()),
        ("subject", &Redacted),
        ("lock", &Nullable(lock)),
    ];
    lease
        .run(Operation::new("throttles.give_back", &params), || {
            Affected(sqlx::query!(
                r#"UPDATE throttles
                      SET attempts = greatest(attempts - 1, 0),
                          locked_until = CASE WHEN locked_until = $3 THEN NULL
                                              ELSE locked_until END
                    WHERE scope = $1 AND subject = $2"#,
                key.scope().as_str(),
                key.subject(),
                lock,
            ))
        })
        .await?;
    Ok(())
}

/// A key locked before any attempt was counted gets a row whose window is
/// long over, so that its next attempt starts a window of its own.
pub(crate) async fn lock(
    lease: &mut Lease,
    key: &ThrottleKey,
    until: OffsetDateTime,
) -> Result<(), RepoError> {
    let params: [Param<'_>; 3] = [
        ("scope", &key.scope().as_str()),
        ("subject", &Redacted),
        ("until", &until),
    ];
    lease
        .run(Operation::new("throttles.lock", &params), || {
            Affected(sqlx::query!(
                r#"INSERT INTO throttles AS t (scope, subject, attempts, window_started_at,
                                               locked_until)
                   VALUES ($1, $2, 1, '-infinity', $3)
                   ON CONFLICT (scope, subject) DO UPDATE
                      SET locked_until = greatest(coalesce(t.locked_until, $3), $3)"#,
                key.scope().as_str(),
                key.subject(),
                until,
            ))
        })
        .await?;
    Ok(())
}

pub(crate) async fn clear(lease: &mut Lease, key: &ThrottleKey) -> Result<(), RepoError> {
    let params: [Param<'_>; 2] = [("scope", &key.scope().as_str()), ("subject", &Redacted)];
    lease
        .run(Operation::new("throttles.clear", &params), || {
            Affected(sqlx::query!(
                "DELETE FROM throttles WHERE scope = $1 AND subject = $2",
                key.scope().as_str(),
                key.subject(),
            ))
        })
        .await?;
    Ok(())
}

/// A counter is over when a hit now would restart its window and no lock
/// of it is in force. Rows locked by others are skipped, so that purges
/// on several replicas share the work.
pub(crate) async fn purge(
    lease: &mut Lease,
    now: OffsetDateTime,
    window: Duration,
    batch: u32,
) -> Result<u64, RepoError> {
    let window_from = before(now, window)?;
    let params: [Param<'_>; 3] = [("now", &now), ("window", &window), ("batch", &batch)];
    lease
        .run(Operation::new("throttles.purge", &params), || {
            Affected(sqlx::query!(
                r#"DELETE FROM throttles
                    WHERE (scope, subject) IN (
                          SELECT scope, subject
                            FROM throttles
                           WHERE window_started_at <= $1
                             AND (locked_until IS NULL OR locked_until <= $2)
                           LIMIT $3
                             FOR UPDATE SKIP LOCKED)"#,
                window_from,
                now,
                i64::from(batch),
            ))
        })
        .await
}
