//! Administration: listing, changing and deleting accounts, clearing
//! sign-in lockouts, and reading the audit trail. Every use case starts by
//! checking that the caller is an administrator, by the token and by the
//! account as stored now.

mod audit_events;
mod change_user;
mod list_users;
mod unlock;

use std::sync::Arc;

use domain::ports::{AuditReads, Clock, CursorSigner, UserReads};

pub use audit_events::AuditQuery;
pub use change_user::UserChange;
pub use list_users::UserQuery;

use crate::transaction::Transactions;

/// The administration use cases.
#[derive(Clone)]
pub struct AdminService {
    users: Arc<dyn UserReads>,
    audit: Arc<dyn AuditReads>,
    transactions: Transactions,
    cursors: Arc<dyn CursorSigner>,
    clock: Arc<dyn Clock>,
}

impl AdminService {
    /// Wires the service to its ports.
    pub fn new(
        users: Arc<dyn UserReads>,
        audit: Arc<dyn AuditReads>,
        transactions: Transactions,
        cursors: Arc<dyn CursorSigner>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            users,
            audit,
            transactions,
            cursors,
            clock,
        }
    }
}

#[cfg(test)]
mod tests;
