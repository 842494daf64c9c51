//! The routes of the v1 API, one module per resource.

mod auth;
mod health;
mod jwks;
mod rules;
mod sessions;
mod user_body;
mod users;

use actix_web::Resource;
use actix_web::web::{self, ServiceConfig};

use crate::error::{ApiError, ErrorKind};

pub(crate) fn configure(config: &mut ServiceConfig) {
    config
        .service(resource("/v1/auth/register", "POST").route(web::post().to(auth::register)))
        .service(resource("/v1/auth/login", "POST").route(web::post().to(auth::login)))
        .service(resource("/v1/auth/refresh", "POST").route(web::post().to(auth::refresh)))
        .service(resource("/v1/auth/logout", "POST").route(web::post().to(auth::logout)))
        .service(resource("/v1/auth/logout-all", "POST").route(web::post().to(auth::logout_all)))
        .service(
            resource("/v1/users/me", "GET, PATCH")
                .route(web::get().to(users::get_me))
                .route(web::patch().to(users::update_me)),
        )
        .service(
            resource("/v1/users/me/password", "POST").route(web::post().to(users::change_password)),
        )
        .service(
            resource("/v1/users/me/sessions", "GET").route(web::get().to(sessions::list_sessions)),
        )
        .service(
            resource("/v1/users/me/sessions/{id}", "DELETE")
                .route(web::delete().to(sessions::end_session)),
        )
        .service(resource("/v1/users/{id}", "GET").route(web::get().to(users::get_user)))
        .service(resource("/v1/users/{id}/unlock", "POST").route(web::post().to(users::unlock)))
        .service(resource("/.well-known/jwks.json", "GET").route(web::get().to(jwks::jwks)))
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
