//! Liveness and readiness, for orchestrators and load balancers.

use actix_web::HttpResponse;
use actix_web::web::Data;
use domain::ports::NotReady;
use serde_json::json;

use crate::error::{ApiError, ErrorKind};
use crate::server::ApiState;

/// The process is up; touches nothing else.
pub(super) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The database answers and its schema is the one this build expects.
pub(super) async fn readyz(state: Data<ApiState>) -> Result<HttpResponse, ApiError> {
    state.readiness.check().await.map_err(|not_ready| {
        let message = match &not_ready {
            NotReady::Database(_) => "not ready: the database is unreachable",
            NotReady::Schema { .. } => {
                "not ready: the database schema is not the one this build expects"
            }
        };
        ApiError::new(ErrorKind::ServiceUnavailable, message).with_source(not_ready)
    })?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}
