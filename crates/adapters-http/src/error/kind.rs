use actix_web::http::StatusCode;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

/// The `type` of an error body and the status that goes with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    Validation,
    Authentication,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PreconditionFailed,
    RequestTimeout,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimit,
    Internal,
    ServiceUnavailable,
}

impl ErrorKind {
    /// Every kind, for the OpenAPI document.
    pub(crate) const ALL: [Self; 13] = [
        Self::Validation,
        Self::Authentication,
        Self::Forbidden,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::Conflict,
        Self::PreconditionFailed,
        Self::RequestTimeout,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::RateLimit,
        Self::Internal,
        Self::ServiceUnavailable,
    ];

    pub(crate) fn type_name(self) -> &'static str {
        match self {
            Self::Validation => "ValidationError",
            Self::Authentication => "AuthenticationError",
            Self::Forbidden => "ForbiddenError",
            Self::NotFound => "NotFoundError",
            Self::MethodNotAllowed => "MethodNotAllowedError",
            Self::Conflict => "ConflictError",
            Self::PreconditionFailed => "PreconditionFailedError",
            Self::RequestTimeout => "RequestTimeoutError",
            Self::PayloadTooLarge => "PayloadTooLargeError",
            Self::UnsupportedMediaType => "UnsupportedMediaTypeError",
            Self::RateLimit => "RateLimitError",
            Self::Internal => "InternalError",
            Self::ServiceUnavailable => "ServiceUnavailableError",
        }
    }

    pub(crate) fn status(self) -> StatusCode {
        match self {
            Self::Validation => StatusCode::BAD_REQUEST,
            Self::Authentication => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimit => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The kind for a status that something other than this crate chose
    /// (actix-web's own responses), with a message fit for a client.
    pub(crate) fn for_status(status: StatusCode) -> (Self, &'static str) {
        match status {
            StatusCode::NOT_FOUND => (Self::NotFound, "no route matches this path"),
            StatusCode::METHOD_NOT_ALLOWED => (
                Self::MethodNotAllowed,
                "this path does not support this method",
            ),
            StatusCode::REQUEST_TIMEOUT => {
                (Self::RequestTimeout, "the request did not arrive in time")
            }
            StatusCode::PAYLOAD_TOO_LARGE => {
                (Self::PayloadTooLarge, "the request body is too large")
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                Self::UnsupportedMediaType,
                "the request body must be application/json",
            ),
            StatusCode::UNAUTHORIZED => (Self::Authentication, "authentication is required"),
            StatusCode::FORBIDDEN => (Self::Forbidden, "this is not allowed"),
            StatusCode::CONFLICT => (
                Self::Conflict,
                "the request conflicts with the current state",
            ),
            StatusCode::SERVICE_UNAVAILABLE => (
                Self::ServiceUnavailable,
                "the service is temporarily unavailable",
            ),
            status if status.is_client_error() => (Self::Validation, "the request is invalid"),
            _ => (Self::Internal, "an unexpected error occurred"),
        }
    }
}

/// The schema of the `type` of an error body: one name per kind.
pub(super) fn type_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(ErrorKind::ALL.map(ErrorKind::type_name)))
        .description(Some(
            "What kind of error, for a program to act on; each goes with one status.",
        ))
        .build()
}

#[cfg(test)]
mod tests {
    use super::ErrorKind;

    #[test]
    fn all_lists_every_kind_once() {
        for (position, kind) in ErrorKind::ALL.into_iter().enumerate() {
            // Exhaustive, so that a new kind cannot be left out of `ALL`.
            let expected = match kind {
                ErrorKind::Validation => 0,
                ErrorKind::Authentication => 1,
                ErrorKind::Forbidden => 2,
                ErrorKind::NotFound => 3,
                ErrorKind::MethodNotAllowed => 4,
                ErrorKind::Conflict => 5,
                ErrorKind::PreconditionFailed => 6,
                ErrorKind::RequestTimeout => 7,
                ErrorKind::PayloadTooLarge => 8,
                ErrorKind::UnsupportedMediaType => 9,
                ErrorKind::RateLimit => 10,
                ErrorKind::Internal => 11,
                ErrorKind::ServiceUnavailable => 12,
            };
            assert_eq!(position, expected, "{kind:?}");
        }
    }
}
