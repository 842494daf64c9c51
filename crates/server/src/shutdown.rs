//! Shutting down in order. The first request to stop (SIGTERM, Ctrl-C, or
//! [`Shutdown::request`]) begins the drain: `/readyz` answers 503 and every
//! answer closes its connection while the listener stays open, long enough
//! for balancers to notice. Then the listener closes, idle connections
//! close, and in-flight requests finish. A second request ends the drain
//! early; a third signal drops the requests still in flight. A signal that
//! comes before the service listens (while it migrates, say) ends the
//! process as signals do by default: there is nothing to drain yet.

use std::future::pending;
use std::time::Duration;

use adapters_http::Draining;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The signal that stops the process without waiting for the requests in
/// flight (actix waits for them, once stopping, whatever it is told).
const FORCED_AT: u32 = 3;

/// Asks the service to stop; clones ask the same service.
#[derive(Debug, Clone)]
pub struct Shutdown {
    requests: watch::Sender<u32>,
    draining: Draining,
}

impl Shutdown {
    pub(crate) fn new(draining: Draining) -> Self {
        Self {
            requests: watch::Sender::new(0),
            draining,
        }
    }

    /// The first request begins the drain before it returns; the next one
    /// closes the listener without waiting for the rest of it.
    pub fn request(&self) {
        self.draining.begin();
        self.requests
            .send_modify(|requests| *requests = requests.saturating_add(1));
    }

    /// Completes when the listener is to close: `delay` after the first
    /// request, or at the second.
    pub(crate) fn drained(&self, delay: Duration) -> impl Future<Output = ()> + Send + 'static {
        let mut requests = self.requests.subscribe();
        async move {
            requested(&mut requests, 1).await;
            tracing::info!(
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "shutting down: not ready from now on, closing the listener after the delay"
            );
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = requested(&mut requests, 2) => {
                    tracing::info!("asked again to stop: closing the listener now");
                }
            }
        }
    }
}

/// Completes once `count` requests have been made; never, once nobody can
/// make one.
async fn requested(requests: &mut watch::Receiver<u32>, count: u32) {
    if requests.wait_for(|&made| made >= count).await.is_err() {
        pending::<()>().await;
    }
}

/// Turns the first two SIGTERMs or SIGINTs into requests to `shutdown`,
/// and completes at the third: the caller then stops without waiting for
/// the requests in flight.
///
/// # Errors
///
/// When the signal handlers cannot be installed.
pub(crate) fn forward_signals(shutdown: Shutdown) -> std::io::Result<JoinHandle<()>> {
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(tokio::spawn(async move {
        for signalled in 1.. {
            let received = tokio::select! {
                received = terminate.recv() => received.map(|()| "SIGTERM"),
                received = interrupt.recv() => received.map(|()| "SIGINT"),
            };
            let Some(name) = received else { return };
            tracing::info!(signal = name, "asked to stop");
            if signalled < FORCED_AT {
                shutdown.request();
            } else {
                tracing::warn!("asked a third time: dropping the requests in flight");
                return;
            }
        }
    }))
}
