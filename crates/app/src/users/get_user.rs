use domain::auth::AccessClaims;
use domain::user::{Role, User, UserId};

use super::UserService;
use crate::error::{AppError, Forbidden};

impl UserService {
    /// Any account, for an administrator.
    ///
    /// The caller's role is read from the store, not from the token, so that
    /// a demoted or disabled administrator loses access at once.
    ///
    /// # Errors
    ///
    /// [`Forbidden::AdminOnly`] when the caller is not an active
    /// administrator; [`AppError::NotFound`] when there is no such account;
    /// the errors of [`get_me`](Self::get_me) for the caller's own account.
    #[tracing::instrument(name = "users.get_user", skip_all, fields(user.id = %caller.user_id, target.id = %id))]
    pub async fn get_user(&self, caller: &AccessClaims, id: UserId) -> Result<User, AppError> {
        let caller = self.current_account(caller).await?;
        if caller.role != Role::Admin {
            return Err(AppError::Forbidden(Forbidden::AdminOnly));
        }
        self.users
            .find_by_id(id)
            .await?
            .ok_or(AppError::NotFound("user"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{Ports, claims_for, registered_user};

    fn service(caller: User, target: Option<User>) -> UserService {
        let mut ports = Ports::new();
        let caller_id = caller.id;
        ports.users.expect_find_by_id().returning(move |id| {
            Ok(if id == caller_id {
                Some(caller.clone())
            } else {
                target.clone()
            })
        });
        ports.user_service()
    }

    #[tokio::test]
    async fn an_administrator_reads_any_account() {
        let mut admin = registered_user("any password");
        admin.role = Role::Admin;
        let target = registered_user("other password");

        let found = service(admin.clone(), Some(target.clone()))
            .get_user(&claims_for(&admin), target.id)
            .await
            .expect("found");

        assert_eq!(found, target);
    }

    #[tokio::test]
    async fn a_user_whose_stored_role_is_not_admin_is_forbidden() {
        let caller = registered_user("any password");
        let target = registered_user("other password");

        // The token claims admin; only the stored role counts.
        let claims = AccessClaims {
            role: Role::Admin,
            ..claims_for(&caller)
        };

        let error = service(caller.clone(), Some(target.clone()))
            .get_user(&claims, target.id)
            .await
            .expect_err("forbidden");

        assert!(
            matches!(error, AppError::Forbidden(Forbidden::AdminOnly)),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn an_unknown_account_is_not_found() {
        let mut admin = registered_user("any password");
        admin.role = Role::Admin;

        let error = service(admin.clone(), None)
            .get_user(&claims_for(&admin), UserId::generate())
            .await
            .expect_err("missing");

        assert!(matches!(error, AppError::NotFound("user")), "{error:?}");
    }
}
