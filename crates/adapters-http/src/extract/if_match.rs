//! `If-Match`: the version a change is based on.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::IF_MATCH;
use actix_web::{FromRequest, HttpRequest};
use utoipa::IntoParams;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Required, Type};

use crate::error::{ApiError, ErrorKind};

/// The `If-Match` header, read. Its failure waits for the handler: actix-web
/// polls a handler's extractors together, and a malformed header must not
/// answer before the bearer token's session has been checked.
pub(crate) struct IfMatch(Result<Option<i64>, ApiError>);

impl IfMatch {
    /// The version the header names: none when it is absent or `*`.
    /// Anything else than one strong entity tag of ours can match no
    /// version, so it fails the precondition rather than being ignored.
    pub(crate) fn expected_version(self) -> Result<Option<i64>, ApiError> {
        self.0
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(IfMatch(expected_version(request))))
    }
}

fn expected_version(request: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = request.headers().get(IF_MATCH) else {
        return Ok(None);
    };
    let value = value.to_str().map(str::trim).unwrap_or_default();
    if value == "*" {
        return Ok(None);
    }
    value
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .and_then(|version| version.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::new(
                ErrorKind::PreconditionFailed,
                "If-Match must be the ETag of the resource, such as \"3\"",
            )
        })
}

// By hand: a derive would describe the struct's field, not the header.
impl IntoParams for IfMatch {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            ParameterBuilder::new()
                .name("If-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .description(Some(
                    "The `ETag` that the request is based on (`\"3\"`), or `*`. When it names \
                     another version than the current one, nothing changes and the answer is \
                     412.",
                ))
                .build(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn if_match_names_a_version_or_any() {
        let with = |value: &str| {
            let request = TestRequest::default()
                .insert_header((IF_MATCH, value))
                .to_http_request();
            expected_version(&request).ok()
        };

        assert_eq!(
            expected_version(&TestRequest::default().to_http_request()).ok(),
            Some(None)
        );
        assert_eq!(with("\"3\""), Some(Some(3)));
        assert_eq!(with(" \"12\" "), Some(Some(12)));
        assert_eq!(with("*"), Some(None));
        for unmatchable in ["3", "W/\"3\"", "\"three\"", "\"1\", \"2\"", ""] {
            assert_eq!(with(unmatchable), None, "{unmatchable:?}");
        }
    }
}
