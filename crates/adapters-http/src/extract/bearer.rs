//! `Authorization: Bearer <access token>`.

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::web::Data;
use actix_web::{FromRequest, HttpRequest};
use domain::auth::AccessClaims;
use domain::user::User;
use futures_util::future::LocalBoxFuture;

use crate::error::{ApiError, ErrorKind};
use crate::server::ApiState;

/// The verified claims of the request's bearer token, whose session is
/// live.
pub(crate) struct Authenticated(pub AccessClaims);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let presented = bearer_token(request);
        Box::pin(async move {
            let (state, token) = presented?;
            Ok(Authenticated(state.auth.authenticate(&token).await?))
        })
    }
}

/// The caller's own account, read together with the check that the
/// bearer token's session is live.
pub(crate) struct AuthenticatedAccount(pub User);

impl FromRequest for AuthenticatedAccount {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let presented = bearer_token(request);
        Box::pin(async move {
            let (state, token) = presented?;
            Ok(AuthenticatedAccount(
                state.auth.authenticate_account(&token).await?,
            ))
        })
    }
}

/// The service state and the token of the `Authorization` header.
fn bearer_token(request: &HttpRequest) -> Result<(Data<ApiState>, String), ApiError> {
    let state = request
        .app_data::<Data<ApiState>>()
        .ok_or_else(|| ApiError::internal("the API state is not configured"))?;
    let header = request.headers().get(AUTHORIZATION).ok_or_else(|| {
        ApiError::new(
            ErrorKind::Authentication,
            "an access token is required (Authorization: Bearer <token>)",
        )
    })?;
    let token = header
        .to_str()
        .ok()
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            ApiError::invalid_token("the Authorization header must be `Bearer <token>`")
        })?;
    Ok((state.clone(), token.to_owned()))
}
