//! `cargo xtask test-db`: every test of the workspace against a real
//! PostgreSQL.

use std::process::ExitCode;

use crate::interrupt;
use crate::postgres::TestPostgres;

pub fn run(test_args: &[String]) -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    // Dropped (the cluster stopped and removed) only after the tests end.
    let postgres = TestPostgres::start()?;
    let mut cargo_test = postgres.cargo();
    cargo_test.args(["test", "--locked"]);
    // The whole workspace unless the arguments pick packages.
    if !test_args
        .iter()
        .any(|arg| arg == "-p" || arg.starts_with("--package"))
    {
        cargo_test.arg("--workspace");
    }
    let status = interrupt::run_in_own_group(cargo_test.args(test_args))?;
    Ok(super::exit_code(status))
}
