//! The user resource as every route returns it.

use actix_web::HttpResponse;
use actix_web::http::header::{ETAG, HeaderName};
use domain::user::User;
use serde::Serialize;
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

/// `{"user": {...}}`.
#[derive(Serialize)]
pub(super) struct UserEnvelope {
    user: UserResponseBody,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UserResponseBody {
    id: Uuid,
    email: String,
    display_name: String,
    role: &'static str,
    status: &'static str,
    email_verified: bool,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
    version: i64,
}

impl From<&User> for UserResponseBody {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.as_uuid(),
            email: user.email.as_str().to_owned(),
            display_name: user.display_name.as_str().to_owned(),
            role: user.role.as_str(),
            status: user.status.as_str(),
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
