//! The handle every adapter of this crate shares: the pool, and what is
//! watched on each use of it.

use std::time::Duration;

use domain::error::RepoError;
use opentelemetry::metrics::Meter;
use sqlx::PgPool;

use crate::error::repo_error;
use crate::lease::{Held, Lease};
use crate::pool_metrics::{PoolMetrics, PoolName};
use crate::pooler::TransactionLimits;
use crate::query::QueryMetrics;

/// When to warn: statements slower than `slow_query`, connections held
/// longer than `held_connection`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A statement that takes longer logs a warning with its parameters,
    /// secrets redacted.
    pub slow_query: Duration,
    /// A connection held longer logs one warning naming what holds it.
    pub held_connection: Duration,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            slow_query: Duration::from_millis(100),
            held_connection: Duration::from_secs(5),
        }
    }
}

/// The database as the repositories and the transactor use it.
#[derive(Debug, Clone)]
pub struct Database {
    pool: PgPool,
    thresholds: Thresholds,
    metrics: QueryMetrics,
    pool_metrics: PoolMetrics,
    /// Behind a transaction pooler: the limits each transaction sets.
    transaction_limits: Option<TransactionLimits>,
}

impl Database {
    /// Watches every use of `pool` against `thresholds`, and measures its
    /// statements and the pool on `meter`.
    pub fn new(pool: PgPool, thresholds: Thresholds, meter: &Meter) -> Self {
        let pool_metrics = PoolMetrics::new(meter, PoolName::Primary);
        pool_metrics.observe(meter, &pool);
        Self::measured(pool, thresholds, QueryMetrics::new(meter), pool_metrics)
    }

    pub(crate) fn measured(
        pool: PgPool,
        thresholds: Thresholds,
        metrics: QueryMetrics,
        pool_metrics: PoolMetrics,
    ) -> Self {
        Self {
            pool,
            thresholds,
            metrics,
            pool_metrics,
            transaction_limits: None,
        }
    }

    /// Behind a transaction pooler, whose transactions set `limits`.
    pub(crate) fn behind_pooler(mut self, limits: TransactionLimits) -> Self {
        self.transaction_limits = Some(limits);
        self
    }

    /// Behind a transaction pooler: the limits each transaction sets.
    pub(crate) fn transaction_limits(&self) -> Option<&TransactionLimits> {
        self.transaction_limits.as_ref()
    }

    /// The pool itself, for the migrator and for shutting down.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A connection from the pool; each statement run on it names itself
    /// as its holder.
    pub(crate) async fn lease(&self) -> Result<Lease, RepoError> {
        let connection = self
            .pool_metrics
            .acquire(&self.pool)
            .await
            .map_err(repo_error)?;
        Ok(Lease::new(
            Held::Pooled(connection),
            self.thresholds,
            self.metrics.clone(),
        )
        .timed_by(self.pool_metrics.clone())
        .behind_pooler(self.transaction_limits.clone()))
    }
}
