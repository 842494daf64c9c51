//! Removing what has served its time: ended and expired sessions, expired
//! device tokens, attempt
//! counters whose window and lock are over, and audit events past their
//! retention.

use std::sync::Arc;

use domain::error::RepoError;
use domain::outcome::PurgedKind;
use domain::ports::{Clock, Outcomes, TransactionOptions, Transactor, UnitOfWork};
use time::{Duration, OffsetDateTime};

use crate::error::AppError;

/// Purges in small batches, each its own unit of work of one short
/// statement that skips rows others hold: it never waits on a request, and
/// any number of replicas may run it at once.
///
/// It opens its units on the [`Transactor`] itself rather than through the
/// runner, whose futures rustc cannot yet prove `Send` (the futures of
/// async closures take no bounds), because the purge runs as a task of its
/// own. It has nothing to retry at once: under read committed, skipping
/// locked rows, a batch loses no serialization conflict or deadlock, and a
/// batch that fails otherwise (a cached plan gone stale with a migration)
/// is tried again by the next purge.
#[derive(Clone)]
pub struct Housekeeping {
    transactor: Arc<dyn Transactor>,
    clock: Arc<dyn Clock>,
    policy: PurgePolicy,
    outcomes: Arc<dyn Outcomes>,
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
    /// Device tokens deleted.
    pub devices: u64,
    /// Attempt counters deleted.
    pub throttles: u64,
    /// Audit events deleted.
    pub audit_events: u64,
}

impl Housekeeping {
    /// Purges under `policy`, reporting every batch to `outcomes`.
    pub fn new(
        transactor: Arc<dyn Transactor>,
        clock: Arc<dyn Clock>,
        policy: PurgePolicy,
        outcomes: Arc<dyn Outcomes>,
    ) -> Self {
        Self {
            transactor,
            clock,
            policy: PurgePolicy {
                batch: policy.batch.max(1),
                ..policy
            },
            outcomes,
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
        Ok(Purged {
            sessions: self.in_batches(PurgedKind::Sessions, now).await?,
            devices: self.in_batches(PurgedKind::Devices, now).await?,
            throttles: self.in_batches(PurgedKind::Throttles, now).await?,
            audit_events: self.in_batches(PurgedKind::AuditEvents, now).await?,
        })
    }

    /// Purges `spent`, each batch in a unit of work of its own, until a
    /// batch comes back short; the total deleted.
    async fn in_batches(&self, kind: PurgedKind, now: OffsetDateTime) -> Result<u64, AppError> {
        let policy = self.policy;
        let mut total = 0;
        loop {
            let unit = self
                .transactor
                .begin(TransactionOptions::READ_COMMITTED)
                .await?;
            // On failure the unit is dropped, which rolls it back.
            let deleted = purge_batch(kind, &*unit, now, policy).await?;
            unit.commit().await?;
            self.outcomes.purged(kind, deleted);
            total += deleted;
            if deleted < u64::from(policy.batch) {
                return Ok(total);
            }
        }
    }
}

/// Deletes one batch of `kind`; how many rows went.
async fn purge_batch(
    kind: PurgedKind,
    unit: &dyn UnitOfWork,
    now: OffsetDateTime,
    policy: PurgePolicy,
) -> Result<u64, RepoError> {
    match kind {
        PurgedKind::Sessions => unit.sessions().purge(now, policy.batch).await,
        PurgedKind::Devices => unit.devices().purge(now, policy.batch).await,
        PurgedKind::Throttles => {
            unit.throttles()
                .purge(now, policy.longest_throttle_window, policy.batch)
                .await
        }
        PurgedKind::AuditEvents => {
            unit.audit()
                .purge(now - policy.audit_retention, policy.batch)
                .await
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::fixtures::Ports;

    #[tokio::test]
    async fn purges_batch_after_batch_each_in_a_unit_until_a_batch_comes_back_short() {
        let mut ports = Ports::new();
        ports.now = datetime!(2026-11-27 09:00 UTC);
        let now = ports.now;
        let mut batches = vec![100, 100, 37].into_iter();
        ports
            .unit
            .sessions
            .expect_purge()
            .withf(move |at, batch| *at == now && *batch == 100)
            .times(3)
            .returning(move |_, _| Ok(batches.next().expect("three batches")));
        ports
            .unit
            .devices
            .expect_purge()
            .withf(move |at, _| *at == now)
            .times(1)
            .returning(|_, _| Ok(2));
        ports
            .unit
            .throttles
            .expect_purge()
            .withf(|_, window, _| *window == Duration::hours(1))
            .times(1)
            .returning(|_, _, _| Ok(4));
        ports
            .unit
            .audit
            .expect_purge()
            .withf(move |before, _| *before == now - Duration::days(365))
            .times(1)
            .returning(|_, _| Ok(0));
        let journal = ports.journal.clone();
        let outcomes = ports.outcomes.clone();
        let housekeeping = ports.housekeeping(PurgePolicy {
            batch: 100,
            longest_throttle_window: Duration::hours(1),
            audit_retention: Duration::days(365),
        });

        let purged = housekeeping.purge().await.expect("purged");

        assert_eq!(
            purged,
            Purged {
                sessions: 237,
                devices: 2,
                throttles: 4,
                audit_events: 0,
            }
        );
        assert_eq!(*journal.lock().expect("journal"), ["commit"; 6]);
        assert_eq!(
            outcomes.purged(),
            [
                (PurgedKind::Sessions, 100),
                (PurgedKind::Sessions, 100),
                (PurgedKind::Sessions, 37),
                (PurgedKind::Devices, 2),
                (PurgedKind::Throttles, 4),
                (PurgedKind::AuditEvents, 0),
            ]
        );
    }
}
