//! A connection borrowed from the pool, watched while it is held.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, Postgres};
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::database::Thresholds;
use crate::pool_metrics::PoolMetrics;
use crate::pooler::TransactionLimits;
use crate::query::{QueryMetrics, Statements};

/// A pooled connection. It goes back to the pool when dropped; holding it
/// past the threshold logs one warning naming the operation that holds it.
pub(crate) struct Lease {
    connection: Held,
    holder: Arc<Mutex<&'static str>>,
    _watch: LeakWatch,
    held: HoldTimer,
    /// Whether the session is inside a transaction, where a failed
    /// statement cannot simply be run again.
    pub(crate) in_transaction: bool,
    /// A statement failed inside the transaction: the server refuses
    /// everything until the innermost level is rolled back.
    pub(crate) failed: bool,
    pub(crate) thresholds: Thresholds,
    pub(crate) metrics: QueryMetrics,
    /// Behind a transaction pooler: the limits each transaction sets.
    pub(crate) transaction_limits: Option<TransactionLimits>,
    /// A transaction of one statement did not certainly end: the
    /// connection is closed when the lease ends, and runs nothing more.
    pub(crate) unclean: bool,
}

/// Where the connection comes from: the pool, or (in this crate's tests) a
/// transaction of the test harness that is rolled back at the test's end.
pub(crate) enum Held {
    Pooled(PoolConnection<Postgres>),
    #[cfg(test)]
    TestTransaction(sqlx::Transaction<'static, Postgres>),
}

impl Held {
    fn is_test_transaction(&self) -> bool {
        match self {
            Self::Pooled(_) => false,
            #[cfg(test)]
            Self::TestTransaction(_) => true,
        }
    }
}

/// What the leak warning names before the first statement.
const NO_STATEMENT_YET: &str = "none yet";

impl Lease {
    pub(crate) fn new(connection: Held, thresholds: Thresholds, metrics: QueryMetrics) -> Self {
        let holder = Arc::new(Mutex::new(NO_STATEMENT_YET));
        let watch = LeakWatch::start(Arc::clone(&holder), thresholds.held_connection);
        Self {
            in_transaction: connection.is_test_transaction(),
            failed: false,
            connection,
            holder,
            _watch: watch,
            held: HoldTimer {
                since: Instant::now(),
                pool: None,
            },
            thresholds,
            metrics,
            transaction_limits: None,
            unclean: false,
        }
    }

    /// Behind a transaction pooler, whose transactions set `limits`.
    pub(crate) fn behind_pooler(mut self, limits: Option<TransactionLimits>) -> Self {
        self.transaction_limits = limits;
        self
    }

    /// The connection, its statements named unless behind a pooler.
    pub(crate) fn statements(&mut self) -> Statements<'_> {
        let named = self.transaction_limits.is_none();
        Statements::new(self, named)
    }

    /// Closes the connection rather than returning it when the lease ends,
    /// for a transaction the lease cannot be sure has ended.
    pub(crate) fn close_when_dropped(&mut self) {
        match &mut self.connection {
            Held::Pooled(connection) => connection.close_on_drop(),
            #[cfg(test)]
            Held::TestTransaction(_) => {}
        }
    }

    /// Reports how long the connection was held to the pool's metrics.
    pub(crate) fn timed_by(mut self, pool: PoolMetrics) -> Self {
        self.held.pool = Some(pool);
        self
    }

    /// Names the operation now using the connection, for the leak warning.
    pub(crate) fn held_by(&self, operation: &'static str) {
        *self.holder.lock().unwrap_or_else(PoisonError::into_inner) = operation;
        #[cfg(test)]
        started::note(operation);
    }

    /// The pooled connection itself, to close it rather than return it
    /// when its state is in doubt.
    pub(crate) fn into_pooled(self) -> Option<PoolConnection<Postgres>> {
        match self.connection {
            Held::Pooled(connection) => Some(connection),
            #[cfg(test)]
            Held::TestTransaction(_) => None,
        }
    }
}

impl Deref for Lease {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        match &self.connection {
            Held::Pooled(connection) => connection,
            #[cfg(test)]
            Held::TestTransaction(transaction) => transaction,
        }
    }
}

impl DerefMut for Lease {
    fn deref_mut(&mut self) -> &mut PgConnection {
        match &mut self.connection {
            Held::Pooled(connection) => connection,
            #[cfg(test)]
            Held::TestTransaction(transaction) => transaction,
        }
    }
}

/// How long the lease has held its connection, reported when it ends.
struct HoldTimer {
    since: Instant,
    pool: Option<PoolMetrics>,
}

impl Drop for HoldTimer {
    fn drop(&mut self) {
        if let Some(pool) = &self.pool {
            pool.released(self.since.elapsed());
        }
    }
}

/// A timer that warns once if the lease outlives the threshold; it is
/// cancelled when the lease ends.
struct LeakWatch(Option<JoinHandle<()>>);

impl LeakWatch {
    fn start(holder: Arc<Mutex<&'static str>>, threshold: Duration) -> Self {
        // Without a runtime there is nothing to time with; the lease itself
        // still works.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return Self(None);
        };
        let since = Instant::now();
        let warn = async move {
            tokio::time::sleep(threshold).await;
            let operation = *holder.lock().unwrap_or_else(PoisonError::into_inner);
            tracing::warn!(
                db.operation.name = operation,
                held_ms = since.elapsed().as_millis(),
                threshold_ms = threshold.as_millis(),
                "a database connection has been held longer than the threshold",
            );
        };
        Self(Some(runtime.spawn(warn.in_current_span())))
    }
}

impl Drop for LeakWatch {
    fn drop(&mut self) {
        if let Some(watch) = self.0.take() {
            watch.abort();
        }
    }
}

/// The statements started on this thread, for tests that must know which
/// statement a future is waiting on.
#[cfg(test)]
pub(crate) mod started {
    use std::cell::RefCell;

    thread_local! {
        static STARTED: RefCell<Option<Vec<&'static str>>> = const { RefCell::new(None) };
    }

    /// Starts (or restarts) writing down this thread's statements.
    pub(crate) fn watch() {
        STARTED.with(|started| *started.borrow_mut() = Some(Vec::new()));
    }

    /// The statements started since [`watch`], in order.
    pub(crate) fn so_far() -> Vec<&'static str> {
        STARTED.with(|started| started.borrow().clone().unwrap_or_default())
    }

    pub(super) fn note(operation: &'static str) {
        STARTED.with(|started| {
            if let Some(started) = started.borrow_mut().as_mut() {
                started.push(operation);
            }
        });
    }
}
