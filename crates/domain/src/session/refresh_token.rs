use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use super::SessionId;

/// The random half of a refresh token: 32 bytes, in unpadded base64url.
///
/// It never prints; the store keeps only its [`SecretDigest`].
pub struct RefreshSecret(SecretString);

/// The SHA-256 digest of a [`RefreshSecret`]: what the store keeps.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecretDigest([u8; 32]);

/// An opaque refresh token, `<session id>.<secret>`.
pub struct RefreshToken {
    session_id: SessionId,
    secret: RefreshSecret,
}

/// A text that is not shaped like a refresh token. It never repeats the
/// text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a refresh token issued by this service")]
pub struct MalformedRefreshToken;

impl RefreshSecret {
    /// The length of a secret's text: 32 bytes in unpadded base64url.
    pub const ENCODED_LEN: usize = 43;

    /// Wraps an encoded secret.
    ///
    /// # Errors
    ///
    /// [`MalformedRefreshToken`] unless it is [`ENCODED_LEN`](Self::ENCODED_LEN)
    /// characters of the base64url alphabet.
    pub fn parse(encoded: &str) -> Result<Self, MalformedRefreshToken> {
        let shaped = encoded.len() == Self::ENCODED_LEN
            && encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if shaped {
            Ok(Self(SecretString::from(encoded)))
        } else {
            Err(MalformedRefreshToken)
        }
    }

    /// The encoded secret, to digest it or hand it to the client.
    #[must_use]
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for RefreshSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshSecret([REDACTED])")
    }
}

impl SecretDigest {
    /// Wraps a SHA-256 digest.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The digest's bytes, for the store.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for SecretDigest {
    // A digest is not the secret, but there is no reason to print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretDigest(..)")
    }
}

impl RefreshToken {
    /// The token of `session_id` with `secret`.
    #[must_use]
    pub fn new(session_id: SessionId, secret: RefreshSecret) -> Self {
        Self { session_id, secret }
    }

    /// Reads a token a client presented.
    ///
    /// # Errors
    ///
    /// [`MalformedRefreshToken`] unless it is a UUID, a dot and a secret.
    pub fn parse(raw: &str) -> Result<Self, MalformedRefreshToken> {
        let (id, secret) = parse_id_and_secret(raw).ok_or(MalformedRefreshToken)?;
        Ok(Self {
            session_id: id.into(),
            secret,
        })
    }

    /// The session the token belongs to.
    #[must_use]
    pub fn session_id(&self) -> SessionId {
        self.session_id
    }

    /// The secret half.
    #[must_use]
    pub fn secret(&self) -> &RefreshSecret {
        &self.secret
    }

    /// The token's text, for the client only.
    #[must_use]
    pub fn expose(&self) -> String {
        format!("{}.{}", self.session_id, self.secret.expose())
    }
}

/// Reads `<uuid>.<secret>`, the shape of every opaque token of the service.
pub(crate) fn parse_id_and_secret(raw: &str) -> Option<(Uuid, RefreshSecret)> {
    let (id, secret) = raw.split_once('.')?;
    // Only the hyphenated form, so that one token has one spelling.
    if id.len() != 36 {
        return None;
    }
    let id = Uuid::try_parse(id).ok()?;
    Some((id, RefreshSecret::parse(secret).ok()?))
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshToken")
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE";

    #[test]
    fn a_token_reads_back_as_written() {
        let id = SessionId::generate();
        let token = RefreshToken::new(id, RefreshSecret::parse(SECRET).expect("valid"));

        let read = RefreshToken::parse(&token.expose()).expect("valid");

        assert_eq!(read.session_id(), id);
        assert_eq!(read.secret().expose(), SECRET);
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let id = SessionId::generate();
        for raw in [
            String::new(),
            SECRET.to_owned(),
            format!("{id}"),
            format!("{id}."),
            format!("{id}.{}", &SECRET[1..]),
            format!("{id}.{SECRET}x"),
            format!("{id}.{}", SECRET.replace('Z', "+")),
            format!("{}.{SECRET}", id.as_uuid().simple()),
            format!("not-a-uuid-at-all-but-36-characters.{SECRET}"),
        ] {
            assert!(RefreshToken::parse(&raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn never_prints_its_secret() {
        let token = RefreshToken::new(
            SessionId::generate(),
            RefreshSecret::parse(SECRET).expect("valid"),
        );
        assert!(!format!("{token:?}").contains(SECRET));
        assert!(!format!("{:?}", token.secret()).contains(SECRET));
    }
}
