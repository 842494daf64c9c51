//! The settings of the adapters, from the flags.

use std::time::Duration;

use adapters_crypto::{AccessTokenSettings, HashingSettings, SigningKey, VerificationKey};
use adapters_http::ServerSettings;
use adapters_postgres::{DatabaseSettings, Migrations, PoolName, Pooler, Thresholds};
use anyhow::{Context as _, bail};
use app::auth::AuthPolicy;
use app::transaction::RetryPolicy;
use domain::session::SessionLifetime;
use domain::throttle::{NetworkPrefixes, ThrottleRule};
use secrecy::SecretString;

use super::{Config, DbPooler, cpus};

/// The longest a listing waits for a connection to the replica.
const REPLICA_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);

impl Config {
    pub(crate) fn database_settings(&self) -> anyhow::Result<DatabaseSettings> {
        let Some(url) = self.database_url.clone() else {
            bail!("DATABASE_URL is not set: point it at the PostgreSQL database to use");
        };
        Ok(DatabaseSettings {
            url,
            max_connections: self.db_max_connections,
            acquire_timeout: self.acquire_timeout(),
            application_name: self.db_application_name.clone(),
            statement_timeout: Duration::from_millis(self.db_statement_timeout_ms),
            lock_timeout: Duration::from_millis(self.db_lock_timeout_ms),
            idle_in_transaction_timeout: Duration::from_millis(
                self.db_idle_in_transaction_timeout_ms,
            ),
            thresholds: Thresholds {
                slow_query: Duration::from_millis(self.db_slow_query_ms),
                held_connection: Duration::from_millis(self.db_leak_detection_ms),
            },
            pooler: match self.db_pooler {
                DbPooler::None => Pooler::None,
                DbPooler::Transaction => Pooler::Transaction,
            },
            pool: PoolName::Primary,
        })
    }

    /// The replica's pool, when there is one: the primary's settings (its
    /// pooler mode too), but for its URL, name and a shorter wait.
    pub(crate) fn replica_settings(&self) -> anyhow::Result<Option<DatabaseSettings>> {
        let Some(url) = self.db_replica_url.clone() else {
            return Ok(None);
        };
        let primary = self.database_settings()?;
        Ok(Some(DatabaseSettings {
            url,
            // A listing waits this long at most for a replica that is gone
            // before the primary serves it.
            acquire_timeout: primary.acquire_timeout.min(REPLICA_ACQUIRE_TIMEOUT),
            pool: PoolName::Replica,
            ..primary
        }))
    }

    /// The database settings for migrations: a direct connection.
    fn migration_settings(&self) -> anyhow::Result<DatabaseSettings> {
        let mut settings = self.database_settings()?;
        match (&self.migration_database_url, self.db_pooler) {
            (Some(url), _) => settings.url = url.clone(),
            (None, DbPooler::None) => {}
            (None, DbPooler::Transaction) => bail!(
                "migrations cannot run through a transaction pooler (DOORMAN_DB_POOLER=transaction): \
                 set DOORMAN_MIGRATION_DATABASE_URL to a direct connection to PostgreSQL"
            ),
        }
        settings.pooler = Pooler::None;
        Ok(settings)
    }

    /// How long to wait for a database connection.
    pub(crate) fn acquire_timeout(&self) -> Duration {
        Duration::from_millis(self.db_acquire_timeout_ms)
    }

    /// This build's migrations against the configured database.
    pub(crate) fn migrations(&self) -> anyhow::Result<Migrations> {
        Ok(Migrations::new(
            &self.migration_settings()?,
            Duration::from_millis(self.migration_lock_timeout_ms),
        )?)
    }

    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy::new(
            self.db_transaction_max_attempts,
            Duration::from_millis(self.db_retry_base_delay_ms),
            Duration::from_millis(self.db_retry_max_delay_ms),
        )
    }

    pub(crate) fn signing_key(&self) -> anyhow::Result<SigningKey> {
        let pem = match (
            &self.access_token_private_key,
            &self.access_token_private_key_file,
        ) {
            (Some(pem), _) => pem.clone(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map(SecretString::from)
                .with_context(|| {
                    format!(
                        "cannot read DOORMAN_ACCESS_TOKEN_PRIVATE_KEY_FILE ({})",
                        path.display()
                    )
                })?,
            (None, None) => bail!(
                "no signing key for access tokens: set DOORMAN_ACCESS_TOKEN_PRIVATE_KEY_FILE \
                 (or DOORMAN_ACCESS_TOKEN_PRIVATE_KEY) to an Ed25519 key; `doorman keygen` makes one"
            ),
        };
        SigningKey::from_pkcs8_pem(&pem).context("the access-token signing key is unusable")
    }

    pub(crate) fn auth_policy(&self) -> anyhow::Result<AuthPolicy> {
        let seconds = |secs: u32| time::Duration::seconds(i64::from(secs));
        if self.session_idle_timeout_secs < self.access_token_ttl_secs {
            bail!(
                "DOORMAN_SESSION_IDLE_TIMEOUT_SECS ({}) must be at least DOORMAN_ACCESS_TOKEN_TTL_SECS ({}): \
                 a session would idle out while its access token is still in use",
                self.session_idle_timeout_secs,
                self.access_token_ttl_secs
            );
        }
        let login = |threshold| ThrottleRule {
            threshold,
            window: seconds(self.login_failure_window_secs),
            base_lock: seconds(self.lockout_base_secs),
            max_lock: seconds(self.lockout_max_secs.max(self.lockout_base_secs)),
        };
        if self.client_ipv6_wide_prefix > self.client_ipv6_prefix {
            bail!(
                "DOORMAN_CLIENT_IPV6_WIDE_PREFIX ({}) must be at most DOORMAN_CLIENT_IPV6_PREFIX ({}): \
                 the wide network holds the narrow one",
                self.client_ipv6_wide_prefix,
                self.client_ipv6_prefix
            );
        }
        let registration_window = seconds(self.registration_window_secs);
        let registration = |threshold| ThrottleRule {
            threshold,
            window: registration_window,
            base_lock: registration_window,
            max_lock: registration_window,
        };
        Ok(AuthPolicy {
            sessions: SessionLifetime {
                absolute: seconds(self.session_lifetime_secs),
                idle: seconds(self.session_idle_timeout_secs),
                grace: seconds(self.refresh_grace_secs),
            },
            device_lifetime: time::Duration::days(self.device_token_lifetime_days.into()),
            login_per_account: login(self.login_max_failures_per_account),
            login_per_device: login(self.login_max_failures_per_device),
            login_per_network: login(self.login_max_failures_per_network),
            login_per_wide_network: login(self.login_max_failures_per_wide_network),
            registration_per_network: registration(self.registrations_per_network),
            registration_per_wide_network: registration(self.registrations_per_wide_network),
            networks: NetworkPrefixes {
                ipv4: self.client_ipv4_prefix,
                ipv6: self.client_ipv6_prefix,
                ipv6_wide: self.client_ipv6_wide_prefix,
            },
        })
    }

    /// The longest window any attempt counter uses, for the purge.
    pub(crate) fn longest_throttle_window(&self) -> time::Duration {
        time::Duration::seconds(i64::from(
            self.login_failure_window_secs
                .max(self.registration_window_secs)
                .max(self.lockout_max_secs),
        ))
    }

    /// The further keys whose tokens are accepted, if a file names them.
    pub(crate) fn verification_keys(&self) -> anyhow::Result<Vec<VerificationKey>> {
        let Some(path) = &self.access_token_verification_keys_file else {
            return Ok(Vec::new());
        };
        let pems = std::fs::read_to_string(path)
            .map(SecretString::from)
            .with_context(|| {
                format!(
                    "cannot read DOORMAN_ACCESS_TOKEN_VERIFICATION_KEYS_FILE ({})",
                    path.display()
                )
            })?;
        VerificationKey::from_pem_bundle(&pems).with_context(|| {
            format!(
                "DOORMAN_ACCESS_TOKEN_VERIFICATION_KEYS_FILE ({}) holds an unusable key",
                path.display()
            )
        })
    }

    pub(crate) fn access_token_settings(&self) -> AccessTokenSettings {
        AccessTokenSettings {
            issuer: self.token_issuer.clone(),
            audience: self.token_audience.clone(),
            lifetime: time::Duration::seconds(i64::from(self.access_token_ttl_secs)),
        }
    }

    pub(crate) fn hashing_settings(&self) -> HashingSettings {
        HashingSettings {
            memory_kib: self.argon2_memory_kib,
            iterations: self.argon2_iterations,
            parallelism: self.argon2_parallelism,
            max_concurrent: self.password_hash_concurrency.unwrap_or_else(cpus).get(),
            max_queued: self.password_hash_queue,
        }
    }

    pub(crate) fn server_settings(&self) -> ServerSettings {
        ServerSettings {
            workers: self.http_workers.unwrap_or_else(cpus).get(),
            shutdown_timeout: Duration::from_secs(self.shutdown_timeout_secs),
            max_connections_per_worker: usize::try_from(self.http_max_connections_per_worker)
                .unwrap_or(usize::MAX),
            body_timeout: Duration::from_secs(self.http_body_timeout_secs),
            keep_alive: Duration::from_secs(self.http_keep_alive_secs),
        }
    }
}
