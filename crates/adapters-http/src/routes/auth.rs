//! `/v1/auth`: registration, sign-in, refresh and sign-out.

use actix_web::HttpResponse;
use actix_web::http::header::LOCATION;
use actix_web::web::Data;
use app::auth::{Credentials, Registration};
use domain::device::DeviceToken;
use domain::password::{NewPassword, Password};
use domain::session::RefreshToken;
use domain::user::{DisplayName, Email};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::token_pair::{TokenResponseBody, token_pair};
use super::user_body::{UserEnvelope, etag};
use crate::error::ApiError;
use crate::extract::{Authenticated, Parsed, RequestOrigin, ValidatedJson};
use crate::openapi::{
    BadRequest, Conflict, Forbidden, InternalError, PayloadTooLarge, ServiceUnavailable,
    TooManyRequests, Unauthorized, UnsupportedMediaType,
};
use crate::server::ApiState;

/// A new account: `POST /v1/auth/register`.
// Holds a password: no `Debug`.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({
    "email": "ada@example.com", "password": "correct horse battery staple", "displayName": "Ada"
}))]
pub(crate) struct RegisterUserRequest {
    /// Trimmed; unique in any letter case.
    #[validate(custom(function = "Parsed::check"))]
    #[schema(value_type = String, format = Email, max_length = 254)]
    email: Parsed<Email>,
    /// Refused when it is too easy to guess, or close to the email address
    /// or the display name.
    #[validate(custom(function = "Parsed::check"))]
    #[schema(value_type = String, format = Password, min_length = 10, max_length = 256)]
    password: Parsed<NewPassword>,
    /// Trimmed; no control characters.
    #[validate(custom(function = "Parsed::check"))]
    #[schema(value_type = String, min_length = 1, max_length = 100)]
    display_name: Parsed<DisplayName>,
}

impl RegisterUserRequest {
    fn into_domain(self) -> Result<Registration, ApiError> {
        Ok(Registration {
            email: self.email.into_value()?,
            password: self.password.into_value()?,
            display_name: self.display_name.into_value()?,
        })
    }
}

/// Credentials: `POST /v1/auth/login`.
// Holds a password: no `Debug`.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"email": "ada@example.com", "password": "correct horse battery staple"}))]
pub(crate) struct LoginRequest {
    /// In any letter case.
    #[validate(custom(function = "Parsed::check"))]
    #[schema(value_type = String, format = Email, max_length = 254)]
    email: Parsed<Email>,
    #[validate(custom(function = "Parsed::check"))]
    #[schema(value_type = String, format = Password, min_length = 1, max_length = 256)]
    password: Parsed<Password>,
    /// The `deviceToken` of an earlier sign-in to this account, if the
    /// client kept it: failures through it count against this device only,
    /// so that the account's owner gets in while strangers are locked out.
    /// An unknown, expired or revoked token, or another account's, vouches
    /// for nothing (the sign-in is a stranger's), and is not an error.
    #[validate(custom(function = "Parsed::check"))]
    #[schema(value_type = Option<String>, pattern = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\.[A-Za-z0-9_-]{43}$",
        example = TokenResponseBody::example_device_token)]
    device_token: Option<Parsed<DeviceToken>>,
}

impl LoginRequest {
    fn into_domain(self) -> Result<Credentials, ApiError> {
        Ok(Credentials {
            email: self.email.into_value()?,
            password: self.password.into_value()?,
            device: self.device_token.map(Parsed::into_value).transpose()?,
        })
    }
}

/// A refresh token: `POST /v1/auth/refresh` and `POST /v1/auth/logout`.
// Holds a token: no `Debug`.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct RefreshTokenRequest {
    /// As the last sign-in or refresh returned it.
    #[validate(custom(function = "Parsed::check"))]
    #[schema(value_type = String,
        pattern = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\.[A-Za-z0-9_-]{43}$",
        example = TokenResponseBody::example_refresh_token)]
    refresh_token: Parsed<RefreshToken>,
}

impl RefreshTokenRequest {
    fn into_domain(self) -> Result<RefreshToken, ApiError> {
        self.refresh_token.into_value()
    }
}

/// Opens an account.
///
/// The account has role `user` and status `active`. Every attempt counts
/// against the client's address: too many in a while get 429.
#[utoipa::path(
    post,
    path = "/v1/auth/register",
    tag = "Authentication",
    request_body = RegisterUserRequest,
    responses(
        (status = 201, description = "The account was opened.", body = UserEnvelope,
            headers(
                ("Location" = String, description = "`/v1/users/{id}` of the new account."),
                ("ETag" = String, description = "The account's version: `\"1\"`."),
            )),
        (status = 400, response = BadRequest),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 429, response = TooManyRequests),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub(super) async fn register(
    state: Data<ApiState>,
    RequestOrigin(origin): RequestOrigin,
    ValidatedJson(request): ValidatedJson<RegisterUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = state.auth.register(request.into_domain()?, &origin).await?;
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, format!("/v1/users/{}", user.id)))
        .insert_header(etag(&user))
        .json(UserEnvelope::from(&user)))
}

/// Signs in.
///
/// Opens a session and returns its token pair. An unknown email address
/// and a wrong password get the same 401; a disabled account gets its 403
/// only after the password was right; repeated failures lock the address
/// and the client for a while (429).
#[utoipa::path(
    post,
    path = "/v1/auth/login",
    tag = "Authentication",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in.", body = TokenResponseBody,
            headers(("Cache-Control" = String, description = "`no-store`."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 429, response = TooManyRequests),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub(super) async fn login(
    state: Data<ApiState>,
    RequestOrigin(origin): RequestOrigin,
    ValidatedJson(request): ValidatedJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let signed_in = state.auth.login(request.into_domain()?, &origin).await?;
    Ok(token_pair(&signed_in))
}

/// Refreshes a session.
///
/// Returns a new token pair of the same session and replaces the refresh
/// token. For a few seconds the replaced token still yields a pair (two tabs
/// refreshing at once, a retried request); presenting it later ends the
/// whole session (401).
#[utoipa::path(
    post,
    path = "/v1/auth/refresh",
    tag = "Authentication",
    request_body = RefreshTokenRequest,
    responses(
        (status = 200, description = "The new token pair.", body = TokenResponseBody,
            headers(("Cache-Control" = String, description = "`no-store`."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub(super) async fn refresh(
    state: Data<ApiState>,
    RequestOrigin(origin): RequestOrigin,
    ValidatedJson(request): ValidatedJson<RefreshTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = request.into_domain()?;
    let signed_in = state.auth.refresh(&token, &origin).await?;
    Ok(token_pair(&signed_in))
}

/// Signs out.
///
/// Ends the caller's session that the refresh token belongs to (401 when
/// it belongs to none of the caller's live sessions).
#[utoipa::path(
    post,
    path = "/v1/auth/logout",
    tag = "Authentication",
    request_body = RefreshTokenRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The session has ended."),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub(super) async fn logout(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
    RequestOrigin(origin): RequestOrigin,
    ValidatedJson(request): ValidatedJson<RefreshTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = request.into_domain()?;
    state.auth.logout(&caller, &token, &origin).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Signs out everywhere.
///
/// Ends every session of the caller, this one included.
#[utoipa::path(
    post,
    path = "/v1/auth/logout-all",
    tag = "Authentication",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Every session of the caller has ended."),
        (status = 401, response = Unauthorized),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub(super) async fn logout_all(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
    RequestOrigin(origin): RequestOrigin,
) -> Result<HttpResponse, ApiError> {
    state.auth.logout_all(&caller, &origin).await?;
    Ok(HttpResponse::NoContent().finish())
}
