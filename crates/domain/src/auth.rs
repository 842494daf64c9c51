//! What an access token says about its bearer.

use secrecy::SecretString;
use time::{Duration, OffsetDateTime};

use crate::session::SessionId;
use crate::user::{Role, UserId};

/// The verified content of an access token: who the bearer is and what the
/// token allows, as of when it was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    /// The account the token was issued to.
    pub user_id: UserId,
    /// The session the token belongs to.
    pub session_id: SessionId,
    /// The account's role when the token was issued.
    pub role: Role,
    /// When the token was issued.
    pub issued_at: OffsetDateTime,
    /// When the token stops being accepted.
    pub expires_at: OffsetDateTime,
}

/// A freshly signed access token.
#[derive(Debug)]
pub struct IssuedAccessToken {
    /// The compact token, to hand to the client only.
    pub token: SecretString,
    /// How long the token is accepted after it was issued.
    pub lifetime: Duration,
}
