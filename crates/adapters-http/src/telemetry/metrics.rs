//! The request metrics of OpenTelemetry's HTTP server conventions, with
//! labels from closed sets only: the method, the route template (never
//! the raw path), the status and the contract's error type.

use std::time::Duration;

use actix_web::http::{Method, StatusCode};
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Histogram, Meter, UpDownCounter};

/// The value of `http.route` for a path no route matches: every such path
/// shares it, so that random paths cannot multiply the series.
const UNMATCHED: &str = "unmatched";

/// Bucket bounds in seconds, as the conventions advise.
const BOUNDS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

const OTHER_METHOD: &str = "_OTHER";

/// The methods counted by name; any other counts as `_OTHER`.
const KNOWN_METHODS: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
    Method::CONNECT,
    Method::TRACE,
];

/// The request instruments, shared by every worker.
#[derive(Debug, Clone)]
pub struct HttpMetrics {
    duration: Histogram<f64>,
    active: UpDownCounter<i64>,
}

impl HttpMetrics {
    /// The instruments on `meter`; the active-request gauge of every known
    /// method exists from the start, at zero.
    pub fn new(meter: &Meter) -> Self {
        let duration = meter
            .f64_histogram("http.server.request.duration")
            .with_unit("s")
            .with_description("Duration of HTTP server requests")
            .with_boundaries(BOUNDS.to_vec())
            .build();
        let active = meter
            .i64_up_down_counter("http.server.active_requests")
            .with_unit("{request}")
            .with_description("HTTP server requests in flight")
            .build();
        for method in KNOWN_METHODS
            .iter()
            .map(Method::as_str)
            .chain([OTHER_METHOD])
        {
            active.add(0, &[KeyValue::new("http.request.method", method)]);
        }
        Self { duration, active }
    }

    /// Counts a request of `method` as in flight until the guard drops.
    pub(crate) fn in_flight(&self, method: &Method) -> InFlight {
        let attributes = [method_attribute(method)];
        self.active.add(1, &attributes);
        InFlight {
            active: self.active.clone(),
            attributes,
        }
    }

    /// Records one finished request.
    pub(crate) fn served(
        &self,
        method: &Method,
        route: String,
        status: StatusCode,
        error_type: Option<&'static str>,
        took: Duration,
    ) {
        let mut attributes = vec![
            method_attribute(method),
            KeyValue::new("http.route", route),
            KeyValue::new("http.response.status_code", i64::from(status.as_u16())),
        ];
        if let Some(error_type) = error_type {
            attributes.push(KeyValue::new("error.type", error_type));
        }
        self.duration.record(took.as_secs_f64(), &attributes);
    }
}

/// A request in flight; it stops counting when dropped, however the
/// request ends.
pub(crate) struct InFlight {
    active: UpDownCounter<i64>,
    attributes: [KeyValue; 1],
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.active.add(-1, &self.attributes);
    }
}

/// The route template that matched, or the one value shared by every path
/// that matched none.
pub(crate) fn route_of(pattern: Option<String>) -> String {
    pattern.unwrap_or_else(|| UNMATCHED.to_owned())
}

/// The method as the conventions name it: one of the known ones, or
/// `_OTHER`, so that invented methods cannot multiply names or series.
pub(crate) fn method_name(method: &Method) -> &'static str {
    KNOWN_METHODS
        .iter()
        .find(|known| *known == method)
        .map_or(OTHER_METHOD, Method::as_str)
}

fn method_attribute(method: &Method) -> KeyValue {
    KeyValue::new("http.request.method", method_name(method))
}
