//! One module per `cargo xtask` task.

pub mod bench;
pub mod lint_deploy;
pub mod lint_migrations;
pub mod migrate;
pub mod openapi;
pub mod prometheus;
pub mod replica_outage;
pub mod rolling_restart;
pub mod run;
pub mod schemathesis;
pub mod sqlx_prepare;
pub mod test_db;
pub mod tidy;

use std::path::Path;
use std::process::{ExitCode, ExitStatus};
use std::time::Instant;

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

/// The last line of a task that runs servers: whether it passed, how long
/// it took and where `kept` (what its work directory holds) is; and the
/// exit code that says so.
fn verdict(failed: bool, started: Instant, kept: &str, work: &Path) -> ExitCode {
    println!(
        "{} in {:.0?}; {kept} in {}",
        if failed { "FAILED" } else { "passed" },
        started.elapsed(),
        work.display()
    );
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
