//! Doorman's PostgreSQL adapter: the domain's repository, transaction and
//! readiness ports implemented on sqlx, the translation of PostgreSQL's
//! failures into [`RepoError`](domain::error::RepoError), the timing of
//! every statement, and the embedded migrations.
//!
//! It is the only crate that sees `sqlx`; it depends on the domain and on
//! nothing of HTTP or of the use cases.

mod audit;
mod database;
mod error;
mod instants;
mod lease;
mod migrations;
mod pool;
mod query;
mod readiness;
mod sessions;
mod throttles;
mod transaction;
mod users;

#[cfg(test)]
mod test_support;

pub use audit::PgAuditLog;
pub use database::{Database, Thresholds};
pub use migrations::{MigrationError, migrate};
pub use pool::{DatabaseSettings, InvalidDatabaseUrl, connect_lazy};
pub use readiness::PgReadinessProbe;
pub use sessions::PgSessionRepository;
pub use sqlx::PgPool;
pub use throttles::PgThrottleRepository;
pub use transaction::PgTransactor;
pub use users::PgUserRepository;
