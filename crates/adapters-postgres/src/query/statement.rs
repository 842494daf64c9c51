//! How a statement's result is read, and how many rows it touched.

use sqlx::Postgres;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::{Map, Query};

use super::Statements;

/// A statement ready to run on a connection.
pub(crate) trait Statement {
    type Output: Send;

    fn run(
        self,
        statements: Statements<'_>,
    ) -> impl Future<Output = Result<Self::Output, sqlx::Error>> + Send;

    /// The rows returned or affected, for the trace and the slow-query log.
    fn rows(output: &Self::Output) -> u64;
}

/// At most one row.
pub(crate) struct Optional<Q>(pub(crate) Q);

/// Exactly one row; none is [`sqlx::Error::RowNotFound`].
pub(crate) struct One<Q>(pub(crate) Q);

/// Every row.
pub(crate) struct Many<Q>(pub(crate) Q);

/// No rows back: the number of rows the statement changed.
pub(crate) struct Affected<Q>(pub(crate) Q);

impl<'q, F, O> Statement for Optional<Map<'q, Postgres, F, PgArguments>>
where
    F: FnMut(PgRow) -> Result<O, sqlx::Error> + Send,
    O: Send + Unpin,
{
    type Output = Option<O>;

    async fn run(self, statements: Statements<'_>) -> Result<Option<O>, sqlx::Error> {
        self.0.fetch_optional(statements).await
    }

    fn rows(output: &Option<O>) -> u64 {
        u64::from(output.is_some())
    }
}

impl<'q, F, O> Statement for One<Map<'q, Postgres, F, PgArguments>>
where
    F: FnMut(PgRow) -> Result<O, sqlx::Error> + Send,
    O: Send + Unpin,
{
    type Output = O;

    async fn run(self, statements: Statements<'_>) -> Result<O, sqlx::Error> {
        self.0.fetch_one(statements).await
    }

    fn rows(_: &O) -> u64 {
        1
    }
}

impl<'q, F, O> Statement for Many<Map<'q, Postgres, F, PgArguments>>
where
    F: FnMut(PgRow) -> Result<O, sqlx::Error> + Send,
    O: Send + Unpin,
{
    type Output = Vec<O>;

    async fn run(self, statements: Statements<'_>) -> Result<Vec<O>, sqlx::Error> {
        self.0.fetch_all(statements).await
    }

    fn rows(output: &Vec<O>) -> u64 {
        u64::try_from(output.len()).unwrap_or(u64::MAX)
    }
}

impl Statement for Affected<Query<'_, Postgres, PgArguments>> {
    type Output = u64;

    async fn run(self, statements: Statements<'_>) -> Result<u64, sqlx::Error> {
        Ok(self.0.execute(statements).await?.rows_affected())
    }

    fn rows(output: &u64) -> u64 {
        *output
    }
}
