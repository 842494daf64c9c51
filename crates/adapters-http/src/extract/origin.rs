//! Where a request came from, for the attempt counters and the audit trail.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::USER_AGENT;
use actix_web::web::Data;
use actix_web::{FromRequest, HttpRequest};
use domain::audit::Origin;

use crate::error::ApiError;
use crate::request_context::current_request_ids;
use crate::server::ApiState;

/// The request's ids, client address and `User-Agent`.
pub(crate) struct RequestOrigin(pub Origin);

impl FromRequest for RequestOrigin {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(origin(request).map(RequestOrigin))
    }
}

fn origin(request: &HttpRequest) -> Result<Origin, ApiError> {
    let state = request
        .app_data::<Data<ApiState>>()
        .ok_or_else(|| ApiError::internal("the API state is not configured"))?;
    let user_agent = request
        .headers()
        .get(USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(|agent| {
            agent
                .chars()
                .take(Origin::MAX_USER_AGENT_CHARS)
                .collect::<String>()
        })
        .filter(|agent| !agent.is_empty());
    let ids = current_request_ids();
    Ok(Origin {
        request_id: ids.as_ref().map(|ids| ids.ours.clone()),
        client_request_id: ids.and_then(|ids| ids.client),
        ip: state.trusted_proxies.client_ip_of(request),
        user_agent,
    })
}
