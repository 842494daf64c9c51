//! A streaming replica: the reads that may be a little stale, and how far
//! behind it is.
//!
//! Only the administrators' listings of accounts and of the audit trail go
//! there. Password checks, sessions, refreshes, revocations, throttles and
//! anything that locks read the primary: a replica may be seconds behind,
//! and a revoked session must be refused at once. A listing the replica
//! cannot serve (down, cancelled by a conflict with recovery, lagging behind
//! a new database) is read from the primary instead.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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

/// The primary's reads, but the listings, which the replica serves.
#[derive(Debug, Clone)]
pub struct PgReplicaReads {
    primary: PgReads,
    replica: PgReads,
    fallbacks: Counter<u64>,
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
        }
    }

    /// Whether a read that failed on the replica with `error` goes to the
    /// primary, whose answer is the truth the replica would have given: any
    /// failure but those the primary would give alike. Says so when it does.
    fn falls_back(&self, operation: &'static str, error: &RepoError) -> bool {
        if matches!(error, RepoError::NotFound | RepoError::Invalid(_)) {
            return false;
        }
        tracing::warn!(
            db.operation.name = operation,
            error = %error,
            "the replica could not serve a read; the primary serves it",
        );
        self.fallbacks
            .add(1, &[KeyValue::new(OPERATION, operation)]);
        true
    }
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
        match UserReads::list(&self.replica, filter, after, limit).await {
            Err(error) if self.falls_back(USERS_LIST, &error) => {
                UserReads::list(&self.primary, filter, after, limit).await
            }
            outcome => outcome,
        }
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
        match AuditReads::list(&self.replica, filter, after, limit).await {
            Err(error) if self.falls_back(AUDIT_LIST, &error) => {
                AuditReads::list(&self.primary, filter, after, limit).await
            }
            outcome => outcome,
        }
    }
}

/// How far the replica's replay is behind, in seconds, as a gauge: 0 when
/// it has replayed all it received, NaN while it cannot be read.
#[derive(Debug, Clone)]
pub struct ReplicaLag {
    seconds: Arc<AtomicU64>,
}

impl ReplicaLag {
    /// The gauge on `meter`, unknown until [`watch`](Self::watch) reads it.
    pub fn new(meter: &Meter) -> Self {
        let seconds = Arc::new(AtomicU64::new(f64::NAN.to_bits()));
        let observed = Arc::clone(&seconds);
        meter
            .f64_observable_gauge("doorman.db.replica.lag")
            .with_unit("s")
            .with_description("How far the replica's replay is behind the primary")
            .with_callback(move |gauge| {
                gauge.observe(f64::from_bits(observed.load(Ordering::Relaxed)), &[]);
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
/// received more than it replayed; 0 once it has replayed all.
async fn lag(replica: &Database) -> Result<Option<f64>, RepoError> {
    let mut lease = replica.lease().await?;
    let row = lease
        .run(Operation::new("replica.lag", &[]), || {
            One(sqlx::query!(
                r#"SELECT CASE
                     WHEN NOT pg_is_in_recovery()
                       OR pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()
                       THEN 0
                     ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
                   END::float8 AS seconds"#
            ))
        })
        .await?;
    Ok(row.seconds)
}
