//! Doorman's cryptography adapters:
//!
//! - the password hasher on argon2id, run on threads of its own behind a
//!   bounded queue, which also tells which stored hashes need an upgrade;
//! - the token issuer on EdDSA (Ed25519) JSON Web Tokens, verifying with the
//!   signing key and any previous keys, and publishing them all as a JSON
//!   Web Key Set;
//! - refresh secrets from the operating system's random source, stored as
//!   their SHA-256 digest;
//! - the password strength check on zxcvbn, aware of the account's email
//!   address and display name;
//! - pagination cursors sealed with HMAC-SHA-256.
//!
//! It depends on the domain only; neither HTTP nor SQL reaches it.

mod access_tokens;
mod cursor_signer;
mod password_hasher;
mod password_strength;
mod refresh_secrets;
mod signing_key;
mod verification_key;

pub use access_tokens::{AccessTokenSettings, Ed25519AccessTokens, Jwk, JwkSet};
pub use cursor_signer::HmacCursorSigner;
pub use password_hasher::{Argon2PasswordHasher, HashingSettings, InvalidHashingSettings};
pub use password_strength::{InvalidMinScore, ZxcvbnPasswordStrength};
pub use refresh_secrets::RandomRefreshSecrets;
pub use signing_key::{InvalidSigningKey, SigningKey};
pub use verification_key::{InvalidVerificationKey, VerificationKey};
