//! Device tokens: what a client that once signed in to an account holds, so
//! that a lockout of the account for strangers does not keep it out.
//! Failures through a device token count against that device alone.

use std::fmt;

use time::OffsetDateTime;

use crate::id::uuid_v7_id;
use crate::session::{RefreshSecret, SecretDigest, parse_id_and_secret};
use crate::user::UserId;

uuid_v7_id! {
    /// The identifier of a device token: a UUID v7, kept when the token is
    /// renewed, so that its failure count survives the renewal.
    DeviceId
}

/// An opaque device token, `<device id>.<secret>`; the store keeps only the
/// secret's digest.
pub struct DeviceToken {
    id: DeviceId,
    secret: RefreshSecret,
}

/// A text that is not shaped like a device token. It never repeats the
/// text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a device token issued by this service")]
pub struct MalformedDeviceToken;

impl DeviceToken {
    /// The token of device `id` with `secret`.
    #[must_use]
    pub fn new(id: DeviceId, secret: RefreshSecret) -> Self {
        Self { id, secret }
    }

    /// Reads a token a client presented.
    ///
    /// # Errors
    ///
    /// [`MalformedDeviceToken`] unless it is a UUID, a dot and a secret.
    pub fn parse(raw: &str) -> Result<Self, MalformedDeviceToken> {
        let (id, secret) = parse_id_and_secret(raw).ok_or(MalformedDeviceToken)?;
        Ok(Self {
            id: id.into(),
            secret,
        })
    }

    /// The device the token names.
    #[must_use]
    pub fn id(&self) -> DeviceId {
        self.id
    }

    /// The secret half.
    #[must_use]
    pub fn secret(&self) -> &RefreshSecret {
        &self.secret
    }

    /// The token's text, for the client only.
    #[must_use]
    pub fn expose(&self) -> String {
        format!("{}.{}", self.id, self.secret.expose())
    }
}

impl fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceToken")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A device token as stored: whose it is and until when it vouches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Its identifier.
    pub id: DeviceId,
    /// The account it was issued to.
    pub user_id: UserId,
    /// The digest of its current secret.
    pub digest: SecretDigest,
    /// When it stops vouching unless a sign-in renews it.
    pub expires_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE";

    #[test]
    fn a_token_reads_back_as_written_and_never_prints_its_secret() {
        let id = DeviceId::generate();
        let token = DeviceToken::new(id, RefreshSecret::parse(SECRET).expect("valid"));

        let read = DeviceToken::parse(&token.expose()).expect("valid");

        assert_eq!(read.id(), id);
        assert_eq!(read.secret().expose(), SECRET);
        assert!(!format!("{read:?}").contains(SECRET));
    }

    #[test]
    fn anything_else_is_malformed() {
        let id = DeviceId::generate();
        for raw in [
            String::new(),
            SECRET.to_owned(),
            format!("{id}"),
            format!("{id}."),
            format!("{id}.{SECRET}x"),
            format!("{}.{SECRET}", id.as_uuid().simple()),
        ] {
            assert_eq!(
                DeviceToken::parse(&raw).err(),
                Some(MalformedDeviceToken),
                "{raw}"
            );
        }
    }
}
