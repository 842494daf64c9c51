use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;

/// The current time and the passing of it, so that services can be tested
/// at any instant and without waiting.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait Clock: Send + Sync {
    /// The current time in UTC.
    fn now(&self) -> OffsetDateTime;

    /// Returns once `duration` has passed.
    async fn sleep(&self, duration: Duration);
}
