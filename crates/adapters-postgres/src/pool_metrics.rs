//! The pool, measured under OpenTelemetry's database-client conventions.
//!
//! sqlx reports only how many connections are open and idle; how long a
//! request waits for one, how many wait, how long each is held and how
//! often the wait times out are measured here, on the one acquire path
//! every lease takes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram, Meter};
use sqlx::PgPool;
use sqlx::pool::PoolConnection;
use sqlx::postgres::Postgres;

/// Which pool a series is of: every one carries the name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PoolName {
    /// The primary's: every read and change.
    #[default]
    Primary,
    /// A streaming replica's: the reads that may be stale.
    Replica,
}

impl PoolName {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::Replica => "replica",
        }
    }
}

const POOL_NAME: &str = "db.client.connection.pool.name";

/// Bucket bounds, in seconds, for everything the database is timed by:
/// from half a millisecond to ten seconds, with 100 ms among them so that
/// the share of statements under it can be read off exactly.
pub(crate) const DURATION_BOUNDS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The instruments of one pool.
#[derive(Debug, Clone)]
pub(crate) struct PoolMetrics {
    attributes: Arc<[KeyValue; 1]>,
    pending: Arc<AtomicU64>,
    wait_time: Histogram<f64>,
    use_time: Histogram<f64>,
    create_time: Histogram<f64>,
    timeouts: Counter<u64>,
}

impl PoolMetrics {
    /// The instruments on `meter`; the pool's gauges come with
    /// [`observe`](Self::observe), once the pool exists.
    pub(crate) fn new(meter: &Meter, name: PoolName) -> Self {
        let seconds = |name: &'static str, description: &'static str| {
            meter
                .f64_histogram(name)
                .with_unit("s")
                .with_description(description)
                .with_boundaries(DURATION_BOUNDS.to_vec())
                .build()
        };
        let metrics = Self {
            attributes: Arc::new([KeyValue::new(POOL_NAME, name.as_str())]),
            pending: Arc::new(AtomicU64::new(0)),
            wait_time: seconds(
                "db.client.connection.wait_time",
                "Time spent waiting for a connection",
            ),
            use_time: seconds(
                "db.client.connection.use_time",
                "Time a connection was held, from acquisition to release",
            ),
            create_time: seconds(
                "db.client.connection.create_time",
                "Time the server took to set up a new connection",
            ),
            timeouts: meter
                .u64_counter("db.client.connection.timeouts")
                .with_unit("{timeout}")
                .with_description("Requests that gave up waiting for a connection")
                .build(),
        };
        // A counter exists from the start, so that an alert on it never
        // sees "no data".
        metrics.timeouts.add(0, &*metrics.attributes);
        metrics
    }

    /// Registers the gauges of `pool` on `meter`: they read the pool
    /// whenever the metrics are collected.
    pub(crate) fn observe(&self, meter: &Meter, pool: &PgPool) {
        let observed = pool.clone();
        let labels = Arc::clone(&self.attributes);
        meter
            .u64_observable_gauge("db.client.connection.count")
            .with_unit("{connection}")
            .with_description("Connections open, by state")
            .with_callback(move |gauge| {
                let open = u64::from(observed.size());
                let idle = u64::try_from(observed.num_idle()).unwrap_or(open);
                let [pool_name] = &*labels;
                for (state, count) in [("idle", idle), ("used", open.saturating_sub(idle))] {
                    gauge.observe(
                        count,
                        &[
                            KeyValue::new("db.client.connection.state", state),
                            pool_name.clone(),
                        ],
                    );
                }
            })
            .build();
        let options = pool.options();
        for (name, description, value) in [
            (
                "db.client.connection.max",
                "The most connections the pool opens",
                options.get_max_connections(),
            ),
            (
                "db.client.connection.idle.max",
                "The most idle connections the pool keeps",
                options.get_max_connections(),
            ),
            (
                "db.client.connection.idle.min",
                "The fewest idle connections the pool keeps",
                options.get_min_connections(),
            ),
        ] {
            let labels = Arc::clone(&self.attributes);
            meter
                .u64_observable_gauge(name)
                .with_unit("{connection}")
                .with_description(description)
                .with_callback(move |gauge| gauge.observe(u64::from(value), &*labels))
                .build();
        }
        let waiting = Arc::clone(&self.pending);
        let labels = Arc::clone(&self.attributes);
        meter
            .u64_observable_gauge("db.client.connection.pending_requests")
            .with_unit("{request}")
            .with_description("Requests waiting for a connection")
            .with_callback(move |gauge| gauge.observe(waiting.load(Ordering::Relaxed), &*labels))
            .build();
    }

    /// A connection of `pool`, timed and counted while it is awaited.
    pub(crate) async fn acquire(
        &self,
        pool: &PgPool,
    ) -> Result<PoolConnection<Postgres>, sqlx::Error> {
        let started = Instant::now();
        let waiting = Waiting::enter(&self.pending);
        let acquired = pool.acquire().await;
        drop(waiting);
        self.wait_time
            .record(started.elapsed().as_secs_f64(), &*self.attributes);
        if matches!(acquired, Err(sqlx::Error::PoolTimedOut)) {
            self.timeouts.add(1, &*self.attributes);
        }
        acquired
    }

    /// A connection was held for `held`.
    pub(crate) fn released(&self, held: Duration) {
        self.use_time.record(held.as_secs_f64(), &*self.attributes);
    }

    /// A new connection took the server `setup` to be ready.
    pub(crate) fn created(&self, setup: Duration) {
        self.create_time
            .record(setup.as_secs_f64(), &*self.attributes);
    }
}

/// Counts one waiting request for as long as it lives, so that a request
/// cancelled while it waits stops counting too.
struct Waiting<'a>(&'a AtomicU64);

impl<'a> Waiting<'a> {
    fn enter(pending: &'a AtomicU64) -> Self {
        pending.fetch_add(1, Ordering::Relaxed);
        Self(pending)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests;
