use domain::auth::IssuedAccessToken;
use domain::device::DeviceToken;
use domain::session::{RefreshSecret, RefreshToken, Session};
use domain::user::User;

use super::AuthService;
use crate::error::AppError;

/// A sign-in or a refresh: a token pair for a session, and its account.
#[derive(Debug)]
pub struct SignedIn {
    /// The bearer token for later requests.
    pub access_token: IssuedAccessToken,
    /// The token that gets the next pair.
    pub refresh_token: RefreshToken,
    /// The signed-in account.
    pub user: User,
    /// What vouches for this client at its next sign-in: a sign-in's only.
    pub device_token: Option<DeviceToken>,
}

impl AuthService {
    /// The pair for `session` of `user`, whose refresh secret is `secret`.
    pub(super) fn pair(
        &self,
        user: User,
        session: &Session,
        secret: RefreshSecret,
    ) -> Result<SignedIn, AppError> {
        let access_token = self
            .ports
            .tokens
            .issue(&user, session.id, self.ports.clock.now())?;
        Ok(SignedIn {
            access_token,
            refresh_token: RefreshToken::new(session.id, secret),
            user,
            device_token: None,
        })
    }
}
