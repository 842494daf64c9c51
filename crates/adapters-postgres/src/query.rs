//! The one path every repository statement takes: timed under a stable
//! operation name, traced, recorded for the metrics, logged when slow, and
//! recovered once when the server's cached plan went stale.

mod metrics;
mod naming;
mod own_transaction;
mod statement;
#[cfg(test)]
mod tests;

use std::fmt::{self, Display};
use std::time::Instant;

use domain::error::{RepoError, Retry};
use sqlx::{Connection as _, SqlSafeStr};
use tracing::Instrument;

use crate::error::{is_stale_plan, repo_error};
use crate::lease::Lease;
use own_transaction::OwnTransaction;

pub(crate) use metrics::QueryMetrics;
pub(crate) use naming::Statements;
pub(crate) use statement::{Affected, Many, One, Optional, Statement};

/// A statement parameter's name, and its value as a log may show it.
pub(crate) type Param<'a> = (&'static str, &'a (dyn Display + Sync));

/// A statement's stable name (`users.find_by_email`), its parameters as
/// the slow-query log may show them, and whether it changes anything.
pub(crate) struct Operation<'a> {
    name: &'static str,
    params: &'a [Param<'a>],
    changes: bool,
}

impl<'a> Operation<'a> {
    /// A statement that only reads: behind a transaction pooler, outside a
    /// unit of work, it runs in a read-only transaction of its own.
    pub(crate) fn new(name: &'static str, params: &'a [Param<'a>]) -> Self {
        Self {
            name,
            params,
            changes: false,
        }
    }

    /// The same statement, which changes rows.
    pub(crate) fn changing(self) -> Self {
        Self {
            changes: true,
            ..self
        }
    }
}

/// Stands in for a parameter that must never reach a log: a secret (a
/// password hash, a token) or personal data (an email address, a name, a
/// client's address).
pub(crate) struct Redacted;

impl Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// An optional parameter as the log shows it: its value, or `null`.
pub(crate) struct Nullable<T>(pub(crate) Option<T>);

impl<T: Display> Display for Nullable<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(value) => value.fmt(f),
            None => f.write_str("null"),
        }
    }
}

struct Params<'a>(&'a [Param<'a>]);

impl Display for Params<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, (name, value)) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name}={value}")?;
        }
        Ok(())
    }
}

impl Lease {
    /// Runs the statement that `statement` builds (it may be built twice:
    /// once more after a stale plan outside a transaction, when statements
    /// are cached).
    pub(crate) async fn run<S: Statement>(
        &mut self,
        operation: Operation<'_>,
        statement: impl FnMut() -> S,
    ) -> Result<S::Output, RepoError> {
        if self.unclean {
            return Err(RepoError::Unavailable(
                "the connection's last transaction did not end cleanly".into(),
            ));
        }
        if self.transaction_limits.is_some() && !self.in_transaction {
            OwnTransaction::of(self).run(operation, statement).await
        } else {
            self.run_measured(operation, statement).await
        }
    }

    /// Sends `begin` (`BEGIN`, with its options), followed behind a
    /// transaction pooler by the limits the transaction runs under.
    pub(crate) async fn begin(&mut self, begin: &'static str) -> Result<(), sqlx::Error> {
        match self.transaction_limits.clone() {
            Some(limits) => self.control("transaction.begin", limits.after(begin)).await,
            None => self.control("transaction.begin", begin).await,
        }
    }

    async fn run_measured<S: Statement>(
        &mut self,
        operation: Operation<'_>,
        mut statement: impl FnMut() -> S,
    ) -> Result<S::Output, RepoError> {
        self.held_by(operation.name);
        let span = tracing::info_span!(
            "db.query",
            otel.name = operation.name,
            otel.kind = "client",
            db.system.name = "postgresql",
            db.operation.name = operation.name,
            db.response.returned_rows = tracing::field::Empty,
            error.type = tracing::field::Empty,
        );
        let started = Instant::now();
        let outcome = async {
            let outcome = statement().run(self.statements()).await;
            match outcome {
                Err(error) if is_stale_plan(&error) => {
                    self.recover_stale_plan(error, statement).await
                }
                outcome => outcome.map_err(repo_error),
            }
        }
        .instrument(span.clone())
        .await;
        let elapsed = started.elapsed();
        self.metrics.record(
            operation.name,
            elapsed,
            outcome.as_ref().err().map(metrics::error_type),
        );
        match &outcome {
            Ok(output) => {
                let rows = S::rows(output);
                span.record("db.response.returned_rows", rows);
                if elapsed >= self.thresholds.slow_query {
                    tracing::warn!(
                        parent: &span,
                        db.operation.name = operation.name,
                        duration_ms = elapsed.as_secs_f64() * 1000.0,
                        db.response.returned_rows = rows,
                        db.query.parameters = %Params(operation.params),
                        "slow database statement",
                    );
                }
            }
            Err(error) => {
                span.record("error.type", metrics::error_type(error));
                // A missing row is the driver's finding after a statement
                // that succeeded; any other failure aborts the transaction.
                if !matches!(error, RepoError::NotFound) {
                    self.note_failure();
                }
            }
        }
        outcome
    }

    /// Runs a statement that starts or ends a transaction or savepoint,
    /// timed and traced like the others but with its failure unmapped: what
    /// it means depends on the statement.
    pub(crate) async fn control(
        &mut self,
        name: &'static str,
        sql: impl SqlSafeStr,
    ) -> Result<(), sqlx::Error> {
        self.held_by(name);
        let span = tracing::info_span!(
            "db.query",
            otel.name = name,
            otel.kind = "client",
            db.system.name = "postgresql",
            db.operation.name = name,
        );
        let started = Instant::now();
        let outcome = sqlx::raw_sql(sql)
            .execute(&mut **self)
            .instrument(span)
            .await;
        let error_type = outcome.as_ref().err().map(|_| "failed");
        self.metrics.record(name, started.elapsed(), error_type);
        if outcome.is_err() {
            self.note_failure();
        }
        outcome.map(drop)
    }

    /// The server aborts the innermost level of a transaction on any error
    /// it reports, and refuses everything until that level is rolled back.
    fn note_failure(&mut self) {
        if self.in_transaction {
            self.failed = true;
        }
    }

    /// A prepared statement outlived a change to its tables. Clearing the
    /// connection's statement cache makes the next attempt prepare afresh:
    /// here and now outside a transaction; inside one, the server has
    /// already aborted the transaction, so the whole unit is retried.
    async fn recover_stale_plan<S: Statement>(
        &mut self,
        error: sqlx::Error,
        mut statement: impl FnMut() -> S,
    ) -> Result<S::Output, RepoError> {
        tracing::info!("clearing the statement cache after a stale cached plan");
        let in_transaction = self.in_transaction;
        self.clear_cached_statements().await.map_err(repo_error)?;
        if in_transaction {
            return Err(RepoError::Retryable {
                reason: Retry::StalePlan,
                source: error.into(),
            });
        }
        statement().run(self.statements()).await.map_err(repo_error)
    }
}
