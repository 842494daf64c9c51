//! The attempt counters and their locks: their SQL, and the unit-of-work
//! port on it.

mod queries;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use domain::error::RepoError;
use domain::ports::ThrottleRepository;
use domain::throttle::{Attempt, ThrottleKey};
use time::{Duration, OffsetDateTime};

use crate::transaction::PgUnitOfWork;
pub(crate) use queries::{clear, give_back, lock, purge, reserve};

/// The named CHECK constraints of `throttles`, with the column each guards.
pub(crate) const CHECK_CONSTRAINTS: [(&str, &str); 3] = [
    ("throttles_scope_known", "scope"),
    ("throttles_subject_length", "subject"),
    ("throttles_attempts_not_negative", "attempts"),
];

#[async_trait]
impl ThrottleRepository for PgUnitOfWork {
    async fn reserve(
        &self,
        key: &ThrottleKey,
        now: OffsetDateTime,
        window: Duration,
    ) -> Result<Attempt, RepoError> {
        reserve(&mut *self.lease().await?, key, now, window).await
    }

    async fn give_back(
        &self,
        key: &ThrottleKey,
        lock: Option<OffsetDateTime>,
    ) -> Result<(), RepoError> {
        give_back(&mut *self.lease().await?, key, lock).await
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
