//! `/.well-known/jwks.json`: the public keys that verify access tokens.

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::web::Data;

use crate::server::ApiState;

pub(super) async fn jwks(state: Data<ApiState>) -> HttpResponse {
    // Verifiers may cache the keys briefly; a rotation adds the new key
    // well before it signs anything.
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .body(state.jwks.to_string())
}
