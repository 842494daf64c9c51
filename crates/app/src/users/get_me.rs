use domain::auth::AccessClaims;
use domain::user::User;

use super::UserService;
use crate::caller;
use crate::error::AppError;

impl UserService {
    /// The caller's own account, as stored now.
    ///
    /// # Errors
    ///
    /// [`AuthFailure::AccountGone`](crate::error::AuthFailure::AccountGone)
    /// when the account was deleted after the token was issued;
    /// [`Forbidden::AccountDisabled`](crate::error::Forbidden::AccountDisabled)
    /// when it was disabled; [`AppError::Unavailable`] or
    /// [`AppError::Internal`] when the store fails.
    #[tracing::instrument(name = "users.get_me", skip_all, fields(user.id = %caller.user_id))]
    pub async fn get_me(&self, caller: &AccessClaims) -> Result<User, AppError> {
        caller::active_account(&*self.users, caller).await
    }
}

#[cfg(test)]
mod tests {
    use domain::user::UserStatus;

    use super::*;
    use crate::error::{AuthFailure, Forbidden};
    use crate::fixtures::{Ports, claims_for, registered_user, unavailable};

    fn service_with(user: Option<User>) -> UserService {
        let mut ports = Ports::new();
        ports
            .users
            .expect_find_by_id()
            .returning(move |_| Ok(user.clone()));
        ports.user_service()
    }

    #[tokio::test]
    async fn returns_the_callers_account() {
        let user = registered_user("any password");
        let claims = claims_for(&user);

        let me = service_with(Some(user.clone()))
            .get_me(&claims)
            .await
            .expect("found");

        assert_eq!(me, user);
    }

    #[tokio::test]
    async fn a_deleted_account_is_unauthenticated() {
        let claims = claims_for(&registered_user("any password"));

        let error = service_with(None).get_me(&claims).await.expect_err("gone");

        assert!(
            matches!(error, AppError::Unauthenticated(AuthFailure::AccountGone)),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn a_disabled_account_is_forbidden() {
        let mut user = registered_user("any password");
        user.status = UserStatus::Disabled;
        let claims = claims_for(&user);

        let error = service_with(Some(user))
            .get_me(&claims)
            .await
            .expect_err("disabled");

        assert!(
            matches!(error, AppError::Forbidden(Forbidden::AccountDisabled)),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn an_unreachable_store_is_unavailable() {
        let mut ports = Ports::new();
        ports
            .users
            .expect_find_by_id()
            .returning(|_| Err(unavailable()));
        let claims = claims_for(&registered_user("any password"));

        let error = ports
            .user_service()
            .get_me(&claims)
            .await
            .expect_err("fails");

        assert!(matches!(error, AppError::Unavailable(_)), "{error:?}");
    }
}
