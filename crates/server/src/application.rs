//! The service, wired and bound, ready to run.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use adapters_crypto::{
    Argon2PasswordHasher, Ed25519AccessTokens, RandomRefreshSecrets, ZxcvbnPasswordStrength,
};
use adapters_http::{ApiState, Server};
use adapters_postgres::{
    Database, PgReadinessProbe, PgSessionRepository, PgThrottleRepository, PgTransactor,
    PgUserRepository,
};
use anyhow::Context as _;
use app::auth::{AuthPorts, AuthService};
use app::housekeeping::Housekeeping;
use app::transaction::Transactions;
use app::users::UserService;
use tokio::task::JoinHandle;

use crate::clock::SystemClock;
use crate::config::Config;
use crate::purge;

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
        let tokens =
            Ed25519AccessTokens::new(&config.signing_key()?, config.access_token_settings())?
                .with_verification_keys(config.verification_keys()?);
        let jwks = serde_json::to_string(&tokens.jwks()).context("cannot render the JWKS")?;
        let hashing = config.hashing_settings();
        if hashing.memory_kib < 19_456 || hashing.iterations < 2 {
            tracing::warn!(
                argon2.memory_kib = hashing.memory_kib,
                argon2.iterations = hashing.iterations,
                "argon2 parameters are below OWASP's minimum (19456 KiB, 2 passes): \
                 fit for tests only"
            );
        }
        let hasher =
            Argon2PasswordHasher::new(hashing).context("the argon2 settings are unusable")?;
        let strength = ZxcvbnPasswordStrength::new(config.password_min_score)?;
        let users = Arc::new(PgUserRepository::new(database.clone()));
        let sessions = Arc::new(PgSessionRepository::new(database.clone()));
        let throttles = Arc::new(PgThrottleRepository::new(database.clone()));
        let clock = Arc::new(SystemClock);
        let transactions = Transactions::new(
            Arc::new(PgTransactor::new(database.clone())),
            clock.clone(),
            config.retry_policy(),
        );
        let housekeeping = Housekeeping::new(
            sessions.clone(),
            throttles.clone(),
            clock.clone(),
            config.purge_batch,
            config.longest_throttle_window(),
        );
        let auth = AuthService::new(
            AuthPorts {
                users: users.clone(),
                sessions,
                throttles,
                transactions: transactions.clone(),
                hasher: Arc::new(hasher),
                strength: Arc::new(strength),
                tokens: Arc::new(tokens),
                secrets: Arc::new(RandomRefreshSecrets),
                clock: clock.clone(),
            },
            config.auth_policy()?,
        );
        let state = ApiState {
            auth,
            users: UserService::new(users, transactions, clock),
            readiness: Arc::new(PgReadinessProbe::new(database.pool().clone())),
            jwks: jwks.into(),
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
            housekeeping,
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
