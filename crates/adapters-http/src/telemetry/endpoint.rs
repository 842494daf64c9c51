//! The metrics listener: `GET /metrics` on an address of its own, so that
//! the public port never serves them.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::web::{self, Data};
use actix_web::{App, HttpResponse, HttpServer};

/// Renders the current metrics in the Prometheus text format.
pub trait MetricsText: Send + Sync {
    /// The metrics, or why they cannot be rendered.
    ///
    /// # Errors
    ///
    /// Whatever keeps the exporter from rendering them.
    fn render(&self) -> Result<String, Box<dyn std::error::Error + Send + Sync>>;
}

/// The media type of the Prometheus text format.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Serves `metrics` at `GET /metrics` on `listener`, with one worker: a
/// scrape is small and rare. It ignores signals: stop it through its
/// handle.
///
/// # Errors
///
/// Any I/O error from setting up the listener.
pub fn serve_metrics(
    listener: TcpListener,
    metrics: Arc<dyn MetricsText>,
) -> std::io::Result<Server> {
    let metrics = Data::from(metrics);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(metrics.clone())
            .route("/metrics", web::get().to(scrape))
            .default_service(web::to(HttpResponse::NotFound))
    })
    .workers(1)
    // Stopped by the application once the API has drained, so that the
    // last requests are still seen.
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}

async fn scrape(metrics: Data<dyn MetricsText>) -> HttpResponse {
    match metrics.render() {
        Ok(text) => HttpResponse::Ok().content_type(PROMETHEUS_TEXT).body(text),
        Err(error) => {
            tracing::error!(error = %error, "cannot render the metrics");
            HttpResponse::InternalServerError().finish()
        }
    }
}
