use domain::auth::AccessClaims;
use domain::user::User;
use time::OffsetDateTime;

use super::AuthService;
use crate::caller;
use crate::error::{AppError, AuthFailure};

impl AuthService {
    /// Verifies a bearer access token and returns what it proves, once its
    /// session is known to be live: a token stops working the moment its
    /// session ends, not only when it expires.
    ///
    /// # Errors
    ///
    /// [`AuthFailure::InvalidToken`] or [`AuthFailure::TokenExpired`] for a
    /// token that does not verify; [`AuthFailure::SessionEnded`] when its
    /// session has ended; [`AppError::Unavailable`] when the store cannot
    /// tell.
    pub async fn authenticate(&self, token: &str) -> Result<AccessClaims, AppError> {
        let now = self.ports.clock.now();
        let claims = self.verified(token, now)?;
        match self
            .ports
            .sessions
            .find_live(claims.session_id, now)
            .await?
        {
            Some(session) if session.user_id == claims.user_id => Ok(claims),
            _ => Err(ended(&claims)),
        }
    }

    /// The caller's own account, as stored now, read together with the
    /// check that the token's session is live: what
    /// [`authenticate`](Self::authenticate) proves, and the account, in
    /// one read.
    ///
    /// # Errors
    ///
    /// Those of [`authenticate`](Self::authenticate);
    /// [`Forbidden::AccountDisabled`](crate::error::Forbidden::AccountDisabled)
    /// when the account is disabled.
    #[tracing::instrument(name = "auth.authenticate_account", skip_all, fields(user.id))]
    pub async fn authenticate_account(&self, token: &str) -> Result<User, AppError> {
        let now = self.ports.clock.now();
        let claims = self.verified(token, now)?;
        let account = self
            .ports
            .users
            .find_by_live_session(claims.session_id, now)
            .await?
            .filter(|account| account.id == claims.user_id)
            .ok_or_else(|| ended(&claims))?;
        tracing::Span::current().record("user.id", tracing::field::display(account.id));
        caller::active(Some(account))
    }

    fn verified(&self, token: &str, now: OffsetDateTime) -> Result<AccessClaims, AppError> {
        self.ports.tokens.verify(token, now).map_err(|error| {
            tracing::debug!(error = %error, "access token refused");
            AppError::from(error)
        })
    }
}

/// The refusal of a genuine token whose session is over.
fn ended(claims: &AccessClaims) -> AppError {
    tracing::debug!(session.id = %claims.session_id, "access token of an ended session refused");
    AppError::Unauthenticated(AuthFailure::SessionEnded)
}

#[cfg(test)]
mod tests {
    use domain::ports::TokenError;
    use domain::session::Session;
    use domain::user::UserStatus;

    use super::*;
    use crate::error::Forbidden;
    use crate::fixtures::{Ports, claims_for, registered_user, unavailable};

    fn session_of(claims: &AccessClaims) -> Session {
        Session {
            id: claims.session_id,
            user_id: claims.user_id,
            created_at: claims.issued_at,
            last_used_at: claims.issued_at,
            expires_at: claims.expires_at,
            user_agent: None,
            ip: None,
        }
    }

    fn ports_verifying(claims: &AccessClaims) -> Ports {
        let mut ports = Ports::new();
        let now = ports.now;
        let claims = claims.clone();
        ports
            .tokens
            .expect_verify()
            .withf(move |token, at| token == "token" && *at == now)
            .returning(move |_, _| Ok(claims.clone()));
        ports
    }

    #[tokio::test]
    async fn a_valid_token_of_a_live_session_yields_its_claims() {
        let claims = claims_for(&registered_user("any password"));
        let mut ports = ports_verifying(&claims);
        let session = session_of(&claims);
        ports
            .sessions
            .expect_find_live()
            .withf(move |id, _| *id == session.id)
            .returning(move |_, _| Ok(Some(session.clone())));

        let verified = ports.auth().authenticate("token").await.expect("valid");

        assert_eq!(verified, claims);
    }

    #[tokio::test]
    async fn the_token_of_an_ended_session_is_refused_at_once() {
        let claims = claims_for(&registered_user("any password"));
        let mut ports = ports_verifying(&claims);
        ports.sessions.expect_find_live().returning(|_, _| Ok(None));

        let error = ports.auth().authenticate("token").await.expect_err("ended");

        assert!(
            matches!(error, AppError::Unauthenticated(AuthFailure::SessionEnded)),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn a_session_of_another_account_does_not_vouch_for_the_token() {
        let claims = claims_for(&registered_user("any password"));
        let mut ports = ports_verifying(&claims);
        let mut session = session_of(&claims);
        session.user_id = registered_user("other").id;
        ports
            .sessions
            .expect_find_live()
            .returning(move |_, _| Ok(Some(session.clone())));

        let error = ports
            .auth()
            .authenticate("token")
            .await
            .expect_err("refused");

        assert!(
            matches!(error, AppError::Unauthenticated(AuthFailure::SessionEnded)),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn expired_and_invalid_tokens_are_refused_without_a_lookup() {
        for (error, failure) in [
            (TokenError::Expired, AuthFailure::TokenExpired),
            (
                TokenError::Invalid("bad signature".into()),
                AuthFailure::InvalidToken,
            ),
        ] {
            let mut ports = Ports::new();
            let mut error = Some(error);
            ports
                .tokens
                .expect_verify()
                .returning(move |_, _| Err(error.take().expect("called once")));
            ports.sessions.expect_find_live().never();

            let refused = ports
                .auth()
                .authenticate("token")
                .await
                .expect_err("refused");

            assert!(
                matches!(refused, AppError::Unauthenticated(f) if f == failure),
                "{refused:?}"
            );
        }
    }

    #[tokio::test]
    async fn an_unreachable_store_is_unavailable() {
        let claims = claims_for(&registered_user("any password"));
        let mut ports = ports_verifying(&claims);
        ports
            .sessions
            .expect_find_live()
            .returning(|_, _| Err(unavailable()));

        let error = ports.auth().authenticate("token").await.expect_err("fails");

        assert!(matches!(error, AppError::Unavailable(_)), "{error:?}");
    }

    fn account_ports(claims: &AccessClaims, found: Option<User>) -> Ports {
        let mut ports = ports_verifying(claims);
        let session = claims.session_id;
        ports
            .users
            .expect_find_by_live_session()
            .withf(move |id, _| *id == session)
            .returning(move |_, _| Ok(found.clone()));
        ports.sessions.expect_find_live().never();
        ports.users.expect_find_by_id().never();
        ports
    }

    #[tokio::test]
    async fn the_account_of_a_live_session_is_read_with_it() {
        let user = registered_user("any password");
        let claims = claims_for(&user);

        let account = account_ports(&claims, Some(user.clone()))
            .auth()
            .authenticate_account("token")
            .await
            .expect("live");

        assert_eq!(account, user);
    }

    #[tokio::test]
    async fn no_account_without_a_live_session_of_its_own() {
        let user = registered_user("any password");
        let claims = claims_for(&user);
        let other = registered_user("other");

        for found in [None, Some(other)] {
            let error = account_ports(&claims, found)
                .auth()
                .authenticate_account("token")
                .await
                .expect_err("refused");

            assert!(
                matches!(error, AppError::Unauthenticated(AuthFailure::SessionEnded)),
                "{error:?}"
            );
        }
    }

    #[tokio::test]
    async fn the_account_of_a_disabled_user_is_forbidden() {
        let mut user = registered_user("any password");
        user.status = UserStatus::Disabled;
        let claims = claims_for(&user);

        let error = account_ports(&claims, Some(user))
            .auth()
            .authenticate_account("token")
            .await
            .expect_err("disabled");

        assert!(
            matches!(error, AppError::Forbidden(Forbidden::AccountDisabled)),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn an_unreadable_account_is_unavailable() {
        let claims = claims_for(&registered_user("any password"));
        let mut ports = ports_verifying(&claims);
        ports
            .users
            .expect_find_by_live_session()
            .returning(|_, _| Err(unavailable()));

        let error = ports
            .auth()
            .authenticate_account("token")
            .await
            .expect_err("fails");

        assert!(matches!(error, AppError::Unavailable(_)), "{error:?}");
    }
}
