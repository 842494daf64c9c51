//! How long hashes take and how many wait for a slot, by operation.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Histogram, Meter};

use super::waiting::Waiting;

/// What the hasher is asked to do.
#[derive(Debug, Clone, Copy)]
pub(super) enum Operation {
    Hash,
    Verify,
}

impl Operation {
    const ALL: [Self; 2] = [Self::Hash, Self::Verify];

    fn label(self) -> &'static str {
        match self {
            Self::Hash => "hash",
            Self::Verify => "verify",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The hasher's instruments.
#[derive(Debug, Clone)]
pub(super) struct HashMetrics {
    duration: Histogram<f64>,
    waiting: Arc<[AtomicUsize; 2]>,
}

/// Bucket bounds in seconds: a hash takes tens to hundreds of
/// milliseconds.
const BOUNDS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0,
];

impl HashMetrics {
    pub(super) fn new(meter: &Meter) -> Self {
        let waiting: Arc<[AtomicUsize; 2]> = Arc::default();
        let observed = Arc::clone(&waiting);
        meter
            .u64_observable_gauge("doorman.password_hash.queue")
            .with_unit("{request}")
            .with_description("Password hashes waiting for a hashing slot")
            .with_callback(move |gauge| {
                for operation in Operation::ALL {
                    let waiting = observed[operation.index()].load(Ordering::Relaxed);
                    gauge.observe(
                        u64::try_from(waiting).unwrap_or(u64::MAX),
                        &[KeyValue::new("operation", operation.label())],
                    );
                }
            })
            .build();
        let duration = meter
            .f64_histogram("doorman.password_hash.duration")
            .with_unit("s")
            .with_description("Time spent computing a password hash")
            .with_boundaries(BOUNDS.to_vec())
            .build();
        Self { duration, waiting }
    }

    /// Counts a request of `operation` as waiting for as long as the guard
    /// lives.
    pub(super) fn waiting(&self, operation: Operation) -> Waiting<'_> {
        Waiting::enter(&self.waiting[operation.index()])
    }

    pub(super) fn computed(&self, operation: Operation, took: Duration) {
        self.duration.record(
            took.as_secs_f64(),
            &[KeyValue::new("operation", operation.label())],
        );
    }
}
