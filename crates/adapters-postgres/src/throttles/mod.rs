//! The attempt counters and their locks.

mod queries;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use domain::error::RepoError;
use domain::ports::ThrottleRepository;
use domain::throttle::ThrottleKey;
use time::{Duration, OffsetDateTime};

use crate::database::Database;

pub(crate) use queries::{clear, hit, lock, locked_until, purge};

/// The named CHECK constraints of `throttles`, with the column each guards.
pub(crate) const CHECK_CONSTRAINTS: [(&str, &str); 3] = [
    ("throttles_scope_known", "scope"),
    ("throttles_subject_length", "subject"),
    ("throttles_attempts_positive", "attempts"),
];

/// Counters on the pool: each call runs on its own connection and commits
/// on its own. For several calls as one unit, use
/// [`PgTransactor`](crate::PgTransactor).
#[derive(Debug, Clone)]
pub struct PgThrottleRepository {
    database: Database,
}

impl PgThrottleRepository {
    /// A repository on this database.
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

#[async_trait]
impl ThrottleRepository for PgThrottleRepository {
    async fn locked_until(
        &self,
        keys: &[ThrottleKey],
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, RepoError> {
        let mut lease = self.database.lease("throttles.locked_until").await?;
        locked_until(&mut lease, keys, now).await
    }

    async fn hit(
        &self,
        key: &ThrottleKey,
        now: OffsetDateTime,
        window: Duration,
    ) -> Result<u32, RepoError> {
        hit(
            &mut self.database.lease("throttles.hit").await?,
            key,
            now,
            window,
        )
        .await
    }

    async fn lock(&self, key: &ThrottleKey, until: OffsetDateTime) -> Result<(), RepoError> {
        lock(
            &mut self.database.lease("throttles.lock").await?,
            key,
            until,
        )
        .await
    }

    async fn clear(&self, key: &ThrottleKey) -> Result<(), RepoError> {
        clear(&mut self.database.lease("throttles.clear").await?, key).await
    }

    async fn purge(
        &self,
        now: OffsetDateTime,
        window: Duration,
        batch: u32,
    ) -> Result<u64, RepoError> {
        let mut lease = self.database.lease("throttles.purge").await?;
        purge(&mut lease, now, window, batch).await
    }
}
