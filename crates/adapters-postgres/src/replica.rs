//! A streaming replica: the reads that may be a little stale, and how far
//! behind it is.
//!
//! Only the administrators' listings of accounts and of the audit trail go
//! there. Password checks, sessions, refreshes, revocations, throttles and
//! anything that locks read the primary: a replica may be seconds behind,
//! and a revoked session must be refused at once. A listing the replica
//! cannot serve (down, cancelled by a conflict with recovery, lagging behind
//! a new database) is read from the primary instead.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use domain::audit::{AuditFilter, AuditRecord};
use domain::error::RepoError;
use domain::ports::{AuditReads, UserReads};
use domain::session::SessionId;
use domain::user::{Email, User, UserFilter, UserId, UserPosition};
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Meter};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::database::Database;
use crate::query::{One, Operation};
use crate::reads::PgReads;

/// After the replica fails a listing, how long listings go straight to the
/// primary: a replica that is down costs one wait for a connection, not one
/// per listing.
const RESTING: Duration = Duration::from_secs(1);

/// The primary's reads, but the listings, which the replica serves.
#[derive(Debug, Clone)]
pub struct PgReplicaReads {
    primary: PgReads,
    replica: PgReads,
    fallbacks: Counter<u64>,
    /// Until when listings skip the replica, after it failed one.
    resting_until: Arc<Mutex<Option<Instant>>>,
}

impl PgReplicaReads {
    /// Listings on `replica`, falling back to `primary`, and every other
    /// read on `primary`; the fall-backs are counted on `meter`.
    pub fn new(primary: Database, replica: Database, meter: &Meter) -> Self {
        let fallbacks = meter
            .u64_counter("doorman.db.replica.fallbacks")
            .with_unit("{read}")
            .with_description("Reads meant for the replica that the primary served")
            .build();
        for operation in [USERS_LIST, AUDIT_LIST] {
            fallbacks.add(0, &[KeyValue::new(OPERATION, operation)]);
        }
        Self {
            primary: PgReads::new(primary),
            replica: PgReads::new(replica),
            fallbacks,
            resting_until: Arc::new(Mutex::new(None)),
        }
    }

    /// `on_replica`, or `on_primary` when the replica fails it or failed
    /// another read less than [`RESTING`] ago.
    async fn stale_or_primary<T, R, P>(
        &self,
        operation: &'static str,
        on_replica: R,
        on_primary: impl FnOnce() -> P,
    ) -> Result<T, RepoError>
    where
        R: Future<Output = Result<T, RepoError>>,
        P: Future<Output = Result<T, RepoError>>,
    {
        if !self.resting() {
            match on_replica.await {
                Err(error) if primary_may_answer(&error) => {
                    tracing::warn!(
                        db.operation.name = operation,
                        error = %error,
                        "the replica could not serve a read; the primary serves it, and the \
                         next ones for a second",
                    );
                    *self.resting_until() = Some(Instant::now() + RESTING);
                }
                outcome => return outcome,
            }
        }
        self.fallbacks
            .add(1, &[KeyValue::new(OPERATION, operation)]);
        on_primary().await
    }

    fn resting(&self) -> bool {
        self.resting_until()
            .is_some_and(|until| Instant::now() < until)
    }

    fn resting_until(&self) -> MutexGuard<'_, Option<Instant>> {
        self.resting_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether the primary may answer a read that failed on the replica with
/// `error`: not when it would fail alike (a refused value, a missing row, a
/// statement past its time limit, which would only load the primary too).
fn primary_may_answer(error: &RepoError) -> bool {
    !matches!(
        error,
        RepoError::NotFound | RepoError::Invalid(_) | RepoError::Timeout(_)
    )
}

const OPERATION: &str = "db.operation.name";
const USERS_LIST: &str = "users.list";
const AUDIT_LIST: &str = "audit.list";

#[async_trait]
impl UserReads for PgReplicaReads {
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError> {
        self.primary.find_by_id(id).await
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, RepoError> {
        self.primary.find_by_email(email).await
    }

    async fn find_by_live_session(
        &self,
        session: SessionId,
        now: OffsetDateTime,
    ) -> Result<Option<User>, RepoError> {
        self.primary.find_by_live_session(session, now).await
    }

    async fn list(
        &self,
        filter: &UserFilter,
        after: Option<UserPosition>,
        limit: u32,
    ) -> Result<Vec<User>, RepoError> {
        self.stale_or_primary(
            USERS_LIST,
            UserReads::list(&self.replica, filter, after, limit),
            || UserReads::list(&self.primary, filter, after, limit),
        )
        .await
    }
}

#[async_trait]
impl AuditReads for PgReplicaReads {
    async fn list(
        &self,
        filter: &AuditFilter,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, RepoError> {
        self.stale_or_primary(
            AUDIT_LIST,
            AuditReads::list(&self.replica, filter, after, limit),
            || AuditReads::list(&self.primary, filter, after, limit),
        )
        .await
    }
}

/// How far the replica's replay is behind, in seconds (0 when it has
/// replayed all it received), and whether that is known: a gauge of the lag,
/// served only while it is, and one that is 1 while the replica answers and
/// streams from the primary, 0 otherwise.
#[derive(Debug, Clone)]
pub struct ReplicaLag {
    /// The lag's bits, NaN while unknown.
    seconds: Arc<AtomicU64>,
}

impl ReplicaLag {
    /// The gauges on `meter`: unknown until [`watch`](Self::watch) reads
    /// the lag.
    pub fn new(meter: &Meter) -> Self {
        let seconds = Arc::new(AtomicU64::new(f64::NAN.to_bits()));
        let lag = Arc::clone(&seconds);
        meter
            .f64_observable_gauge("doorman.db.replica.lag")
            .with_unit("s")
            .with_description("How far the replica's replay is behind the primary")
            .with_callback(move |gauge| {
                let seconds = f64::from_bits(lag.load(Ordering::Relaxed));
                if seconds.is_finite() {
                    gauge.observe(seconds, &[]);
                }
            })
            .build();
        let known = Arc::clone(&seconds);
        meter
            .u64_observable_gauge("doorman.db.replica.up")
            .with_description("1 while the replica answers and streams from the primary")
            .with_callback(move |gauge| {
                let seconds = f64::from_bits(known.load(Ordering::Relaxed));
                gauge.observe(u64::from(seconds.is_finite()), &[]);
            })
            .build();
        Self { seconds }
    }

    /// Reads the lag on `replica` every `interval`, until the task is
    /// dropped.
    pub async fn watch(self, replica: Database, interval: Duration) {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let seconds = match lag(&replica).await {
                Ok(seconds) => seconds.unwrap_or(f64::NAN),
                Err(error) => {
                    tracing::debug!(error = %error, "cannot read the replica's lag");
                    f64::NAN
                }
            };
            self.seconds.store(seconds.to_bits(), Ordering::Relaxed);
        }
    }
}

/// The time since the last transaction the replica replayed, while it has
/// received more than it replayed; 0 once it has replayed all it received;
/// none while it receives nothing (not streaming: it may be any age), or
/// when the role may not see that (it needs `pg_read_all_stats`).
async fn lag(replica: &Database) -> Result<Option<f64>, RepoError> {
    let mut lease = replica.lease().await?;
    let row = lease
        .run(Operation::new("replica.lag", &[]), || {
            One(sqlx::query!(
                r#"SELECT CASE
                     WHEN NOT pg_is_in_recovery() THEN 0
                     WHEN NOT EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming')
                       THEN NULL
                     WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                     ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
                   END::float8 AS seconds"#
            ))
        })
        .await?;
    Ok(row.seconds)
}
