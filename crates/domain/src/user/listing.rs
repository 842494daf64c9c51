//! Finding and changing accounts as an administrator.

use time::OffsetDateTime;

use super::{DisplayName, Role, UserId, UserStatus};

/// Which accounts a listing shows; every field given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// The start of the email address, compared without regard to case.
    pub email_prefix: Option<String>,
    /// The role.
    pub role: Option<Role>,
    /// The status.
    pub status: Option<UserStatus>,
}

/// Where a listing stopped: the last account of a page, in the listing's
/// order (newest first, then by identifier).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserPosition {
    /// When that account was registered.
    pub created_at: OffsetDateTime,
    /// Its identifier, which breaks ties between equal times.
    pub id: UserId,
}

/// What an administrator changes on an account; `None` keeps the field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    /// A new display name.
    pub display_name: Option<DisplayName>,
    /// A new role.
    pub role: Option<Role>,
    /// A new status.
    pub status: Option<UserStatus>,
}

impl UserChanges {
    /// Whether nothing would change.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.display_name.is_none() && self.role.is_none() && self.status.is_none()
    }
}
