//! Reading and managing accounts.

mod get_me;
mod get_user;

use std::sync::Arc;

use domain::ports::UserRepository;

/// The account use cases.
#[derive(Clone)]
pub struct UserService {
    users: Arc<dyn UserRepository>,
}

impl UserService {
    /// Wires the service to its ports.
    pub fn new(users: Arc<dyn UserRepository>) -> Self {
        Self { users }
    }
}
