use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

use crate::error::RepoError;
use crate::throttle::{Attempt, ThrottleKey};

/// Shared counters of attempts, and the locks they lead to, inside a
/// [`UnitOfWork`](super::UnitOfWork).
///
/// # Errors
///
/// Every method fails as [`UserRepository`](super::UserRepository)'s do.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ThrottleRepository: Send + Sync {
    /// Counts one attempt at `now`, before it is evaluated, unless `key`
    /// is locked at `now`: then nothing is counted. The counter's row stays
    /// locked until the unit ends, so that concurrent attempts are counted
    /// one after the other and each sees the locks of those before it. A
    /// window starts with the first attempt and lasts `window`.
    async fn reserve(
        &self,
        key: &ThrottleKey,
        now: OffsetDateTime,
        window: Duration,
    ) -> Result<Attempt, RepoError>;

    /// Gives back one attempt counted by [`reserve`](Self::reserve), and
    /// lifts the lock it started, `lock`, if that lock is still the
    /// latest.
    async fn give_back(
        &self,
        key: &ThrottleKey,
        lock: Option<OffsetDateTime>,
    ) -> Result<(), RepoError>;

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
