use async_trait::async_trait;

use super::{AuditLog, DeviceRepository, SessionRepository, ThrottleRepository, UserRepository};
use crate::error::RepoError;

/// Starts units of work: groups of repository calls that succeed or fail as
/// one.
///
/// Use cases rarely call it directly: the application's transaction runner
/// adds nesting and retries on top of it.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait Transactor: Send + Sync {
    /// Opens a unit of work (a database transaction) with these options.
    ///
    /// # Errors
    ///
    /// [`RepoError::Unavailable`] when no connection can be had within the
    /// acquire timeout; [`RepoError::Timeout`] when the database does not
    /// start the transaction in time; [`RepoError::Internal`] for anything
    /// else.
    async fn begin(&self, options: TransactionOptions) -> Result<Box<dyn UnitOfWork>, RepoError>;
}

/// An open unit of work. The repositories it hands out all act inside it.
///
/// Nothing it did is visible to others until [`commit`](Self::commit)
/// succeeds; dropping it without committing (an early return, an error, a
/// panic, a cancelled request) rolls everything back and returns its
/// connection clean.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait UnitOfWork: Send + Sync {
    /// The user repository, acting inside this unit of work.
    fn users(&self) -> &dyn UserRepository;

    /// The session repository, acting inside this unit of work.
    fn sessions(&self) -> &dyn SessionRepository;

    /// The device tokens, acting inside this unit of work.
    fn devices(&self) -> &dyn DeviceRepository;

    /// The attempt counters, acting inside this unit of work.
    fn throttles(&self) -> &dyn ThrottleRepository;

    /// The audit trail, written inside this unit of work.
    fn audit(&self) -> &dyn AuditLog;

    /// Opens a unit nested in this one (a savepoint): rolling the nested
    /// unit back undoes its own work only, and committing it merges its
    /// work into this unit, which still decides the outcome. This unit
    /// must not be used until the nested one has ended.
    ///
    /// # Errors
    ///
    /// [`RepoError::Internal`] when this unit has ended or is not the
    /// innermost open one; the connection's errors as for any statement.
    async fn nest(&self) -> Result<Box<dyn UnitOfWork>, RepoError>;

    /// Makes every change of this unit of work durable and visible at once
    /// (for a nested unit: keeps its changes in the enclosing unit).
    ///
    /// # Errors
    ///
    /// [`RepoError::Retryable`] when the commit lost a serialization
    /// conflict (nothing was committed); [`RepoError::OutcomeUnknown`] when
    /// the connection broke during the commit; [`RepoError::Internal`] when
    /// the unit had already failed or ended, and for anything else.
    async fn commit(self: Box<Self>) -> Result<(), RepoError>;

    /// Undoes every change of this unit of work and ends it.
    ///
    /// # Errors
    ///
    /// [`RepoError::Unavailable`] when the connection broke (the database
    /// rolls back on its own then); [`RepoError::Internal`] for anything
    /// else.
    async fn rollback(self: Box<Self>) -> Result<(), RepoError>;
}

/// How a unit of work sees concurrent ones, and whether it may write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransactionOptions {
    /// The isolation level.
    pub isolation: Isolation,
    /// Whether the unit may write.
    pub access: Access,
}

impl TransactionOptions {
    /// Read committed, read-write: the database's default.
    pub const READ_COMMITTED: Self = Self {
        isolation: Isolation::ReadCommitted,
        access: Access::ReadWrite,
    };

    /// Serializable, read-write: as if units ran one after another; the
    /// losers of a conflict are retried.
    pub const SERIALIZABLE: Self = Self {
        isolation: Isolation::Serializable,
        access: Access::ReadWrite,
    };

    /// The same options, read-only.
    #[must_use]
    pub const fn read_only(self) -> Self {
        Self {
            access: Access::ReadOnly,
            ..self
        }
    }
}

/// The SQL isolation levels that PostgreSQL implements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Isolation {
    /// Each statement sees what was committed before it began.
    #[default]
    ReadCommitted,
    /// Every statement sees what was committed before the unit began.
    RepeatableRead,
    /// The outcome is that of some serial order of the units.
    Serializable,
}

/// Whether a unit of work may write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Access {
    /// Reads and writes.
    #[default]
    ReadWrite,
    /// Reads only; a write fails.
    ReadOnly,
}
