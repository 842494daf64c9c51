//! Password hashing with argon2id, off the async executor.

mod compute;
mod metrics;
mod slots;
#[cfg(test)]
mod tests;
mod waiting;
mod workers;

use std::sync::Arc;
use std::time::Instant;

use argon2::Params;
use async_trait::async_trait;
use domain::password::{Password, PasswordHash};
use domain::ports::{HasherError, PasswordHasher};
use opentelemetry::metrics::Meter;
use secrecy::SecretString;
use tokio::sync::oneshot;

use self::compute::{hash_with, is_current, verify_with};
use self::metrics::{HashMetrics, Operation};
use self::slots::Slots;
use self::workers::{Memory, Workers};

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
    /// The hashing threads cannot be started.
    #[error("cannot start the password hashing threads")]
    Threads(#[source] std::io::Error),
}

/// The domain's password hasher on argon2id.
///
/// Each hash runs on one of `max_concurrent` threads of the hasher's own,
/// with at most `max_queued` requests waiting for one, so that the threads
/// serving requests never stall on the deliberately slow work. A request
/// that is given up while it waits (its client hung up) is never hashed.
#[derive(Clone)]
pub struct Argon2PasswordHasher {
    params: Params,
    slots: Arc<Slots>,
    workers: Workers,
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
    /// [`InvalidHashingSettings`] when argon2 refuses the parameters or
    /// the threads cannot be started.
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
        let dummy = hash_with(
            &mut Memory::default(),
            &params,
            &SecretString::from("an unguessable dummy password"),
        )
        .map_err(InvalidHashingSettings::Unusable)?;
        metrics.computed(Operation::Hash, started.elapsed());
        Ok(Self {
            params,
            slots: Arc::new(Slots::new(settings.max_concurrent, settings.max_queued)),
            workers: Workers::start(settings.max_concurrent)
                .map_err(InvalidHashingSettings::Threads)?,
            dummy,
            metrics,
        })
    }

    /// Runs `work` on a hashing thread once a slot is free. Should this
    /// future be dropped before the thread takes the work up, the work is
    /// never started.
    async fn off_executor<T: Send + 'static>(
        &self,
        operation: Operation,
        work: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, HasherError> {
        let waiting = self.metrics.waiting(operation);
        let permit = self.slots.acquire().await?;
        drop(waiting);
        let metrics = self.metrics.clone();
        let (answer, answered) = oneshot::channel();
        self.workers.submit(Box::new(move |memory| {
            let _permit = permit;
            if answer.is_closed() {
                return;
            }
            let started = Instant::now();
            let done = work(memory);
            metrics.computed(operation, started.elapsed());
            let _ = answer.send(done);
        }));
        answered
            .await
            .map_err(|_| HasherError::Failed("a password hash was lost".into()))
    }
}

#[async_trait]
impl PasswordHasher for Argon2PasswordHasher {
    #[tracing::instrument(name = "password.hash", skip_all)]
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HasherError> {
        let password = SecretString::from(password.expose());
        let params = self.params.clone();
        self.off_executor(Operation::Hash, move |memory| {
            hash_with(memory, &params, &password)
        })
        .await?
    }

    #[tracing::instrument(name = "password.verify", skip_all)]
    async fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, HasherError> {
        let password = SecretString::from(password.expose());
        let hash = hash.clone();
        let params = self.params.clone();
        self.off_executor(Operation::Verify, move |memory| {
            verify_with(memory, &params, &password, &hash)
        })
        .await?
    }

    async fn verify_dummy(&self, password: &Password) -> Result<(), HasherError> {
        self.verify(password, &self.dummy).await.map(drop)
    }

    fn needs_rehash(&self, hash: &PasswordHash) -> bool {
        !is_current(hash.expose(), &self.params)
    }
}
