//! `/v1/users` for administrators: list, read, change, delete, unlock.

use actix_web::HttpResponse;
use actix_web::web::{Data, Path};
use app::admin::{UserChange, UserQuery};
use domain::user::{AccountField, DisplayName, Email, Role, UserChanges, UserFilter, UserStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::listing::{Cursor, PageSize, cursor, limit};
use super::user_body::{RoleBody, StatusBody, UserEnvelope, UserResponseBody, user_response};
use crate::error::{ApiError, FieldIssue};
use crate::extract::{
    Authenticated, FromField, IfMatch, Parsed, QueryParams, RequestOrigin, ValidatedJson,
};
use crate::fields::wire_name;
use crate::openapi::{
    BadRequest, Conflict, Forbidden, InternalError, NotFound, PayloadTooLarge, PreconditionFailed,
    ServiceUnavailable, Unauthorized, UnsupportedMediaType,
};
use crate::server::ApiState;

/// `GET /v1/users` query parameters.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListUsersParams {
    /// Accounts per page.
    #[validate(custom(function = "Parsed::check"))]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 20)]
    limit: Option<Parsed<PageSize>>,
    /// `nextCursor` of the previous page, with the same filters.
    #[validate(custom(function = "Parsed::check"))]
    #[param(value_type = Option<String>)]
    cursor: Option<Parsed<Cursor>>,
    /// Only accounts whose email address starts with this, in any letter
    /// case.
    #[validate(custom(function = "Parsed::check"))]
    #[param(value_type = Option<String>, min_length = 1, max_length = 254)]
    email: Option<Parsed<EmailPrefix>>,
    /// Only accounts with this role.
    #[validate(custom(function = "Parsed::check"))]
    #[param(value_type = Option<RoleBody>)]
    role: Option<Parsed<Role>>,
    /// Only accounts with this status.
    #[validate(custom(function = "Parsed::check"))]
    #[param(value_type = Option<StatusBody>)]
    status: Option<Parsed<UserStatus>>,
}

impl ListUsersParams {
    fn into_query(self) -> Result<UserQuery, ApiError> {
        Ok(UserQuery {
            filter: UserFilter {
                email_prefix: self
                    .email
                    .map(Parsed::into_value)
                    .transpose()?
                    .map(|prefix| prefix.0),
                role: self.role.map(Parsed::into_value).transpose()?,
                status: self.status.map(Parsed::into_value).transpose()?,
            },
            limit: limit(self.limit)?,
            cursor: cursor(self.cursor)?,
        })
    }
}

/// The start of an email address: 1 to as many characters as an address
/// may have, without control characters.
#[derive(Debug)]
struct EmailPrefix(String);

impl FromField for EmailPrefix {
    fn from_field(text: String) -> Result<Self, String> {
        let count = text.chars().count();
        if count == 0 || count > Email::MAX_CHARS || text.chars().any(char::is_control) {
            return Err(format!(
                "must be 1 to {} characters, without control characters",
                Email::MAX_CHARS
            ));
        }
        Ok(Self(text))
    }
}

/// A change of an account, by an administrator: `PATCH /v1/users/{id}`.
/// At least one field; an absent or null field stays as it is.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"role": "admin"}))]
pub(crate) struct UpdateUserRequest {
    /// Trimmed; no control characters.
    #[validate(custom(function = "Parsed::check"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100)]
    display_name: Option<Parsed<DisplayName>>,
    /// Demoting the last active administrator is a 409.
    #[validate(custom(function = "Parsed::check"))]
    #[schema(value_type = Option<RoleBody>)]
    role: Option<Parsed<Role>>,
    /// Disabling an account ends its sessions; disabling the last active
    /// administrator is a 409.
    #[validate(custom(function = "Parsed::check"))]
    #[schema(value_type = Option<StatusBody>)]
    status: Option<Parsed<UserStatus>>,
}

impl UpdateUserRequest {
    fn into_changes(self) -> Result<UserChanges, ApiError> {
        let changes = UserChanges {
            display_name: self.display_name.map(Parsed::into_value).transpose()?,
            role: self.role.map(Parsed::into_value).transpose()?,
            status: self.status.map(Parsed::into_value).transpose()?,
        };
        if changes.is_empty() {
            return Err(ApiError::validation(vec![FieldIssue::new(
                wire_name(AccountField::DisplayName),
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
    params: QueryParams<ListUsersParams>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .admin
        .list_users(&caller, params.into_valid()?.into_query()?)
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
// The token is the first extractor: one refused without a lookup answers
// before the path is parsed, so strangers learn nothing, not even which ids
// are well-formed.
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
/// Disabling an account, or changing its role, ends its sessions. The last
/// active administrator can be neither demoted nor disabled (409). An
/// administrator demoted or disabled while the change waited changes
/// nothing (403). For administrators.
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
    ValidatedJson(body): ValidatedJson<UpdateUserRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let change = UserChange {
        changes: body.into_changes()?,
        expected_version: if_match.expected_version()?,
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
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let expected_version = if_match.expected_version()?;
    state
        .admin
        .delete_user(&caller, id.into_inner().into(), expected_version, &origin)
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
        .admin
        .unlock(&caller, id.into_inner().into(), &origin)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
