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
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether the drain has begun.
    pub fn has_begun(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Closes the connection after the answer once the drain has begun, even
/// when it began while the request was being served.
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
