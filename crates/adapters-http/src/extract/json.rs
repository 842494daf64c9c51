//! JSON request bodies: content type, size, shape and rules.

use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::error::{ApiError, ErrorKind};
use crate::server::BodyTimeout;

/// A JSON body that was `application/json`, at most the configured size
/// (64 KiB, refused from `Content-Length` before it is read), well-formed,
/// without unknown fields, and valid by its rules.
pub(crate) struct ValidatedJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidatedJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = is_json(request);
        let timeout = request.app_data::<BodyTimeout>().map(|timeout| timeout.0);
        // Reads at most the `PayloadConfig` limit, and nothing when the
        // declared length is already over it.
        let body = Bytes::from_request(request, payload);
        Box::pin(async move {
            if !is_json {
                return Err(not_json());
            }
            let body = match timeout {
                Some(timeout) => tokio::time::timeout(timeout, body)
                    .await
                    .map_err(|_| too_slow(timeout))?,
                None => body.await,
            };
            let bytes = body.map_err(|error| payload_error(&error))?;
            // serde would also take a struct from a JSON array.
            if bytes.trim_ascii_start().first() != Some(&b'{') {
                return Err(ApiError::new(
                    ErrorKind::Validation,
                    "the request body must be a JSON object",
                ));
            }
            let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
            let value: T = serde_path_to_error::deserialize(&mut deserializer)?;
            deserializer
                .end()
                .map_err(|error| ApiError::invalid_json(&error))?;
            value.validate()?;
            Ok(Self(value))
        })
    }
}

/// `application/json` or `application/<something>+json`, in UTF-8.
fn is_json(request: &HttpRequest) -> bool {
    let Ok(Some(mime)) = request.mime_type() else {
        return false;
    };
    let json_type = mime.type_() == "application"
        && (mime.subtype() == "json" || mime.suffix().is_some_and(|suffix| suffix == "json"));
    let utf8 = mime
        .get_param("charset")
        .is_none_or(|charset| charset.as_str().eq_ignore_ascii_case("utf-8"));
    json_type && utf8
}

fn payload_error(error: &actix_web::Error) -> ApiError {
    match error.as_error::<PayloadError>() {
        Some(PayloadError::Overflow) => too_large(),
        _ => ApiError::new(ErrorKind::Validation, "the request body could not be read")
            .with_source(error.to_string()),
    }
}

/// The 415 for a body that is not JSON.
pub(crate) fn not_json() -> ApiError {
    ApiError::new(
        ErrorKind::UnsupportedMediaType,
        "the request body must be application/json",
    )
}

/// The 408 for a body that did not arrive in time.
fn too_slow(timeout: Duration) -> ApiError {
    ApiError::new(
        ErrorKind::RequestTimeout,
        format!(
            "the request body did not arrive within {} seconds",
            timeout.as_secs()
        ),
    )
}

/// The 413 for a body over the limit.
pub(crate) fn too_large() -> ApiError {
    ApiError::new(
        ErrorKind::PayloadTooLarge,
        "the request body is larger than 64 KiB",
    )
}
