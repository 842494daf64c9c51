//! Reading and managing accounts.

mod get_me;
mod update_me;

use std::sync::Arc;

use domain::ports::{Clock, UserReads};

pub use update_me::ProfileChange;

use crate::transaction::Transactions;

/// The account use cases.
#[derive(Clone)]
pub struct UserService {
    users: Arc<dyn UserReads>,
    transactions: Transactions,
    clock: Arc<dyn Clock>,
}

impl UserService {
    /// Wires the service to its ports.
    pub fn new(
        users: Arc<dyn UserReads>,
        transactions: Transactions,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            users,
            transactions,
            clock,
        }
    }
}
