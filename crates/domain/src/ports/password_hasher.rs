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
    /// [`HasherError`] when the hash could not be computed.
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
}

/// A password hasher that could not do its work.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
pub struct HasherError(#[source] pub BoxError);
