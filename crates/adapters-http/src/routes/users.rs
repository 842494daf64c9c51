//! `/v1/users`: accounts.

use actix_web::http::header::IF_MATCH;
use actix_web::web::{Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use app::auth::PasswordChange;
use app::users::ProfileChange;
use domain::password::{NewPassword, Password};
use domain::user::DisplayName;
use serde::Deserialize;
use uuid::Uuid;
use validator::Validate;

use super::rules::{self, parsed};
use super::user_body::user_response;
use crate::error::{ApiError, ErrorKind};
use crate::extract::{Authenticated, RequestOrigin, ValidatedJson};
use crate::server::ApiState;

/// `PATCH /v1/users/me`.
#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct UpdateMeRequest {
    #[validate(custom(function = "rules::display_name"))]
    display_name: String,
}

/// `POST /v1/users/me/password`. Holds passwords: no `Debug`.
#[derive(Deserialize, Validate)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ChangePasswordRequest {
    #[validate(custom(function = "rules::password"))]
    current_password: String,
    #[validate(custom(function = "rules::new_password"))]
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

pub(super) async fn get_me(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let user = state.users.get_me(&caller).await?;
    Ok(user_response(&user))
}

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

// The caller is authenticated before the path is parsed, so that strangers
// learn nothing, not even which ids are well-formed.
pub(super) async fn get_user(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
    id: Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let user = state
        .users
        .get_user(&caller, id.into_inner().into())
        .await?;
    Ok(user_response(&user))
}

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

/// The version named by `If-Match`: none when the header is absent or `*`.
/// Anything else than one strong entity tag of ours can match no version,
/// so it fails the precondition rather than being ignored.
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
