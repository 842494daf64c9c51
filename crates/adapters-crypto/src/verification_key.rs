//! Ed25519 public keys that verify access tokens, such as those of the
//! keys that signed before the current one.

use std::fmt;

use ed25519_dalek::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use secrecy::{ExposeSecret, SecretString};

use crate::signing_key::thumbprint;

/// An Ed25519 public key that verifies tokens but never signs, with its
/// key id.
#[derive(Clone)]
pub struct VerificationKey {
    key: ed25519_dalek::VerifyingKey,
    key_id: String,
}

/// A text that does not hold the expected keys. It never repeats the text,
/// which may hold a private key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidVerificationKey {
    /// No PEM block at all.
    #[error("no PEM-encoded key found (\"-----BEGIN PUBLIC KEY-----\")")]
    NoKey,
    /// Several keys where one was expected.
    #[error("expected one PEM-encoded key, found {0}")]
    SeveralKeys(usize),
    /// A block that starts but never ends.
    #[error("PEM block {block} has no \"-----END ...-----\" line")]
    Unterminated {
        /// The block's position in the text, from 1.
        block: usize,
    },
    /// A block that is not an Ed25519 key.
    #[error(
        "PEM block {block} is neither an Ed25519 public key (\"-----BEGIN PUBLIC KEY-----\") \
         nor a PKCS#8 Ed25519 private key (\"-----BEGIN PRIVATE KEY-----\")"
    )]
    NotAKey {
        /// The block's position in the text, from 1.
        block: usize,
    },
}

const BEGIN: &str = "-----BEGIN ";
const END: &str = "-----END ";
const DASHES: &str = "-----";

impl VerificationKey {
    /// Reads one key in PEM: a public key as `openssl pkey -pubout` writes
    /// it, or a PKCS#8 private key of which only the public half is kept
    /// (so that the file of a retired signing key can be handed over as is).
    ///
    /// # Errors
    ///
    /// [`InvalidVerificationKey`] unless the text holds exactly one such key.
    pub fn from_pem(pem: &SecretString) -> Result<Self, InvalidVerificationKey> {
        let keys = Self::from_pem_bundle(pem)?;
        let found = keys.len();
        let [key] =
            <[Self; 1]>::try_from(keys).map_err(|_| InvalidVerificationKey::SeveralKeys(found))?;
        Ok(key)
    }

    /// Reads every key of a text of concatenated PEM blocks, each as
    /// [`from_pem`](Self::from_pem) reads it, in order. Text between the
    /// blocks is ignored, as RFC 7468 allows.
    ///
    /// # Errors
    ///
    /// [`InvalidVerificationKey`] when there is no block or one is not such
    /// a key.
    pub fn from_pem_bundle(pems: &SecretString) -> Result<Vec<Self>, InvalidVerificationKey> {
        let keys = pem_blocks(pems.expose_secret())?
            .into_iter()
            .enumerate()
            .map(|(index, block)| {
                read_block(block).ok_or(InvalidVerificationKey::NotAKey { block: index + 1 })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(InvalidVerificationKey::NoKey);
        }
        Ok(keys)
    }

    /// The RFC 7638 thumbprint of the key: the `kid` of the tokens it
    /// verifies.
    #[must_use]
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub(crate) fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }
}

impl From<ed25519_dalek::VerifyingKey> for VerificationKey {
    fn from(key: ed25519_dalek::VerifyingKey) -> Self {
        let key_id = thumbprint(&key.to_bytes());
        Self { key, key_id }
    }
}

impl fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

fn read_block(block: &str) -> Option<VerificationKey> {
    ed25519_dalek::VerifyingKey::from_public_key_pem(block)
        .or_else(|_| {
            ed25519_dalek::SigningKey::from_pkcs8_pem(block).map(|key| key.verifying_key())
        })
        .ok()
        .map(VerificationKey::from)
}

/// Each PEM block of `text`, from the start of its BEGIN line to the end of
/// its END line.
fn pem_blocks(text: &str) -> Result<Vec<&str>, InvalidVerificationKey> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let unterminated = InvalidVerificationKey::Unterminated {
            block: blocks.len() + 1,
        };
        let block = &rest[start..];
        let end_line = block.find(END).ok_or(unterminated.clone())?;
        let label_start = end_line + END.len();
        let closing = block[label_start..].find(DASHES).ok_or(unterminated)?;
        let (found, after) = block.split_at(label_start + closing + DASHES.len());
        blocks.push(found);
        rest = after;
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::pkcs8::EncodePublicKey as _;
    use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;

    use super::*;
    use crate::signing_key::SigningKey;

    fn public_pem(key: &SigningKey) -> String {
        key.verification_key()
            .key
            .to_public_key_pem(LineEnding::LF)
            .expect("encodes")
    }

    fn private_pem(key: &SigningKey) -> String {
        key.to_pkcs8_pem()
            .expect("encodes")
            .expose_secret()
            .to_owned()
    }

    fn secret(text: &str) -> SecretString {
        SecretString::from(text)
    }

    #[test]
    fn a_public_key_reads_with_the_signing_keys_key_id() {
        let signing = SigningKey::generate();

        let key = VerificationKey::from_pem(&secret(&public_pem(&signing))).expect("a key");

        assert_eq!(key.key_id(), signing.key_id());
        assert_eq!(key.public_key(), signing.verification_key().public_key());
    }

    #[test]
    fn a_private_key_reads_as_its_public_half() {
        let signing = SigningKey::generate();

        let key = VerificationKey::from_pem(&secret(&private_pem(&signing))).expect("a key");

        assert_eq!(key.key_id(), signing.key_id());
        assert!(!format!("{key:?}").contains("PRIVATE"));
    }

    #[test]
    fn a_bundle_reads_every_key_in_order_ignoring_text_between() {
        let (first, second, third) = (
            SigningKey::generate(),
            SigningKey::generate(),
            SigningKey::generate(),
        );
        let bundle = format!(
            "Previous keys, newest first.\n{}\n\n{}# retired in spring\n{}",
            public_pem(&first),
            private_pem(&second),
            public_pem(&third).replace('\n', "\r\n"),
        );

        let keys = VerificationKey::from_pem_bundle(&secret(&bundle)).expect("keys");

        let ids: Vec<&str> = keys.iter().map(VerificationKey::key_id).collect();
        assert_eq!(ids, [first.key_id(), second.key_id(), third.key_id()]);
        assert_eq!(
            VerificationKey::from_pem(&secret(&bundle)).map(drop),
            Err(InvalidVerificationKey::SeveralKeys(3))
        );
    }

    #[test]
    fn bad_bundles_are_refused_without_being_echoed() {
        let good = public_pem(&SigningKey::generate());
        let cases = [
            (String::new(), InvalidVerificationKey::NoKey),
            ("not a key AAAA".to_owned(), InvalidVerificationKey::NoKey),
            (
                format!("{good}-----BEGIN PUBLIC KEY-----\nAAAA\n"),
                InvalidVerificationKey::Unterminated { block: 2 },
            ),
            (
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY".to_owned(),
                InvalidVerificationKey::Unterminated { block: 1 },
            ),
            (
                format!("{good}-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
                InvalidVerificationKey::NotAKey { block: 2 },
            ),
            (
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----".to_owned(),
                InvalidVerificationKey::NotAKey { block: 1 },
            ),
        ];
        for (text, expected) in cases {
            let error = VerificationKey::from_pem_bundle(&secret(&text)).expect_err("refused");
            assert_eq!(error, expected);
            assert!(!error.to_string().contains("AAAA"));
        }
    }
}
