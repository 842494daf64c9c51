use async_trait::async_trait;

use crate::password::Password;
use crate::user::{DisplayName, Email};

/// Judges whether a new password is too easy to guess. The estimate can
/// take milliseconds: implementations keep it off the threads that serve
/// requests.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait PasswordStrength: Send + Sync {
    /// `Ok` when `password` is hard enough to guess, given what an attacker
    /// knows of its owner: the email address and the display name.
    ///
    /// # Errors
    ///
    /// [`WeakPassword`] says why, in words for the person choosing it.
    async fn check(
        &self,
        password: &Password,
        email: &Email,
        display_name: &DisplayName,
    ) -> Result<(), WeakPassword>;
}

/// A password refused as too guessable, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WeakPassword(pub String);
