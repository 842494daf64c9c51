use crate::session::{RefreshSecret, SecretDigest};

/// Makes refresh secrets and digests them.
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait RefreshSecrets: Send + Sync {
    /// A new secret from a cryptographic random source, with its digest.
    fn generate(&self) -> (RefreshSecret, SecretDigest);

    /// The digest under which the store keeps `secret`.
    fn digest(&self, secret: &RefreshSecret) -> SecretDigest;
}
