//! Password hashing with argon2id, off the async executor.

mod metrics;
mod slots;
#[cfg(test)]
mod tests;
mod waiting;

use std::sync::Arc;
use std::time::Instant;

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use domain::password::{Password, PasswordHash};
use domain::ports::{HasherError, PasswordHasher};
use opentelemetry::metrics::Meter;
use secrecy::{ExposeSecret, SecretString};

use self::metrics::{HashMetrics, Operation};
use self::slots::Slots;

/// The cost of a hash and how many may be computed or wait at once.
#[derive(Debug, Clone, Copy)]
pub struct HashingSettings {
    /// Memory per hash, in KiB (OWASP's minimum for argon2id: 19456).
    pub memory_kib: u32,
    /// Passes over the memory (OWASP's minimum with 19 MiB: 2).
    pub iterations: u32,
    /// Lanes per hash.
    pub parallelism: u32,
    /// Hashes computed at once; further requests wait their turn, so that
    /// hashing never takes every core or unbounded memory.
    pub max_concurrent: usize,
    /// Requests allowed to wait for one of the `max_concurrent` slots.
    /// Beyond that they fail at once with [`HasherError::Busy`], so that a
    /// burst is answered "try later" rather than left to stall everything.
    pub max_queued: usize,
}

/// Settings that argon2 refuses.
#[derive(Debug, thiserror::Error)]
pub enum InvalidHashingSettings {
    /// The cost parameters are out of argon2's bounds.
    #[error("invalid argon2 parameters: {0}")]
    Params(argon2::Error),
    /// No hash could ever run.
    #[error("at least one password hash must be allowed at a time")]
    NoConcurrency,
    /// The parameters are accepted but hashing with them fails.
    #[error("cannot hash with these parameters")]
    Unusable(#[source] HasherError),
}

/// The domain's password hasher on argon2id.
///
/// Each hash runs on tokio's blocking threads, at most `max_concurrent` at
/// a time with at most `max_queued` waiting, so that the threads serving
/// requests never stall on the deliberately slow work.
#[derive(Clone)]
pub struct Argon2PasswordHasher {
    params: Params,
    slots: Arc<Slots>,
    dummy: PasswordHash,
    metrics: HashMetrics,
}

impl Argon2PasswordHasher {
    /// A hasher with these settings, measured on `meter`. It computes one
    /// hash, the first it measures, to have a dummy to verify against for
    /// unknown accounts.
    ///
    /// # Errors
    ///
    /// [`InvalidHashingSettings`] when argon2 refuses the parameters.
    pub fn new(settings: HashingSettings, meter: &Meter) -> Result<Self, InvalidHashingSettings> {
        if settings.max_concurrent == 0 {
            return Err(InvalidHashingSettings::NoConcurrency);
        }
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(InvalidHashingSettings::Params)?;
        let metrics = HashMetrics::new(meter);
        // A real hash at the real cost: timed like any other, so that the
        // histogram has its first measure from start-up.
        let started = Instant::now();
        let dummy = hash_blocking(
            &params,
            &SecretString::from("an unguessable dummy password"),
        )
        .map_err(InvalidHashingSettings::Unusable)?;
        metrics.computed(Operation::Hash, started.elapsed());
        Ok(Self {
            params,
            slots: Arc::new(Slots::new(settings.max_concurrent, settings.max_queued)),
            dummy,
            metrics,
        })
    }

    async fn off_executor<T: Send + 'static>(
        &self,
        operation: Operation,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HasherError> {
        let waiting = self.metrics.waiting(operation);
        let permit = self.slots.acquire().await?;
        drop(waiting);
        let metrics = self.metrics.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let started = Instant::now();
            let done = work();
            metrics.computed(operation, started.elapsed());
            done
        })
        .await
        .map_err(|error| HasherError::Failed(error.into()))
    }
}

fn argon2id(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash_blocking(params: &Params, password: &SecretString) -> Result<PasswordHash, HasherError> {
    let phc = argon2id(params)
        .hash_password(password.expose_secret().as_bytes())
        .map_err(|error| HasherError::Failed(error.into()))?;
    PasswordHash::parse(phc.to_string()).map_err(|error| HasherError::Failed(error.into()))
}

/// Checks `password` against `hash`, with the parameters recorded in the
/// hash (so that hashes made with older settings still verify).
fn verify_blocking(password: &SecretString, hash: &PasswordHash) -> Result<bool, HasherError> {
    let verifier = Argon2::default();
    match verifier.verify_password(password.expose_secret().as_bytes(), hash.expose()) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(error) => Err(HasherError::Failed(error.into())),
    }
}

/// Whether `phc` was made by argon2id v0x13 with exactly `params`' costs.
///
/// A hash that cannot be read counts as outdated: it was certainly not made
/// with the current settings. Verifying it fails anyway, so this never
/// replaces a hash whose password was not checked.
fn is_current(phc: &str, params: &Params) -> bool {
    let Ok(hash) = argon2::PasswordHash::new(phc) else {
        return false;
    };
    let Ok(recorded) = Params::try_from(&hash) else {
        return false;
    };
    hash.algorithm == ARGON2ID_IDENT
        && hash.version == Some(Version::V0x13.into())
        && recorded.m_cost() == params.m_cost()
        && recorded.t_cost() == params.t_cost()
        && recorded.p_cost() == params.p_cost()
}

#[async_trait]
impl PasswordHasher for Argon2PasswordHasher {
    #[tracing::instrument(name = "password.hash", skip_all)]
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HasherError> {
        let password = SecretString::from(password.expose());
        let params = self.params.clone();
        self.off_executor(Operation::Hash, move || hash_blocking(&params, &password))
            .await?
    }

    #[tracing::instrument(name = "password.verify", skip_all)]
    async fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, HasherError> {
        let password = SecretString::from(password.expose());
        let hash = hash.clone();
        self.off_executor(Operation::Verify, move || verify_blocking(&password, &hash))
            .await?
    }

    async fn verify_dummy(&self, password: &Password) -> Result<(), HasherError> {
        self.verify(password, &self.dummy).await.map(drop)
    }

    fn needs_rehash(&self, hash: &PasswordHash) -> bool {
        !is_current(hash.expose(), &self.params)
    }
}
