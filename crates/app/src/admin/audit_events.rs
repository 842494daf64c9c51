use domain::audit::{AuditFilter, AuditRecord};
use domain::auth::AccessClaims;

use super::AdminService;
use crate::caller;
use crate::error::AppError;
use crate::pagination::{self, MAX_PAGE_SIZE, Page};

/// A page of the audit trail to fetch.
#[derive(Debug, Clone)]
pub struct AuditQuery {
    /// Which events.
    pub filter: AuditFilter,
    /// How many at most, 1 to [`MAX_PAGE_SIZE`].
    pub limit: u32,
    /// Where the previous page ended, if this is not the first.
    pub cursor: Option<String>,
}

impl AdminService {
    /// A page of the audit trail, newest first.
    ///
    /// # Errors
    ///
    /// [`AppError::Rejected`] for a cursor the service did not seal for
    /// this filter; the errors of the administrator check; the store's.
    #[tracing::instrument(name = "admin.list_audit_events", skip_all, fields(user.id = %caller.user_id))]
    pub async fn list_audit_events(
        &self,
        caller: &AccessClaims,
        query: AuditQuery,
    ) -> Result<Page<AuditRecord>, AppError> {
        caller::administrator(&*self.users, caller).await?;
        let after = query
            .cursor
            .as_deref()
            .map(|cursor| pagination::audit_position(&*self.cursors, &query.filter, cursor))
            .transpose()?;
        let limit = query.limit.clamp(1, MAX_PAGE_SIZE);
        let mut items = self.audit.list(&query.filter, after, limit + 1).await?;
        let next_cursor = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items
                .last()
                .map(|last| pagination::audit_cursor(&*self.cursors, &query.filter, last.id))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }
}
