//! `cargo xtask test-db`: every test of the workspace against a real
//! PostgreSQL, the tests of reads served by a streaming replica, the
//! black-box suite again with the service behind a transaction pooler, then
//! the log audit of what the black-box suite logged.

mod log_audit;

use std::env;
use std::process::{Command, ExitCode};

use crate::interrupt;
use crate::postgres::{ClusterOwner, PgBouncer, Resets, TestPostgres};

use log_audit::LogAudit;

/// The flags that run only the pass through the pooler, or only the tests
/// with a replica.
const POOLER_ONLY: &str = "--pooler";
const REPLICA_ONLY: &str = "--replica";
/// What tells the suite where the replica is (`test_db::REPLICA_VARIABLE`).
const REPLICA_VARIABLE: &str = "TEST_DB_REPLICA_URL";
/// The black-box tests that need the replica, ignored without it.
const REPLICA_TESTS: &str = "replica::";
/// What tells the suite where the pooler is (`test_db::POOLER_VARIABLE`).
const POOLER_VARIABLE: &str = "TEST_DB_POOLER_URL";
/// The adapter's own tests of the pooler mode, which it passes the pooler.
const ADAPTER_TESTS: &str = "transaction::tests::pooler";
/// Server connections per database behind the pooler: fewer than a service
/// under test may open, so that its connections share them.
const POOL_SIZE: u32 = 1;

pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    let pooler_only = args.first().is_some_and(|arg| arg == POOLER_ONLY);
    let replica_only = args.first().is_some_and(|arg| arg == REPLICA_ONLY);
    let test_args = if pooler_only || replica_only {
        &args[1..]
    } else {
        args
    };
    // Dropped (the clusters stopped and removed) only after the tests end.
    let postgres = TestPostgres::start_with_replica()?;
    let audit = LogAudit::prepare()?;
    let mut passed = true;
    if !pooler_only && !replica_only {
        let mut cargo_test = postgres.cargo();
        cargo_test.args(["test", "--locked"]);
        // The whole workspace unless the arguments pick packages.
        if !test_args
            .iter()
            .any(|arg| arg == "-p" || arg.starts_with("--package"))
        {
            cargo_test.arg("--workspace");
        }
        let status = run_tests(&mut cargo_test, &audit, test_args)?;
        if interrupt::interrupted() {
            return Ok(super::exit_code(status));
        }
        passed = status.success();
    }
    // The further passes are part of a whole run, or asked for.
    if passed && (replica_only || test_args.is_empty() && !pooler_only) {
        passed = with_replica(&postgres, &audit)?;
        if interrupt::interrupted() {
            return Ok(ExitCode::FAILURE);
        }
    }
    if passed && (pooler_only || test_args.is_empty() && !replica_only) {
        passed = through_pooler(&postgres, &audit, test_args, pooler_only)?;
        if interrupt::interrupted() {
            return Ok(ExitCode::FAILURE);
        }
    }
    let audit_passed = audit.report(&audit.search()?, test_args.is_empty());
    Ok(if passed && audit_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn run_tests(
    cargo_test: &mut Command,
    audit: &LogAudit,
    test_args: &[String],
) -> anyhow::Result<std::process::ExitStatus> {
    cargo_test.env(log_audit::DIRECTORY_VARIABLE, audit.directory());
    interrupt::run_in_own_group(cargo_test.args(test_args))
}

/// The black-box tests of reads served by a streaming replica, which the
/// other passes ignore: only the throw-away cluster has one, so with
/// `DATABASE_URL` they are skipped, saying so.
fn with_replica(postgres: &TestPostgres, audit: &LogAudit) -> anyhow::Result<bool> {
    let Some(replica) = postgres.replica_url() else {
        eprintln!(
            "xtask: skipping the tests with a streaming replica: they need the throw-away \
             cluster (unset DATABASE_URL)"
        );
        return Ok(true);
    };
    eprintln!("xtask: the black-box tests with a streaming replica");
    let mut suite = postgres.cargo();
    suite
        .args(["test", "--locked", "-p", "server", "--test", "api"])
        .env(REPLICA_VARIABLE, replica);
    let args = [
        REPLICA_TESTS.to_owned(),
        "--".to_owned(),
        "--ignored".to_owned(),
    ];
    Ok(run_tests(&mut suite, audit, &args)?.success())
}

/// The adapter's tests of the pooler mode, then the black-box suite, with
/// every service they start behind PgBouncer in transaction mode. Without PgBouncer it is skipped, saying so, unless in
/// CI (`CI` set) or asked for.
fn through_pooler(
    postgres: &TestPostgres,
    audit: &LogAudit,
    test_args: &[String],
    asked_for: bool,
) -> anyhow::Result<bool> {
    let pgbouncer = match PgBouncer::find() {
        Ok(pgbouncer) => pgbouncer,
        Err(error) if !asked_for && env::var_os("CI").is_none() => {
            eprintln!(
                "xtask: skipping the black-box suite through a transaction pooler: {error:#}"
            );
            return Ok(true);
        }
        Err(error) => return Err(error),
    };
    let pooler = pgbouncer.start(
        postgres.url(),
        &ClusterOwner::detect()?,
        POOL_SIZE,
        Resets::AfterEveryTransaction,
    )?;
    eprintln!(
        "xtask: the black-box suite again, through {} in transaction mode",
        pgbouncer.version
    );
    let mut adapter_tests = postgres.cargo();
    adapter_tests
        .args(["test", "--locked", "-p", "adapters-postgres", "--lib"])
        .env(POOLER_VARIABLE, &pooler.url);
    let status = run_tests(&mut adapter_tests, audit, &[ADAPTER_TESTS.to_owned()])?;
    if interrupt::interrupted() || !status.success() {
        return Ok(false);
    }
    let mut suite = postgres.cargo();
    suite
        .args(["test", "--locked", "-p", "server", "--test", "api"])
        .env(POOLER_VARIABLE, &pooler.url);
    Ok(run_tests(&mut suite, audit, test_args)?.success())
}
