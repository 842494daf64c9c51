//! `/v1/users/me/sessions`: the caller's sign-in sessions.

use std::net::IpAddr;

use actix_web::HttpResponse;
use actix_web::web::{Data, Path};
use domain::session::Session;
use serde::Serialize;
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

use crate::error::ApiError;
use crate::extract::{Authenticated, RequestOrigin};
use crate::server::ApiState;

#[derive(Serialize)]
struct SessionListBody {
    items: Vec<SessionBody>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionBody {
    id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    last_used_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    user_agent: Option<String>,
    ip: Option<IpAddr>,
    current: bool,
}

impl SessionBody {
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
