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
    SessionRotations, TokenIssuer, UserReads,
};
use domain::session::SessionLifetime;
use domain::throttle::{NetworkPrefixes, ThrottleRule};
use time::Duration;

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
    /// How long a device token vouches after the sign-in that issued or
    /// renewed it.
    pub device_lifetime: Duration,
    /// Failed sign-ins allowed per email address, from clients without a
    /// device token of the account, before a lock; also the current
    /// passwords the sessions of one account may get wrong.
    pub login_per_account: ThrottleRule,
    /// Failed sign-ins allowed through one device token before it stops
    /// vouching for a while.
    pub login_per_device: ThrottleRule,
    /// Failed sign-ins allowed per client network before a lock.
    pub login_per_network: ThrottleRule,
    /// Failed sign-ins allowed per wider IPv6 network before a lock.
    pub login_per_wide_network: ThrottleRule,
    /// Registrations allowed per client network before a lock.
    pub registration_per_network: ThrottleRule,
    /// Registrations allowed per wider IPv6 network before a lock.
    pub registration_per_wide_network: ThrottleRule,
    /// How wide a client's networks are.
    pub networks: NetworkPrefixes,
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
