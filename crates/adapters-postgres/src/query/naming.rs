//! Whether statements are prepared named, and cached per connection, or
//! unnamed, for a transaction pooler. sqlx names and caches every statement
//! of `query!` and `query_as!`, whose results have no way to ask otherwise:
//! [`Statements`] is the executor they run on, and it asks for them.

use futures_util::FutureExt as _;
use futures_util::future::{self, BoxFuture};
use futures_util::stream::BoxStream;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArguments, PgQueryResult, PgRow, PgStatement, PgTypeInfo};
use sqlx::{Describe, Either, Execute, Executor, PgConnection, Postgres, SqlStr};

/// A connection, and whether its statements may be named.
#[derive(Debug)]
pub(crate) struct Statements<'c> {
    connection: &'c mut PgConnection,
    named: bool,
}

impl<'c> Statements<'c> {
    pub(crate) fn new(connection: &'c mut PgConnection, named: bool) -> Self {
        Self { connection, named }
    }
}

/// A statement that must be prepared unnamed: the server forgets it at the
/// next one, and the connection's cache never holds it.
struct Unnamed<E>(E);

impl<'q, E: Execute<'q, Postgres>> Execute<'q, Postgres> for Unnamed<E> {
    fn sql(self) -> SqlStr {
        self.0.sql()
    }

    fn statement(&self) -> Option<&PgStatement> {
        self.0.statement()
    }

    fn take_arguments(&mut self) -> Result<Option<PgArguments>, BoxDynError> {
        self.0.take_arguments()
    }

    fn persistent(&self) -> bool {
        false
    }
}

impl<'c> Executor<'c> for Statements<'c> {
    type Database = Postgres;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<PgQueryResult, PgRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        if self.named {
            self.connection.fetch_many(query)
        } else {
            self.connection.fetch_many(Unnamed(query))
        }
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<PgRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        if self.named {
            self.connection.fetch_optional(query)
        } else {
            self.connection.fetch_optional(Unnamed(query))
        }
    }

    // Both prepare named statements: refused when they may not be named.

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [PgTypeInfo],
    ) -> BoxFuture<'e, Result<PgStatement, sqlx::Error>>
    where
        'c: 'e,
    {
        if self.named {
            self.connection.prepare_with(sql, parameters)
        } else {
            future::ready(Err(named_refused())).boxed()
        }
    }

    fn describe<'e>(self, sql: SqlStr) -> BoxFuture<'e, Result<Describe<Postgres>, sqlx::Error>>
    where
        'c: 'e,
    {
        if self.named {
            self.connection.describe(sql)
        } else {
            future::ready(Err(named_refused())).boxed()
        }
    }
}

fn named_refused() -> sqlx::Error {
    sqlx::Error::Configuration(
        "a named prepared statement, behind a transaction pooler that cannot keep it".into(),
    )
}
