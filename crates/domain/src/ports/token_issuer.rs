use time::OffsetDateTime;

use crate::auth::{AccessClaims, IssuedAccessToken};
use crate::error::BoxError;
use crate::session::SessionId;
use crate::user::User;

/// Signs and verifies the short-lived access tokens that clients present.
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait TokenIssuer: Send + Sync {
    /// A token for this user's session, issued at `now`.
    ///
    /// # Errors
    ///
    /// [`TokenError::Signing`] when the token could not be signed.
    fn issue(
        &self,
        user: &User,
        session: SessionId,
        now: OffsetDateTime,
    ) -> Result<IssuedAccessToken, TokenError>;

    /// The claims of a token this service issued, if it is still valid at
    /// `now`.
    ///
    /// # Errors
    ///
    /// [`TokenError::Expired`] when it was valid but has expired;
    /// [`TokenError::Invalid`] for anything else (malformed, another
    /// algorithm, another key, issuer or audience, missing claims).
    fn verify(&self, token: &str, now: OffsetDateTime) -> Result<AccessClaims, TokenError>;
}

/// Why a token could not be issued or accepted.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The token's lifetime is over.
    #[error("the access token has expired")]
    Expired,
    /// The token is not one this service issued, or was altered.
    #[error("the access token is invalid")]
    Invalid(#[source] BoxError),
    /// The key could not sign.
    #[error("the access token could not be signed")]
    Signing(#[source] BoxError),
}
