//! Refresh secrets: random bytes from the operating system, stored as their
//! SHA-256 digest.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::ports::RefreshSecrets;
use domain::session::{RefreshSecret, SecretDigest};
use rand_core::{OsRng, RngCore as _};
use secrecy::zeroize::Zeroizing;
use sha2::{Digest as _, Sha256};

/// The domain's refresh secrets: 32 bytes from the operating system's
/// cryptographic random source, in unpadded base64url.
///
/// The digest is a plain SHA-256 of the encoded text: the secret has 256
/// bits of entropy, so a slow hash would add nothing but cost.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomRefreshSecrets;

impl RefreshSecrets for RandomRefreshSecrets {
    fn generate(&self) -> (RefreshSecret, SecretDigest) {
        let mut bytes = Zeroizing::new([0_u8; 32]);
        OsRng.fill_bytes(bytes.as_mut());
        let encoded = Zeroizing::new(URL_SAFE_NO_PAD.encode(bytes.as_ref()));
        let secret = RefreshSecret::parse(&encoded)
            .expect("32 bytes always encode to 43 base64url characters");
        let digest = digest_of(&encoded);
        (secret, digest)
    }

    fn digest(&self, secret: &RefreshSecret) -> SecretDigest {
        digest_of(secret.expose())
    }
}

fn digest_of(encoded: &str) -> SecretDigest {
    SecretDigest::from_bytes(Sha256::digest(encoded.as_bytes()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_43_base64url_characters_that_parse_back() {
        let (secret, _) = RandomRefreshSecrets.generate();

        assert_eq!(secret.expose().len(), RefreshSecret::ENCODED_LEN);
        assert!(RefreshSecret::parse(secret.expose()).is_ok());
        let decoded = URL_SAFE_NO_PAD.decode(secret.expose()).expect("base64url");
        assert_eq!(decoded.len(), 32);
    }

    #[test]
    fn secrets_differ() {
        let (first, _) = RandomRefreshSecrets.generate();
        let (second, _) = RandomRefreshSecrets.generate();

        assert_ne!(first.expose(), second.expose());
    }

    #[test]
    fn the_digest_is_the_sha256_of_the_text_and_deterministic() {
        let (secret, digest) = RandomRefreshSecrets.generate();
        let expected: [u8; 32] = Sha256::digest(secret.expose().as_bytes()).into();

        assert_eq!(digest, RandomRefreshSecrets.digest(&secret));
        assert_eq!(
            RandomRefreshSecrets.digest(&secret),
            RandomRefreshSecrets.digest(&secret)
        );
        assert_eq!(digest.as_bytes(), &expected);
    }
}
