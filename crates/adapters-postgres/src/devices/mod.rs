//! Device tokens: their SQL, and the unit-of-work port on it.

mod queries;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use domain::device::{Device, DeviceId};
use domain::error::RepoError;
use domain::ports::DeviceRepository;
use domain::user::UserId;
use time::OffsetDateTime;

use crate::transaction::PgUnitOfWork;
pub(crate) use queries::{find_live, issue, purge, revoke_all};

/// The named CHECK constraints of `device_tokens`, with the column each
/// guards.
pub(crate) const CHECK_CONSTRAINTS: [(&str, &str); 1] = [("device_tokens_digest_length", "digest")];

#[async_trait]
impl DeviceRepository for PgUnitOfWork {
    async fn find_live(
        &self,
        id: DeviceId,
        now: OffsetDateTime,
    ) -> Result<Option<Device>, RepoError> {
        find_live(&mut *self.lease().await?, id, now).await
    }

    async fn issue(&self, device: &Device, now: OffsetDateTime) -> Result<(), RepoError> {
        issue(&mut *self.lease().await?, device, now).await
    }

    async fn revoke_all(&self, user: UserId) -> Result<u64, RepoError> {
        revoke_all(&mut *self.lease().await?, user).await
    }

    async fn purge(&self, now: OffsetDateTime, batch: u32) -> Result<u64, RepoError> {
        purge(&mut *self.lease().await?, now, batch).await
    }
}
