//! `cargo xtask test-db`: every test of the workspace against a real
//! PostgreSQL.

use std::env;
use std::process::ExitCode;

use crate::postgres::ScratchCluster;
use crate::{interrupt, workspace};

const DATABASE: &str = "doorman_test";

pub fn run(test_args: &[String]) -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    // Declared before the cluster so that it is dropped (stopped and
    // removed) only after the tests have finished.
    let scratch;
    let database_url = if let Ok(url) = env::var("DATABASE_URL") {
        eprintln!("xtask: testing against DATABASE_URL");
        url
    } else {
        scratch = ScratchCluster::start()?;
        let cluster = scratch.cluster();
        eprintln!(
            "xtask: throw-away PostgreSQL cluster in {}",
            cluster.root().display()
        );
        cluster.ensure_database(DATABASE)?;
        cluster.url(DATABASE)
    };
    let mut cargo_test = workspace::cargo();
    cargo_test.args(["test", "--locked"]);
    // The whole workspace unless the arguments pick packages.
    if !test_args
        .iter()
        .any(|arg| arg == "-p" || arg.starts_with("--package"))
    {
        cargo_test.arg("--workspace");
    }
    let status = interrupt::run_in_own_group(
        cargo_test
            .args(test_args)
            .env("DATABASE_URL", &database_url)
            .env("SQLX_OFFLINE", "true"),
    )?;
    Ok(super::exit_code(status))
}
