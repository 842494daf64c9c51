//! `cargo xtask test-db`: every test of the workspace against a real
//! PostgreSQL, then the log audit of what the black-box suite logged.

mod log_audit;

use std::process::ExitCode;

use crate::interrupt;
use crate::postgres::TestPostgres;

use log_audit::LogAudit;

pub fn run(test_args: &[String]) -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    // Dropped (the cluster stopped and removed) only after the tests end.
    let postgres = TestPostgres::start()?;
    let audit = LogAudit::prepare()?;
    let mut cargo_test = postgres.cargo();
    cargo_test
        .args(["test", "--locked"])
        .env(log_audit::DIRECTORY_VARIABLE, audit.directory());
    // The whole workspace unless the arguments pick packages.
    if !test_args
        .iter()
        .any(|arg| arg == "-p" || arg.starts_with("--package"))
    {
        cargo_test.arg("--workspace");
    }
    let status = interrupt::run_in_own_group(cargo_test.args(test_args))?;
    if interrupt::interrupted() {
        return Ok(super::exit_code(status));
    }
    let tests_passed = status.success();
    let audit_passed = audit.report(&audit.search()?, test_args.is_empty());
    if tests_passed && !audit_passed {
        return Ok(ExitCode::FAILURE);
    }
    Ok(super::exit_code(status))
}
