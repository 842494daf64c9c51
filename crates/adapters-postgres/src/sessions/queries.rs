//! The SQL of the session repository, over whatever holds the connection: the
//! pool for a read, a unit of work for the rest.
//!
//! Times come from the caller's clock, never the database's, so that the
//! rules hold for whatever `now` the caller passes. Addresses cross as text
//! (`$n::text::inet` in, `host(ip)` out): sqlx maps `inet` to `IpAddr`
//! only with one more feature and dependency.

use domain::error::RepoError;
use domain::session::{EndReason, NewSession, Rotation, SecretDigest, Session, SessionId};
use domain::user::{User, UserId};
use time::OffsetDateTime;

use super::row::{RotatedRow, SessionRow};
use crate::instants::{after, before};
use crate::lease::Lease;
use crate::query::{Affected, Many, Nullable, One, Operation, Optional, Param, Redacted};

pub(crate) async fn insert(lease: &mut Lease, session: &NewSession) -> Result<Session, RepoError> {
    // `SessionLifetime::expiry(now, now)`, checked.
    let absolute = after(session.now, session.lifetime.absolute)?;
    let expires = absolute.min(after(session.now, session.lifetime.idle)?);
    let ip = session.ip.map(|ip| ip.to_string());
    let params: [Param<'_>; 4] = [
        ("session.id", &session.id),
        ("user.id", &session.user_id),
        ("digest", &Redacted),
        ("now", &session.now),
    ];
    lease
        .run(Operation::new("sessions.insert", &params), || {
            One(sqlx::query_as!(
                SessionRow,
                r#"INSERT INTO sessions (id, user_id, current_digests, created_at, last_used_at,
                                         absolute_expires_at, expires_at, user_agent, ip)
                   VALUES ($1, $2, ARRAY[$3::bytea], $4, $4, $5, $6, $7, $8::text::inet)
                   RETURNING id, user_id, created_at, last_used_at, expires_at, user_agent,
                             host(ip) AS "ip?""#,
                session.id.as_uuid(),
                session.user_id.as_uuid(),
                session.digest.as_bytes().as_slice(),
                session.now,
                absolute,
                expires,
                session.user_agent.as_deref(),
                ip.as_deref(),
            ))
        })
        .await?
        .try_into()
}

/// One statement, so that concurrent refreshes serialise on the row lock:
/// under read committed, each waiting one re-reads the row as the one
/// before left it. The first of a race takes the main path and opens the
/// grace window; the others find their digest replaced within it and join
/// the current ones. A grace rotation does not move `rotated_at`, so
/// replays cannot stretch the window, and stops at the CHECK's bound of 64
/// current digests, so they cannot grow the row.
pub(crate) async fn rotate(
    lease: &mut Lease,
    rotation: &Rotation,
) -> Result<Option<Session>, RepoError> {
    let rotated = rotate_returning_account(lease, rotation, "sessions.rotate", false).await?;
    Ok(rotated.map(|(session, _)| session))
}

/// [`rotate`] as one statement outside a unit of work, made only when the
/// account is active, with the account read by the same statement. Under
/// read committed the `UPDATE` waits for a concurrent rotation's row lock
/// and re-checks its conditions on the row as that one left it, as
/// [`rotate`] does inside a unit.
pub(crate) async fn rotate_for_active_account(
    lease: &mut Lease,
    rotation: &Rotation,
) -> Result<Option<(Session, User)>, RepoError> {
    rotate_returning_account(lease, rotation, "sessions.rotate_for_active_account", true).await
}

/// The one statement of both rotations, written once: the session as
/// rotated and its account, the rotation made only for an active account
/// when `only_active` says so.
async fn rotate_returning_account(
    lease: &mut Lease,
    rotation: &Rotation,
    operation: &'static str,
    only_active: bool,
) -> Result<Option<(Session, User)>, RepoError> {
    let idle_until = after(rotation.now, rotation.lifetime.idle)?;
    let step_from = before(idle_until, rotation.lifetime.expiry_step())?;
    let grace_from = before(rotation.now, rotation.lifetime.grace)?;
    let params: [Param<'_>; 4] = [
        ("session.id", &rotation.session_id),
        ("presented", &Redacted),
        ("replacement", &Redacted),
        ("now", &rotation.now),
    ];
    lease
        .run(Operation::new(operation, &params).changing(), || {
            Optional(sqlx::query_as!(
                RotatedRow,
                r#"UPDATE sessions s
                      SET current_digests = CASE WHEN $2::bytea = ANY(s.current_digests)
                                                 THEN ARRAY[$3::bytea]
                                                 ELSE s.current_digests || $3::bytea END,
                          replaced_digests = CASE WHEN $2::bytea = ANY(s.current_digests)
                                                  THEN s.current_digests
                                                  ELSE s.replaced_digests END,
                          rotated_at = CASE WHEN $2::bytea = ANY(s.current_digests)
                                            THEN $4 ELSE s.rotated_at END,
                          retired_digests = CASE WHEN $2::bytea = ANY(s.current_digests)
                                                 THEN (s.current_digests || s.retired_digests)[1:16]
                                                 ELSE s.retired_digests END,
                          last_used_at = $4,
                          expires_at = CASE WHEN s.expires_at <= least(s.absolute_expires_at, $8)
                                            THEN least(s.absolute_expires_at, $5)
                                            ELSE s.expires_at END
                     FROM users u
                    WHERE s.id = $1
                      AND u.id = s.user_id
                      AND (NOT $7::boolean OR u.status = 'active')
                      AND s.ended_at IS NULL
                      AND s.expires_at > $4
                      AND ($2::bytea = ANY(s.current_digests)
                           OR ($2::bytea = ANY(s.replaced_digests)
                               AND s.rotated_at > $6
                               AND cardinality(s.current_digests) < 64))
                RETURNING s.id AS session_id, s.created_at AS session_created_at,
                          s.last_used_at AS session_last_used_at,
                          s.expires_at AS session_expires_at,
                          s.user_agent AS session_user_agent, host(s.ip) AS "session_ip?",
                          u.id, u.email, u.display_name, u.password_hash, u.role,
                          u.status, u.email_verified, u.version, u.created_at,
                          u.updated_at"#,
                rotation.session_id.as_uuid(),
                rotation.presented.as_bytes().as_slice(),
                rotation.replacement.as_bytes().as_slice(),
                rotation.now,
                idle_until,
                grace_from,
                only_active,
                step_from,
            ))
        })
        .await?
        .map(<(Session, User)>::try_from)
        .transpose()
}

pub(crate) async fn end_if_reused(
    lease: &mut Lease,
    id: SessionId,
    presented: &SecretDigest,
    now: OffsetDateTime,
) -> Result<Option<UserId>, RepoError> {
    let params: [Param<'_>; 3] = [("session.id", &id), ("presented", &Redacted), ("now", &now)];
    let ended = lease
        .run(Operation::new("sessions.end_if_reused", &params), || {
            Optional(sqlx::query!(
                r#"UPDATE sessions
                      SET ended_at = $3, end_reason = $4
                    WHERE id = $1
                      AND ended_at IS NULL
                      AND $2::bytea = ANY(retired_digests)
                   RETURNING user_id"#,
                id.as_uuid(),
                presented.as_bytes().as_slice(),
                now,
                EndReason::RefreshReuse.as_str(),
            ))
        })
        .await?;
    Ok(ended.map(|row| row.user_id.into()))
}

pub(crate) async fn find_live(
    lease: &mut Lease,
    id: SessionId,
    now: OffsetDateTime,
) -> Result<Option<Session>, RepoError> {
    let params: [Param<'_>; 2] = [("session.id", &id), ("now", &now)];
    lease
        .run(Operation::new("sessions.find_live", &params), || {
            Optional(sqlx::query_as!(
                SessionRow,
                r#"SELECT id, user_id, created_at, last_used_at, expires_at, user_agent,
                          host(ip) AS "ip?"
                     FROM sessions
                    WHERE id = $1 AND ended_at IS NULL AND expires_at > $2"#,
                id.as_uuid(),
                now,
            ))
        })
        .await?
        .map(Session::try_from)
        .transpose()
}

pub(crate) async fn list_live(
    lease: &mut Lease,
    user: UserId,
    now: OffsetDateTime,
) -> Result<Vec<Session>, RepoError> {
    let params: [Param<'_>; 2] = [("user.id", &user), ("now", &now)];
    // The order of `sessions_user_id_live_idx`, which serves the query.
    lease
        .run(Operation::new("sessions.list_live", &params), || {
            Many(sqlx::query_as!(
                SessionRow,
                r#"SELECT id, user_id, created_at, last_used_at, expires_at, user_agent,
                          host(ip) AS "ip?"
                     FROM sessions
                    WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2
                    ORDER BY created_at DESC"#,
                user.as_uuid(),
                now,
            ))
        })
        .await?
        .into_iter()
        .map(Session::try_from)
        .collect()
}

pub(crate) async fn end(
    lease: &mut Lease,
    user: UserId,
    id: SessionId,
    reason: EndReason,
    now: OffsetDateTime,
) -> Result<bool, RepoError> {
    let params: [Param<'_>; 4] = [
        ("user.id", &user),
        ("session.id", &id),
        ("reason", &reason.as_str()),
        ("now", &now),
    ];
    let ended = lease
        .run(Operation::new("sessions.end", &params), || {
            Affected(sqlx::query!(
                r#"UPDATE sessions
                      SET ended_at = $3, end_reason = $4
                    WHERE id = $1 AND user_id = $2 AND ended_at IS NULL AND expires_at > $3"#,
                id.as_uuid(),
                user.as_uuid(),
                now,
                reason.as_str(),
            ))
        })
        .await?;
    Ok(ended > 0)
}

pub(crate) async fn end_all(
    lease: &mut Lease,
    user: UserId,
    keep: Option<SessionId>,
    reason: EndReason,
    now: OffsetDateTime,
) -> Result<u64, RepoError> {
    let params: [Param<'_>; 4] = [
        ("user.id", &user),
        ("keep", &Nullable(keep)),
        ("reason", &reason.as_str()),
        ("now", &now),
    ];
    lease
        .run(Operation::new("sessions.end_all", &params), || {
            Affected(sqlx::query!(
                r#"UPDATE sessions
                      SET ended_at = $3, end_reason = $4
                    WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $3
                      AND ($2::uuid IS NULL OR id <> $2)"#,
                user.as_uuid(),
                keep.map(|id| id.as_uuid()),
                now,
                reason.as_str(),
            ))
        })
        .await
}

/// Locks what it deletes and skips rows locked by others, so that purges
/// on several replicas share the work instead of waiting on each other.
pub(crate) async fn purge(
    lease: &mut Lease,
    now: OffsetDateTime,
    batch: u32,
) -> Result<u64, RepoError> {
    let params: [Param<'_>; 2] = [("now", &now), ("batch", &batch)];
    lease
        .run(Operation::new("sessions.purge", &params), || {
            Affected(sqlx::query!(
                r#"DELETE FROM sessions
                    WHERE id IN (SELECT id
                                   FROM sessions
                                  WHERE expires_at <= $1 OR ended_at IS NOT NULL
                                  LIMIT $2
                                    FOR UPDATE SKIP LOCKED)"#,
                now,
                i64::from(batch),
            ))
        })
        .await
}
