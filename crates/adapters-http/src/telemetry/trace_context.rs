//! The W3C trace context: a caller's `traceparent` is continued, and the
//! response names the trace (`traceresponse`) so that the caller can find
//! it.

use actix_web::http::header::{HeaderMap, HeaderValue};
use opentelemetry::Context;
use opentelemetry::propagation::Extractor;
use opentelemetry::trace::{TraceContextExt as _, TraceId};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// Makes `span` continue the trace of the caller's `traceparent`, if any,
/// through the propagator the binary installed; the OpenTelemetry context
/// of `span` (with no valid span in it without a tracing pipeline). It
/// shares the span itself, so that what is done to it later reaches the
/// span exported.
pub(crate) fn continue_trace(span: &tracing::Span, headers: &HeaderMap) -> Context {
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&Headers(headers))
    });
    if parent.span().span_context().is_valid() {
        // Refused only when no tracing pipeline is installed.
        drop(span.set_parent(parent));
    }
    span.context()
}

/// The id of the trace, when there is one.
pub(crate) fn trace_id(trace: &Context) -> Option<TraceId> {
    let span = trace.span();
    let span_context = span.span_context();
    span_context.is_valid().then(|| span_context.trace_id())
}

/// The `traceresponse` header of the request traced in `trace`.
pub(crate) fn trace_response(trace: &Context) -> Option<HeaderValue> {
    let span = trace.span();
    let span_context = span.span_context();
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
