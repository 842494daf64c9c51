//! The SQL of device tokens, over a unit of work's connection. Times come
//! from the caller's clock.

use domain::device::{Device, DeviceId};
use domain::error::RepoError;
use domain::session::SecretDigest;
use domain::user::UserId;
use time::OffsetDateTime;

use crate::lease::Lease;
use crate::query::{Affected, Operation, Optional, Param, Redacted};

pub(crate) async fn find_live(
    lease: &mut Lease,
    id: DeviceId,
    now: OffsetDateTime,
) -> Result<Option<Device>, RepoError> {
    let params: [Param<'_>; 2] = [("device.id", &id), ("now", &now)];
    let row = lease
        .run(Operation::new("device_tokens.find_live", &params), || {
            Optional(sqlx::query!(
                "SELECT id, user_id, digest, expires_at FROM device_tokens
                  WHERE id = $1 AND expires_at > $2",
                id.as_uuid(),
                now,
            ))
        })
        .await?;
    row.map(|row| {
        let digest = <[u8; 32]>::try_from(row.digest.as_slice()).map_err(|_| {
            RepoError::Internal(format!("stored device {} has an invalid digest", row.id).into())
        })?;
        Ok(Device {
            id: row.id.into(),
            user_id: row.user_id.into(),
            digest: SecretDigest::from_bytes(digest),
            expires_at: row.expires_at,
        })
    })
    .transpose()
}

/// A renewal keeps the row, and with it the device's identifier, but only
/// for the account it was issued to.
pub(crate) async fn issue(
    lease: &mut Lease,
    device: &Device,
    now: OffsetDateTime,
) -> Result<(), RepoError> {
    let params: [Param<'_>; 4] = [
        ("device.id", &device.id),
        ("user.id", &device.user_id),
        ("digest", &Redacted),
        ("now", &now),
    ];
    lease
        .run(Operation::new("device_tokens.issue", &params), || {
            Affected(sqlx::query!(
                r#"INSERT INTO device_tokens AS d (id, user_id, digest, created_at, last_used_at,
                                                   expires_at)
                   VALUES ($1, $2, $3, $4, $4, $5)
                   ON CONFLICT (id) DO UPDATE
                      SET digest = excluded.digest,
                          last_used_at = excluded.last_used_at,
                          expires_at = excluded.expires_at
                    WHERE d.user_id = excluded.user_id"#,
                device.id.as_uuid(),
                device.user_id.as_uuid(),
                device.digest.as_bytes().as_slice(),
                now,
                device.expires_at,
            ))
        })
        .await?;
    Ok(())
}

pub(crate) async fn revoke_all(lease: &mut Lease, user: UserId) -> Result<u64, RepoError> {
    let params: [Param<'_>; 1] = [("user.id", &user)];
    lease
        .run(Operation::new("device_tokens.revoke_all", &params), || {
            Affected(sqlx::query!(
                "DELETE FROM device_tokens WHERE user_id = $1",
                user.as_uuid(),
            ))
        })
        .await
}

/// Rows locked by others are skipped, so that purges on several replicas
/// share the work.
pub(crate) async fn purge(
    lease: &mut Lease,
    now: OffsetDateTime,
    batch: u32,
) -> Result<u64, RepoError> {
    let params: [Param<'_>; 2] = [("now", &now), ("batch", &batch)];
    lease
        .run(Operation::new("device_tokens.purge", &params), || {
            Affected(sqlx::query!(
                r#"DELETE FROM device_tokens
                    WHERE id IN (SELECT id
                                   FROM device_tokens
                                  WHERE expires_at <= $1
                                  LIMIT $2
                                    FOR UPDATE SKIP LOCKED)"#,
                now,
                i64::from(batch),
            ))
        })
        .await
}
