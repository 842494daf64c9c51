//! The drain before a shutdown: the service reports itself not ready, so
//! that balancers send new requests elsewhere, and closes each connection
//! after its answer, so that clients open their next one to another
//! instance, while it still serves whatever reaches it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::web::Data;

/// Whether the drain has begun; it never ends but with the process.
#[derive(Debug, Clone, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    /// Begins the drain.
    pub fn begin(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether the drain has begun.
    pub fn has_begun(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// Closes the connection after the answer once the drain has begun, even
/// when it began while the request was being served. A failure passed up
/// as an error (a caught panic's) is rendered by actix after every
/// middleware, out of reach: its connection closes when the listener does.
pub(crate) async fn close_while_draining(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let draining = request.app_data::<Data<Draining>>().cloned();
    let mut response = next.call(request).await?;
    if draining.is_some_and(|draining| draining.has_begun()) {
        response
            .response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};

    use super::*;
    use crate::request_context::around_request;

    /// Whether the answers to a route and to a path without one keep their
    /// connections open, once `draining` is as it is.
    async fn keep_alive(draining: &Draining) -> Vec<(u16, bool)> {
        let app = test::init_service(
            App::new()
                .app_data(Data::new(draining.clone()))
                .wrap(from_fn(around_request))
                .wrap(from_fn(close_while_draining))
                .route("/ok", web::get().to(HttpResponse::Ok)),
        )
        .await;
        let mut answers = Vec::new();
        for uri in ["/ok", "/nowhere"] {
            let response =
                test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
            answers.push((
                response.status().as_u16(),
                response.response().head().keep_alive(),
            ));
        }
        answers
    }

    #[actix_web::test]
    async fn answers_keep_their_connections_until_the_drain_then_close_them_errors_included() {
        let draining = Draining::default();
        assert_eq!(keep_alive(&draining).await, [(200, true), (404, true)]);

        draining.begin();

        assert_eq!(keep_alive(&draining).await, [(200, false), (404, false)]);
    }
}
