//! The OpenAPI 3.1 document of the API, generated from the handlers'
//! annotations and the request and response types.

mod responses;
#[cfg(test)]
mod tests;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Header, ObjectBuilder, OpenApi as Document, RefOr, Type};
use utoipa::{Modify, OpenApi};

pub(crate) use responses::{
    BadRequest, Conflict, Forbidden, InternalError, MethodNotAllowed, NotFound, PayloadTooLarge,
    PreconditionFailed, ServiceUnavailable, TooManyRequests, Unauthorized, UnsupportedMediaType,
};

use crate::error::ErrorBody;
use crate::routes::{admin_users, audit_events, auth, docs, health, jwks, sessions, users};

/// The name of the security scheme of the routes that need an access token,
/// as their `security(("bearer" = []))` names it.
const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(title = "Doorman", description = include_str!("description.md")),
    paths(
        auth::register,
        auth::login,
        auth::refresh,
        auth::logout,
        auth::logout_all,
        users::get_me,
        users::update_me,
        users::change_password,
        sessions::list_sessions,
        sessions::end_session,
        admin_users::list_users,
        admin_users::get_user,
        admin_users::update_user,
        admin_users::delete_user,
        audit_events::list_audit_events,
        admin_users::unlock,
        jwks::jwks,
        health::healthz,
        health::readyz,
        docs::openapi_json,
        docs::docs_page,
        docs::docs_script,
    ),
    components(
        schemas(ErrorBody<'_>),
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            MethodNotAllowed,
            Conflict,
            PreconditionFailed,
            PayloadTooLarge,
            UnsupportedMediaType,
            TooManyRequests,
            InternalError,
            ServiceUnavailable,
        ),
    ),
    modifiers(&Conventions),
    tags(
        (name = "Authentication", description = "Registration, sign-in, token refresh and sign-out."),
        (name = "Account", description = "The caller's own account and sign-in sessions."),
        (name = "Users", description = "Every account, for administrators."),
        (name = "Audit", description = "The audit trail, for administrators."),
        (name = "Keys", description = "The public keys that verify access tokens."),
        (name = "Health", description = "Liveness and readiness, for orchestrators and load balancers."),
        (name = "Documentation", description = "This document, and a page to read it."),
    ),
)]
struct ApiDoc;

/// What holds for every route, added to the generated document: the bearer
/// scheme and the `x-request-id` header of every response.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, document: &mut Document) {
        let components = document.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from `POST /v1/auth/login` or `POST /v1/auth/refresh`: \
                         `Authorization: Bearer <accessToken>`.",
                    ))
                    .build(),
            ),
        );
        let request_id = Header::builder()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some(
                "The client's own `x-request-id` when it is 1 to 128 letters, digits or `-_.:`, \
                 echoed; otherwise the service's id of the request (a UUID v7, the `requestId` \
                 of an error body).",
            ))
            .build();
        let operations = document.paths.paths.values_mut().flat_map(|item| {
            [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ]
            .into_iter()
            .flatten()
        });
        let responses = operations
            .flat_map(|operation| operation.responses.responses.values_mut())
            .chain(components.responses.values_mut());
        for response in responses {
            if let RefOr::T(response) = response {
                response
                    .headers
                    .insert("x-request-id".to_owned(), request_id.clone());
            }
        }
    }
}

/// The OpenAPI document of the API, as served at `/openapi.json`: indented
/// JSON whose key order depends only on the code.
///
/// # Errors
///
/// None in practice: the document has only string keys.
pub fn json() -> Result<String, serde_json::Error> {
    ApiDoc::openapi().to_pretty_json()
}
