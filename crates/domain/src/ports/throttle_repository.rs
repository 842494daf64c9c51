use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

use crate::error::RepoError;
use crate::throttle::ThrottleKey;

/// The locks of the attempt counters, read without a unit of work. Every
/// replica sees the same counts and locks, and a restart forgets none.
///
/// # Errors
///
/// Every method fails as [`UserReads`](super::UserReads)' methods do.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ThrottleReads: Send + Sync {
    /// The latest end of a lock on any of `keys` that is still in force at
    /// `now`.
    async fn locked_until(
        &self,
        keys: &[ThrottleKey],
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, RepoError>;
}

/// Shared counters of attempts, and the locks they lead to, inside a
/// [`UnitOfWork`](super::UnitOfWork).
///
/// # Errors
///
/// Every method fails as [`UserRepository`](super::UserRepository)'s do.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ThrottleRepository: Send + Sync {
    /// Counts one attempt at `now` and returns the attempts of the current
    /// window, this one included. A window starts with the first attempt
    /// and lasts `window`.
    async fn hit(
        &self,
        key: &ThrottleKey,
        now: OffsetDateTime,
        window: Duration,
    ) -> Result<u32, RepoError>;

    /// Locks `key` until `until`, unless it is locked longer already.
    async fn lock(&self, key: &ThrottleKey, until: OffsetDateTime) -> Result<(), RepoError>;

    /// Forgets the attempts and the lock of `key`.
    async fn clear(&self, key: &ThrottleKey) -> Result<(), RepoError>;

    /// Deletes up to `batch` counters whose window and lock are both over at
    /// `now`, given windows of `window`. Returns how many it deleted.
    async fn purge(
        &self,
        now: OffsetDateTime,
        window: Duration,
        batch: u32,
    ) -> Result<u64, RepoError>;
}
