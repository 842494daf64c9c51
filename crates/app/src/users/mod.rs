//! Reading and managing accounts.

mod update_me;

use std::sync::Arc;

use domain::ports::Clock;

pub use update_me::ProfileChange;

use crate::transaction::Transactions;

/// The account use cases.
#[derive(Clone)]
pub struct UserService {
    transactions: Transactions,
    clock: Arc<dyn Clock>,
}

impl UserService {
    /// Wires the service to its ports.
    pub fn new(transactions: Transactions, clock: Arc<dyn Clock>) -> Self {
        Self {
            transactions,
            clock,
        }
    }
}
