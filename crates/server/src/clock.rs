use domain::ports::Clock;
use time::OffsetDateTime;

/// The operating system's clock.
pub(crate) struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}
