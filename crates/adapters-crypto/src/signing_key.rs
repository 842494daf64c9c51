//! The Ed25519 key that signs access tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rand_core::OsRng;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::verification_key::VerificationKey;

/// An Ed25519 private key, with the public half and its key id.
pub struct SigningKey {
    key: ed25519_dalek::SigningKey,
    key_id: String,
}

/// A text that is not a PKCS#8 PEM Ed25519 private key. It never repeats
/// the text.
#[derive(Debug, thiserror::Error)]
#[error("not a PKCS#8 PEM-encoded Ed25519 private key (\"-----BEGIN PRIVATE KEY-----\")")]
pub struct InvalidSigningKey;

impl SigningKey {
    /// A new random key.
    #[must_use]
    pub fn generate() -> Self {
        Self::from_key(ed25519_dalek::SigningKey::generate(&mut OsRng))
    }

    /// Reads a PKCS#8 PEM key, as `openssl genpkey -algorithm ed25519` or
    /// `doorman keygen` writes it.
    ///
    /// # Errors
    ///
    /// [`InvalidSigningKey`] when the text is not such a key.
    pub fn from_pkcs8_pem(pem: &SecretString) -> Result<Self, InvalidSigningKey> {
        ed25519_dalek::SigningKey::from_pkcs8_pem(pem.expose_secret().trim())
            .map(Self::from_key)
            .map_err(|_| InvalidSigningKey)
    }

    fn from_key(key: ed25519_dalek::SigningKey) -> Self {
        let key_id = thumbprint(&key.verifying_key().to_bytes());
        Self { key, key_id }
    }

    /// The key in PKCS#8 PEM.
    ///
    /// # Errors
    ///
    /// [`InvalidSigningKey`] if the key cannot be encoded, which a valid key
    /// never causes.
    pub fn to_pkcs8_pem(&self) -> Result<SecretString, InvalidSigningKey> {
        self.key
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| SecretString::from(pem.as_str()))
            .map_err(|_| InvalidSigningKey)
    }

    /// The RFC 7638 thumbprint of the public key, used as the tokens' `kid`.
    #[must_use]
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub(crate) fn pkcs8_der(&self) -> Result<Vec<u8>, InvalidSigningKey> {
        self.key
            .to_pkcs8_der()
            .map(|der| der.as_bytes().to_vec())
            .map_err(|_| InvalidSigningKey)
    }

    /// The public half, which verifies what this key signs.
    pub(crate) fn verification_key(&self) -> VerificationKey {
        VerificationKey::from(self.key.verifying_key())
    }
}

/// RFC 7638: the SHA-256 of the key's required JWK members in lexical order.
pub(crate) fn thumbprint(public_key: &[u8; 32]) -> String {
    let jwk = format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(public_key)
    );
    URL_SAFE_NO_PAD.encode(Sha256::digest(jwk.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_survives_a_round_trip_through_pem() {
        let key = SigningKey::generate();
        let pem = key.to_pkcs8_pem().expect("encodes");
        assert!(
            pem.expose_secret()
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );

        let read = SigningKey::from_pkcs8_pem(&pem).expect("decodes");

        assert_eq!(
            read.verification_key().public_key(),
            key.verification_key().public_key()
        );
        assert_eq!(read.key_id(), key.key_id());
    }

    #[test]
    fn the_key_id_is_the_rfc_7638_thumbprint() {
        // RFC 8037, appendix A.3: the thumbprint of the example Ed25519 key.
        let public_key: [u8; 32] = URL_SAFE_NO_PAD
            .decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
            .expect("base64")
            .try_into()
            .expect("32 bytes");
        assert_eq!(
            thumbprint(&public_key),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }

    #[test]
    fn garbage_is_refused_without_being_echoed() {
        for text in [
            "",
            "not a key",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
        ] {
            let error = SigningKey::from_pkcs8_pem(&SecretString::from(text))
                .err()
                .expect("refused");
            assert!(!error.to_string().contains("AAAA"));
        }
    }
}
