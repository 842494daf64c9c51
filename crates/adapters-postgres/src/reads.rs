//! The reads a request may make without a unit of work.

use domain::error::RepoError;

use crate::database::Database;
use crate::lease::Lease;

/// Single reads on the pool: each runs on a connection of its own and sees
/// what was committed. Every change goes through a unit of work instead
/// ([`PgTransactor`](crate::PgTransactor)), but the rotation of
/// `SessionRotations`, which one statement makes atomically on its own.
/// Each resource module implements its read port on this type.
#[derive(Debug, Clone)]
pub struct PgReads {
    database: Database,
}

impl PgReads {
    /// Reads on this database.
    pub fn new(database: Database) -> Self {
        Self { database }
    }

    /// A connection of the pool for one read.
    pub(crate) async fn lease(&self) -> Result<Lease, RepoError> {
        self.database.lease().await
    }
}
