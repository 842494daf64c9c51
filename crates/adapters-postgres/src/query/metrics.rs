//! Statement durations, recorded through OpenTelemetry's metrics API under
//! its database conventions; the meter's provider decides where they go.

use std::time::Duration;

use domain::error::RepoError;
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Histogram, Meter};

use crate::pool_metrics::DURATION_BOUNDS;

/// The histogram of statement durations, by operation and outcome.
#[derive(Debug, Clone)]
pub(crate) struct QueryMetrics {
    duration: Histogram<f64>,
}

impl QueryMetrics {
    pub(crate) fn new(meter: &Meter) -> Self {
        let duration = meter
            .f64_histogram("db.client.operation.duration")
            .with_unit("s")
            .with_description("Duration of database statements")
            .with_boundaries(DURATION_BOUNDS.to_vec())
            .build();
        Self { duration }
    }

    /// Records one statement's duration; `error_type` names its failure.
    pub(crate) fn record(
        &self,
        operation: &'static str,
        elapsed: Duration,
        error_type: Option<&'static str>,
    ) {
        let system = KeyValue::new("db.system.name", "postgresql");
        let operation = KeyValue::new("db.operation.name", operation);
        let seconds = elapsed.as_secs_f64();
        // Only failures carry `error.type`, as the conventions say.
        match error_type {
            Some(error_type) => self.duration.record(
                seconds,
                &[system, operation, KeyValue::new("error.type", error_type)],
            ),
            None => self.duration.record(seconds, &[system, operation]),
        }
    }
}

/// A short, bounded name for the kind of failure: safe as a metric label
/// because it never carries data.
pub(crate) fn error_type(error: &RepoError) -> &'static str {
    match error {
        RepoError::Conflict(_) => "conflict",
        RepoError::NotFound => "not_found",
        RepoError::Invalid(_) => "invalid",
        RepoError::Unavailable(_) => "unavailable",
        RepoError::Timeout(_) => "timeout",
        RepoError::Retryable { .. } => "retryable",
        RepoError::OutcomeUnknown(_) => "outcome_unknown",
        RepoError::Internal(_) => "internal",
    }
}
