//! The error responses: one reusable component per status, each with the
//! body that the code sends as its example.

use app::error::{AppError, AuthFailure, Conflict as ConflictReason, Forbidden as ForbiddenReason};
use domain::user::EmailError;
use time::Duration;
use utoipa::openapi::{
    ContentBuilder, Header, HeaderBuilder, ObjectBuilder, Ref, RefOr, Response, ResponseBuilder,
    Type,
};
use utoipa::{ToResponse, ToSchema};

use crate::error::{ApiError, ErrorBody, FieldIssue};
use crate::extract::{not_json, too_large};

/// The request id of the examples.
const EXAMPLE_REQUEST_ID: &str = "0193a5c2-7b1e-7c3a-9f4e-2d8b6a1c0e55";

/// Declares a marker type per error response, which names its component:
/// the description, an error whose body is the example, and the headers.
macro_rules! error_responses {
    ($(
        $(#[$doc:meta])*
        $marker:ident => $description:literal, $error:expr
        $(, $header:literal: $header_type:expr => $header_description:literal)*;
    )*) => {$(
        $(#[$doc])*
        pub(crate) struct $marker;

        impl<'r> ToResponse<'r> for $marker {
            fn response() -> (&'r str, RefOr<Response>) {
                let response = error_response($description, &$error)
                    $(.header($header, header($header_type, $header_description)))*;
                (stringify!($marker), response.build().into())
            }
        }
    )*};
}

error_responses! {
    /// 400 `ValidationError`.
    BadRequest => "The request is malformed, has unknown fields or breaks a rule \
        (`ValidationError`); `field` and `details` name the offending fields, if any.",
        ApiError::validation(vec![FieldIssue::new("email", EmailError::Invalid.to_string())]);
    /// 401 `AuthenticationError`.
    Unauthorized => "The access token is missing, invalid, expired or of an ended session, \
        or the credentials are wrong (`AuthenticationError`).",
        ApiError::from(AppError::Unauthenticated(AuthFailure::TokenExpired)),
        "WWW-Authenticate": Type::String => "`Bearer realm=\"doorman\"`, with \
            `error=\"invalid_token\"` when a token was presented and refused.";
    /// 403 `ForbiddenError`.
    Forbidden => "The caller may not do this: the account is disabled, or the route is for \
        administrators (`ForbiddenError`).",
        ApiError::from(AppError::Forbidden(ForbiddenReason::AdminOnly));
    /// 404 `NotFoundError`.
    NotFound => "There is no such resource (`NotFoundError`).",
        ApiError::from(AppError::NotFound("user"));
    /// 405 `MethodNotAllowedError`.
    MethodNotAllowed => "The path does not support this method (`MethodNotAllowedError`).",
        ApiError::method_not_allowed("GET"),
        "Allow": Type::String => "The methods that the path supports.";
    /// 409 `ConflictError`.
    Conflict => "The request conflicts with the current state (`ConflictError`).",
        ApiError::from(AppError::Conflict(ConflictReason::EmailTaken));
    /// 412 `PreconditionFailedError`.
    PreconditionFailed => "`If-Match` names another version than the current one \
        (`PreconditionFailedError`).",
        ApiError::from(AppError::PreconditionFailed { current: 3 });
    /// 413 `PayloadTooLargeError`.
    PayloadTooLarge => "The request body is over 64 KiB (`PayloadTooLargeError`).",
        too_large();
    /// 415 `UnsupportedMediaTypeError`.
    UnsupportedMediaType => "The request body is not `application/json` in UTF-8 \
        (`UnsupportedMediaTypeError`).",
        not_json();
    /// 429 `RateLimitError`.
    TooManyRequests => "Too many attempts (`RateLimitError`).",
        ApiError::from(AppError::RateLimited { retry_after: Duration::seconds(30) }),
        "Retry-After": Type::Integer => "Seconds to wait before trying again.";
    /// 500 `InternalError`.
    InternalError => "Something unexpected failed (`InternalError`); the message is \
        generic, and the cause is logged with the request id.",
        ApiError::internal("the cause, for the log only");
    /// 503 `ServiceUnavailableError`.
    ServiceUnavailable => "The database is unreachable or saturated \
        (`ServiceUnavailableError`); trying later may succeed.",
        ApiError::from(AppError::Unavailable("the cause, for the log only".into())),
        "Retry-After": Type::Integer => "Seconds to wait before trying again.";
}

fn error_response(description: &str, error: &ApiError) -> ResponseBuilder {
    let example = serde_json::to_value(error.body(Some(EXAMPLE_REQUEST_ID.to_owned()))).ok();
    ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(ErrorBody::name())))
            .example(example)
            .build(),
    )
}

fn header(schema_type: Type, description: &str) -> Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(schema_type))
        .description(Some(description))
        .build()
}
