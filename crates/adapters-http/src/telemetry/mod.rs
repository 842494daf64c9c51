//! What the HTTP adapter tells the operators: the request metrics, the
//! W3C trace context of each request, and the listener that serves the
//! metrics to a scraper.

mod endpoint;
mod metrics;
#[cfg(test)]
mod tests;
mod trace_context;

pub use endpoint::{MetricsText, serve_metrics};
pub use metrics::HttpMetrics;
pub(crate) use metrics::{method_name, route_of};
pub(crate) use trace_context::{continue_trace, trace_id, trace_response};
