//! The error body of the contract, for every failure.

mod from_app;
mod kind;
mod validation;

use std::error::Error as StdError;
use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub(crate) use from_app::FOREIGN_CURSOR;
pub(crate) use kind::ErrorKind;
pub(crate) use validation::FieldIssue;

use crate::request_context::{self, RequestIds};

type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Seconds a client should wait before retrying after a 503.
const RETRY_AFTER_SECONDS: u32 = 5;

/// A failed request, as the client will see it (`api.md`, "Errors").
///
/// The message is written for the client; the cause, if any, is kept for
/// the log and never sent. Boxed, so that `Result<_, ApiError>` stays small
/// on the happy path.
#[derive(Debug)]
pub struct ApiError(Box<Parts>);

#[derive(Debug)]
struct Parts {
    kind: ErrorKind,
    message: String,
    details: Vec<FieldIssue>,
    /// The RFC 6750 error code in `WWW-Authenticate`, for token failures.
    bearer_error: Option<&'static str>,
    /// The methods the path supports, for a 405.
    allow: Option<&'static str>,
    /// Seconds to wait, for a 429.
    retry_after: Option<u64>,
    /// The request's ids, when the error leaves the request's scope.
    request: Option<RequestIds>,
    source: Option<BoxError>,
}

impl ApiError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self(Box::new(Parts {
            kind,
            message: message.into(),
            details: Vec::new(),
            bearer_error: None,
            allow: None,
            retry_after: None,
            request: None,
            source: None,
        }))
    }

    pub(crate) fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.0.source = Some(source.into());
        self
    }

    pub(crate) fn with_details(mut self, details: Vec<FieldIssue>) -> Self {
        self.0.details = details;
        self
    }

    /// The fields the error is about, comma-separated, as a log may show
    /// them: never a value, and a name the client made up (an unknown
    /// field) only as far as it looks like a field name.
    pub(crate) fn fields_for_log(&self) -> String {
        let names: Vec<&str> = self
            .0
            .details
            .iter()
            .map(|issue| loggable_field(issue.field()))
            .collect();
        names.join(",")
    }

    /// Binds the error to a request, for an error rendered outside the
    /// request's scope (after a panic).
    pub(crate) fn for_request(mut self, ids: RequestIds) -> Self {
        self.0.request = Some(ids);
        self
    }

    pub(crate) fn invalid_token(message: impl Into<String>) -> Self {
        let mut error = Self::new(ErrorKind::Authentication, message);
        error.0.bearer_error = Some("invalid_token");
        error
    }

    pub(crate) fn rate_limited(message: impl Into<String>, retry_after_seconds: u64) -> Self {
        let mut error = Self::new(ErrorKind::RateLimit, message);
        error.0.retry_after = Some(retry_after_seconds);
        error
    }

    pub(crate) fn method_not_allowed(allow: &'static str) -> Self {
        let mut error = Self::new(
            ErrorKind::MethodNotAllowed,
            format!("this path supports only {allow}"),
        );
        error.0.allow = Some(allow);
        error
    }

    pub(crate) fn internal(source: impl Into<BoxError>) -> Self {
        Self::new(ErrorKind::Internal, "an unexpected error occurred").with_source(source)
    }

    /// The contract's name for the kind of failure, safe as a metric label.
    pub(crate) fn type_name(&self) -> &'static str {
        self.0.kind.type_name()
    }

    /// The cause, for the log.
    pub(crate) fn cause(&self) -> Option<&(dyn StdError + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}

/// A field name as the request spelt it, if it is short and made of what
/// the contract's field names are made of; a stand-in otherwise.
fn loggable_field(field: &str) -> &str {
    let looks_like_a_field = (1..=64).contains(&field.len())
        && field
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.[]".contains(&b));
    if looks_like_a_field {
        field
    } else {
        "[unrecognised]"
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.0.kind.type_name(), self.0.message)
    }
}

/// The body of every response that is not a success.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorBody<'a> {
    error: ErrorPayload<'a>,
}

/// What went wrong, for a person (`message`) and for a program (`type`,
/// `field`, `details`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Error)]
pub(crate) struct ErrorPayload<'a> {
    #[serde(rename = "type")]
    #[schema(schema_with = kind::type_schema)]
    kind: &'static str,
    /// What went wrong, in words for a person; never internals.
    message: &'a str,
    /// The status of the response.
    #[schema(minimum = 400, maximum = 599)]
    status_code: u16,
    /// The first offending field, when the error names fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    field: Option<&'a str>,
    /// Every offending field; absent when the error names none.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    #[schema(min_items = 1)]
    details: &'a [FieldIssue],
    /// The service's own id of the request, under which its logs and audit
    /// events are filed: the `x-request-id` header too, unless the client
    /// sent its own. Null only when the failure happened outside any
    /// request.
    #[schema(required = true)]
    request_id: Option<String>,
}

impl ApiError {
    /// The body this error is sent with.
    pub(crate) fn body(&self, request_id: Option<String>) -> ErrorBody<'_> {
        let parts = &self.0;
        ErrorBody {
            error: ErrorPayload {
                kind: parts.kind.type_name(),
                message: &parts.message,
                status_code: parts.kind.status().as_u16(),
                field: parts.details.first().map(FieldIssue::field),
                details: &parts.details,
                request_id,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.kind.status()
    }

    fn error_response(&self) -> HttpResponse {
        let parts = &self.0;
        let mut response = HttpResponse::build(self.status_code());
        match parts.kind {
            ErrorKind::Authentication => {
                let challenge = match parts.bearer_error {
                    Some(code) => format!("Bearer realm=\"doorman\", error=\"{code}\""),
                    None => "Bearer realm=\"doorman\"".to_owned(),
                };
                response.insert_header((header::WWW_AUTHENTICATE, challenge));
            }
            ErrorKind::ServiceUnavailable => {
                response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS));
            }
            ErrorKind::RateLimit => {
                let seconds = parts.retry_after.unwrap_or(u64::from(RETRY_AFTER_SECONDS));
                response.insert_header((header::RETRY_AFTER, seconds));
            }
            _ => {}
        }
        if let Some(allow) = parts.allow {
            response.insert_header((header::ALLOW, HeaderValue::from_static(allow)));
        }
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        let ids = parts
            .request
            .clone()
            .or_else(request_context::current_request_ids);
        if let Some(echoed) = ids
            .as_ref()
            .and_then(|ids| HeaderValue::from_str(ids.echoed()).ok())
        {
            response.insert_header((request_context::REQUEST_ID_HEADER, echoed));
        }
        response.json(self.body(ids.map(|ids| ids.ours)))
    }
}
