//! Copies of the template.

use sqlx::{Executor, Postgres};

use crate::error::Result;
use crate::names::quoted;
use crate::server::execute;

/// How PostgreSQL copies a template (`CREATE DATABASE ... STRATEGY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloneStrategy {
    /// Block by block through the write-ahead log (PostgreSQL 15's default).
    WalLog,
    /// File by file, with a checkpoint before and after.
    FileCopy,
}

impl CloneStrategy {
    /// The strategy of [`TestDatabase::create`](crate::TestDatabase::create).
    ///
    /// `FILE_COPY`: on the test cluster (fsync off, in memory, 2 cores) a
    /// clone and drop of the template took a median of 11.7 ms against
    /// 16.0 ms with `WAL_LOG` when it was chosen, and 7.6 to 19.9 ms
    /// against 9.2 to 24.4 ms in later runs (`cargo xtask bench
    /// test-isolation`), and was faster with two clones at once as well.
    /// The template is mostly the system catalogs (about 8 MB): `WAL_LOG`
    /// writes every block of it to the write-ahead log and through shared
    /// buffers, while the two checkpoints of `FILE_COPY` are cheap with
    /// fsync off and little data written between clones.
    pub(crate) const FASTEST: Self = Self::FileCopy;

    fn keyword(self) -> &'static str {
        match self {
            Self::WalLog => "WAL_LOG",
            Self::FileCopy => "FILE_COPY",
        }
    }
}

/// Creates `database` as a copy of `template`.
pub(crate) async fn clone_database<'c>(
    executor: impl Executor<'c, Database = Postgres>,
    database: &str,
    template: &str,
    strategy: CloneStrategy,
) -> Result<()> {
    let sql = format!(
        "CREATE DATABASE {} TEMPLATE {} STRATEGY {}",
        quoted(database),
        quoted(template),
        strategy.keyword()
    );
    execute(executor, sql).await
}
