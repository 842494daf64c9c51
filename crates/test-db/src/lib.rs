//! Isolated PostgreSQL databases for the workspace's tests; for tests only,
//! never for the service.
//!
//! The migrations are applied once per run, to a template database named
//! after their checksums. From it, each test gets either
//!
//! - [`rollback_transaction`]: a transaction on a shared clone of the
//!   template, rolled back when dropped, for tests that need one connection
//!   and no committed data (repository tests); or
//! - [`TestDatabase`]: a clone of its own, made ahead of need while other
//!   tests run and handed over by a rename, dropped in the background at
//!   the end of the test and kept, with its name printed, when the test
//!   fails (black-box and concurrency tests); or
//! - [`TestDatabase::seeded`]: a clone of a template that also holds the
//!   rows of a seed, loaded once, for tests that start from many rows.
//!
//! None costs more as migrations are added. Databases that a process
//! leaves behind (drops still pending when it ended, or a killed run's)
//! are dropped by the next process to start, and templates left half-built
//! by the next build; clones made ahead and not used are taken by it.
//! Templates of an older schema or seed stay on the server (clones of them
//! may be in the making, without the build lock): a throw-away server, as
//! `cargo xtask test-db` starts, takes them with it. The server is
//! the one `DATABASE_URL` names, whose role may create databases; `cargo
//! xtask test-db` provides a throw-away one. With
//! `DOORMAN_TEST_DB_ISOLATION=fresh`, every transaction and clone is
//! replaced by a new database with every migration applied, the way
//! `#[sqlx::test]` isolates tests, so that the two can be compared (`cargo
//! xtask bench test-isolation`).

mod clone;
mod dropper;
mod error;
mod fresh;
mod isolation;
mod lock_wait;
mod migrations;
mod names;
mod owner;
mod ready;
mod report;
mod rollback;
mod runtime;
mod seeded;
mod server;
mod settle;
mod template;
mod test_database;

pub use clone::CloneStrategy;
pub use lock_wait::until_a_session_waits_for_a_lock;
pub use rollback::rollback_transaction;
pub use runtime::run;
pub use server::{
    POOLER_VARIABLE, REPLICA_VARIABLE, admin_connect_options, on_replica, through_pooler,
};
pub use settle::settle;
pub use test_database::TestDatabase;
