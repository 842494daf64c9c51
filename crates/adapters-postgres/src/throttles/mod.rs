//! The attempt counters and their locks: their SQL, and the read and
//! unit-of-work ports on it.

mod queries;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use domain::error::RepoError;
use domain::ports::{ThrottleReads, ThrottleRepository};
use domain::throttle::ThrottleKey;
use time::{Duration, OffsetDateTime};

use crate::reads::PgReads;
use crate::transaction::PgUnitOfWork;
pub(crate) use queries::{clear, hit, lock, locked_until, purge};

/// The named CHECK constraints of `throttles`, with the column each guards.
pub(crate) const CHECK_CONSTRAINTS: [(&str, &str); 3] = [
    ("throttles_scope_known", "scope"),
    ("throttles_subject_length", "subject"),
    ("throttles_attempts_positive", "attempts"),
];

#[async_trait]
impl ThrottleReads for PgReads {
    async fn locked_until(
        &self,
        keys: &[ThrottleKey],
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, RepoError> {
        locked_until(&mut self.lease().await?, keys, now).await
    }
}

#[async_trait]
impl ThrottleRepository for PgUnitOfWork {
    async fn hit(
        &self,
        key: &ThrottleKey,
        now: OffsetDateTime,
        window: Duration,
    ) -> Result<u32, RepoError> {
        hit(&mut *self.lease().await?, key, now, window).await
    }

    async fn lock(&self, key: &ThrottleKey, until: OffsetDateTime) -> Result<(), RepoError> {
        lock(&mut *self.lease().await?, key, until).await
    }

    async fn clear(&self, key: &ThrottleKey) -> Result<(), RepoError> {
        clear(&mut *self.lease().await?, key).await
    }

    async fn purge(
        &self,
        now: OffsetDateTime,
        window: Duration,
        batch: u32,
    ) -> Result<u64, RepoError> {
        purge(&mut *self.lease().await?, now, window, batch).await
    }
}
