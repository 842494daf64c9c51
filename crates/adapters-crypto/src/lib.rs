//! Doorman's cryptography adapters: the domain's password hasher on
//! argon2id, run on a bounded pool of blocking threads, and its token issuer
//! on EdDSA (Ed25519) JSON Web Tokens.
//!
//! It depends on the domain only; neither HTTP nor SQL reaches it.

mod access_tokens;
mod password_hasher;
mod signing_key;

pub use access_tokens::{AccessTokenSettings, Ed25519AccessTokens};
pub use password_hasher::{Argon2PasswordHasher, HashingSettings, InvalidHashingSettings};
pub use signing_key::{InvalidSigningKey, SigningKey};
