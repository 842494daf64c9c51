use domain::audit::{AuditFilter, AuditRecord};
use domain::auth::AccessClaims;

use super::AdminService;
use crate::caller;
use crate::error::AppError;
use crate::pagination::{self, Page};

/// A page of the audit trail to fetch.
#[derive(Debug, Clone)]
pub struct AuditQuery {
    /// Which events.
    pub filter: AuditFilter,
    /// How many at most, 1 to [`MAX_PAGE_SIZE`](pagination::MAX_PAGE_SIZE).
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
        let items = self
            .audit
            .list(&query.filter, after, pagination::fetch_size(query.limit))
            .await?;
        Ok(pagination::page(items, query.limit, |last| {
            pagination::audit_cursor(&*self.cursors, &query.filter, last.id)
        }))
    }
}
