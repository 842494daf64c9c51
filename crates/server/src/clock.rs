use std::time::Duration;

use async_trait::async_trait;
use domain::ports::Clock;
use time::OffsetDateTime;

/// The operating system's clock.
pub(crate) struct SystemClock;

#[async_trait]
impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}
