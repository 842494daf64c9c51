//! One module per `cargo xtask` task.

pub mod bench;
pub mod lint_migrations;
pub mod migrate;
pub mod openapi;
pub mod prometheus;
pub mod run;
pub mod schemathesis;
pub mod sqlx_prepare;
pub mod test_db;
pub mod tidy;

use std::process::{ExitCode, ExitStatus};

use crate::interrupt;

/// The exit code that reports how a child task ended.
fn exit_code(status: ExitStatus) -> ExitCode {
    if interrupt::interrupted() {
        return ExitCode::from(130);
    }
    match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    }
}
