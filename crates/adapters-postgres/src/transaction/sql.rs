//! The statements that start and end transactions and savepoints.

use domain::ports::{Access, Isolation, TransactionOptions};
use sqlx::AssertSqlSafe;

pub(super) fn begin(options: TransactionOptions) -> &'static str {
    match (options.isolation, options.access) {
        (Isolation::ReadCommitted, Access::ReadWrite) => "BEGIN",
        (Isolation::ReadCommitted, Access::ReadOnly) => "BEGIN READ ONLY",
        (Isolation::RepeatableRead, Access::ReadWrite) => "BEGIN ISOLATION LEVEL REPEATABLE READ",
        (Isolation::RepeatableRead, Access::ReadOnly) => {
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        }
        (Isolation::Serializable, Access::ReadWrite) => "BEGIN ISOLATION LEVEL SERIALIZABLE",
        (Isolation::Serializable, Access::ReadOnly) => {
            "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY"
        }
    }
}

// Savepoint names carry only the nesting level, a number of ours.

pub(super) fn savepoint(level: u32) -> AssertSqlSafe<String> {
    AssertSqlSafe(format!("SAVEPOINT doorman_{level}"))
}

pub(super) fn release(level: u32) -> AssertSqlSafe<String> {
    AssertSqlSafe(format!("RELEASE SAVEPOINT doorman_{level}"))
}

pub(super) fn roll_back_to(level: u32) -> AssertSqlSafe<String> {
    AssertSqlSafe(format!(
        "ROLLBACK TO SAVEPOINT doorman_{level}; RELEASE SAVEPOINT doorman_{level}"
    ))
}
