//! Doorman's HTTP adapter: the v1 API of `docs/api.md` on actix-web.
//!
//! It turns requests into the use cases' inputs (JSON bodies are checked
//! for content type, size, shape and rules, then parsed into domain values),
//! calls the services of `app`, and turns their results and every failure
//! into the contract's responses and error bodies. It depends on `app` and
//! the domain; it never touches SQL or cryptography. It also serves the
//! OpenAPI document of the API, generated from the handlers and their types,
//! and a page to read it.

mod client_ip;
mod drain;
mod error;
mod extract;
mod fields;
mod openapi;
mod request_context;
mod routes;
mod server;
mod telemetry;

pub use actix_web::dev::{Server, ServerHandle};
pub use client_ip::{InvalidTrustedProxy, TrustedProxies};
pub use drain::Draining;
pub use error::ApiError;
pub use openapi::json as openapi_json;
pub use server::{ApiState, ServerSettings, app, serve};
pub use telemetry::{HttpMetrics, MetricsText, serve_metrics};
