//! Registration, sign-in and the verification of access tokens.

mod authenticate;
mod login;
mod register;

use std::sync::Arc;

use domain::ports::{Clock, PasswordHasher, TokenIssuer, UserRepository};

pub use login::{Credentials, SignedIn};
pub use register::Registration;

use crate::transaction::Transactions;

/// The authentication use cases.
#[derive(Clone)]
pub struct AuthService {
    users: Arc<dyn UserRepository>,
    transactions: Transactions,
    hasher: Arc<dyn PasswordHasher>,
    tokens: Arc<dyn TokenIssuer>,
    clock: Arc<dyn Clock>,
}

impl AuthService {
    /// Wires the service to its ports.
    pub fn new(
        users: Arc<dyn UserRepository>,
        transactions: Transactions,
        hasher: Arc<dyn PasswordHasher>,
        tokens: Arc<dyn TokenIssuer>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            users,
            transactions,
            hasher,
            tokens,
            clock,
        }
    }
}
