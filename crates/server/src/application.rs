//! The service, wired and bound, ready to run.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use adapters_http::{ApiState, Draining, HttpMetrics, Server};
use adapters_postgres::{Database, PgReadinessProbe, ReplicaLag};
use anyhow::Context as _;
use domain::ports::ReadinessProbe as _;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::shutdown::{Shutdown, forward_signals};
use crate::telemetry::Metrics;
use crate::{migrate_command, purge, wiring};

/// The HTTP server with everything it serves, bound to its address, and
/// the metrics listener beside it.
pub struct Application {
    server: Server,
    address: SocketAddr,
    metrics_server: Option<Server>,
    metrics_address: Option<SocketAddr>,
    metrics: Metrics,
    database: Database,
    /// The replica's pool and the task that reads its lag.
    replica: Option<(Database, JoinHandle<()>)>,
    purge: JoinHandle<()>,
    shutdown: Shutdown,
}

/// How often the replica's lag is read.
const REPLICA_LAG_INTERVAL: Duration = Duration::from_secs(1);

impl Application {
    /// Checks the configuration, migrates when asked to, wires the adapters
    /// and binds the listeners. Nothing is served until [`run`](Self::run)
    /// or [`run_until_stopped`](Self::run_until_stopped).
    ///
    /// # Errors
    ///
    /// A message naming the setting at fault, or the migration or bind
    /// failure.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let metrics = Metrics::new(config)?;
        let meter = metrics.meter();
        let database = adapters_postgres::connect_lazy(&config.database_settings()?, &meter)?;
        migrate_command::prepare_schema(config, &database).await?;
        let replica = config
            .replica_settings()?
            .map(|settings| adapters_postgres::connect_lazy(&settings, &meter))
            .transpose()?;
        let services = wiring::services(config, &database, replica.as_ref(), &meter)?;
        let replica = replica.map(|replica| {
            let lag = ReplicaLag::new(&meter).watch(replica.clone(), REPLICA_LAG_INTERVAL);
            (replica, tokio::spawn(lag))
        });
        let readiness = Arc::new(PgReadinessProbe::new(database.clone()));
        tokio::spawn(report_readiness(readiness.clone()));
        let draining = Draining::default();
        let state = ApiState {
            auth: services.auth,
            users: services.users,
            admin: services.admin,
            readiness,
            jwks: services.jwks.into(),
            trusted_proxies: config.trusted_proxies.clone(),
            metrics: HttpMetrics::new(&meter),
            draining: draining.clone(),
        };
        let (listener, address) = bind(config.bind_address)?;
        let settings = config.server_settings();
        let shutdown = Shutdown::new(draining);
        let drained = shutdown.drained(Duration::from_millis(config.shutdown_delay_ms));
        let server = adapters_http::serve(listener, state, &settings, drained)
            .context("cannot start the HTTP server")?;
        let (metrics_server, metrics_address) =
            match (config.metrics_bind_address.0, metrics.text()) {
                (Some(wanted), Some(text)) => {
                    let (listener, address) = bind(wanted)?;
                    let server = adapters_http::serve_metrics(listener, Arc::new(text))
                        .context("cannot start the metrics listener")?;
                    (Some(server), Some(address))
                }
                _ => (None, None),
            };
        tracing::info!(
            url = %format!("http://{address}"),
            metrics.url = metrics_address.map(|address| format!("http://{address}/metrics")),
            http.workers = settings.workers,
            db.max_connections = config.db_max_connections,
            "listening"
        );
        let purge = tokio::spawn(purge::every(
            Duration::from_secs(config.purge_interval_secs.into()),
            services.housekeeping,
        ));
        Ok(Self {
            server,
            address,
            metrics_server,
            metrics_address,
            metrics,
            database,
            replica,
            purge,
            shutdown,
        })
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The address the metrics are served on, unless turned off.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics_address
    }

    /// What asks this service to stop, as SIGTERM does.
    pub fn shutdown(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// [`run`](Self::run), with SIGTERM and SIGINT as requests to stop.
    ///
    /// # Errors
    ///
    /// When the signal handlers cannot be installed; at a third signal,
    /// which leaves the requests still in flight unanswered; or as `run`.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let mut forced =
            forward_signals(self.shutdown()).context("cannot install the signal handlers")?;
        tokio::select! {
            ran = self.run() => {
                forced.abort();
                ran
            }
            _ = &mut forced => Err(anyhow::anyhow!(
                "stopped at the third signal, with requests still in flight"
            )),
        }
    }

    /// Serves until asked to stop through [`shutdown`](Self::shutdown),
    /// drains (see `shutdown.rs`), lets in-flight requests finish, then
    /// stops the metrics listener, pushes the last metrics and closes the
    /// database pool, whether the server ended well or not.
    ///
    /// # Errors
    ///
    /// An I/O failure of the server.
    pub async fn run(self) -> anyhow::Result<()> {
        let metrics_server = self.metrics_server.map(|server| {
            let handle = server.handle();
            (handle, tokio::spawn(server))
        });
        let served = self.server.await.context("the HTTP server failed");
        self.purge.abort();
        tracing::info!("stopped accepting requests; closing the database pool");
        if let Some((handle, running)) = metrics_server {
            handle.stop(true).await;
            if let Ok(Err(error)) = running.await {
                tracing::warn!(error = %error, "the metrics listener failed");
            }
        }
        // The last push waits on the collector: off the async threads.
        let metrics = self.metrics;
        if tokio::task::spawn_blocking(move || metrics.shut_down())
            .await
            .is_err()
        {
            tracing::warn!("pushing the last metrics panicked");
        }
        if let Some((replica, lag)) = self.replica {
            lag.abort();
            replica.pool().close().await;
        }
        self.database.pool().close().await;
        tracing::info!("shut down");
        served
    }
}

/// Says at once whether the database can serve this build, rather than at
/// the first request; the pool's first connection is opened on the way.
async fn report_readiness(probe: Arc<PgReadinessProbe>) {
    match probe.check().await {
        Ok(()) => tracing::info!("the database is ready"),
        Err(not_ready) => tracing::warn!(error = %not_ready, "the database is not ready yet"),
    }
}

fn bind(address: SocketAddr) -> anyhow::Result<(TcpListener, SocketAddr)> {
    let listener =
        TcpListener::bind(address).with_context(|| format!("cannot listen on {address}"))?;
    let bound = listener
        .local_addr()
        .context("cannot read the bound address")?;
    Ok((listener, bound))
}
