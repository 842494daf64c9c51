//! The caller's account as the store has it now: a token outlives neither
//! its account, nor the account's activation, nor an administrator's role.

use domain::auth::AccessClaims;
use domain::ports::UserReads;
use domain::user::{Role, User};

use crate::error::{AppError, AuthFailure, Forbidden};

/// The caller's account as found, refused when it is gone or disabled.
///
/// # Errors
///
/// [`AuthFailure::AccountGone`] when the account was deleted after the
/// token was issued; [`Forbidden::AccountDisabled`] when it was disabled.
pub(crate) fn active(found: Option<User>) -> Result<User, AppError> {
    let user = found.ok_or(AppError::Unauthenticated(AuthFailure::AccountGone))?;
    if user.is_active() {
        Ok(user)
    } else {
        Err(AppError::Forbidden(Forbidden::AccountDisabled))
    }
}

/// The caller's account, read from the store and refused as by [`active`].
///
/// # Errors
///
/// Those of [`active`]; the store's.
pub(crate) async fn active_account(
    users: &dyn UserReads,
    caller: &AccessClaims,
) -> Result<User, AppError> {
    active(users.find_by_id(caller.user_id).await?)
}

/// The caller's account, if the token says administrator and the stored
/// account still is an active one: a demoted or disabled administrator
/// loses access at once, not when the token expires. A token without the
/// role is refused before any lookup.
///
/// # Errors
///
/// [`Forbidden::AdminOnly`] for anyone else; the errors of
/// [`active_account`].
pub(crate) async fn administrator(
    users: &dyn UserReads,
    caller: &AccessClaims,
) -> Result<User, AppError> {
    if caller.role != Role::Admin {
        return Err(AppError::Forbidden(Forbidden::AdminOnly));
    }
    let account = active_account(users, caller).await?;
    if account.role == Role::Admin {
        Ok(account)
    } else {
        Err(AppError::Forbidden(Forbidden::AdminOnly))
    }
}
