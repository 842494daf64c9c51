use async_trait::async_trait;
use time::OffsetDateTime;

use crate::device::{Device, DeviceId};
use crate::error::RepoError;
use crate::user::UserId;

/// Device tokens and the digests of their secrets, inside a
/// [`UnitOfWork`](super::UnitOfWork). A device token vouches until it
/// expires, its account's password changes or the account is deleted.
///
/// # Errors
///
/// Every method fails as [`UserRepository`](super::UserRepository)'s do.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait DeviceRepository: Send + Sync {
    /// The device `id`, if it has not expired at `now`.
    async fn find_live(
        &self,
        id: DeviceId,
        now: OffsetDateTime,
    ) -> Result<Option<Device>, RepoError>;

    /// Stores a new device token, or, when `device.id` exists for the same
    /// account, gives it `device`'s secret and expiry: the token a sign-in
    /// renews.
    ///
    /// # Errors
    ///
    /// [`RepoError::Conflict`] when its account does not exist.
    async fn issue(&self, device: &Device, now: OffsetDateTime) -> Result<(), RepoError>;

    /// Forgets every device token of the account. Returns how many.
    async fn revoke_all(&self, user: UserId) -> Result<u64, RepoError>;

    /// Deletes up to `batch` device tokens expired by `now`, skipping rows
    /// that others hold. Returns how many it deleted.
    async fn purge(&self, now: OffsetDateTime, batch: u32) -> Result<u64, RepoError>;
}
