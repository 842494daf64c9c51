use async_trait::async_trait;
use time::OffsetDateTime;

use crate::error::RepoError;
use crate::session::{EndReason, NewSession, Rotation, SecretDigest, Session, SessionId};
use crate::user::{User, UserId};

/// Reads of sessions that need no unit of work.
///
/// A session is live until it is ended, passes its absolute lifetime or
/// idles past its idle timeout; these see live ones only.
///
/// # Errors
///
/// Every method fails as [`UserReads`](super::UserReads)' methods do.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait SessionReads: Send + Sync {
    /// The live session with this identifier.
    async fn find_live(
        &self,
        id: SessionId,
        now: OffsetDateTime,
    ) -> Result<Option<Session>, RepoError>;

    /// The account's live sessions, the newest first.
    async fn list_live(&self, user: UserId, now: OffsetDateTime)
    -> Result<Vec<Session>, RepoError>;
}

/// The one change of a session made without a unit of work: a refresh's
/// rotation, checked and made by a single statement, atomic on its own.
/// Opening and committing a unit around it would cost more round trips
/// than the change itself, on the busiest write of the service.
///
/// # Errors
///
/// Every method fails as [`UserReads`](super::UserReads)' methods do, and
/// returns [`RepoError::Retryable`] after a deadlock.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait SessionRotations: Send + Sync {
    /// [`SessionRepository::rotate`], made only when the session's account
    /// is active, with that account as the same statement read it.
    /// `None` when nothing was rotated, for whichever reason: a unit of
    /// work finds out which.
    async fn rotate_for_active_account(
        &self,
        rotation: &Rotation,
    ) -> Result<Option<(Session, User)>, RepoError>;
}

/// Sessions and the digests of their refresh secrets, inside a
/// [`UnitOfWork`](super::UnitOfWork). Methods that change sessions change
/// live ones only unless they say otherwise.
///
/// # Errors
///
/// Every method fails as [`UserRepository`](super::UserRepository)'s do.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Opens the session.
    ///
    /// # Errors
    ///
    /// [`RepoError::Conflict`] when its account does not exist.
    async fn insert(&self, session: &NewSession) -> Result<Session, RepoError>;

    /// Replaces the presented secret in one atomic step, when the session
    /// is live and the presented digest is a current one, or is one of
    /// those the last rotation replaced and that rotation is within the
    /// grace window (then the replacement joins the current secrets, so
    /// that every client of the race holds a working token). Returns the
    /// session as rotated, or `None` when nothing was rotated.
    async fn rotate(&self, rotation: &Rotation) -> Result<Option<Session>, RepoError>;

    /// Ends the session when the presented digest is one of its replaced
    /// secrets: a reuse. Returns its account when it did so.
    async fn end_if_reused(
        &self,
        id: SessionId,
        presented: &SecretDigest,
        now: OffsetDateTime,
    ) -> Result<Option<UserId>, RepoError>;

    /// Ends the account's live session `id`. Returns whether it did.
    async fn end(
        &self,
        user: UserId,
        id: SessionId,
        reason: EndReason,
        now: OffsetDateTime,
    ) -> Result<bool, RepoError>;

    /// Ends every live session of the account except `keep`. Returns how
    /// many it ended.
    async fn end_all(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        reason: EndReason,
        now: OffsetDateTime,
    ) -> Result<u64, RepoError>;

    /// Deletes up to `batch` sessions that had ended by `now`, skipping
    /// rows that others hold. Returns how many it deleted.
    async fn purge(&self, now: OffsetDateTime, batch: u32) -> Result<u64, RepoError>;
}
