//! `/v1/users/me`: the caller's own account.

use actix_web::HttpResponse;
use actix_web::web::Data;
use app::auth::PasswordChange;
use app::users::ProfileChange;
use domain::password::{NewPassword, Password};
use domain::user::DisplayName;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::user_body::{UserEnvelope, user_response};
use crate::error::ApiError;
use crate::extract::{
    Authenticated, AuthenticatedAccount, IfMatch, Parsed, RequestOrigin, ValidatedJson,
};
use crate::openapi::{
    BadRequest, Forbidden, InternalError, PayloadTooLarge, PreconditionFailed, ServiceUnavailable,
    TooManyRequests, Unauthorized, UnsupportedMediaType,
};
use crate::server::ApiState;

/// A change of the caller's profile: `PATCH /v1/users/me`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"displayName": "Ada Lovelace"}))]
pub(crate) struct UpdateMeRequest {
    /// Trimmed; no control characters.
    #[validate(custom(function = "Parsed::check"))]
    #[schema(value_type = String, min_length = 1, max_length = 100)]
    display_name: Parsed<DisplayName>,
}

/// A password change: `POST /v1/users/me/password`.
// Holds passwords: no `Debug`.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({
    "currentPassword": "correct horse battery staple",
    "newPassword": "purple monkey dishwasher lagoon"
}))]
pub(crate) struct ChangePasswordRequest {
    /// A wrong one counts as a failed sign-in.
    #[validate(custom(function = "Parsed::check"))]
    #[schema(value_type = String, format = Password, min_length = 1, max_length = 256)]
    current_password: Parsed<Password>,
    /// Refused when it is the current one, too easy to guess, or close to
    /// the email address or the display name.
    #[validate(custom(function = "Parsed::check"))]
    #[schema(value_type = String, format = Password, min_length = 10, max_length = 256)]
    new_password: Parsed<NewPassword>,
}

impl ChangePasswordRequest {
    fn into_domain(self) -> Result<PasswordChange, ApiError> {
        Ok(PasswordChange {
            current: self.current_password.into_value()?,
            new: self.new_password.into_value()?,
        })
    }
}

/// The caller's account.
#[utoipa::path(
    get,
    path = "/v1/users/me",
    tag = "Account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's account.", body = UserEnvelope,
            headers(("ETag" = String, description = "The account's version: `\"3\"`."))),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub(super) async fn get_me(AuthenticatedAccount(user): AuthenticatedAccount) -> HttpResponse {
    user_response(&user)
}

/// Changes the caller's display name.
#[utoipa::path(
    patch,
    path = "/v1/users/me",
    tag = "Account",
    request_body = UpdateMeRequest,
    params(IfMatch),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account as changed, one version later.",
            body = UserEnvelope,
            headers(("ETag" = String, description = "The account's new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub(super) async fn update_me(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
    RequestOrigin(origin): RequestOrigin,
    ValidatedJson(body): ValidatedJson<UpdateMeRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let change = ProfileChange {
        display_name: body.display_name.into_value()?,
        expected_version: if_match.expected_version()?,
    };
    let user = state.users.update_me(&caller, change, &origin).await?;
    Ok(user_response(&user))
}

/// Changes the caller's password.
///
/// Ends every other session of the account. A wrong current password counts
/// as a failed sign-in: repeated ones lock sign-ins for a while (429).
#[utoipa::path(
    post,
    path = "/v1/users/me/password",
    tag = "Account",
    request_body = ChangePasswordRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The password has changed; only this session is left."),
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
pub(super) async fn change_password(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
    RequestOrigin(origin): RequestOrigin,
    ValidatedJson(body): ValidatedJson<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    state
        .auth
        .change_password(&caller, body.into_domain()?, &origin)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
