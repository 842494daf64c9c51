use domain::auth::AccessClaims;

use super::AuthService;
use crate::error::AppError;

impl AuthService {
    /// Verifies a bearer access token and returns what it proves.
    ///
    /// # Errors
    ///
    /// [`AuthFailure::InvalidToken`](crate::error::AuthFailure::InvalidToken)
    /// or [`AuthFailure::TokenExpired`](crate::error::AuthFailure::TokenExpired).
    pub fn authenticate(&self, token: &str) -> Result<AccessClaims, AppError> {
        self.tokens
            .verify(token, self.clock.now())
            .map_err(|error| {
                tracing::debug!(error = %error, "access token refused");
                AppError::from(error)
            })
    }
}

#[cfg(test)]
mod tests {
    use domain::ports::TokenError;
    use domain::user::{Role, UserId};

    use super::*;
    use crate::error::AuthFailure;
    use crate::fixtures::Ports;

    #[test]
    fn a_valid_token_yields_its_claims_checked_against_the_clock() {
        let mut ports = Ports::new();
        let now = ports.now;
        let claims = AccessClaims {
            user_id: UserId::generate(),
            role: Role::User,
            issued_at: now,
            expires_at: now + time::Duration::minutes(15),
        };
        let expected = claims.clone();
        ports
            .tokens
            .expect_verify()
            .withf(move |token, at| token == "token" && *at == now)
            .returning(move |_, _| Ok(claims.clone()));

        assert_eq!(ports.auth().authenticate("token").expect("valid"), expected);
    }

    #[test]
    fn expired_and_invalid_tokens_are_unauthenticated() {
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

            let refused = ports.auth().authenticate("token").expect_err("refused");

            assert!(
                matches!(refused, AppError::Unauthenticated(f) if f == failure),
                "{refused:?}"
            );
        }
    }
}
