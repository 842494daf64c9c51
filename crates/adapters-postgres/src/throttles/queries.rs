//! The SQL of the attempt counters, over whatever holds the connection: the
//! pool for a read, a unit of work for the rest. Times come from the
//! caller's clock.

use domain::error::RepoError;
use domain::throttle::ThrottleKey;
use time::{Duration, OffsetDateTime};

use crate::instants::before;
use crate::lease::Lease;
use crate::query::{Affected, One, Operation, Param, Redacted};

pub(crate) async fn locked_until(
    lease: &mut Lease,
    keys: &[ThrottleKey],
    now: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, RepoError> {
    let scopes: Vec<String> = keys.iter().map(|k| k.scope().as_str().to_owned()).collect();
    let subjects: Vec<String> = keys.iter().map(|k| k.subject().to_owned()).collect();
    let params: [Param<'_>; 2] = [("keys", &keys.len()), ("now", &now)];
    let row = lease
        .run(Operation::new("throttles.locked_until", &params), || {
            One(sqlx::query!(
                r#"SELECT max(t.locked_until) AS until
                     FROM throttles AS t
                     JOIN unnest($1::text[], $2::text[]) AS k (scope, subject)
                       ON t.scope = k.scope AND t.subject = k.subject
                    WHERE t.locked_until > $3"#,
                &scopes,
                &subjects,
                now,
            ))
        })
        .await?;
    Ok(row.until)
}

/// One statement, so that concurrent attempts each count: the insert or
/// the update of the existing row, under its lock.
pub(crate) async fn hit(
    lease: &mut Lease,
    key: &ThrottleKey,
    now: OffsetDateTime,
    window: Duration,
) -> Result<u32, RepoError> {
    let window_from = before(now, window)?;
    let params: [Param<'_>; 3] = [
        ("scope", &key.scope().as_str()),
        ("subject", &Redacted),
        ("now", &now),
    ];
    let row = lease
        .run(Operation::new("throttles.hit", &params), || {
            One(sqlx::query!(
                r#"INSERT INTO throttles AS t (scope, subject, attempts, window_started_at)
                   VALUES ($1, $2, 1, $3)
                   ON CONFLICT (scope, subject) DO UPDATE
                      SET attempts = CASE WHEN t.window_started_at <= $4
                                          THEN 1 ELSE t.attempts + 1 END,
                          window_started_at = CASE WHEN t.window_started_at <= $4
                                                   THEN $3 ELSE t.window_started_at END
                   RETURNING attempts"#,
                key.scope().as_str(),
                key.subject(),
                now,
                window_from,
            ))
        })
        .await?;
    u32::try_from(row.attempts).map_err(|error| {
        RepoError::Internal(format!("stored attempts {} are invalid: {error}", row.attempts).into())
    })
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
