//! What the service tells its operators: logs and traces (process-wide,
//! installed once by `main`), and the metrics of each [`Application`]
//! (crate::Application), read by Prometheus and pushed over OTLP.

mod logs;
mod metrics;
mod otlp;
mod outcomes;

use opentelemetry_sdk::Resource;

use crate::config::Config;

pub use logs::{Tracing, init_telemetry, json_log_layer};
pub(crate) use metrics::Metrics;
pub(crate) use outcomes::CountedOutcomes;

/// What every span and metric says of where it comes from: the service's
/// name, and whatever `OTEL_RESOURCE_ATTRIBUTES` adds.
fn resource(config: &Config) -> Resource {
    Resource::builder()
        .with_service_name(config.service_name.clone())
        .build()
}
