//! The actix-web application and server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::web::{self, Data, PathConfig, PayloadConfig};
use actix_web::{App, HttpServer};
use app::admin::AdminService;
use app::auth::AuthService;
use app::users::UserService;
use domain::ports::ReadinessProbe;

use crate::client_ip::TrustedProxies;
use crate::drain::{Draining, close_while_draining};
use crate::error::{ApiError, FieldIssue};
use crate::request_context::around_request;
use crate::routes;
use crate::telemetry::HttpMetrics;

/// The largest request body accepted.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// What the handlers use: the use cases, the readiness probe, and what the
/// service publishes or believes about the network.
#[derive(Clone)]
pub struct ApiState {
    /// Registration, sign-in, sessions, token verification.
    pub auth: AuthService,
    /// Accounts, for their owners.
    pub users: UserService,
    /// Accounts and the audit trail, for administrators.
    pub admin: AdminService,
    /// Whether the database can serve this build.
    pub readiness: Arc<dyn ReadinessProbe>,
    /// The JSON Web Key Set of the keys that verify access tokens, rendered
    /// once at start-up.
    pub jwks: Arc<str>,
    /// The proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: TrustedProxies,
    /// The request metrics.
    pub metrics: HttpMetrics,
    /// Whether the drain before a shutdown has begun.
    pub draining: Draining,
}

/// How the HTTP server runs.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Worker threads, each with its own event loop.
    pub workers: usize,
    /// How long in-flight requests may run once shutdown has begun.
    pub shutdown_timeout: Duration,
    /// Connections each worker serves at once; more wait to be accepted.
    pub max_connections_per_worker: usize,
    /// How long a request body may take to arrive once its head has.
    pub body_timeout: Duration,
    /// How long an idle connection is kept open for the client's next
    /// request.
    pub keep_alive: Duration,
}

/// How long a request body may take to arrive, for the extractors that
/// read one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyTimeout(pub(crate) Duration);

/// The application: every route of the v1 API, the limits, and the
/// middleware that gives every response a request id and every failure the
/// contract's body.
pub fn app(
    state: ApiState,
    body_timeout: Duration,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(Data::new(state.metrics.clone()))
        .app_data(Data::new(state.draining.clone()))
        .app_data(Data::new(state))
        .app_data(PayloadConfig::new(MAX_BODY_BYTES))
        .app_data(BodyTimeout(body_timeout))
        .app_data(PathConfig::default().error_handler(|_, _| {
            ApiError::validation(vec![FieldIssue::new("id", "must be a UUID")]).into()
        }))
        .configure(routes::configure)
        .default_service(web::to(routes::no_route))
        .wrap(from_fn(around_request))
        .wrap(transport_headers())
        .wrap(from_fn(close_while_draining))
}

/// Headers every response carries unless its route set its own: no
/// content sniffing; no caching, since most responses carry account data
/// or tokens (the key set and the documentation say how they may be
/// cached); and a policy that lets a JSON answer load nothing, run
/// nothing and be framed nowhere (the documentation page has its own).
fn transport_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::CACHE_CONTROL, "no-store"))
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ))
}

/// Serves the application on `listener` until `stop` completes, then stops
/// accepting connections, closes the idle ones and lets in-flight requests
/// finish within the shutdown timeout. Signals are the caller's to handle.
///
/// # Errors
///
/// Any I/O error from setting up the listener.
pub fn serve(
    listener: TcpListener,
    state: ApiState,
    settings: &ServerSettings,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<Server> {
    routes::docs::render_document();
    let body_timeout = settings.body_timeout;
    let server = HttpServer::new(move || app(state.clone(), body_timeout))
        .workers(settings.workers)
        .max_connections(settings.max_connections_per_worker)
        // A client that closes its side has hung up, not merely finished
        // sending: its request is cancelled where it stands, so that a
        // flood of abandoned sign-ins never reaches the password hasher.
        // The price: a client that half-closes after its request gets no
        // answer, which HTTP/1.1 clients do not do.
        .h1_allow_half_closed(false)
        .keep_alive(settings.keep_alive)
        .shutdown_timeout(settings.shutdown_timeout.as_secs())
        .shutdown_signal(stop)
        .listen(listener)?
        .run();
    Ok(server)
}
