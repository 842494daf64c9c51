//! The use cases wired to their adapters, as the server and the
//! administration commands both need them.

use std::sync::Arc;

use adapters_crypto::{
    Argon2PasswordHasher, Ed25519AccessTokens, HmacCursorSigner, RandomRefreshSecrets,
    ZxcvbnPasswordStrength,
};
use adapters_postgres::{Database, PgReads, PgReplicaReads, PgTransactor};
use anyhow::Context as _;
use app::admin::AdminService;
use app::auth::{AuthPorts, AuthService};
use app::housekeeping::{Housekeeping, PurgePolicy};
use app::transaction::Transactions;
use app::users::UserService;
use opentelemetry::metrics::Meter;

use crate::clock::SystemClock;
use crate::config::Config;
use crate::telemetry::CountedOutcomes;

/// Every use case, on one database.
pub(crate) struct Services {
    pub auth: AuthService,
    pub users: UserService,
    pub admin: AdminService,
    pub housekeeping: Housekeeping,
    /// The JSON Web Key Set of the keys that verify access tokens.
    pub jwks: String,
}

/// Wires the use cases to `database` (the administrators' listings to
/// `replica`, when there is one) and the adapters `config` describes,
/// measured on `meter`.
///
/// # Errors
///
/// A message naming the setting at fault.
pub(crate) fn services(
    config: &Config,
    database: &Database,
    replica: Option<&Database>,
    meter: &Meter,
) -> anyhow::Result<Services> {
    let signing_key = config.signing_key()?;
    let tokens = Ed25519AccessTokens::new(&signing_key, config.access_token_settings())?
        .with_verification_keys(config.verification_keys()?);
    let jwks = serde_json::to_string(&tokens.jwks()).context("cannot render the JWKS")?;
    let cursors = HmacCursorSigner::derived_from(&signing_key)?;
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
        Argon2PasswordHasher::new(hashing, meter).context("the argon2 settings are unusable")?;
    let strength = ZxcvbnPasswordStrength::new(config.password_min_score)?;
    let reads = Arc::new(PgReads::new(database.clone()));
    let clock = Arc::new(SystemClock);
    let transactor = Arc::new(PgTransactor::new(database.clone()));
    let outcomes = Arc::new(CountedOutcomes::new(meter));
    let transactions = Transactions::new(
        transactor.clone(),
        clock.clone(),
        config.retry_policy(),
        outcomes.clone(),
    );
    let housekeeping = Housekeeping::new(
        transactor,
        clock.clone(),
        PurgePolicy {
            batch: config.purge_batch,
            longest_throttle_window: config.longest_throttle_window(),
            audit_retention: time::Duration::days(config.audit_retention_days.into()),
        },
        outcomes.clone(),
    );
    let auth = AuthService::new(
        AuthPorts {
            users: reads.clone(),
            sessions: reads.clone(),
            rotations: reads.clone(),
            transactions: transactions.clone(),
            hasher: Arc::new(hasher),
            strength: Arc::new(strength),
            tokens: Arc::new(tokens),
            secrets: Arc::new(RandomRefreshSecrets),
            clock: clock.clone(),
            outcomes,
        },
        config.auth_policy()?,
    );
    Ok(Services {
        auth,
        users: UserService::new(transactions.clone(), clock.clone()),
        admin: match replica {
            Some(replica) => {
                let listings = Arc::new(PgReplicaReads::new(
                    database.clone(),
                    replica.clone(),
                    meter,
                ));
                AdminService::new(
                    listings.clone(),
                    listings,
                    transactions,
                    Arc::new(cursors),
                    clock,
                )
            }
            None => AdminService::new(reads.clone(), reads, transactions, Arc::new(cursors), clock),
        },
        housekeeping,
        jwks,
    })
}
