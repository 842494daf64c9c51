//! The service, wired and bound, ready to run.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use adapters_http::{ApiState, Server};
use adapters_postgres::{Database, PgReadinessProbe};
use anyhow::Context as _;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::{purge, wiring};

/// The HTTP server with everything it serves, bound to its address.
pub struct Application {
    server: Server,
    address: SocketAddr,
    database: Database,
    purge: JoinHandle<()>,
}

impl Application {
    /// Checks the configuration, migrates when asked to, wires the adapters
    /// and binds the listener. Nothing is served until
    /// [`run_until_stopped`](Self::run_until_stopped).
    ///
    /// # Errors
    ///
    /// A message naming the setting at fault, or the migration or bind
    /// failure.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let database = adapters_postgres::connect_lazy(&config.database_settings()?)?;
        if config.migrate {
            adapters_postgres::migrate(database.pool()).await?;
            tracing::info!("migrations applied");
        }
        let services = wiring::services(config, &database)?;
        let state = ApiState {
            auth: services.auth,
            users: services.users,
            admin: services.admin,
            readiness: Arc::new(PgReadinessProbe::new(database.pool().clone())),
            jwks: services.jwks.into(),
            trusted_proxies: config.trusted_proxies.clone(),
        };
        let listener = TcpListener::bind(config.bind_address)
            .with_context(|| format!("cannot listen on {}", config.bind_address))?;
        let address = listener
            .local_addr()
            .context("cannot read the bound address")?;
        let settings = config.server_settings();
        let server = adapters_http::serve(listener, state, &settings)
            .context("cannot start the HTTP server")?;
        tracing::info!(
            url = %format!("http://{address}"),
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
            database,
            purge,
        })
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serves until SIGINT or SIGTERM, lets in-flight requests finish, then
    /// closes the database pool.
    ///
    /// # Errors
    ///
    /// An I/O failure of the server.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let served = self.server.await.context("the HTTP server failed");
        self.purge.abort();
        served?;
        tracing::info!("stopped accepting requests; closing the database pool");
        self.database.pool().close().await;
        tracing::info!("shut down");
        Ok(())
    }
}
