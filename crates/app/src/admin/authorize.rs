use domain::auth::AccessClaims;
use domain::user::{Role, User};

use super::AdminService;
use crate::error::{AppError, AuthFailure, Forbidden};

impl AdminService {
    /// The caller's account, if the token says administrator and the
    /// stored account still is an active one: a demoted or disabled
    /// administrator loses access at once, not when the token expires.
    pub(super) async fn administrator(&self, caller: &AccessClaims) -> Result<User, AppError> {
        if caller.role != Role::Admin {
            return Err(AppError::Forbidden(Forbidden::AdminOnly));
        }
        let account = self
            .users
            .find_by_id(caller.user_id)
            .await?
            .ok_or(AppError::Unauthenticated(AuthFailure::AccountGone))?;
        if !account.is_active() {
            return Err(AppError::Forbidden(Forbidden::AccountDisabled));
        }
        if account.role != Role::Admin {
            return Err(AppError::Forbidden(Forbidden::AdminOnly));
        }
        Ok(account)
    }
}
