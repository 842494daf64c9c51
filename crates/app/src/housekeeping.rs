//! Removing what has served its time: ended and expired sessions, attempt
//! counters whose window and lock are over, and audit events past their
//! retention.

use std::sync::Arc;

use domain::error::RepoError;
use domain::ports::{AuditLog, Clock, SessionRepository, ThrottleRepository};
use time::Duration;

use crate::error::AppError;

/// Purges in small batches, each its own short statement that skips rows
/// others hold: it never waits on a request, and any number of replicas
/// may run it at once.
#[derive(Clone)]
pub struct Housekeeping {
    sessions: Arc<dyn SessionRepository>,
    throttles: Arc<dyn ThrottleRepository>,
    audit: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
    policy: PurgePolicy,
}

/// How much to purge at once, and what to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgePolicy {
    /// Rows per statement.
    pub batch: u32,
    /// Counters are kept while a window this long that holds them may
    /// still be open.
    pub longest_throttle_window: Duration,
    /// Audit events are kept this long.
    pub audit_retention: Duration,
}

/// What one purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Sessions deleted.
    pub sessions: u64,
    /// Attempt counters deleted.
    pub throttles: u64,
    /// Audit events deleted.
    pub audit_events: u64,
}

impl Housekeeping {
    /// Purges under `policy`.
    pub fn new(
        sessions: Arc<dyn SessionRepository>,
        throttles: Arc<dyn ThrottleRepository>,
        audit: Arc<dyn AuditLog>,
        clock: Arc<dyn Clock>,
        policy: PurgePolicy,
    ) -> Self {
        Self {
            sessions,
            throttles,
            audit,
            clock,
            policy: PurgePolicy {
                batch: policy.batch.max(1),
                ..policy
            },
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
        let PurgePolicy {
            batch,
            longest_throttle_window,
            audit_retention,
        } = self.policy;
        Ok(Purged {
            sessions: in_batches(batch, || self.sessions.purge(now, batch)).await?,
            throttles: in_batches(batch, || {
                self.throttles.purge(now, longest_throttle_window, batch)
            })
            .await?,
            audit_events: in_batches(batch, || self.audit.purge(now - audit_retention, batch))
                .await?,
        })
    }
}

/// Runs `purge` until a batch comes back short; the total deleted.
async fn in_batches<F>(batch: u32, purge: impl Fn() -> F) -> Result<u64, AppError>
where
    F: Future<Output = Result<u64, RepoError>>,
{
    let mut total = 0;
    loop {
        let deleted = purge().await?;
        total += deleted;
        if deleted < u64::from(batch) {
            return Ok(total);
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::ports::{MockAuditLog, MockClock, MockSessionRepository, MockThrottleRepository};
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
        let mut audit = MockAuditLog::new();
        audit
            .expect_purge()
            .withf(move |before, _| *before == now - Duration::days(365))
            .times(1)
            .returning(|_, _| Ok(0));
        let housekeeping = Housekeeping::new(
            Arc::new(sessions),
            Arc::new(throttles),
            Arc::new(audit),
            Arc::new(clock),
            PurgePolicy {
                batch: 100,
                longest_throttle_window: Duration::hours(1),
                audit_retention: Duration::days(365),
            },
        );

        let purged = housekeeping.purge().await.expect("purged");

        assert_eq!(
            purged,
            Purged {
                sessions: 237,
                throttles: 4,
                audit_events: 0,
            }
        );
    }
}
