//! The routes of the v1 API, one module per resource.

mod auth;
mod health;
mod rules;
mod user_body;
mod users;

use actix_web::Resource;
use actix_web::web::{self, ServiceConfig};

use crate::error::{ApiError, ErrorKind};

pub(crate) fn configure(config: &mut ServiceConfig) {
    config
        .service(resource("/v1/auth/register", "POST").route(web::post().to(auth::register)))
        .service(resource("/v1/auth/login", "POST").route(web::post().to(auth::login)))
        .service(resource("/v1/users/me", "GET").route(web::get().to(users::get_me)))
        .service(resource("/v1/users/{id}", "GET").route(web::get().to(users::get_user)))
        .service(resource("/healthz", "GET").route(web::get().to(health::healthz)))
        .service(resource("/readyz", "GET").route(web::get().to(health::readyz)));
}

/// A resource that answers other methods with a 405 naming `allow`.
fn resource(path: &str, allow: &'static str) -> Resource {
    web::resource(path).default_service(web::to(move || async move {
        Err::<actix_web::HttpResponse, _>(ApiError::method_not_allowed(allow))
    }))
}

pub(crate) async fn no_route() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::new(
        ErrorKind::NotFound,
        "no route matches this path",
    ))
}
