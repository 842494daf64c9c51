//! The attempt counters inside a unit of work.

use async_trait::async_trait;
use domain::error::RepoError;
use domain::ports::ThrottleRepository;
use domain::throttle::ThrottleKey;
use time::{Duration, OffsetDateTime};

use super::PgUnitOfWork;
use crate::throttles;

#[async_trait]
impl ThrottleRepository for PgUnitOfWork {
    async fn locked_until(
        &self,
        keys: &[ThrottleKey],
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, RepoError> {
        let mut session = self.usable().await?;
        let outcome = throttles::locked_until(session.lease()?, keys, now).await;
        session.track(outcome)
    }

    async fn hit(
        &self,
        key: &ThrottleKey,
        now: OffsetDateTime,
        window: Duration,
    ) -> Result<u32, RepoError> {
        let mut session = self.usable().await?;
        let outcome = throttles::hit(session.lease()?, key, now, window).await;
        session.track(outcome)
    }

    async fn lock(&self, key: &ThrottleKey, until: OffsetDateTime) -> Result<(), RepoError> {
        let mut session = self.usable().await?;
        let outcome = throttles::lock(session.lease()?, key, until).await;
        session.track(outcome)
    }

    async fn clear(&self, key: &ThrottleKey) -> Result<(), RepoError> {
        let mut session = self.usable().await?;
        let outcome = throttles::clear(session.lease()?, key).await;
        session.track(outcome)
    }

    async fn purge(
        &self,
        now: OffsetDateTime,
        window: Duration,
        batch: u32,
    ) -> Result<u64, RepoError> {
        let mut session = self.usable().await?;
        let outcome = throttles::purge(session.lease()?, now, window, batch).await;
        session.track(outcome)
    }
}
