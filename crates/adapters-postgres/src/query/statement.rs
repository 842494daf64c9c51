//! How a statement's result is read, and how many rows it touched.

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Map;
use sqlx::{PgConnection, Postgres};

/// A statement ready to run on a connection.
pub(crate) trait Statement {
    type Output: Send;

    fn run(
        self,
        connection: &mut PgConnection,
    ) -> impl Future<Output = Result<Self::Output, sqlx::Error>> + Send;

    /// The rows returned or affected, for the trace and the slow-query log.
    fn rows(output: &Self::Output) -> u64;
}

/// At most one row.
pub(crate) struct Optional<Q>(pub(crate) Q);

/// Exactly one row; none is [`sqlx::Error::RowNotFound`].
pub(crate) struct One<Q>(pub(crate) Q);

impl<'q, F, O> Statement for Optional<Map<'q, Postgres, F, PgArguments>>
where
    F: FnMut(PgRow) -> Result<O, sqlx::Error> + Send,
    O: Send + Unpin,
{
    type Output = Option<O>;

    async fn run(self, connection: &mut PgConnection) -> Result<Option<O>, sqlx::Error> {
        self.0.fetch_optional(connection).await
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

    async fn run(self, connection: &mut PgConnection) -> Result<O, sqlx::Error> {
        self.0.fetch_one(connection).await
    }

    fn rows(_: &O) -> u64 {
        1
    }
}
