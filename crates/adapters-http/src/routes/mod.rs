//! The routes of the v1 API, one module per resource.

pub(crate) mod admin_users;
pub(crate) mod audit_events;
pub(crate) mod auth;
pub(crate) mod docs;
pub(crate) mod health;
pub(crate) mod jwks;
mod listing;
pub(crate) mod sessions;
mod token_pair;
mod user_body;
pub(crate) mod users;

use actix_web::Resource;
use actix_web::web::{self, ServiceConfig};

use crate::error::{ApiError, ErrorKind};

#[cfg(test)]
pub(crate) use listing::DEFAULT_PAGE_SIZE;

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
        .service(resource("/v1/users", "GET").route(web::get().to(admin_users::list_users)))
        .service(
            resource("/v1/users/{id}", "GET, PATCH, DELETE")
                .route(web::get().to(admin_users::get_user))
                .route(web::patch().to(admin_users::update_user))
                .route(web::delete().to(admin_users::delete_user)),
        )
        .service(
            resource("/v1/audit-events", "GET")
                .route(web::get().to(audit_events::list_audit_events)),
        )
        .service(
            resource("/v1/users/{id}/unlock", "POST").route(web::post().to(admin_users::unlock)),
        )
        .service(resource("/.well-known/jwks.json", "GET").route(web::get().to(jwks::jwks)))
        .service(resource("/healthz", "GET").route(web::get().to(health::healthz)))
        .service(resource("/readyz", "GET").route(web::get().to(health::readyz)))
        .service(resource("/openapi.json", "GET").route(web::get().to(docs::openapi_json)))
        .service(resource("/docs", "GET").route(web::get().to(docs::docs_page)))
        .service(
            resource("/docs/redoc.standalone.js", "GET").route(web::get().to(docs::docs_script)),
        );
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
