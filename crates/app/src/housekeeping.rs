//! Removing what has served its time: ended and expired sessions, and
//! attempt counters whose window and lock are over.

use std::sync::Arc;

use domain::ports::{Clock, SessionRepository, ThrottleRepository};
use time::Duration;

use crate::error::AppError;

/// Purges in small batches, each its own short statement that skips rows
/// others hold: it never waits on a request, and any number of replicas
/// may run it at once.
#[derive(Clone)]
pub struct Housekeeping {
    sessions: Arc<dyn SessionRepository>,
    throttles: Arc<dyn ThrottleRepository>,
    clock: Arc<dyn Clock>,
    batch: u32,
    longest_window: Duration,
}

/// What one purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Sessions deleted.
    pub sessions: u64,
    /// Attempt counters deleted.
    pub throttles: u64,
}

impl Housekeeping {
    /// Purges `batch` rows at a time; counters are kept while a window of
    /// `longest_window` that holds them may still be open.
    pub fn new(
        sessions: Arc<dyn SessionRepository>,
        throttles: Arc<dyn ThrottleRepository>,
        clock: Arc<dyn Clock>,
        batch: u32,
        longest_window: Duration,
    ) -> Self {
        Self {
            sessions,
            throttles,
            clock,
            batch: batch.max(1),
            longest_window,
        }
    }

    /// Deletes, batch after batch, everything that had ended when it began.
    ///
    /// # Errors
    ///
    /// [`AppError::Unavailable`] or [`AppError::Internal`] when the store
    /// fails; what was deleted before stays deleted.
    #[tracing::instrument(name = "housekeeping.purge", skip_all)]
    pub async fn purge(&self) -> Result<Purged, AppError> {
        let now = self.clock.now();
        let mut purged = Purged::default();
        loop {
            let deleted = self.sessions.purge(now, self.batch).await?;
            purged.sessions += deleted;
            if deleted < u64::from(self.batch) {
                break;
            }
        }
        loop {
            let deleted = self
                .throttles
                .purge(now, self.longest_window, self.batch)
                .await?;
            purged.throttles += deleted;
            if deleted < u64::from(self.batch) {
                break;
            }
        }
        Ok(purged)
    }
}

#[cfg(test)]
mod tests {
    use domain::ports::{MockClock, MockSessionRepository, MockThrottleRepository};
    use time::macros::datetime;

    use super::*;

    #[tokio::test]
    async fn purges_batch_after_batch_until_a_batch_comes_back_short() {
        let now = datetime!(2026-11-27 09:00 UTC);
        let mut clock = MockClock::new();
        clock.expect_now().return_const(now);
        let mut sessions = MockSessionRepository::new();
        let mut batches = vec![100, 100, 37].into_iter();
        sessions
            .expect_purge()
            .withf(move |at, batch| *at == now && *batch == 100)
            .times(3)
            .returning(move |_, _| Ok(batches.next().expect("three batches")));
        let mut throttles = MockThrottleRepository::new();
        throttles
            .expect_purge()
            .withf(|_, window, _| *window == Duration::hours(1))
            .times(1)
            .returning(|_, _, _| Ok(4));
        let housekeeping = Housekeeping::new(
            Arc::new(sessions),
            Arc::new(throttles),
            Arc::new(clock),
            100,
            Duration::hours(1),
        );

        let purged = housekeeping.purge().await.expect("purged");

        assert_eq!(
            purged,
            Purged {
                sessions: 237,
                throttles: 4
            }
        );
    }
}
