//! `/v1/auth`: registration, sign-in, refresh and sign-out.

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, LOCATION};
use actix_web::web::Data;
use app::auth::{Credentials, Registration, SignedIn};
use domain::password::{NewPassword, Password};
use domain::session::RefreshToken;
use domain::user::{DisplayName, Email};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use validator::Validate;

use super::rules::{self, parsed};
use super::user_body::{UserEnvelope, UserResponseBody, etag};
use crate::error::ApiError;
use crate::extract::{Authenticated, RequestOrigin, ValidatedJson};
use crate::server::ApiState;

/// `POST /v1/auth/register`. Holds a password: no `Debug`.
#[derive(Deserialize, Validate)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct RegisterUserRequest {
    #[validate(custom(function = "rules::email"))]
    email: String,
    #[validate(custom(function = "rules::new_password"))]
    password: String,
    #[validate(custom(function = "rules::display_name"))]
    display_name: String,
}

impl RegisterUserRequest {
    fn try_into_domain(self) -> Result<Registration, ApiError> {
        Ok(Registration {
            email: parsed("email", Email::parse(&self.email))?,
            password: parsed("password", NewPassword::parse(self.password))?,
            display_name: parsed("displayName", DisplayName::parse(&self.display_name))?,
        })
    }
}

/// `POST /v1/auth/login`. Holds a password: no `Debug`.
#[derive(Deserialize, Validate)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct LoginRequest {
    #[validate(custom(function = "rules::email"))]
    email: String,
    #[validate(custom(function = "rules::password"))]
    password: String,
}

impl LoginRequest {
    fn try_into_domain(self) -> Result<Credentials, ApiError> {
        Ok(Credentials {
            email: parsed("email", Email::parse(&self.email))?,
            password: parsed("password", Password::parse(self.password))?,
        })
    }
}

/// `POST /v1/auth/refresh` and `POST /v1/auth/logout`. Holds a token: no
/// `Debug`.
#[derive(Deserialize, Validate)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct RefreshTokenRequest {
    #[validate(custom(function = "rules::refresh_token"))]
    refresh_token: String,
}

impl RefreshTokenRequest {
    fn try_into_domain(self) -> Result<RefreshToken, ApiError> {
        parsed("refreshToken", RefreshToken::parse(&self.refresh_token))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenResponseBody {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    refresh_token: String,
    user: UserResponseBody,
}

/// 200 with the token pair; never cached.
fn token_pair(signed_in: &SignedIn) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(TokenResponseBody {
            access_token: signed_in.access_token.token.expose_secret().to_owned(),
            token_type: "Bearer",
            expires_in: signed_in.access_token.lifetime.whole_seconds(),
            refresh_token: signed_in.refresh_token.expose(),
            user: (&signed_in.user).into(),
        })
}

pub(super) async fn register(
    state: Data<ApiState>,
    RequestOrigin(origin): RequestOrigin,
    ValidatedJson(request): ValidatedJson<RegisterUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = state
        .auth
        .register(request.try_into_domain()?, &origin)
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, format!("/v1/users/{}", user.id)))
        .insert_header(etag(&user))
        .json(UserEnvelope::from(&user)))
}

pub(super) async fn login(
    state: Data<ApiState>,
    RequestOrigin(origin): RequestOrigin,
    ValidatedJson(request): ValidatedJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let signed_in = state
        .auth
        .login(request.try_into_domain()?, &origin)
        .await?;
    Ok(token_pair(&signed_in))
}

pub(super) async fn refresh(
    state: Data<ApiState>,
    RequestOrigin(origin): RequestOrigin,
    ValidatedJson(request): ValidatedJson<RefreshTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = request.try_into_domain()?;
    let signed_in = state.auth.refresh(&token, &origin).await?;
    Ok(token_pair(&signed_in))
}

pub(super) async fn logout(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
    RequestOrigin(origin): RequestOrigin,
    ValidatedJson(request): ValidatedJson<RefreshTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = request.try_into_domain()?;
    state.auth.logout(&caller, &token, &origin).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub(super) async fn logout_all(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
    RequestOrigin(origin): RequestOrigin,
) -> Result<HttpResponse, ApiError> {
    state.auth.logout_all(&caller, &origin).await?;
    Ok(HttpResponse::NoContent().finish())
}
