use async_trait::async_trait;
use time::OffsetDateTime;

use crate::error::RepoError;
use crate::password::PasswordHash;
use crate::session::SessionId;
use crate::user::{Email, NewUser, User, UserChanges, UserFilter, UserId, UserPosition};

/// Reads of accounts that need no unit of work: each is one statement on
/// whatever the store has committed.
///
/// # Errors
///
/// Every method returns [`RepoError::Unavailable`] when the store cannot be
/// reached in time, [`RepoError::Timeout`] when a statement runs past its
/// limit, [`RepoError::Invalid`] when the store refuses a value, and
/// [`RepoError::Internal`] for anything else, including stored data that no
/// longer parses into domain values.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait UserReads: Send + Sync {
    /// The account with this identifier, if there is one.
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError>;

    /// The account with this email address compared without regard to
    /// letter case, if there is one.
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, RepoError>;

    /// The account of the live session `session` (see
    /// [`SessionReads`](super::SessionReads)), read with it: one statement
    /// tells both that the session is live and what its account is now.
    async fn find_by_live_session(
        &self,
        session: SessionId,
        now: OffsetDateTime,
    ) -> Result<Option<User>, RepoError>;

    /// Up to `limit` accounts matching `filter`, newest first (ties by
    /// identifier, descending), strictly after `after` in that order.
    async fn list(
        &self,
        filter: &UserFilter,
        after: Option<UserPosition>,
        limit: u32,
    ) -> Result<Vec<User>, RepoError>;
}

/// Accounts inside a [`UnitOfWork`](super::UnitOfWork): every change, and
/// the reads that must see the unit's own changes or lock what the unit is
/// about to change.
///
/// # Errors
///
/// Every method fails as [`UserReads`]' methods do, and returns
/// [`RepoError::Retryable`] when the unit lost a serialization conflict or
/// a deadlock, [`RepoError::Timeout`] too when it waited too long for a
/// lock.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// The account with this identifier as this unit sees it, if there is
    /// one; nothing is locked.
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError>;

    /// The account with this identifier, its row locked until the unit
    /// ends, so that no other unit changes it between this read and this
    /// unit's change. A unit that waited for the lock sees the account as
    /// the one before it left it.
    async fn lock_by_id(&self, id: UserId) -> Result<Option<User>, RepoError>;

    /// As [`lock_by_id`](Self::lock_by_id), by email address compared
    /// without regard to letter case.
    async fn lock_by_email(&self, email: &Email) -> Result<Option<User>, RepoError>;

    /// The identifiers of the active administrators, each row locked until
    /// the unit of work ends, so that changes that could remove the last
    /// one run one after another.
    async fn lock_active_admins(&self) -> Result<Vec<UserId>, RepoError>;

    /// Creates the account and returns it as stored (role `user`, status
    /// `active`, version 1).
    ///
    /// # Errors
    ///
    /// [`RepoError::Conflict`] with [`Conflict::EmailTaken`](crate::error::Conflict::EmailTaken)
    /// when another account has the same email address in any letter case.
    async fn insert(&self, user: &NewUser) -> Result<User, RepoError>;

    /// Applies `changes`, when the account's version is `expected` (or
    /// whatever it is, for `None`), and returns the account as changed, one
    /// version later.
    ///
    /// # Errors
    ///
    /// [`RepoError::NotFound`] when there is no such account;
    /// [`RepoError::Conflict`] with
    /// [`Conflict::StaleVersion`](crate::error::Conflict::StaleVersion) when
    /// its version is not `expected`.
    async fn update(
        &self,
        id: UserId,
        changes: &UserChanges,
        expected: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<User, RepoError>;

    /// Deletes the account, when its version is `expected` (or whatever it
    /// is, for `None`); its sessions go with it. Returns the account as it
    /// was.
    ///
    /// # Errors
    ///
    /// As for [`update`](Self::update).
    async fn delete(&self, id: UserId, expected: Option<i64>) -> Result<User, RepoError>;

    /// Replaces the password hash and returns the account as changed, one
    /// version later.
    ///
    /// # Errors
    ///
    /// [`RepoError::NotFound`] when there is no such account.
    async fn set_password_hash(
        &self,
        id: UserId,
        hash: &PasswordHash,
        now: OffsetDateTime,
    ) -> Result<User, RepoError>;

    /// Replaces `old` by `new`, a hash of the same password with the current
    /// parameters, unless the hash changed meanwhile. It is not a change of
    /// the account: the version stays. Returns whether it replaced it.
    async fn upgrade_password_hash(
        &self,
        id: UserId,
        old: &PasswordHash,
        new: &PasswordHash,
    ) -> Result<bool, RepoError>;
}
