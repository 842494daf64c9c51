//! The W3C trace context: a caller's `traceparent` is continued, and the
//! response names the trace (`traceresponse`) so that the caller can find
//! it.

use actix_web::http::header::{HeaderMap, HeaderValue};
use opentelemetry::propagation::Extractor;
use opentelemetry::trace::{TraceContextExt as _, TraceId};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// Makes `span` continue the trace of the caller's `traceparent`, if any,
/// through the propagator the binary installed; the id of the trace it is
/// in, once it has one (never, without a tracing pipeline).
pub(crate) fn continue_trace(span: &tracing::Span, headers: &HeaderMap) -> Option<TraceId> {
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&Headers(headers))
    });
    if parent.span().span_context().is_valid() {
        // Refused only when no tracing pipeline is installed.
        drop(span.set_parent(parent));
    }
    let context = span.context();
    let span_context = context.span().span_context().clone();
    span_context.is_valid().then(|| span_context.trace_id())
}

/// The `traceresponse` header of the request served in `span`.
pub(crate) fn trace_response(span: &tracing::Span) -> Option<HeaderValue> {
    let context = span.context();
    let span_context = context.span().span_context().clone();
    if !span_context.is_valid() {
        return None;
    }
    let value = format!(
        "00-{}-{}-{:02x}",
        span_context.trace_id(),
        span_context.span_id(),
        span_context.trace_flags().to_u8()
    );
    HeaderValue::from_str(&value).ok()
}

/// The request's headers, as the propagator reads them.
struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}
