//! `/.well-known/jwks.json`: the public keys that verify access tokens.

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::web::Data;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::server::ApiState;

/// The schema of the key set, which the server renders once at start-up.
struct JwkSet;

// By hand: the crypto adapter renders the set, and this crate does not
// depend on it.
impl PartialSchema for JwkSet {
    fn schema() -> RefOr<Schema> {
        let text = |description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(description))
        };
        let constant = |value: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([value]))
        };
        let key = ObjectBuilder::new()
            .description(Some("An Ed25519 public key as a JSON Web Key (RFC 8037)."))
            .property("kty", constant("OKP"))
            .property("crv", constant("Ed25519"))
            .property("x", text("The public key, in unpadded base64url."))
            .property(
                "kid",
                text("The key id, its RFC 7638 thumbprint: the `kid` of the tokens it verifies."),
            )
            .property("alg", constant("EdDSA"))
            .property("use", constant("sig"))
            .required("kty")
            .required("crv")
            .required("x")
            .required("kid")
            .required("alg")
            .required("use");
        ObjectBuilder::new()
            .description(Some(
                "A JSON Web Key Set (RFC 7517): the keys that verify access tokens, the signing \
                 key first.",
            ))
            .property("keys", ArrayBuilder::new().items(key))
            .required("keys")
            .examples([serde_json::json!({"keys": [{
                "kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", "alg": "EdDSA", "use": "sig"
            }]})])
            .into()
    }
}

impl ToSchema for JwkSet {}

/// The keys that verify access tokens; the first signs new ones.
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    tag = "Keys",
    responses(
        (status = 200, description = "The key set. Verifiers may cache it for five minutes.",
            body = JwkSet,
            headers(("Cache-Control" = String, description = "`public, max-age=300`."))),
    ),
)]
pub(super) async fn jwks(state: Data<ApiState>) -> HttpResponse {
    // Verifiers may cache the keys briefly; a rotation adds the new key
    // well before it signs anything.
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .body(state.jwks.to_string())
}
