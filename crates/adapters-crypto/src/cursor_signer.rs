//! Pagination cursors sealed with HMAC-SHA-256.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::ports::CursorSigner;
use hkdf::Hkdf;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use secrecy::zeroize::Zeroizing;
use sha2::Sha256;

use crate::signing_key::{InvalidSigningKey, SigningKey};

type HmacSha256 = Hmac<Sha256>;

/// What the derived key is for, as HKDF's `info`.
const PURPOSE: &[u8] = b"doorman pagination cursors v1";

/// Seals cursors as `<payload>.<tag>`, both in unpadded base64url, the tag
/// an HMAC-SHA-256 of the payload.
///
/// The key is derived from the access-token signing key, which every
/// replica already shares; rotating that key only makes the cursors of
/// listings in progress start again.
pub struct HmacCursorSigner {
    /// A 32-byte key padded with zeros to SHA-256's block, as HMAC pads it.
    key: Zeroizing<[u8; 64]>,
}

impl HmacCursorSigner {
    /// A signer whose key is derived from `signing_key`, for this purpose
    /// only.
    ///
    /// # Errors
    ///
    /// [`InvalidSigningKey`] if the key cannot be encoded, which a valid
    /// key never causes.
    pub fn derived_from(signing_key: &SigningKey) -> Result<Self, InvalidSigningKey> {
        let der = Zeroizing::new(signing_key.pkcs8_der()?);
        let mut key = Zeroizing::new([0; 64]);
        // HKDF rather than a bare hash of the key: the standard way to
        // take a key of its own, by purpose, from key material.
        Hkdf::<Sha256>::new(None, &der)
            .expand(PURPOSE, &mut key[..32])
            .map_err(|_| InvalidSigningKey)?;
        Ok(Self { key })
    }

    fn mac(&self) -> HmacSha256 {
        <HmacSha256 as KeyInit>::new(&(*self.key).into())
    }
}

impl CursorSigner for HmacCursorSigner {
    fn seal(&self, payload: &[u8]) -> String {
        let mut mac = self.mac();
        mac.update(payload);
        let tag = mac.finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    fn open(&self, cursor: &str) -> Option<Vec<u8>> {
        let (payload, tag) = cursor.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        let mut mac = self.mac();
        mac.update(&payload);
        // Compared in constant time.
        mac.verify_slice(&tag).ok()?;
        Some(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> HmacCursorSigner {
        HmacCursorSigner::derived_from(&SigningKey::generate()).expect("derives")
    }

    #[test]
    fn a_sealed_cursor_opens_to_its_payload() {
        let signer = signer();

        let cursor = signer.seal(b"users|2026|0193");

        assert_eq!(
            signer.open(&cursor).as_deref(),
            Some(&b"users|2026|0193"[..])
        );
        assert!(
            cursor
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        );
    }

    #[test]
    fn the_key_is_the_hkdf_of_the_signing_key_for_cursors_only() {
        let signing_key = SigningKey::generate();
        let der = signing_key.pkcs8_der().expect("encodes");
        let mut expected = [0; 32];
        Hkdf::<Sha256>::new(None, &der)
            .expand(b"doorman pagination cursors v1", &mut expected)
            .expect("32 bytes");
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&expected).expect("any length");
        mac.update(b"page");

        let cursor = HmacCursorSigner::derived_from(&signing_key)
            .expect("derives")
            .seal(b"page");

        let tag = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        assert_eq!(
            cursor.split_once('.').map(|(_, tag)| tag),
            Some(tag.as_str())
        );
    }

    #[test]
    fn tampered_truncated_or_foreign_cursors_do_not_open() {
        let signer = signer();
        let cursor = signer.seal(b"users|2026|0193");
        let (payload, tag) = cursor.split_once('.').expect("two parts");
        let other_payload = URL_SAFE_NO_PAD.encode(b"users|2027|0193");
        let another = HmacCursorSigner::derived_from(&SigningKey::generate()).expect("derives");

        for forged in [
            format!("{other_payload}.{tag}"),
            format!("{payload}.{}", &tag[1..]),
            payload.to_owned(),
            format!("{payload}.!!"),
            another.seal(b"users|2026|0193"),
            String::new(),
        ] {
            assert_eq!(signer.open(&forged), None, "{forged}");
        }
    }
}
