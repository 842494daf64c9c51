//! `/v1/users`: accounts.

use actix_web::http::header::IF_MATCH;
use actix_web::web::{Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use app::auth::PasswordChange;
use app::users::ProfileChange;
use domain::password::{NewPassword, Password};
use domain::user::DisplayName;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Required, Type};
use uuid::Uuid;
use validator::Validate;

use super::rules::{self, parsed};
use super::user_body::{UserEnvelope, user_response};
use crate::error::{ApiError, ErrorKind};
use crate::extract::{Authenticated, RequestOrigin, ValidatedJson};
use crate::openapi::{
    BadRequest, Forbidden, InternalError, NotFound, PayloadTooLarge, PreconditionFailed,
    ServiceUnavailable, TooManyRequests, Unauthorized, UnsupportedMediaType,
};
use crate::server::ApiState;

/// A change of the caller's profile: `PATCH /v1/users/me`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"displayName": "Ada Lovelace"}))]
pub(crate) struct UpdateMeRequest {
    /// Trimmed; no control characters.
    #[validate(custom(function = "rules::display_name"))]
    #[schema(min_length = 1, max_length = 100)]
    display_name: String,
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
    #[validate(custom(function = "rules::password"))]
    #[schema(format = Password, min_length = 1, max_length = 256)]
    current_password: String,
    /// Refused when it is the current one, too easy to guess, or close to
    /// the email address or the display name.
    #[validate(custom(function = "rules::new_password"))]
    #[schema(format = Password, min_length = 10, max_length = 256)]
    new_password: String,
}

impl ChangePasswordRequest {
    fn try_into_domain(self) -> Result<PasswordChange, ApiError> {
        Ok(PasswordChange {
            current: parsed("currentPassword", Password::parse(self.current_password))?,
            new: parsed("newPassword", NewPassword::parse(self.new_password))?,
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
pub(super) async fn get_me(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let user = state.users.get_me(&caller).await?;
    Ok(user_response(&user))
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
    request: HttpRequest,
    ValidatedJson(body): ValidatedJson<UpdateMeRequest>,
) -> Result<HttpResponse, ApiError> {
    let change = ProfileChange {
        display_name: parsed("displayName", DisplayName::parse(&body.display_name))?,
        expected_version: expected_version(&request)?,
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
        .change_password(&caller, body.try_into_domain()?, &origin)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Unlocks an account's sign-ins.
///
/// Clears the lockout of the account's email address after repeated failed
/// sign-ins. Locks on client addresses stay. For administrators.
#[utoipa::path(
    post,
    path = "/v1/users/{id}/unlock",
    tag = "Users",
    params(("id" = Uuid, Path, description = "The account's id.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The lockout is cleared."),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub(super) async fn unlock(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
    RequestOrigin(origin): RequestOrigin,
    id: Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state
        .auth
        .unlock(&caller, id.into_inner().into(), &origin)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The `If-Match` header that [`expected_version`] reads, for the OpenAPI
/// document.
pub(super) struct IfMatch;

// By hand: a derive would need a struct that is never built. The trait is
// named in full: imported, it would make the path macro's own full name trip
// `unused_qualifications`.
impl utoipa::IntoParams for IfMatch {
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

/// The version named by `If-Match`: none when the header is absent or `*`.
/// Anything else than one strong entity tag of ours can match no version,
/// so it fails the precondition rather than being ignored.
pub(super) fn expected_version(request: &HttpRequest) -> Result<Option<i64>, ApiError> {
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
