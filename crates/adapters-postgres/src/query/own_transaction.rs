//! A statement outside a unit of work, behind a transaction pooler: it
//! still needs a transaction, or the pooler may hand its Parse and its Bind
//! to different server connections.

use domain::error::RepoError;

use super::{Operation, Statement};
use crate::error::{commit_error, repo_error};
use crate::lease::Lease;

/// The transaction of one statement. While it may be open, dropping this (a
/// cancelled request) or failing to end it closes the connection rather
/// than returning it inside the transaction, and the lease refuses further
/// statements.
pub(super) struct OwnTransaction<'a>(&'a mut Lease);

impl<'a> OwnTransaction<'a> {
    pub(super) fn of(lease: &'a mut Lease) -> Self {
        Self(lease)
    }

    pub(super) async fn run<S: Statement>(
        mut self,
        operation: Operation<'_>,
        statement: impl FnMut() -> S,
    ) -> Result<S::Output, RepoError> {
        let changes = operation.changes;
        // A read cannot write by mistake, and its COMMIT has nothing to
        // commit.
        let begin = if changes { "BEGIN" } else { "BEGIN READ ONLY" };
        // Open from before `BEGIN` is sent, as a unit of work's session is.
        self.0.in_transaction = true;
        self.0.begin(begin).await.map_err(repo_error)?;
        let outcome = self.0.run_measured(operation, statement).await;
        // A missing row is an answer: the statement succeeded.
        if matches!(outcome, Ok(_) | Err(RepoError::NotFound)) {
            match self.0.control("transaction.commit", "COMMIT").await {
                Ok(()) => self.ended(),
                // The rows of a read are whole once received; the
                // connection, its transaction in doubt, is closed.
                Err(error) if !changes => {
                    tracing::debug!(error = %error, "the COMMIT after a read failed");
                }
                Err(error) => {
                    let error = commit_error(error);
                    // Answered: the transaction is over (rolled back).
                    if !matches!(error, RepoError::OutcomeUnknown(_)) {
                        self.ended();
                    }
                    return Err(error);
                }
            }
        } else if self
            .0
            .control("transaction.rollback", "ROLLBACK")
            .await
            .is_ok()
        {
            self.ended();
        }
        outcome
    }

    fn ended(&mut self) {
        self.0.in_transaction = false;
        self.0.failed = false;
    }
}

impl Drop for OwnTransaction<'_> {
    fn drop(&mut self) {
        if self.0.in_transaction {
            self.0.unclean = true;
            self.0.close_when_dropped();
        }
    }
}
