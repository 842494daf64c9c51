//! The SQL of accounts, over whatever holds the connection: the pool for
//! a read, a unit of work for the rest.

use domain::error::{Conflict, RepoError};
use domain::password::PasswordHash;
use domain::session::SessionId;
use domain::user::{DisplayName, Email, NewUser, User, UserChanges, UserId};
use time::OffsetDateTime;

use super::row::UserRow;
use crate::lease::Lease;
use crate::query::{Affected, Nullable, One, Operation, Optional, Param, Redacted};

pub(crate) async fn insert(lease: &mut Lease, user: &NewUser) -> Result<User, RepoError> {
    let params: [Param<'_>; 4] = [
        ("user.id", &user.id),
        ("email", &Redacted),
        ("display_name", &Redacted),
        ("password_hash", &Redacted),
    ];
    lease
        .run(Operation::new("users.insert", &params), || {
            One(sqlx::query_as!(
                UserRow,
                r#"INSERT INTO users (id, email, display_name, password_hash)
                   VALUES ($1, $2, $3, $4)
                   RETURNING id, email, display_name, password_hash, role, status,
                             email_verified, version, created_at, updated_at"#,
                user.id.as_uuid(),
                user.email.as_str(),
                user.display_name.as_str(),
                user.password_hash.expose(),
            ))
        })
        .await?
        .try_into()
}

pub(crate) async fn find_by_id(lease: &mut Lease, id: UserId) -> Result<Option<User>, RepoError> {
    lease
        .run(
            Operation::new("users.find_by_id", &[("user.id", &id)]),
            || {
                Optional(sqlx::query_as!(
                    UserRow,
                    r#"SELECT id, email, display_name, password_hash, role, status,
                          email_verified, version, created_at, updated_at
                     FROM users
                    WHERE id = $1"#,
                    id.as_uuid(),
                ))
            },
        )
        .await?
        .map(User::try_from)
        .transpose()
}

/// The session's liveness is that of `sessions::find_live`; the join on
/// both primary keys makes it one index probe more than that check alone.
pub(crate) async fn find_by_live_session(
    lease: &mut Lease,
    session: SessionId,
    now: OffsetDateTime,
) -> Result<Option<User>, RepoError> {
    let params: [Param<'_>; 2] = [("session.id", &session), ("now", &now)];
    lease
        .run(
            Operation::new("users.find_by_live_session", &params),
            || {
                Optional(sqlx::query_as!(
                    UserRow,
                    r#"SELECT u.id, u.email, u.display_name, u.password_hash, u.role, u.status,
                          u.email_verified, u.version, u.created_at, u.updated_at
                     FROM sessions s
                     JOIN users u ON u.id = s.user_id
                    WHERE s.id = $1 AND s.ended_at IS NULL AND s.expires_at > $2"#,
                    session.as_uuid(),
                    now,
                ))
            },
        )
        .await?
        .map(User::try_from)
        .transpose()
}

pub(crate) async fn find_by_email(
    lease: &mut Lease,
    email: &Email,
) -> Result<Option<User>, RepoError> {
    // `lower(email)` is the expression of the unique index, which serves
    // this lookup.
    lease
        .run(
            Operation::new("users.find_by_email", &[("email", &Redacted)]),
            || {
                Optional(sqlx::query_as!(
                    UserRow,
                    r#"SELECT id, email, display_name, password_hash, role, status,
                          email_verified, version, created_at, updated_at
                     FROM users
                    WHERE lower(email) = lower($1)"#,
                    email.as_str(),
                ))
            },
        )
        .await?
        .map(User::try_from)
        .transpose()
}

/// The row stays locked until the transaction ends. `FOR NO KEY UPDATE`
/// is the lock an `UPDATE` of the row takes anyway: it queues every other
/// change of the account, and, unlike `FOR UPDATE`, lets the foreign-key
/// checks of new sessions pass (they take `FOR KEY SHARE`), so that a
/// sign-in cannot deadlock with a change that locks the account first.
pub(crate) async fn lock_by_id(lease: &mut Lease, id: UserId) -> Result<Option<User>, RepoError> {
    lease
        .run(
            Operation::new("users.lock_by_id", &[("user.id", &id)]),
            || {
                Optional(sqlx::query_as!(
                    UserRow,
                    r#"SELECT id, email, display_name, password_hash, role, status,
                          email_verified, version, created_at, updated_at
                     FROM users
                    WHERE id = $1
                      FOR NO KEY UPDATE"#,
                    id.as_uuid(),
                ))
            },
        )
        .await?
        .map(User::try_from)
        .transpose()
}

/// Locks as [`lock_by_id`] does.
pub(crate) async fn lock_by_email(
    lease: &mut Lease,
    email: &Email,
) -> Result<Option<User>, RepoError> {
    lease
        .run(
            Operation::new("users.lock_by_email", &[("email", &Redacted)]),
            || {
                Optional(sqlx::query_as!(
                    UserRow,
                    r#"SELECT id, email, display_name, password_hash, role, status,
                          email_verified, version, created_at, updated_at
                     FROM users
                    WHERE lower(email) = lower($1)
                      FOR NO KEY UPDATE"#,
                    email.as_str(),
                ))
            },
        )
        .await?
        .map(User::try_from)
        .transpose()
}

/// `None` keeps a field. When no row matched, a second look on the same
/// connection tells a missing account from a stale version.
pub(crate) async fn update(
    lease: &mut Lease,
    id: UserId,
    changes: &UserChanges,
    expected: Option<i64>,
    now: OffsetDateTime,
) -> Result<User, RepoError> {
    let role = changes.role.map(|role| role.as_str());
    let status = changes.status.map(|status| status.as_str());
    let params: [Param<'_>; 5] = [
        ("user.id", &id),
        (
            "display_name",
            &Nullable(changes.display_name.as_ref().map(|_| Redacted)),
        ),
        ("role", &Nullable(role)),
        ("status", &Nullable(status)),
        ("expected", &Nullable(expected)),
    ];
    let updated = lease
        .run(Operation::new("users.update", &params), || {
            Optional(sqlx::query_as!(
                UserRow,
                r#"UPDATE users
                      SET display_name = coalesce($2, display_name),
                          role = coalesce($3, role),
                          status = coalesce($4, status),
                          version = version + 1,
                          updated_at = $6
                    WHERE id = $1 AND ($5::bigint IS NULL OR version = $5)
                   RETURNING id, email, display_name, password_hash, role, status,
                             email_verified, version, created_at, updated_at"#,
                id.as_uuid(),
                changes.display_name.as_ref().map(DisplayName::as_str),
                role,
                status,
                expected,
                now,
            ))
        })
        .await?;
    match updated {
        Some(row) => row.try_into(),
        None => Err(missing_or_stale(lease, id).await?),
    }
}

/// The sessions of the account go with it, by the foreign key's cascade.
pub(crate) async fn delete(
    lease: &mut Lease,
    id: UserId,
    expected: Option<i64>,
) -> Result<User, RepoError> {
    let params: [Param<'_>; 2] = [("user.id", &id), ("expected", &Nullable(expected))];
    let deleted = lease
        .run(Operation::new("users.delete", &params), || {
            Optional(sqlx::query_as!(
                UserRow,
                r#"DELETE FROM users
                    WHERE id = $1 AND ($2::bigint IS NULL OR version = $2)
                   RETURNING id, email, display_name, password_hash, role, status,
                             email_verified, version, created_at, updated_at"#,
                id.as_uuid(),
                expected,
            ))
        })
        .await?;
    match deleted {
        Some(row) => row.try_into(),
        None => Err(missing_or_stale(lease, id).await?),
    }
}

/// Why a change conditional on the version touched no row.
async fn missing_or_stale(lease: &mut Lease, id: UserId) -> Result<RepoError, RepoError> {
    Ok(match find_by_id(lease, id).await? {
        Some(user) => RepoError::Conflict(Conflict::StaleVersion {
            current: user.version,
        }),
        None => RepoError::NotFound,
    })
}

pub(crate) async fn set_password_hash(
    lease: &mut Lease,
    id: UserId,
    hash: &PasswordHash,
    now: OffsetDateTime,
) -> Result<User, RepoError> {
    let params: [Param<'_>; 2] = [("user.id", &id), ("password_hash", &Redacted)];
    lease
        .run(Operation::new("users.set_password_hash", &params), || {
            One(sqlx::query_as!(
                UserRow,
                r#"UPDATE users
                      SET password_hash = $2, version = version + 1, updated_at = $3
                    WHERE id = $1
                   RETURNING id, email, display_name, password_hash, role, status,
                             email_verified, version, created_at, updated_at"#,
                id.as_uuid(),
                hash.expose(),
                now,
            ))
        })
        .await?
        .try_into()
}

/// Compares with `old` in the statement itself, so that a password
/// changed meanwhile is never overwritten by a rehash of the previous one.
pub(crate) async fn upgrade_password_hash(
    lease: &mut Lease,
    id: UserId,
    old: &PasswordHash,
    new: &PasswordHash,
) -> Result<bool, RepoError> {
    let params: [Param<'_>; 3] = [("user.id", &id), ("old", &Redacted), ("new", &Redacted)];
    let upgraded = lease
        .run(
            Operation::new("users.upgrade_password_hash", &params),
            || {
                Affected(sqlx::query!(
                    "UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2",
                    id.as_uuid(),
                    old.expose(),
                    new.expose(),
                ))
            },
        )
        .await?;
    Ok(upgraded > 0)
}
