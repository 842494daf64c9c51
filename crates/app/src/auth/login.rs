use domain::auth::IssuedAccessToken;
use domain::password::Password;
use domain::user::{Email, User};

use super::AuthService;
use crate::error::{AppError, AuthFailure, Forbidden};

/// What a person supplies to sign in.
#[derive(Debug)]
pub struct Credentials {
    /// The account's address, in any letter case.
    pub email: Email,
    /// The password as typed.
    pub password: Password,
}

/// A successful sign-in: an access token and the account it is for.
#[derive(Debug)]
pub struct SignedIn {
    /// The bearer token for later requests.
    pub access_token: IssuedAccessToken,
    /// The signed-in account.
    pub user: User,
}

impl AuthService {
    /// Checks the credentials and issues an access token.
    ///
    /// An unknown address and a wrong password fail alike, after the same
    /// amount of hashing work, so that neither the answer nor its timing
    /// tells whether an account exists. A disabled account is reported only
    /// once the password was right.
    ///
    /// # Errors
    ///
    /// [`AuthFailure::InvalidCredentials`] for an unknown address or a wrong
    /// password; [`Forbidden::AccountDisabled`] for a disabled account;
    /// [`AppError::Unavailable`] or [`AppError::Internal`] when a dependency
    /// fails.
    #[tracing::instrument(name = "auth.login", skip_all, fields(user.id))]
    pub async fn login(&self, credentials: Credentials) -> Result<SignedIn, AppError> {
        let Some(user) = self.users.find_by_email(&credentials.email).await? else {
            self.hasher.verify_dummy(&credentials.password).await?;
            tracing::info!("sign-in refused: unknown account");
            return Err(AppError::Unauthenticated(AuthFailure::InvalidCredentials));
        };
        tracing::Span::current().record("user.id", tracing::field::display(user.id));
        if !self
            .hasher
            .verify(&credentials.password, &user.password_hash)
            .await?
        {
            tracing::info!("sign-in refused: wrong password");
            return Err(AppError::Unauthenticated(AuthFailure::InvalidCredentials));
        }
        if !user.is_active() {
            tracing::info!("sign-in refused: account disabled");
            return Err(AppError::Forbidden(Forbidden::AccountDisabled));
        }
        let access_token = self.tokens.issue(&user, self.clock.now())?;
        tracing::info!("signed in");
        Ok(SignedIn { access_token, user })
    }
}

#[cfg(test)]
mod tests {
    use domain::auth::IssuedAccessToken;
    use domain::ports::HasherError;
    use domain::user::UserStatus;
    use secrecy::{ExposeSecret, SecretString};

    use super::*;
    use crate::fixtures::{Ports, hash_of, registered_user, unavailable};

    const PASSWORD: &str = "correct horse battery";

    fn credentials(password: &str) -> Credentials {
        Credentials {
            email: Email::parse("ADA@example.com").expect("valid"),
            password: Password::parse(password.to_owned()).expect("valid"),
        }
    }

    /// Ports where `ada@example.com` exists with [`PASSWORD`] and `status`.
    fn ports_with_account(status: UserStatus) -> Ports {
        let mut ports = Ports::new();
        let mut user = registered_user(PASSWORD);
        user.status = status;
        ports
            .users
            .expect_find_by_email()
            .withf(|email| email.as_str() == "ADA@example.com")
            .returning(move |_| Ok(Some(user.clone())));
        ports
            .hasher
            .expect_verify()
            .returning(|password, hash| Ok(hash_of(password.expose()) == *hash));
        ports
    }

    #[tokio::test]
    async fn the_right_password_yields_a_token_issued_now() {
        let mut ports = ports_with_account(UserStatus::Active);
        let now = ports.now;
        ports
            .tokens
            .expect_issue()
            .withf(move |user, at| user.email.as_str() == "ada@example.com" && *at == now)
            .times(1)
            .returning(|_, _| {
                Ok(IssuedAccessToken {
                    token: SecretString::from("signed"),
                    lifetime: time::Duration::minutes(15),
                })
            });

        let signed_in = ports
            .auth()
            .login(credentials(PASSWORD))
            .await
            .expect("signed in");

        assert_eq!(signed_in.access_token.token.expose_secret(), "signed");
        assert_eq!(signed_in.user.email.as_str(), "ada@example.com");
    }

    #[tokio::test]
    async fn a_wrong_password_is_invalid_credentials() {
        let mut ports = ports_with_account(UserStatus::Active);
        ports.tokens.expect_issue().never();

        let error = ports
            .auth()
            .login(credentials("wrong password"))
            .await
            .expect_err("refused");

        assert!(
            matches!(
                error,
                AppError::Unauthenticated(AuthFailure::InvalidCredentials)
            ),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn an_unknown_email_fails_like_a_wrong_password_after_the_same_hashing_work() {
        let mut ports = Ports::new();
        ports.users.expect_find_by_email().returning(|_| Ok(None));
        ports
            .hasher
            .expect_verify_dummy()
            .times(1)
            .returning(|_| Ok(()));
        ports.tokens.expect_issue().never();

        let error = ports
            .auth()
            .login(credentials(PASSWORD))
            .await
            .expect_err("refused");

        assert!(
            matches!(
                error,
                AppError::Unauthenticated(AuthFailure::InvalidCredentials)
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            AppError::Unauthenticated(AuthFailure::InvalidCredentials).to_string()
        );
    }

    #[tokio::test]
    async fn a_disabled_account_is_forbidden_only_with_the_right_password() {
        let ports = ports_with_account(UserStatus::Disabled);
        let auth = ports.auth();

        let right = auth
            .login(credentials(PASSWORD))
            .await
            .expect_err("refused");
        let wrong = auth
            .login(credentials("wrong password"))
            .await
            .expect_err("refused");

        assert!(
            matches!(right, AppError::Forbidden(Forbidden::AccountDisabled)),
            "{right:?}"
        );
        assert!(
            matches!(
                wrong,
                AppError::Unauthenticated(AuthFailure::InvalidCredentials)
            ),
            "{wrong:?}"
        );
    }

    #[tokio::test]
    async fn a_hasher_failure_is_internal() {
        let mut ports = Ports::new();
        ports
            .users
            .expect_find_by_email()
            .returning(|_| Ok(Some(registered_user(PASSWORD))));
        ports
            .hasher
            .expect_verify()
            .returning(|_, _| Err(HasherError("corrupt hash".into())));

        let error = ports
            .auth()
            .login(credentials(PASSWORD))
            .await
            .expect_err("fails");

        assert!(matches!(error, AppError::Internal(_)), "{error:?}");
    }

    #[tokio::test]
    async fn an_unreachable_store_is_unavailable_not_invalid_credentials() {
        let mut ports = Ports::new();
        ports
            .users
            .expect_find_by_email()
            .returning(|_| Err(unavailable()));
        ports.hasher.expect_verify_dummy().never();

        let error = ports
            .auth()
            .login(credentials(PASSWORD))
            .await
            .expect_err("fails");

        assert!(matches!(error, AppError::Unavailable(_)), "{error:?}");
    }
}
