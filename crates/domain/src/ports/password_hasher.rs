use async_trait::async_trait;

use crate::error::BoxError;
use crate::password::{Password, PasswordHash};

/// Hashes and verifies passwords. Implementations are slow on purpose and
/// must keep that work off the threads that serve requests.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A salted hash of the password, with the configured cost.
    ///
    /// # Errors
    ///
    /// [`HasherError::Busy`] when the queue is full;
    /// [`HasherError::Failed`] when the hash could not be computed.
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HasherError>;

    /// Whether the password matches the hash. A mismatch is `Ok(false)`.
    ///
    /// # Errors
    ///
    /// [`HasherError`] when the hash cannot be read or the work could not
    /// be done; never for a wrong password.
    async fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, HasherError>;

    /// Spends the same time as [`verify`](Self::verify) against a hash that
    /// matches no password, so that a sign-in for an unknown account takes
    /// as long as one with a wrong password.
    ///
    /// # Errors
    ///
    /// [`HasherError`] when the work could not be done.
    async fn verify_dummy(&self, password: &Password) -> Result<(), HasherError>;

    /// Whether `hash` was made with other parameters than those of new
    /// hashes, so that it should be replaced at the next sign-in.
    fn needs_rehash(&self, hash: &PasswordHash) -> bool;
}

/// Why a password hasher could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum HasherError {
    /// Every hashing slot is taken and the queue is full: the request is
    /// refused rather than left waiting. Trying later may succeed.
    #[error("password hashing is saturated")]
    Busy,
    /// The hash could not be computed or read.
    #[error("password hashing failed")]
    Failed(#[source] BoxError),
}
