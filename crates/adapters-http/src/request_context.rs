//! What surrounds every request: its id, its log line, and the guarantee
//! that every failure, a panic included, leaves in the contract's shape.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{Error, HttpResponse};
use futures_util::FutureExt as _;
use opentelemetry::trace::TraceContextExt as _;
use tracing::Instrument as _;
use uuid::Uuid;

use crate::error::{ApiError, ErrorKind};
use crate::telemetry::{
    HttpMetrics, continue_trace, method_name, route_of, trace_id, trace_response,
};

pub(crate) const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");
const TRACE_RESPONSE_HEADER: HeaderName = HeaderName::from_static("traceresponse");
const MAX_REQUEST_ID_LEN: usize = 128;

/// The ids of a request. Ours, a new UUID v7, names it in the logs, the
/// audit trail and error bodies: a client cannot choose it, so it cannot
/// make its requests pass for another's. The client's own `x-request-id`,
/// when it sent a sane one, is kept beside it and echoed.
#[derive(Debug, Clone)]
pub(crate) struct RequestIds {
    pub(crate) ours: String,
    pub(crate) client: Option<String>,
}

impl RequestIds {
    fn of(request: &ServiceRequest) -> Self {
        Self {
            ours: Uuid::now_v7().to_string(),
            client: client_request_id(request),
        }
    }

    /// The response's `x-request-id`: the client's own, or else ours.
    pub(crate) fn echoed(&self) -> &str {
        self.client.as_deref().unwrap_or(&self.ours)
    }
}

tokio::task_local! {
    static REQUEST_IDS: RequestIds;
}

/// The ids of the request being served.
pub(crate) fn current_request_ids() -> Option<RequestIds> {
    REQUEST_IDS.try_with(Clone::clone).ok()
}

/// The client's `x-request-id` when it is sane: 1 to 128 characters of
/// letters, digits and `-_.:`.
fn client_request_id(request: &ServiceRequest) -> Option<String> {
    request
        .headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|id| {
            (1..=MAX_REQUEST_ID_LEN).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_owned)
}

/// The middleware around every request: its span (continuing the caller's
/// trace), its metrics, its log line and its contract-shaped failures.
pub(crate) async fn around_request(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let ids = RequestIds::of(&request);
    let method = request.method().clone();
    let method_name = method_name(&method);
    let span = tracing::info_span!(
        "http.request",
        otel.name = method_name,
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        request.id = %ids.ours,
        request.client_id = ids.client.as_deref(),
        trace_id = tracing::field::Empty,
        http.request.method = method_name,
        http.route = tracing::field::Empty,
        http.response.status_code = tracing::field::Empty,
        error.type = tracing::field::Empty,
    );
    let trace = continue_trace(&span, request.headers());
    if let Some(trace_id) = trace_id(&trace) {
        span.record("trace_id", tracing::field::display(trace_id));
    }
    let metrics = request.app_data::<Data<HttpMetrics>>().cloned();
    let _in_flight = metrics.as_ref().map(|metrics| metrics.in_flight(&method));
    let started = Instant::now();
    let outcome = REQUEST_IDS
        .scope(
            ids.clone(),
            AssertUnwindSafe(next.call(request)).catch_unwind(),
        )
        .instrument(span.clone())
        .await;
    let _entered = span.enter();
    let served = |route: Option<String>, status: StatusCode, error_type: Option<&'static str>| {
        let route = route_of(route);
        record_on_span(&span, &trace, method_name, &route, status, error_type);
        if let Some(metrics) = &metrics {
            metrics.served(&method, route, status, error_type, started.elapsed());
        }
    };
    match outcome {
        Ok(Ok(response)) => {
            let mut response = REQUEST_IDS.sync_scope(ids.clone(), || {
                in_contract_shape(response.map_into_boxed_body())
            });
            if let Ok(value) = HeaderValue::from_str(ids.echoed()) {
                response.headers_mut().insert(REQUEST_ID_HEADER, value);
            }
            if let Some(value) = trace_response(&trace) {
                response.headers_mut().insert(TRACE_RESPONSE_HEADER, value);
            }
            let api_error = response
                .response()
                .error()
                .and_then(|error| error.as_error::<ApiError>());
            served(
                response.request().match_pattern(),
                response.status(),
                api_error.map(ApiError::type_name),
            );
            log_completion(response.status(), api_error, started);
            Ok(response)
        }
        // The request went down with the handler: actix-web renders the
        // error itself, with the id it carries.
        Ok(Err(error)) => {
            served(
                None,
                error.as_response_error().status_code(),
                Some("_OTHER"),
            );
            tracing::error!(error = %error, "request failed before a response was made");
            Err(error)
        }
        Err(panic) => {
            let error = ApiError::internal(panic_message(panic.as_ref())).for_request(ids);
            served(
                None,
                StatusCode::INTERNAL_SERVER_ERROR,
                Some(error.type_name()),
            );
            tracing::error!(
                error.cause = cause_chain(&error).as_deref(),
                "request handler panicked"
            );
            Err(error.into())
        }
    }
}

/// What the request span says of the outcome, under the conventions: it
/// is named after the route it matched, and a server error marks it
/// failed.
fn record_on_span(
    span: &tracing::Span,
    trace: &opentelemetry::Context,
    method: &str,
    route: &str,
    status: StatusCode,
    error_type: Option<&'static str>,
) {
    span.record("http.route", route);
    span.record("http.response.status_code", i64::from(status.as_u16()));
    if let Some(error_type) = error_type {
        span.record("error.type", error_type);
    }
    if status.is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
    trace.span().update_name(format!("{method} {route}"));
}

/// Replaces an error response that did not come from [`ApiError`] (one
/// actix-web made itself) with the contract's body for its status.
fn in_contract_shape(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = response.status();
    let from_api_error = response
        .response()
        .error()
        .is_some_and(|error| error.as_error::<ApiError>().is_some());
    if !(status.is_client_error() || status.is_server_error()) || from_api_error {
        return response;
    }
    let (kind, message) = ErrorKind::for_status(status);
    response.into_response(HttpResponse::from_error(ApiError::new(kind, message)))
}

fn log_completion(status: StatusCode, api_error: Option<&ApiError>, started: Instant) {
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    match api_error {
        // A 503 is the answer the service means to give when it is
        // saturated or a dependency is down: worth a warning, and the
        // metrics and readiness say how long it lasts.
        Some(error) if status == StatusCode::SERVICE_UNAVAILABLE => tracing::warn!(
            duration_ms,
            error = %error,
            error.cause = cause_chain(error).as_deref(),
            "request refused: unavailable"
        ),
        Some(error) if status.is_server_error() => tracing::error!(
            duration_ms,
            error = %error,
            error.cause = cause_chain(error).as_deref(),
            "request failed"
        ),
        // The client's own mistake: its kind and fields, never the message,
        // which may quote what the client sent.
        Some(error) => tracing::info!(
            duration_ms,
            error.type = error.type_name(),
            error.fields = error.fields_for_log(),
            "request refused"
        ),
        // At debug: one line per request would cost a fifth of the
        // throughput of a cheap request, and the metrics count them all.
        None => tracing::debug!(duration_ms, "request served"),
    }
}

/// The cause of an error and the causes of that, on one line.
fn cause_chain(error: &ApiError) -> Option<String> {
    let mut cause = error.cause()?;
    let mut text = cause.to_string();
    while let Some(next) = cause.source() {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next;
    }
    Some(text)
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-text payload".to_owned());
    format!("the handler panicked: {text}")
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};
    use serde_json::Value;

    use super::*;

    async fn panicking_handler() -> HttpResponse {
        panic!("kaboom")
    }

    async fn call(request: test::TestRequest) -> (StatusCode, Option<String>, Value) {
        let app = test::init_service(
            App::new()
                .wrap(from_fn(around_request))
                .route("/ok", web::get().to(HttpResponse::Ok))
                .route("/panics", web::get().to(panicking_handler))
                .service(web::resource("/only-get").route(web::get().to(HttpResponse::Ok))),
        )
        .await;
        // What actix-web's dispatcher does with an error the app returns.
        let response = match test::try_call_service(&app, request.to_request()).await {
            Ok(response) => response.map_into_boxed_body().into_parts().1,
            Err(error) => error.error_response(),
        };
        let status = response.status();
        let id = response
            .headers()
            .get(&REQUEST_ID_HEADER)
            .map(|value| value.to_str().expect("ascii").to_owned());
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .expect("body");
        (
            status,
            id,
            serde_json::from_slice(&body).unwrap_or(Value::Null),
        )
    }

    #[actix_web::test]
    async fn a_sane_request_id_is_echoed() {
        let request = test::TestRequest::get()
            .uri("/ok")
            .insert_header(("x-request-id", "abc-123.4:5_6"));
        let (status, id, _) = call(request).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(id.as_deref(), Some("abc-123.4:5_6"));
    }

    #[actix_web::test]
    async fn an_error_body_names_the_request_by_our_id_not_the_clients() {
        for uri in ["/nowhere", "/panics"] {
            let request = test::TestRequest::get()
                .uri(uri)
                .insert_header(("x-request-id", "abc-123"));
            let (_, echoed, body) = call(request).await;
            assert_eq!(echoed.as_deref(), Some("abc-123"), "{uri}");
            let ours = body["error"]["requestId"].as_str().expect("an id");
            let ours = Uuid::parse_str(ours).expect("a UUID");
            assert_eq!(ours.get_version_num(), 7, "{uri}");
        }
    }

    #[actix_web::test]
    async fn an_insane_request_id_is_replaced_by_a_uuid() {
        for sent in ["has space", "<script>", &"x".repeat(129)] {
            let request = test::TestRequest::get()
                .uri("/ok")
                .insert_header(("x-request-id", sent));
            let (_, id, _) = call(request).await;
            let id = id.expect("an id");
            assert_ne!(id, sent);
            assert!(Uuid::parse_str(&id).is_ok(), "{id}");
        }
    }

    #[actix_web::test]
    async fn a_panic_becomes_a_500_in_the_contracts_shape() {
        let (status, id, body) = call(test::TestRequest::get().uri("/panics")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"]["type"], "InternalError");
        assert_eq!(body["error"]["statusCode"], 500);
        assert_eq!(body["error"]["message"], "an unexpected error occurred");
        assert_eq!(body["error"]["requestId"].as_str(), id.as_deref());
        assert!(!body.to_string().contains("kaboom"));
    }

    #[actix_web::test]
    async fn actix_webs_own_error_responses_are_put_in_the_contracts_shape() {
        let (status, id, body) = call(test::TestRequest::get().uri("/nowhere")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["type"], "NotFoundError");
        assert_eq!(body["error"]["requestId"].as_str(), id.as_deref());

        let (status, _, body) = call(test::TestRequest::delete().uri("/only-get")).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(body["error"]["type"], "MethodNotAllowedError");
    }
}
