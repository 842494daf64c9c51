//! `/v1/users/me/sessions`: the caller's sign-in sessions.

use std::net::IpAddr;

use actix_web::HttpResponse;
use actix_web::web::{Data, Path};
use domain::session::Session;
use serde::Serialize;
use time::macros::datetime;
use time::{OffsetDateTime, UtcOffset};
use utoipa::ToSchema;
use uuid::{Uuid, uuid};

use crate::error::ApiError;
use crate::extract::{Authenticated, RequestOrigin};
use crate::openapi::{BadRequest, InternalError, NotFound, ServiceUnavailable, Unauthorized};
use crate::server::ApiState;

/// The caller's live sessions, the newest first.
#[derive(Serialize, ToSchema)]
#[schema(as = SessionList)]
struct SessionListBody {
    items: Vec<SessionBody>,
}

/// A sign-in session: it lives from a sign-in until it expires or ends.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Session, example = SessionBody::example)]
struct SessionBody {
    id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// When the session was last refreshed.
    #[serde(with = "time::serde::rfc3339")]
    last_used_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    /// The `User-Agent` of the sign-in, if it sent one.
    #[schema(required = true)]
    user_agent: Option<String>,
    /// The client's IPv4 or IPv6 address at sign-in, if known.
    #[schema(value_type = Option<String>, required = true)]
    ip: Option<IpAddr>,
    /// Whether this is the session of the access token of the request.
    current: bool,
}

impl SessionBody {
    /// The example of the OpenAPI document.
    fn example() -> Self {
        Self {
            id: uuid!("0193a5c2-9d04-7e61-8a3b-6c1f2e4d5a70"),
            created_at: datetime!(2026-11-27 09:00:00.123456 UTC),
            last_used_at: datetime!(2026-11-27 09:14:02.5 UTC),
            expires_at: datetime!(2026-12-27 09:00:00.123456 UTC),
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64)".to_owned()),
            ip: Some(IpAddr::from([203, 0, 113, 7])),
            current: true,
        }
    }

    fn new(session: Session, current: bool) -> Self {
        Self {
            id: session.id.as_uuid(),
            created_at: session.created_at.to_offset(UtcOffset::UTC),
            last_used_at: session.last_used_at.to_offset(UtcOffset::UTC),
            expires_at: session.expires_at.to_offset(UtcOffset::UTC),
            user_agent: session.user_agent,
            ip: session.ip,
            current,
        }
    }
}

/// The caller's live sessions.
#[utoipa::path(
    get,
    path = "/v1/users/me/sessions",
    tag = "Account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's live sessions, the newest first.",
            body = SessionListBody),
        (status = 401, response = Unauthorized),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub(super) async fn list_sessions(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let sessions = state.auth.list_sessions(&caller).await?;
    let items = sessions
        .into_iter()
        .map(|session| {
            let current = session.id == caller.session_id;
            SessionBody::new(session, current)
        })
        .collect();
    Ok(HttpResponse::Ok().json(SessionListBody { items }))
}

/// Ends one of the caller's sessions.
///
/// Its tokens stop working at once. Another account's session is a 404.
#[utoipa::path(
    delete,
    path = "/v1/users/me/sessions/{id}",
    tag = "Account",
    params(("id" = Uuid, Path, description = "The session's id.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The session has ended."),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub(super) async fn end_session(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
    RequestOrigin(origin): RequestOrigin,
    id: Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state
        .auth
        .end_session(&caller, id.into_inner().into(), &origin)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
