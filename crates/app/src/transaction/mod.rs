//! Running use-case work as units of work: atomic, nestable, and retried
//! when a concurrent unit wins a conflict.

mod retry;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use domain::error::{RepoError, Retry};
use domain::outcome::TransactionOutcome;
use domain::ports::{Clock, Outcomes, TransactionOptions, Transactor, UnitOfWork};
use tracing::Instrument as _;

use crate::error::AppError;

pub use retry::RetryPolicy;

/// Why the work of a unit of work failed: a rule of the use case, or the
/// store. The runner reruns the unit when the store says it lost a
/// conflict; every other failure ends the run as the [`AppError`] it
/// converts into.
#[derive(Debug, thiserror::Error)]
pub enum UnitError {
    /// The use case refused to go on.
    #[error(transparent)]
    App(#[from] AppError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] RepoError),
}

impl From<UnitError> for AppError {
    fn from(error: UnitError) -> Self {
        match error {
            UnitError::App(error) => error,
            UnitError::Store(error) => error.into(),
        }
    }
}

/// Runs work inside units of work from a [`Transactor`].
#[derive(Clone)]
pub struct Transactions {
    transactor: Arc<dyn Transactor>,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    outcomes: Arc<dyn Outcomes>,
}

impl Transactions {
    /// Runs units on `transactor`, waiting on `clock` between attempts and
    /// reporting how each attempt ended to `outcomes`.
    pub fn new(
        transactor: Arc<dyn Transactor>,
        clock: Arc<dyn Clock>,
        retry: RetryPolicy,
        outcomes: Arc<dyn Outcomes>,
    ) -> Self {
        Self {
            transactor,
            clock,
            retry,
            outcomes,
        }
    }

    /// Runs `work` in a new unit of work and commits it when `work`
    /// succeeds; rolls it back and returns the error when `work` fails.
    ///
    /// When the unit loses a serialization conflict or a deadlock, in
    /// `work` or at commit, it is rolled back and `work` runs again from the
    /// start in a fresh unit, after a jittered pause, up to the policy's
    /// number of attempts: `work` must therefore have no effect outside the
    /// unit. Nested units ([`nested`]) never retry on their own: the retry
    /// always restarts the outermost unit.
    ///
    /// # Errors
    ///
    /// `work`'s error; [`AppError::Contention`] when every attempt lost a
    /// conflict; [`AppError::OutcomeUnknown`] when the connection broke
    /// during the commit, which is never retried because the first commit
    /// may have succeeded; the transactor's errors otherwise.
    pub async fn run<T>(
        &self,
        options: TransactionOptions,
        mut work: impl AsyncFnMut(&dyn UnitOfWork) -> Result<T, UnitError>,
    ) -> Result<T, AppError> {
        let mut attempt = 1;
        loop {
            let span = tracing::info_span!("transaction", attempt);
            let unit = match self
                .transactor
                .begin(options)
                .instrument(span.clone())
                .await
            {
                Ok(unit) => unit,
                Err(error) => {
                    self.outcomes
                        .transaction_attempt(TransactionOutcome::NotStarted);
                    return Err(error.into());
                }
            };
            let (reason, conflict) = match finish(unit, &mut work).instrument(span).await {
                Ok(value) => {
                    self.outcomes
                        .transaction_attempt(TransactionOutcome::Committed);
                    return Ok(value);
                }
                Err(UnitError::Store(RepoError::Retryable { reason, source })) => (reason, source),
                Err(error) => {
                    let outcome = match error {
                        UnitError::Store(RepoError::OutcomeUnknown(_)) => {
                            TransactionOutcome::OutcomeUnknown
                        }
                        _ => TransactionOutcome::RolledBack,
                    };
                    self.outcomes.transaction_attempt(outcome);
                    return Err(error.into());
                }
            };
            if attempt >= self.retry.max_attempts() {
                self.outcomes
                    .transaction_attempt(TransactionOutcome::Exhausted);
                return Err(AppError::Contention(conflict));
            }
            self.outcomes.transaction_attempt(match reason {
                Retry::Serialization => TransactionOutcome::RetriedSerialization,
                Retry::Deadlock => TransactionOutcome::RetriedDeadlock,
                Retry::StalePlan => TransactionOutcome::RetriedStalePlan,
            });
            let pause = self.retry.pause_before(attempt + 1, fastrand::f64());
            tracing::debug!(
                attempt,
                pause_ms = pause.as_millis(),
                error = %conflict,
                "retrying a unit of work that lost a conflict"
            );
            self.clock.sleep(pause).await;
            attempt += 1;
        }
    }
}

/// Runs `work` in a unit nested in `unit` (a savepoint): when `work` fails,
/// only its own changes are undone and its error is returned, so that the
/// caller may handle it and carry on with `unit`.
///
/// # Errors
///
/// `work`'s error, or the savepoint's. A lost conflict among them must
/// reach the outermost [`Transactions::run`], which reruns the whole unit.
pub async fn nested<T>(
    unit: &dyn UnitOfWork,
    mut work: impl AsyncFnMut(&dyn UnitOfWork) -> Result<T, UnitError>,
) -> Result<T, UnitError> {
    let inner = unit.nest().await?;
    finish(inner, &mut work).await
}

/// Commits `unit` after `work` succeeds, or rolls it back after it fails.
async fn finish<T>(
    unit: Box<dyn UnitOfWork>,
    work: &mut impl AsyncFnMut(&dyn UnitOfWork) -> Result<T, UnitError>,
) -> Result<T, UnitError> {
    match work(&*unit).await {
        Ok(value) => {
            unit.commit().await?;
            Ok(value)
        }
        Err(error) => {
            // The work's error is the one to report; a failed rollback
            // leaves nothing behind (the connection is discarded or the
            // server rolls back when it goes away), so it is only logged.
            if let Err(rollback) = unit.rollback().await {
                tracing::warn!(error = %rollback, "rolling back a failed unit of work failed");
            }
            Err(error)
        }
    }
}
