//! Doorman's PostgreSQL adapter: the domain's read, repository,
//! transaction and readiness ports implemented on sqlx (single reads on the
//! pool with [`PgReads`], every change in a unit of work of
//! [`PgTransactor`] but a refresh's rotation, one statement on its own), the
//! translation of PostgreSQL's failures into
//! [`RepoError`](domain::error::RepoError), the timing of every statement,
//! and the embedded migrations.
//!
//! It is the only crate that sees `sqlx`; it depends on the domain and on
//! nothing of HTTP or of the use cases.

mod audit;
mod database;
mod devices;
mod error;
mod instants;
mod lease;
mod migrations;
mod pool;
mod pool_metrics;
mod pooler;
mod query;
mod readiness;
mod reads;
mod replica;
mod sessions;
mod throttles;
mod transaction;
mod users;

#[cfg(test)]
mod test_support;

pub use database::{Database, Thresholds};
pub use migrations::{
    MigrationError, MigrationState, MigrationStatus, Migrations, Problem,
    problems as migration_problems,
};
pub use pool::{DatabaseSettings, InvalidDatabaseUrl, connect_lazy};
pub use pool_metrics::PoolName;
pub use pooler::Pooler;
pub use readiness::PgReadinessProbe;
pub use reads::PgReads;
pub use replica::{PgReplicaReads, ReplicaLag};
pub use sqlx::PgPool;
pub use transaction::PgTransactor;
