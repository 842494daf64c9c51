//! `/v1/auth`: registration and sign-in.

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, LOCATION};
use actix_web::web::Data;
use app::auth::{Credentials, Registration};
use domain::password::{NewPassword, Password};
use domain::user::{DisplayName, Email};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use validator::Validate;

use super::rules::{self, parsed};
use super::user_body::{UserEnvelope, UserResponseBody, etag};
use crate::error::ApiError;
use crate::extract::ValidatedJson;
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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenResponseBody<'a> {
    access_token: &'a str,
    token_type: &'static str,
    expires_in: i64,
    user: UserResponseBody,
}

pub(super) async fn register(
    state: Data<ApiState>,
    ValidatedJson(request): ValidatedJson<RegisterUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = state.auth.register(request.try_into_domain()?).await?;
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, format!("/v1/users/{}", user.id)))
        .insert_header(etag(&user))
        .json(UserEnvelope::from(&user)))
}

pub(super) async fn login(
    state: Data<ApiState>,
    ValidatedJson(request): ValidatedJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let signed_in = state.auth.login(request.try_into_domain()?).await?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(TokenResponseBody {
            access_token: signed_in.access_token.token.expose_secret(),
            token_type: "Bearer",
            expires_in: signed_in.access_token.lifetime.whole_seconds(),
            user: (&signed_in.user).into(),
        }))
}
