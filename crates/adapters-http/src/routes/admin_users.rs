//! `/v1/users` for administrators: list, read, change, delete.

use actix_web::web::{Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use app::admin::{UserChange, UserQuery};
use domain::user::{DisplayName, Role, UserChanges, UserFilter, UserStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::listing::{cursor, limit};
use super::rules::{self, parsed};
use super::user_body::{RoleBody, StatusBody, UserEnvelope, UserResponseBody, user_response};
use super::users::{IfMatch, expected_version};
use crate::error::{ApiError, FieldIssue};
use crate::extract::{Authenticated, RequestOrigin, ValidatedJson};
use crate::openapi::{
    BadRequest, Conflict, Forbidden, InternalError, NotFound, PayloadTooLarge, PreconditionFailed,
    ServiceUnavailable, Unauthorized, UnsupportedMediaType,
};
use crate::server::ApiState;

/// The longest email prefix, in characters: an address's limit.
const MAX_EMAIL_PREFIX_CHARS: usize = 254;

/// `GET /v1/users` query parameters.
// Named in full: with the trait imported, the derived code would trip
// `unused_qualifications`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListUsersParams {
    /// Accounts per page.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 20)]
    limit: Option<String>,
    /// `nextCursor` of the previous page, with the same filters.
    cursor: Option<String>,
    /// Only accounts whose email address starts with this, in any letter
    /// case.
    #[param(min_length = 1, max_length = 254)]
    email: Option<String>,
    /// Only accounts with this role.
    #[param(value_type = Option<RoleBody>)]
    role: Option<String>,
    /// Only accounts with this status.
    #[param(value_type = Option<StatusBody>)]
    status: Option<String>,
}

impl ListUsersParams {
    fn try_into_query(self) -> Result<UserQuery, ApiError> {
        Ok(UserQuery {
            filter: UserFilter {
                email_prefix: self.email.map(email_prefix).transpose()?,
                role: self
                    .role
                    .map(|role| parsed("role", role.parse::<Role>()))
                    .transpose()?,
                status: self
                    .status
                    .map(|status| parsed("status", status.parse::<UserStatus>()))
                    .transpose()?,
            },
            limit: limit(self.limit.as_deref())?,
            cursor: self.cursor.map(cursor).transpose()?,
        })
    }
}

fn email_prefix(prefix: String) -> Result<String, ApiError> {
    let count = prefix.chars().count();
    if count == 0 || count > MAX_EMAIL_PREFIX_CHARS || prefix.chars().any(char::is_control) {
        return Err(ApiError::validation(vec![FieldIssue::new(
            "email",
            format!("must be 1 to {MAX_EMAIL_PREFIX_CHARS} characters, without control characters"),
        )]));
    }
    Ok(prefix)
}

/// A change of an account, by an administrator: `PATCH /v1/users/{id}`.
/// At least one field; an absent or null field stays as it is.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"role": "admin"}))]
pub(crate) struct UpdateUserRequest {
    /// Trimmed; no control characters.
    #[validate(custom(function = "rules::display_name"))]
    #[schema(min_length = 1, max_length = 100)]
    display_name: Option<String>,
    /// Demoting the last active administrator is a 409.
    #[schema(value_type = Option<RoleBody>)]
    role: Option<String>,
    /// Disabling an account ends its sessions; disabling the last active
    /// administrator is a 409.
    #[schema(value_type = Option<StatusBody>)]
    status: Option<String>,
}

impl UpdateUserRequest {
    fn try_into_changes(self) -> Result<UserChanges, ApiError> {
        let changes = UserChanges {
            display_name: self
                .display_name
                .map(|name| parsed("displayName", DisplayName::parse(&name)))
                .transpose()?,
            role: self
                .role
                .map(|role| parsed("role", role.parse::<Role>()))
                .transpose()?,
            status: self
                .status
                .map(|status| parsed("status", status.parse::<UserStatus>()))
                .transpose()?,
        };
        if changes.is_empty() {
            return Err(ApiError::validation(vec![FieldIssue::new(
                "displayName",
                "at least one of displayName, role and status is required",
            )]));
        }
        Ok(changes)
    }
}

/// A page of accounts, the newest first.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = UserPage)]
struct UserListBody {
    items: Vec<UserResponseBody>,
    /// The `cursor` of the next page; null on the last page.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// Lists accounts.
///
/// Newest first, a page at a time: pass `nextCursor` as `cursor` for the
/// next page, with the same filters (a cursor that the service did not
/// make for them is a 400). Unknown query parameters are a 400. For
/// administrators.
#[utoipa::path(
    get,
    path = "/v1/users",
    tag = "Users",
    params(ListUsersParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of accounts.", body = UserListBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub(super) async fn list_users(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
    Query(params): Query<ListUsersParams>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .admin
        .list_users(&caller, params.try_into_query()?)
        .await?;
    Ok(HttpResponse::Ok().json(UserListBody {
        items: page.items.iter().map(UserResponseBody::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Reads an account.
///
/// For administrators.
#[utoipa::path(
    get,
    path = "/v1/users/{id}",
    tag = "Users",
    params(("id" = Uuid, Path, description = "The account's id.")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account.", body = UserEnvelope,
            headers(("ETag" = String, description = "The account's version: `\"3\"`."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
// The caller is authenticated before the path is parsed, so that strangers
// learn nothing, not even which ids are well-formed.
pub(super) async fn get_user(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
    id: Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let user = state
        .admin
        .get_user(&caller, id.into_inner().into())
        .await?;
    Ok(user_response(&user))
}

/// Changes an account.
///
/// Disabling an account ends its sessions. The last active administrator
/// can be neither demoted nor disabled (409). For administrators.
#[utoipa::path(
    patch,
    path = "/v1/users/{id}",
    tag = "Users",
    request_body = UpdateUserRequest,
    params(
        ("id" = Uuid, Path, description = "The account's id."),
        IfMatch,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account as changed, one version later.",
            body = UserEnvelope,
            headers(("ETag" = String, description = "The account's new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub(super) async fn update_user(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
    RequestOrigin(origin): RequestOrigin,
    id: Path<Uuid>,
    request: HttpRequest,
    ValidatedJson(body): ValidatedJson<UpdateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let change = UserChange {
        changes: body.try_into_changes()?,
        expected_version: expected_version(&request)?,
    };
    let user = state
        .admin
        .update_user(&caller, id.into_inner().into(), change, &origin)
        .await?;
    Ok(user_response(&user))
}

/// Deletes an account.
///
/// Its sessions go with it. The last active administrator cannot be deleted
/// (409). For administrators.
#[utoipa::path(
    delete,
    path = "/v1/users/{id}",
    tag = "Users",
    params(
        ("id" = Uuid, Path, description = "The account's id."),
        IfMatch,
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The account and its sessions are gone."),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub(super) async fn delete_user(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
    RequestOrigin(origin): RequestOrigin,
    id: Path<Uuid>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    state
        .admin
        .delete_user(
            &caller,
            id.into_inner().into(),
            expected_version(&request)?,
            &origin,
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
