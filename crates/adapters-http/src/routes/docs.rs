//! `/openapi.json` and `/docs`: the OpenAPI document of the API and a page
//! to read it, whose assets are all served from here.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, ContentType};

use crate::error::ApiError;
use crate::openapi;

/// The page. It names its assets relative to itself, so that it works
/// behind a proxy that adds a path prefix.
const PAGE: &str = include_str!("../../assets/docs.html");

/// Redoc's self-contained bundle (`assets/redoc/README.md`).
const SCRIPT: &str = include_str!("../../assets/redoc/redoc.standalone.js");

/// What the page may load: nothing from another origin, whatever the bundle
/// asks for. Redoc styles its elements inline and searches in a `blob:`
/// worker.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
    connect-src 'self'; worker-src blob:; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'";

/// The document, rendered once.
static DOCUMENT: LazyLock<Result<String, serde_json::Error>> = LazyLock::new(openapi::json);

/// Renders the document now rather than during the first request for it.
pub(crate) fn render_document() {
    LazyLock::force(&DOCUMENT);
}

/// The OpenAPI document of this API.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "Documentation",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document of this API: this document.",
            content_type = "application/json", body = Object),
        (status = 500, response = openapi::InternalError),
    ),
)]
pub(crate) async fn openapi_json() -> Result<HttpResponse, ApiError> {
    let document = DOCUMENT
        .as_ref()
        .map_err(|error| ApiError::internal(error.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(document.as_str()))
}

/// A page that renders the OpenAPI document for reading.
#[utoipa::path(
    get,
    path = "/docs",
    tag = "Documentation",
    responses(
        (status = 200, description = "An HTML page that loads its script from \
            `/docs/redoc.standalone.js` and the document from `/openapi.json`.",
            content_type = "text/html", body = String),
    ),
)]
pub(crate) async fn docs_page() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_SECURITY_POLICY, PAGE_POLICY))
        .content_type(ContentType::html())
        .body(PAGE)
}

/// The script of the `/docs` page.
#[utoipa::path(
    get,
    path = "/docs/redoc.standalone.js",
    tag = "Documentation",
    responses(
        (status = 200, description = "Redoc 2.5.4, self-contained.",
            content_type = "text/javascript", body = String),
    ),
)]
pub(crate) async fn docs_script() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "public, max-age=86400"))
        .content_type("text/javascript; charset=utf-8")
        .body(SCRIPT)
}
