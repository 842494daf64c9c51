//! The handle every adapter of this crate shares: the pool, and what is
//! watched on each use of it.

use std::time::Duration;

use domain::error::RepoError;
use sqlx::PgPool;

use crate::error::repo_error;
use crate::lease::{Held, Lease};
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
}

impl Database {
    /// Watches every use of `pool` against `thresholds`.
    pub fn new(pool: PgPool, thresholds: Thresholds) -> Self {
        Self::with_metrics(pool, thresholds, QueryMetrics::new())
    }

    pub(crate) fn with_metrics(
        pool: PgPool,
        thresholds: Thresholds,
        metrics: QueryMetrics,
    ) -> Self {
        Self {
            pool,
            thresholds,
            metrics,
        }
    }

    /// The pool itself, for the migrator and for shutting down.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A connection from the pool; each statement run on it names itself
    /// as its holder.
    pub(crate) async fn lease(&self) -> Result<Lease, RepoError> {
        let connection = self.pool.acquire().await.map_err(repo_error)?;
        Ok(Lease::new(
            Held::Pooled(connection),
            self.thresholds,
            self.metrics.clone(),
        ))
    }
}
