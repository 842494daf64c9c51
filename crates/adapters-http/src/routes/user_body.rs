//! The user resource as every route returns it.

use actix_web::HttpResponse;
use actix_web::http::header::{ETAG, HeaderName};
use domain::user::{Role, User, UserStatus};
use serde::Serialize;
use time::macros::datetime;
use time::{OffsetDateTime, UtcOffset};
use utoipa::ToSchema;
use uuid::{Uuid, uuid};

/// `{"user": {...}}`.
#[derive(Serialize, ToSchema)]
pub(super) struct UserEnvelope {
    user: UserResponseBody,
}

/// An account. `ETag: "<version>"` goes with every response that holds
/// one account.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = User, example = UserResponseBody::example)]
pub(super) struct UserResponseBody {
    id: Uuid,
    /// As the owner typed it; unique in any letter case.
    #[schema(format = Email, max_length = 254)]
    email: String,
    #[schema(min_length = 1, max_length = 100)]
    display_name: String,
    role: RoleBody,
    status: StatusBody,
    email_verified: bool,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
    /// Goes up by one with every change.
    #[schema(minimum = 1)]
    version: i64,
}

/// What an account may do: a `user` manages only itself, an `admin` every
/// account.
#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = Role)]
pub(super) enum RoleBody {
    User,
    Admin,
}

impl From<Role> for RoleBody {
    fn from(role: Role) -> Self {
        match role {
            Role::User => Self::User,
            Role::Admin => Self::Admin,
        }
    }
}

/// Whether an account may sign in: a `disabled` one may not, and its tokens
/// are refused.
#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = UserStatus)]
pub(super) enum StatusBody {
    Active,
    Disabled,
}

impl From<UserStatus> for StatusBody {
    fn from(status: UserStatus) -> Self {
        match status {
            UserStatus::Active => Self::Active,
            UserStatus::Disabled => Self::Disabled,
        }
    }
}

impl UserResponseBody {
    /// The example of the OpenAPI document.
    pub(super) fn example() -> Self {
        Self {
            id: uuid!("0193a5c2-4f6e-7d3a-b1c8-5e2f9a0d7c41"),
            email: "ada@example.com".to_owned(),
            display_name: "Ada".to_owned(),
            role: RoleBody::User,
            status: StatusBody::Active,
            email_verified: false,
            created_at: datetime!(2026-11-27 09:00:00.123456 UTC),
            updated_at: datetime!(2026-11-27 09:00:00.123456 UTC),
            version: 1,
        }
    }
}

impl From<&User> for UserResponseBody {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.as_uuid(),
            email: user.email.as_str().to_owned(),
            display_name: user.display_name.as_str().to_owned(),
            role: user.role.into(),
            status: user.status.into(),
            email_verified: user.email_verified,
            created_at: user.created_at.to_offset(UtcOffset::UTC),
            updated_at: user.updated_at.to_offset(UtcOffset::UTC),
            version: user.version,
        }
    }
}

impl From<&User> for UserEnvelope {
    fn from(user: &User) -> Self {
        Self { user: user.into() }
    }
}

/// `ETag: "<version>"`, for single-user responses.
pub(super) fn etag(user: &User) -> (HeaderName, String) {
    (ETAG, format!("\"{}\"", user.version))
}

/// 200 with the user and its ETag.
pub(super) fn user_response(user: &User) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(etag(user))
        .json(UserEnvelope::from(user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_statuses_are_sent_in_the_domains_spelling() {
        for role in [Role::User, Role::Admin] {
            let sent = serde_json::to_value(RoleBody::from(role)).expect("serialises");
            assert_eq!(sent, role.as_str());
        }
        for status in [UserStatus::Active, UserStatus::Disabled] {
            let sent = serde_json::to_value(StatusBody::from(status)).expect("serialises");
            assert_eq!(sent, status.as_str());
        }
    }
}
