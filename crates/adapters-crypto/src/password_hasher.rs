//! Password hashing with argon2id, off the async executor.

use std::sync::Arc;

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use domain::password::{Password, PasswordHash};
use domain::ports::{HasherError, PasswordHasher};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

/// The cost of a hash and how many may be computed at once.
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
/// Each hash runs on tokio's blocking threads, at most
/// `max_concurrent` at a time, so that the threads serving requests never
/// stall on the deliberately slow work.
#[derive(Clone)]
pub struct Argon2PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
    dummy: PasswordHash,
}

impl Argon2PasswordHasher {
    /// A hasher with these settings. It computes one hash to have a dummy
    /// to verify against for unknown accounts.
    ///
    /// # Errors
    ///
    /// [`InvalidHashingSettings`] when argon2 refuses the parameters.
    pub fn new(settings: HashingSettings) -> Result<Self, InvalidHashingSettings> {
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
        let dummy = hash_blocking(
            &params,
            &SecretString::from("an unguessable dummy password"),
        )
        .map_err(InvalidHashingSettings::Unusable)?;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(settings.max_concurrent)),
            dummy,
        })
    }

    async fn off_executor<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HasherError> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|error| HasherError(error.into()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|error| HasherError(error.into()))
    }
}

fn argon2id(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash_blocking(params: &Params, password: &SecretString) -> Result<PasswordHash, HasherError> {
    let phc = argon2id(params)
        .hash_password(password.expose_secret().as_bytes())
        .map_err(|error| HasherError(error.into()))?;
    PasswordHash::parse(phc.to_string()).map_err(|error| HasherError(error.into()))
}

/// Checks `password` against `hash`, with the parameters recorded in the
/// hash (so that hashes made with older settings still verify).
fn verify_blocking(password: &SecretString, hash: &PasswordHash) -> Result<bool, HasherError> {
    let verifier = Argon2::default();
    match verifier.verify_password(password.expose_secret().as_bytes(), hash.expose()) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(error) => Err(HasherError(error.into())),
    }
}

#[async_trait]
impl PasswordHasher for Argon2PasswordHasher {
    #[tracing::instrument(name = "password.hash", skip_all)]
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HasherError> {
        let password = SecretString::from(password.expose());
        let params = self.params.clone();
        self.off_executor(move || hash_blocking(&params, &password))
            .await?
    }

    #[tracing::instrument(name = "password.verify", skip_all)]
    async fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, HasherError> {
        let password = SecretString::from(password.expose());
        let hash = hash.clone();
        self.off_executor(move || verify_blocking(&password, &hash))
            .await?
    }

    async fn verify_dummy(&self, password: &Password) -> Result<(), HasherError> {
        self.verify(password, &self.dummy).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters: these tests check behaviour, not cost.
    fn hasher() -> Argon2PasswordHasher {
        Argon2PasswordHasher::new(HashingSettings {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
            max_concurrent: 2,
        })
        .expect("valid settings")
    }

    fn password(text: &str) -> Password {
        Password::parse(text.to_owned()).expect("valid")
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hasher = hasher();
        let hash = hasher
            .hash(&password("correct horse battery"))
            .await
            .expect("hashed");

        assert!(hash.expose().starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert!(
            hasher
                .verify(&password("correct horse battery"), &hash)
                .await
                .expect("verified")
        );
        assert!(
            !hasher
                .verify(&password("correct horse batterx"), &hash)
                .await
                .expect("verified")
        );
    }

    #[tokio::test]
    async fn hashes_are_salted() {
        let hasher = hasher();
        let first = hasher
            .hash(&password("same password"))
            .await
            .expect("hashed");
        let second = hasher
            .hash(&password("same password"))
            .await
            .expect("hashed");

        assert_ne!(first, second);
    }

    #[tokio::test]
    async fn a_hash_made_with_other_parameters_still_verifies() {
        let old = Argon2PasswordHasher::new(HashingSettings {
            memory_kib: 2048,
            iterations: 2,
            parallelism: 1,
            max_concurrent: 1,
        })
        .expect("valid settings");
        let hash = old
            .hash(&password("kept across upgrades"))
            .await
            .expect("hashed");

        assert!(
            hasher()
                .verify(&password("kept across upgrades"), &hash)
                .await
                .expect("verified")
        );
    }

    #[tokio::test]
    async fn an_unreadable_hash_is_an_error_not_a_mismatch() {
        let hash = PasswordHash::parse("$argon2id$v=19$garbage".to_owned()).expect("PHC-shaped");

        assert!(hasher().verify(&password("anything"), &hash).await.is_err());
    }

    #[tokio::test]
    async fn the_dummy_verification_succeeds_for_any_password() {
        assert!(
            hasher()
                .verify_dummy(&password("anything at all"))
                .await
                .is_ok()
        );
    }

    #[test]
    fn parameters_out_of_bounds_are_refused() {
        let settings = HashingSettings {
            memory_kib: 1,
            iterations: 1,
            parallelism: 1,
            max_concurrent: 1,
        };
        assert!(Argon2PasswordHasher::new(settings).is_err());
        assert!(
            Argon2PasswordHasher::new(HashingSettings {
                memory_kib: 1024,
                max_concurrent: 0,
                ..settings
            })
            .is_err()
        );
    }
}
