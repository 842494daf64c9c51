use domain::auth::AccessClaims;
use domain::user::{User, UserFilter, UserId, UserPosition};

use super::AdminService;
use crate::caller;
use crate::error::AppError;
use crate::pagination::{self, Page};

/// A page of the account listing to fetch.
#[derive(Debug, Clone)]
pub struct UserQuery {
    /// Which accounts.
    pub filter: UserFilter,
    /// How many at most, 1 to [`MAX_PAGE_SIZE`](pagination::MAX_PAGE_SIZE).
    pub limit: u32,
    /// Where the previous page ended, if this is not the first.
    pub cursor: Option<String>,
}

impl AdminService {
    /// A page of accounts, newest first.
    ///
    /// # Errors
    ///
    /// [`AppError::Rejected`] for a cursor the service did not seal for
    /// this filter; the errors of the administrator check; the store's.
    #[tracing::instrument(name = "admin.list_users", skip_all, fields(user.id = %caller.user_id))]
    pub async fn list_users(
        &self,
        caller: &AccessClaims,
        query: UserQuery,
    ) -> Result<Page<User>, AppError> {
        caller::administrator(&*self.users, caller).await?;
        let after = query
            .cursor
            .as_deref()
            .map(|cursor| pagination::user_position(&*self.cursors, &query.filter, cursor))
            .transpose()?;
        let items = self
            .users
            .list(&query.filter, after, pagination::fetch_size(query.limit))
            .await?;
        Ok(pagination::page(items, query.limit, |last| {
            pagination::user_cursor(&*self.cursors, &query.filter, position_of(last))
        }))
    }

    /// Any account.
    ///
    /// # Errors
    ///
    /// [`AppError::NotFound`] when there is no such account; the errors of
    /// the administrator check; the store's.
    #[tracing::instrument(name = "admin.get_user", skip_all, fields(user.id = %caller.user_id, target.id = %id))]
    pub async fn get_user(&self, caller: &AccessClaims, id: UserId) -> Result<User, AppError> {
        caller::administrator(&*self.users, caller).await?;
        self.users
            .find_by_id(id)
            .await?
            .ok_or(AppError::NotFound("user"))
    }
}

fn position_of(user: &User) -> UserPosition {
    UserPosition {
        created_at: user.created_at,
        id: user.id,
    }
}
