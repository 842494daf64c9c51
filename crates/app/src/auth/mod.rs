//! Registration, sign-in, sessions and the verification of access tokens.

mod authenticate;
mod bootstrap;
mod counted;
mod login;
mod logout;
mod password;
mod refresh;
mod register;
mod sessions;
mod throttling;
mod tokens;

use std::sync::Arc;

use domain::ports::{
    Clock, Outcomes, PasswordHasher, PasswordStrength, RefreshSecrets, SessionReads,
    SessionRotations, ThrottleReads, TokenIssuer, UserReads,
};
use domain::session::SessionLifetime;
use domain::throttle::ThrottleRule;

pub use bootstrap::Promotion;
pub use login::Credentials;
pub use password::PasswordChange;
pub use register::Registration;
pub use tokens::SignedIn;

use crate::transaction::Transactions;

/// What the authentication use cases reach the world through.
#[derive(Clone)]
pub struct AuthPorts {
    /// Accounts, read outside units of work.
    pub users: Arc<dyn UserReads>,
    /// Sessions, read outside units of work (the check of every access
    /// token).
    pub sessions: Arc<dyn SessionReads>,
    /// A refresh's rotation, in one statement outside units of work.
    pub rotations: Arc<dyn SessionRotations>,
    /// The locks of the attempt counters, read before any password work.
    pub throttles: Arc<dyn ThrottleReads>,
    /// Units of work, for every change.
    pub transactions: Transactions,
    /// Password hashing.
    pub hasher: Arc<dyn PasswordHasher>,
    /// The guessability rule for new passwords.
    pub strength: Arc<dyn PasswordStrength>,
    /// Access tokens.
    pub tokens: Arc<dyn TokenIssuer>,
    /// Refresh secrets.
    pub secrets: Arc<dyn RefreshSecrets>,
    /// The time.
    pub clock: Arc<dyn Clock>,
    /// Where each attempt's outcome is reported.
    pub outcomes: Arc<dyn Outcomes>,
}

/// The limits the authentication use cases enforce.
#[derive(Debug, Clone, Copy)]
pub struct AuthPolicy {
    /// How long sessions live and idle, and the refresh grace window.
    pub sessions: SessionLifetime,
    /// Failed sign-ins allowed per email address before a lock.
    pub login_per_account: ThrottleRule,
    /// Failed sign-ins allowed per client address before a lock.
    pub login_per_ip: ThrottleRule,
    /// Registrations allowed per client address before a lock.
    pub registration_per_ip: ThrottleRule,
}

/// The authentication use cases.
#[derive(Clone)]
pub struct AuthService {
    ports: AuthPorts,
    policy: AuthPolicy,
}

impl AuthService {
    /// Wires the service to its ports, under `policy`.
    pub fn new(ports: AuthPorts, policy: AuthPolicy) -> Self {
        Self { ports, policy }
    }
}
