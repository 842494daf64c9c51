//! The configuration: command-line flags, each with an environment
//! variable and a documented default (`doorman --help` lists them all).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::thread::available_parallelism;

use adapters_http::TrustedProxies;
use clap::{Parser, Subcommand, ValueEnum};
use secrecy::SecretString;

/// Doorman: user accounts and authentication over HTTP, on PostgreSQL.
#[derive(Debug, Parser)]
#[command(
    version,
    args_conflicts_with_subcommands = true,
    args_override_self = true
)]
pub struct Cli {
    /// What to do instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// How to serve.
    #[command(flatten)]
    pub config: Config,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a new Ed25519 signing key for access tokens (PKCS#8 PEM).
    Keygen,
    /// Print the OpenAPI document of the HTTP API, as served at
    /// `/openapi.json`.
    Openapi,
    /// Administer the service from the command line.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Read, apply or revert the database's migrations.
    #[command(subcommand)]
    Migrate(MigrateCommand),
}

/// What `doorman migrate` does. Exit status 0 on success, 1 on any
/// failure, and for `verify` when the database cannot be trusted.
#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// List every migration this build or the database knows: its state and
    /// when it was applied.
    Status {
        #[command(flatten)]
        config: Box<Config>,
    },
    /// Apply the pending migrations, all of them or up to a version.
    Up {
        /// The last version to apply.
        #[arg(long)]
        to: Option<i64>,
        #[command(flatten)]
        config: Box<Config>,
    },
    /// Revert the applied migrations newer than a version, newest first
    /// (0 reverts them all).
    Down {
        /// The version to go back to.
        #[arg(long)]
        to: i64,
        #[command(flatten)]
        config: Box<Config>,
    },
    /// Check the database against this build: exit 1, saying what and how
    /// to fix it, when an applied migration's checksum differs from this build's, one failed halfway, one is
    /// unknown to this build, or the schema is not what the applied
    /// migrations build (compared with a scratch database: needs CREATEDB).
    Verify {
        #[command(flatten)]
        config: Box<Config>,
    },
}

/// What `doorman admin` does.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an account that is an active administrator. The password is
    /// read from `DOORMAN_ADMIN_PASSWORD` or, without it, from standard
    /// input; never from the command line, which other users can see.
    Create {
        /// The account's email address.
        #[arg(long)]
        email: String,
        /// The display name of a new account.
        #[arg(long, default_value = "Administrator")]
        display_name: String,
        /// Make the existing account with this address an administrator
        /// instead, when the password given is its current one; its
        /// sessions end. Without it, an address that has an account is
        /// refused: anyone may have registered it.
        #[arg(long)]
        promote_existing: bool,
        /// The service's configuration (the database, the keys).
        #[command(flatten)]
        config: Box<Config>,
    },
}

/// Everything the service needs to run. Secrets are read from the
/// environment in preference to flags, which other users can see.
#[derive(Debug, clap::Args)]
pub struct Config {
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_parser = secret)]
    pub database_url: Option<SecretString>,

    /// What sits between the service and PostgreSQL: `transaction` for a
    /// pooler in transaction mode (PgBouncer's `pool_mode = transaction`),
    /// where every statement runs in a transaction, prepared unnamed, and
    /// migrations need `DOORMAN_MIGRATION_DATABASE_URL`.
    #[arg(long, env = "DOORMAN_DB_POOLER", value_enum, default_value_t = DbPooler::None)]
    pub db_pooler: DbPooler,

    /// A streaming replica of the database, for the reads that may be a
    /// little stale: the administrators' listings of accounts and of the
    /// audit trail. They fall back to the primary when it fails.
    #[arg(long, env = "DOORMAN_DB_REPLICA_URL", hide_env_values = true, value_parser = secret)]
    pub db_replica_url: Option<SecretString>,

    /// A direct connection URL to the same database, for migrations, which
    /// hold a session's advisory lock and so cannot run through a
    /// transaction pooler [default: DATABASE_URL when there is no pooler].
    #[arg(long, env = "DOORMAN_MIGRATION_DATABASE_URL", hide_env_values = true, value_parser = secret)]
    pub migration_database_url: Option<SecretString>,

    /// Apply pending migrations before serving.
    #[arg(long, env = "DOORMAN_MIGRATE")]
    pub migrate: bool,

    /// Milliseconds a statement of a migration may wait for a lock before
    /// the migration is rolled back, so that it never queues behind a long
    /// transaction while every request queues behind it.
    #[arg(long, env = "DOORMAN_MIGRATION_LOCK_TIMEOUT_MS", default_value_t = 5000,
          // PostgreSQL's `lock_timeout` is at most INT_MAX milliseconds.
          value_parser = clap::value_parser!(u64).range(1..=2_147_483_647))]
    pub migration_lock_timeout_ms: u64,

    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "DOORMAN_BIND_ADDRESS", default_value = "127.0.0.1:8080")]
    pub bind_address: SocketAddr,

    /// HTTP worker threads [default: the number of CPUs].
    #[arg(long, env = "DOORMAN_HTTP_WORKERS")]
    pub http_workers: Option<NonZeroUsize>,

    /// Most connections that each HTTP worker serves at once; further ones
    /// wait in the listen queue until one closes.
    #[arg(long, env = "DOORMAN_HTTP_MAX_CONNECTIONS_PER_WORKER", default_value_t = 4096,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub http_max_connections_per_worker: u32,

    /// Seconds a request body may take to arrive whole, once its headers
    /// have; a slower one is answered 408 and its connection closed.
    #[arg(long, env = "DOORMAN_HTTP_BODY_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub http_body_timeout_secs: u64,

    /// Seconds an idle connection stays open for the client's next request.
    /// Longer than any balancer in front keeps idle connections to reuse,
    /// so that the balancer never sends a request on a connection this end
    /// is closing.
    #[arg(long, env = "DOORMAN_HTTP_KEEP_ALIVE_SECS", default_value_t = 75,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub http_keep_alive_secs: u64,

    /// Milliseconds between a shutdown signal (SIGTERM, Ctrl-C) and closing
    /// the listener. Meanwhile `/readyz` answers 503 and every answer
    /// closes its connection, so that balancers stop sending requests here;
    /// at least their health checks' interval times their fall count. A
    /// second signal cuts it short.
    #[arg(long, env = "DOORMAN_SHUTDOWN_DELAY_MS", default_value_t = 5000,
          value_parser = clap::value_parser!(u64).range(0..=3_600_000))]
    pub shutdown_delay_ms: u64,

    /// Seconds that in-flight requests may take to finish once the listener
    /// is closed.
    #[arg(long, env = "DOORMAN_SHUTDOWN_TIMEOUT_SECS", default_value_t = 30)]
    pub shutdown_timeout_secs: u64,

    /// Most connections in the database pool. Opened as requests need
    /// them: enough that a statement's round trip, not the pool, bounds a
    /// busy replica (`cargo xtask bench load`).
    #[arg(long, env = "DOORMAN_DB_MAX_CONNECTIONS", default_value_t = 32,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub db_max_connections: u32,

    /// Milliseconds a request waits for a free database connection before it
    /// is answered 503.
    #[arg(long, env = "DOORMAN_DB_ACQUIRE_TIMEOUT_MS", default_value_t = 3000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub db_acquire_timeout_ms: u64,

    /// Milliseconds one SQL statement may run before the database cancels it
    /// (`statement_timeout`).
    #[arg(long, env = "DOORMAN_DB_STATEMENT_TIMEOUT_MS", default_value_t = 5000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub db_statement_timeout_ms: u64,

    /// Milliseconds a statement may wait for a row or table lock
    /// (`lock_timeout`).
    #[arg(long, env = "DOORMAN_DB_LOCK_TIMEOUT_MS", default_value_t = 2000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub db_lock_timeout_ms: u64,

    /// Milliseconds a transaction may sit idle before the database ends its
    /// session (`idle_in_transaction_session_timeout`).
    #[arg(long, env = "DOORMAN_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub db_idle_in_transaction_timeout_ms: u64,

    /// The name the service's connections show in `pg_stat_activity`.
    #[arg(long, env = "DOORMAN_DB_APPLICATION_NAME", default_value = "doorman")]
    pub db_application_name: String,

    /// Milliseconds after which a statement is logged as slow, with its
    /// parameters (secrets redacted).
    #[arg(long, env = "DOORMAN_DB_SLOW_QUERY_MS", default_value_t = 100)]
    pub db_slow_query_ms: u64,

    /// Milliseconds a connection may be held before a warning names the
    /// operation holding it.
    #[arg(long, env = "DOORMAN_DB_LEAK_DETECTION_MS", default_value_t = 5000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub db_leak_detection_ms: u64,

    /// Runs of one transaction at most, the first included, when it keeps
    /// losing serialization conflicts or deadlocks.
    #[arg(long, env = "DOORMAN_DB_TRANSACTION_MAX_ATTEMPTS", default_value_t = 4,
          value_parser = clap::value_parser!(u32).range(1..=20))]
    pub db_transaction_max_attempts: u32,

    /// Milliseconds of the first pause before a transaction is run again; each
    /// later pause may be twice as long, with random jitter.
    #[arg(long, env = "DOORMAN_DB_RETRY_BASE_DELAY_MS", default_value_t = 5)]
    pub db_retry_base_delay_ms: u64,

    /// Milliseconds that no pause before a retry exceeds.
    #[arg(long, env = "DOORMAN_DB_RETRY_MAX_DELAY_MS", default_value_t = 100)]
    pub db_retry_max_delay_ms: u64,

    /// Ed25519 private key (PKCS#8 PEM) that signs access tokens.
    #[arg(long, env = "DOORMAN_ACCESS_TOKEN_PRIVATE_KEY", hide_env_values = true,
          value_parser = secret, conflicts_with = "access_token_private_key_file")]
    pub access_token_private_key: Option<SecretString>,

    /// File holding the Ed25519 private key, instead of the key itself.
    #[arg(long, env = "DOORMAN_ACCESS_TOKEN_PRIVATE_KEY_FILE")]
    pub access_token_private_key_file: Option<PathBuf>,

    /// File of further Ed25519 keys (PEM, public or private, one after
    /// another) whose tokens are still accepted: the previous signing key,
    /// during a rotation.
    #[arg(long, env = "DOORMAN_ACCESS_TOKEN_VERIFICATION_KEYS_FILE")]
    pub access_token_verification_keys_file: Option<PathBuf>,

    /// Seconds an access token is accepted after it is issued.
    #[arg(long, env = "DOORMAN_ACCESS_TOKEN_TTL_SECS", default_value_t = 900,
          value_parser = clap::value_parser!(u32).range(60..=86_400))]
    pub access_token_ttl_secs: u32,

    /// The `iss` claim of access tokens.
    #[arg(long, env = "DOORMAN_TOKEN_ISSUER", default_value = "doorman")]
    pub token_issuer: String,

    /// The `aud` claim of access tokens.
    #[arg(long, env = "DOORMAN_TOKEN_AUDIENCE", default_value = "doorman")]
    pub token_audience: String,

    /// Seconds a session lives after sign-in, however often it is used.
    #[arg(long, env = "DOORMAN_SESSION_LIFETIME_SECS", default_value_t = 30 * 86_400,
          value_parser = clap::value_parser!(u32).range(60..=366 * 86_400))]
    pub session_lifetime_secs: u32,

    /// Seconds a session lives without a refresh.
    #[arg(long, env = "DOORMAN_SESSION_IDLE_TIMEOUT_SECS", default_value_t = 7 * 86_400,
          value_parser = clap::value_parser!(u32).range(60..=366 * 86_400))]
    pub session_idle_timeout_secs: u32,

    /// Seconds after a refresh during which the replaced refresh token still
    /// yields a pair for the same session (two tabs, a retried request)
    /// instead of counting as a reuse.
    #[arg(long, env = "DOORMAN_REFRESH_GRACE_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(0..=300))]
    pub refresh_grace_secs: u32,

    /// Failed sign-ins for one email address by clients without a device
    /// token of the account, within the failure window, before such clients
    /// are locked out of it; also the wrong current passwords the sessions
    /// of one account may send.
    #[arg(long, env = "DOORMAN_LOGIN_MAX_FAILURES_PER_ACCOUNT", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub login_max_failures_per_account: u32,

    /// Failed sign-ins through one device token, within the failure window,
    /// before it stops vouching for a while.
    #[arg(long, env = "DOORMAN_LOGIN_MAX_FAILURES_PER_DEVICE", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub login_max_failures_per_device: u32,

    /// Failed sign-ins from one client network (see
    /// `DOORMAN_CLIENT_IPV4_PREFIX`, `DOORMAN_CLIENT_IPV6_PREFIX`), within
    /// the failure window, before the network is locked.
    #[arg(long, env = "DOORMAN_LOGIN_MAX_FAILURES_PER_NETWORK", default_value_t = 50,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub login_max_failures_per_network: u32,

    /// Failed sign-ins from one wider IPv6 network (see
    /// `DOORMAN_CLIENT_IPV6_WIDE_PREFIX`), within the failure window, before
    /// it is locked.
    #[arg(long, env = "DOORMAN_LOGIN_MAX_FAILURES_PER_WIDE_NETWORK", default_value_t = 200,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub login_max_failures_per_wide_network: u32,

    /// Days a device token vouches after the sign-in that issued or renewed
    /// it.
    #[arg(long, env = "DOORMAN_DEVICE_TOKEN_LIFETIME_DAYS", default_value_t = 90,
          value_parser = clap::value_parser!(u32).range(1..=730))]
    pub device_token_lifetime_days: u32,

    /// The prefix length of an IPv4 client's network: 32 counts each
    /// address on its own.
    #[arg(long, env = "DOORMAN_CLIENT_IPV4_PREFIX", default_value_t = 32,
          value_parser = clap::value_parser!(u8).range(8..=32))]
    pub client_ipv4_prefix: u8,

    /// The prefix length of an IPv6 client's network: 64, the least a
    /// provider hands out, so that one holder's 2^64 addresses count as
    /// one.
    #[arg(long, env = "DOORMAN_CLIENT_IPV6_PREFIX", default_value_t = 64,
          value_parser = clap::value_parser!(u8).range(16..=128))]
    pub client_ipv6_prefix: u8,

    /// The prefix length of an IPv6 client's wider network, counted too
    /// with its own limits (48: a site); at most `DOORMAN_CLIENT_IPV6_PREFIX`.
    #[arg(long, env = "DOORMAN_CLIENT_IPV6_WIDE_PREFIX", default_value_t = 48,
          value_parser = clap::value_parser!(u8).range(16..=128))]
    pub client_ipv6_wide_prefix: u8,

    /// Seconds that failed sign-ins are remembered, from the first of a
    /// series.
    #[arg(long, env = "DOORMAN_LOGIN_FAILURE_WINDOW_SECS", default_value_t = 3600,
          value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub login_failure_window_secs: u32,

    /// Seconds of the first lock; each further failure doubles it.
    #[arg(long, env = "DOORMAN_LOCKOUT_BASE_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub lockout_base_secs: u32,

    /// Seconds that no lock exceeds.
    #[arg(long, env = "DOORMAN_LOCKOUT_MAX_SECS", default_value_t = 900,
          value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub lockout_max_secs: u32,

    /// Registrations from one client network per registration window.
    #[arg(long, env = "DOORMAN_REGISTRATIONS_PER_NETWORK", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub registrations_per_network: u32,

    /// Registrations from one wider IPv6 network per registration window.
    #[arg(long, env = "DOORMAN_REGISTRATIONS_PER_WIDE_NETWORK", default_value_t = 80,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub registrations_per_wide_network: u32,

    /// Seconds of the registration window; a client over its limit waits
    /// that long.
    #[arg(long, env = "DOORMAN_REGISTRATION_WINDOW_SECS", default_value_t = 3600,
          value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub registration_window_secs: u32,

    /// Proxies whose `X-Forwarded-For` is believed: IP networks or
    /// addresses, comma-separated. Other peers are the client themselves.
    #[arg(long, env = "DOORMAN_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: TrustedProxies,

    /// Seconds between purges of ended sessions and spent attempt counters.
    #[arg(long, env = "DOORMAN_PURGE_INTERVAL_SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub purge_interval_secs: u32,

    /// Rows deleted per purge statement.
    #[arg(long, env = "DOORMAN_PURGE_BATCH", default_value_t = 500,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub purge_batch: u32,

    /// Days that audit events are kept before the purge deletes them.
    #[arg(long, env = "DOORMAN_AUDIT_RETENTION_DAYS", default_value_t = 365,
          value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub audit_retention_days: u32,

    /// The lowest zxcvbn score (0 to 4) a new password may have.
    #[arg(long, env = "DOORMAN_PASSWORD_MIN_SCORE", default_value_t = 3,
          value_parser = clap::value_parser!(u8).range(0..=4))]
    pub password_min_score: u8,

    /// argon2id memory per hash, in KiB (OWASP minimum: 19456).
    #[arg(long, env = "DOORMAN_ARGON2_MEMORY_KIB", default_value_t = 19_456)]
    pub argon2_memory_kib: u32,

    /// argon2id passes over the memory (OWASP minimum with 19 MiB: 2).
    #[arg(long, env = "DOORMAN_ARGON2_ITERATIONS", default_value_t = 2)]
    pub argon2_iterations: u32,

    /// argon2id lanes per hash.
    #[arg(long, env = "DOORMAN_ARGON2_PARALLELISM", default_value_t = 1)]
    pub argon2_parallelism: u32,

    /// Password hashes computed at once [default: the number of CPUs].
    #[arg(long, env = "DOORMAN_PASSWORD_HASH_CONCURRENCY")]
    pub password_hash_concurrency: Option<NonZeroUsize>,

    /// Password hashes that may wait for a free slot; beyond that, requests
    /// are answered 503 at once instead of stalling the others.
    #[arg(long, env = "DOORMAN_PASSWORD_HASH_QUEUE", default_value_t = 64)]
    pub password_hash_queue: usize,

    /// Log filter, in `RUST_LOG` syntax (`info`, `server=debug,info`, ...).
    #[arg(long, env = "DOORMAN_LOG", default_value = "info")]
    pub log: String,

    /// Log format: JSON lines, human-readable text, or JSON unless the output
    /// is a terminal.
    #[arg(long, env = "DOORMAN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Auto)]
    pub log_format: LogFormat,

    /// Address and port of the Prometheus scrape endpoint (`GET /metrics`),
    /// a listener of its own so that the API's port never serves it; empty
    /// turns it off.
    #[arg(
        long,
        env = "DOORMAN_METRICS_BIND_ADDRESS",
        default_value = "127.0.0.1:9464",
        value_parser = optional_address
    )]
    pub metrics_bind_address: Listen,

    /// Base URL of an OpenTelemetry collector to push metrics and traces to
    /// (`/v1/metrics` and `/v1/traces` are appended); unset, nothing is
    /// pushed.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,

    /// How the OTLP exports are encoded.
    #[arg(
        long,
        env = "OTEL_EXPORTER_OTLP_PROTOCOL",
        value_enum,
        default_value_t = OtlpProtocol::HttpProtobuf
    )]
    pub otlp_protocol: OtlpProtocol,

    /// Milliseconds between two OTLP pushes of the metrics.
    #[arg(long, env = "OTEL_METRIC_EXPORT_INTERVAL", default_value_t = 60_000)]
    pub otlp_metric_interval_ms: u64,

    /// Share of requests traced and exported while a collector is set, from
    /// 0 to 1. The choice follows the trace id, so that every service using
    /// the same share keeps the same traces whole; the caller's sampling
    /// flag is not obeyed.
    #[arg(long, env = "DOORMAN_TRACE_SAMPLE_RATIO", default_value_t = 0.01, value_parser = ratio)]
    pub trace_sample_ratio: f64,

    /// The `service.name` of every metric and span; the other resource
    /// attributes come from `OTEL_RESOURCE_ATTRIBUTES`.
    #[arg(long, env = "OTEL_SERVICE_NAME", default_value = "doorman")]
    pub service_name: String,
}

/// An address to listen on, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listen(pub Option<SocketAddr>);

/// The encodings of OTLP over HTTP. gRPC is refused at start-up: every
/// collector also listens for OTLP over HTTP (port 4318).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OtlpProtocol {
    /// Protocol buffers over HTTP.
    #[value(name = "http/protobuf")]
    HttpProtobuf,
    /// JSON over HTTP.
    #[value(name = "http/json")]
    HttpJson,
    /// gRPC, which this build does not speak.
    #[value(name = "grpc")]
    Grpc,
}

/// What sits between the service and PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DbPooler {
    /// Nothing, or a pooler in session mode.
    None,
    /// A pooler in transaction mode.
    Transaction,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// JSON unless standard output is a terminal.
    Auto,
    /// One JSON object per line.
    Json,
    /// Human-readable lines.
    Text,
}

#[expect(
    clippy::unnecessary_wraps,
    reason = "clap's value parsers return a Result"
)]
fn secret(value: &str) -> Result<SecretString, Infallible> {
    Ok(SecretString::from(value))
}

fn ratio(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(ratio) if (0.0..=1.0).contains(&ratio) => Ok(ratio),
        _ => Err(format!("{value} is not a number from 0 to 1")),
    }
}

fn optional_address(value: &str) -> Result<Listen, std::net::AddrParseError> {
    if value.trim().is_empty() {
        return Ok(Listen(None));
    }
    value.parse().map(|address| Listen(Some(address)))
}

fn cpus() -> NonZeroUsize {
    available_parallelism().unwrap_or(NonZeroUsize::MIN)
}

mod settings;
#[cfg(test)]
mod tests;
