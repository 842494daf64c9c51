//! The JSON Web Key Set of the keys that verify access tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::verification_key::VerificationKey;

/// A JSON Web Key Set (RFC 7517), as served at `/.well-known/jwks.json`:
/// the keys that verify this service's tokens, the signing key first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwkSet {
    /// One entry per key.
    pub keys: Vec<Jwk>,
}

/// One Ed25519 public key as a JSON Web Key (RFC 8037).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// The key type: `OKP`.
    pub kty: String,
    /// The curve: `Ed25519`.
    pub crv: String,
    /// The public key, in unpadded base64url.
    pub x: String,
    /// The key id, as in the `kid` header of the tokens it verifies.
    pub kid: String,
    /// The algorithm of the tokens: `EdDSA`.
    pub alg: String,
    /// What the key is for: `sig`.
    #[serde(rename = "use")]
    pub key_use: String,
}

impl From<&VerificationKey> for Jwk {
    fn from(key: &VerificationKey) -> Self {
        Self {
            kty: "OKP".to_owned(),
            crv: "Ed25519".to_owned(),
            x: URL_SAFE_NO_PAD.encode(key.public_key()),
            kid: key.key_id().to_owned(),
            alg: "EdDSA".to_owned(),
            key_use: "sig".to_owned(),
        }
    }
}
