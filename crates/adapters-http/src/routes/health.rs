//! Liveness and readiness, for orchestrators and load balancers.

use actix_web::HttpResponse;
use actix_web::web::Data;
use domain::ports::NotReady;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorKind};
use crate::openapi::ServiceUnavailable;
use crate::server::ApiState;

/// `{"status": "ok"}` or `{"status": "ready"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = Health)]
struct HealthBody {
    status: HealthStatus,
}

/// `ok` from `/healthz`, `ready` from `/readyz`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum HealthStatus {
    Ok,
    Ready,
}

/// The process is up; touches nothing else.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "Health",
    responses(
        (status = 200, description = "The process is up.", body = HealthBody,
            example = json!({"status": "ok"})),
    ),
)]
pub(super) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthBody {
        status: HealthStatus::Ok,
    })
}

/// The database answers, its schema is the one this build expects, and no
/// shutdown has begun.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "Health",
    responses(
        (status = 200, description = "Ready to serve.", body = HealthBody,
            example = json!({"status": "ready"})),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub(super) async fn readyz(state: Data<ApiState>) -> Result<HttpResponse, ApiError> {
    if state.draining.has_begun() {
        return Err(ApiError::new(
            ErrorKind::ServiceUnavailable,
            "not ready: shutting down",
        ));
    }
    state.readiness.check().await.map_err(|not_ready| {
        let message = match &not_ready {
            NotReady::Database(_) => "not ready: the database is unreachable",
            NotReady::Schema { .. } => {
                "not ready: the database schema is not the one this build expects"
            }
        };
        ApiError::new(ErrorKind::ServiceUnavailable, message).with_source(not_ready)
    })?;
    Ok(HttpResponse::Ok().json(HealthBody {
        status: HealthStatus::Ready,
    }))
}
