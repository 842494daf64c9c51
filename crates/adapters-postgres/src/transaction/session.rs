//! The state of one transaction on one connection, shared by its unit of
//! work and the units nested in it.

use domain::error::RepoError;
use domain::ports::TransactionOptions;
use sqlx::pool::PoolConnection;
use sqlx::{Executor as _, Postgres};

use super::sql;
use crate::error::{commit_error, repo_error};
use crate::lease::Lease;

pub(super) struct Session {
    // Taken only by `drop`.
    lease: Option<Lease>,
    /// Open levels: 1 is the transaction, each more a savepoint. While it
    /// is not 0 the server may hold a transaction open for this session:
    /// it is 1 from before `BEGIN` is sent, and 0 only once the
    /// transaction has certainly ended.
    depth: u32,
}

impl Session {
    /// Starts a transaction on the leased connection.
    pub(super) async fn begin(
        lease: Lease,
        options: TransactionOptions,
    ) -> Result<Self, RepoError> {
        // Open before `BEGIN` is sent: if this future is dropped while it is
        // in flight, `drop` still rolls back.
        let mut session = Self {
            lease: Some(lease),
            depth: 1,
        };
        session
            .lease()?
            .begin(sql::begin(options))
            .await
            .map_err(repo_error)?;
        session.lease()?.in_transaction = true;
        Ok(session)
    }

    pub(super) fn depth(&self) -> u32 {
        self.depth
    }

    /// Whether a statement failed at the innermost level: the server
    /// refuses everything until that level is rolled back.
    pub(super) fn has_failed(&self) -> bool {
        self.lease.as_ref().is_some_and(|lease| lease.failed)
    }

    /// The connection; it is gone only while the session is dropped.
    pub(super) fn lease(&mut self) -> Result<&mut Lease, RepoError> {
        self.lease_mut().ok_or_else(connection_gone)
    }

    pub(super) fn lease_mut(&mut self) -> Option<&mut Lease> {
        self.lease.as_mut()
    }

    /// Opens a savepoint one level deeper; returns its level.
    pub(super) async fn nest(&mut self) -> Result<u32, RepoError> {
        let level = self.depth + 1;
        self.lease()?
            .control("transaction.savepoint", sql::savepoint(level))
            .await
            .map_err(repo_error)?;
        self.depth = level;
        Ok(level)
    }

    /// Commits the transaction (level 1) or releases the savepoint.
    pub(super) async fn commit(&mut self, level: u32) -> Result<(), RepoError> {
        if level > 1 {
            self.lease()?
                .control("transaction.release", sql::release(level))
                .await
                .map_err(repo_error)?;
            self.depth = level - 1;
            return Ok(());
        }
        match self.lease()?.control("transaction.commit", "COMMIT").await {
            Ok(()) => {
                self.ended();
                Ok(())
            }
            Err(error) => {
                let error = commit_error(error);
                // The server answered: the transaction is over (rolled
                // back). Otherwise the session stays open and is cleaned
                // up or closed when dropped.
                if !matches!(error, RepoError::OutcomeUnknown(_)) {
                    self.ended();
                }
                Err(error)
            }
        }
    }

    /// Rolls back the transaction (level 1) or to the savepoint, with
    /// every level inside it.
    pub(super) async fn roll_back(&mut self, level: u32) -> Result<(), RepoError> {
        if level > 1 {
            self.lease()?
                .control(
                    "transaction.rollback_to_savepoint",
                    sql::roll_back_to(level),
                )
                .await
                .map_err(repo_error)?;
            self.depth = level - 1;
            self.lease()?.failed = false;
            return Ok(());
        }
        self.lease()?
            .control("transaction.rollback", "ROLLBACK")
            .await
            .map_err(repo_error)?;
        self.ended();
        Ok(())
    }

    fn ended(&mut self) {
        self.depth = 0;
        if let Some(lease) = self.lease.as_mut() {
            lease.in_transaction = false;
            lease.failed = false;
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.depth == 0 {
            return;
        }
        let Some(connection) = self.lease.take().and_then(Lease::into_pooled) else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(roll_back_abandoned(connection));
            }
            // No runtime to roll back on: closing the socket makes the
            // server roll back.
            Err(_) => drop(connection.detach()),
        }
    }
}

/// The failure of a unit whose session is being dropped.
pub(super) fn connection_gone() -> RepoError {
    RepoError::Internal("the session's connection is gone".into())
}

/// Rolls back a transaction that was abandoned mid-way, then lets the
/// connection go back to the pool; a connection that cannot roll back is
/// closed instead. Until this finishes, no one else can borrow it.
async fn roll_back_abandoned(mut connection: PoolConnection<Postgres>) {
    match connection.execute("ROLLBACK").await {
        Ok(_) => tracing::debug!("rolled back an abandoned transaction"),
        Err(error) => {
            tracing::warn!(error = %error, "closing a connection whose abandoned transaction could not be rolled back");
            if let Err(error) = connection.close().await {
                tracing::debug!(error = %error, "closing the connection failed");
            }
        }
    }
}
