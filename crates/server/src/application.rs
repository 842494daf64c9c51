//! The service, wired and bound, ready to run.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use adapters_crypto::{Argon2PasswordHasher, Ed25519AccessTokens};
use adapters_http::{ApiState, Server};
use adapters_postgres::{Database, PgReadinessProbe, PgTransactor, PgUserRepository};
use anyhow::Context as _;
use app::auth::AuthService;
use app::transaction::Transactions;
use app::users::UserService;

use crate::clock::SystemClock;
use crate::config::Config;

/// The HTTP server with everything it serves, bound to its address.
pub struct Application {
    server: Server,
    address: SocketAddr,
    database: Database,
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
        let tokens =
            Ed25519AccessTokens::new(&config.signing_key()?, config.access_token_settings())?;
        let hasher = Argon2PasswordHasher::new(config.hashing_settings())
            .context("the argon2 settings are unusable")?;
        let users = Arc::new(PgUserRepository::new(database.clone()));
        let clock = Arc::new(SystemClock);
        let transactions = Transactions::new(
            Arc::new(PgTransactor::new(database.clone())),
            clock.clone(),
            config.retry_policy(),
        );
        let state = ApiState {
            auth: AuthService::new(
                users.clone(),
                transactions,
                Arc::new(hasher),
                Arc::new(tokens),
                clock,
            ),
            users: UserService::new(users),
            readiness: Arc::new(PgReadinessProbe::new(database.pool().clone())),
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
        Ok(Self {
            server,
            address,
            database,
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
        self.server.await.context("the HTTP server failed")?;
        tracing::info!("stopped accepting requests; closing the database pool");
        self.database.pool().close().await;
        tracing::info!("shut down");
        Ok(())
    }
}
