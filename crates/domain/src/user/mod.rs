//! The user account and the values it is made of.

mod display_name;
mod email;
mod field;
mod id;
mod listing;
mod role;
mod status;

pub use display_name::{DisplayName, DisplayNameError};
pub use email::{Email, EmailError};
pub use field::AccountField;
pub use id::UserId;
pub use listing::{UserChanges, UserFilter, UserPosition};
pub use role::{Role, UnknownRole};
pub use status::{UnknownStatus, UserStatus};

use time::OffsetDateTime;

use crate::password::PasswordHash;

/// A user account as stored.
///
/// Every field is a valid value on its own and the account has no rule that
/// spans fields, so the fields are public: a `User` is a record of parts that
/// were each parsed at the boundary where they entered the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Time-ordered identifier, assigned at registration.
    pub id: UserId,
    /// The address as the user typed it; unique without regard to case.
    pub email: Email,
    /// The name shown to people.
    pub display_name: DisplayName,
    /// The argon2 hash of the password; never shown or logged.
    pub password_hash: PasswordHash,
    /// What the account may do.
    pub role: Role,
    /// Whether the account may sign in.
    pub status: UserStatus,
    /// Whether the user proved they own the address.
    pub email_verified: bool,
    /// Starts at 1 and grows by one on every change, for optimistic locking.
    pub version: i64,
    /// When the account was registered.
    pub created_at: OffsetDateTime,
    /// When the account last changed.
    pub updated_at: OffsetDateTime,
}

impl User {
    /// Whether the account may sign in and use its tokens.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.status == UserStatus::Active
    }
}

/// An account about to be registered: what the store needs to create it.
///
/// The store assigns the role (`user`), the status (`active`), the version
/// and the timestamps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// The identifier the account will have.
    pub id: UserId,
    /// The address, as typed.
    pub email: Email,
    /// The name shown to people.
    pub display_name: DisplayName,
    /// The hash of the chosen password.
    pub password_hash: PasswordHash,
}
