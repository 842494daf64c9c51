//! `cargo xtask <task>`: the developer and CI tasks of the workspace.
//!
//! It starts and removes local PostgreSQL clusters from the binaries
//! installed on the machine, so that running the service and its tests needs
//! nothing but Rust and PostgreSQL. It is the only place, with the server
//! binary, where `anyhow` is used.

#![allow(clippy::print_stderr, clippy::print_stdout)]

mod balancer;
mod interrupt;
mod postgres;
mod python;
mod service;
mod signing_key;
mod tasks;
mod workspace;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task> [args]

tasks:
  run [server args]     run the service against DATABASE_URL, or against a local
                        PostgreSQL cluster kept under target/ when it is unset;
                        `run migrate status|up|down|verify` migrates it instead;
                        `run --replica` adds a streaming replica of the local
                        cluster (pg_basebackup) that serves the admin listings
  migrate new <name>    create the next numbered pair of migration files
  lint-deploy           render deploy/kubernetes (base and overlays) with kubectl
                        kustomize and check it offline with kubernetes-validate --strict
                        (installed into target/ when missing; needs kubectl)
  lint-migrations       check migrations/ with squawk (installed into target/ when
                        missing), less the findings accepted in lint-exceptions.txt
  test-db [test args]   run every test of the workspace against a throw-away
                        PostgreSQL cluster (or DATABASE_URL when it is set), the
                        black-box tests with a streaming replica of the cluster,
                        then the black-box suite with the service behind PgBouncer
                        in transaction mode; `test-db --replica` or `test-db
                        --pooler [test args]` runs one of those passes alone
  bench test-isolation  time the set-up of one database test each way (criterion),
                        then the DB test suite with the harness and with a fresh
                        database per test, on a throw-away cluster (or DATABASE_URL)
  bench login-timing    time refused sign-ins over HTTP at the default argon2 cost,
                        for an unknown address and for a wrong password, and check
                        that the two are within 10% of each other
  bench telemetry-overhead
                        load GET /v1/users/me (wrk, release build) on the service with
                        metrics and trace export off and on, and check that exporting
                        costs at most 5% of the throughput
  bench replicas        load two release replicas behind HAProxy against one, and one
                        through HAProxy against none (needs wrk and haproxy)
  bench pooler          load the release service in transaction-pooler mode, directly
                        and behind PgBouncer, against the default mode (needs wrk
                        and pgbouncer)
  bench load            load the release service, the floor of its stack (bench/) and
                        the Express peer side by side on one throw-away cluster, with
                        pgbench and the argon2 limit as yardsticks; print the table
                        and check the targets (needs wrk, npm and PostgreSQL)
  openapi [--check]     write openapi.json, the OpenAPI document that the code
                        generates, or check that the committed one is up to date
  prometheus            check deploy/prometheus with promtool, then have a Prometheus
                        scrape the service (on a throw-away cluster) under traffic and
                        check its metrics, the dashboard's queries and the alert rules
  replica-outage        stop the streaming replica that serves the admin listings
                        under load and start it again: every request answered 200
  rolling-restart       restart three replicas of the service behind HAProxy one at a
                        time under load (on a throw-away cluster) and check that every
                        request was answered (needs haproxy)
  schemathesis [args]   fuzz the running service (on a throw-away cluster) against
                        openapi.json with schemathesis, as an administrator and
                        as a user; the arguments go to every `st run`
  sqlx-prepare          refresh the committed query data in .sqlx/ (needs sqlx-cli)
  tidy                  check the dependency rules between the crates, and that
                        every test file is compiled into its test binary";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, rest) = match args.split_first() {
        Some((task, rest)) => (task.as_str(), rest),
        None => ("help", &[][..]),
    };
    let outcome = match task {
        "run" => tasks::run::run(rest),
        "test-db" => tasks::test_db::run(rest),
        "bench" => tasks::bench::run(rest),
        "migrate" => tasks::migrate::run(rest),
        "lint-deploy" => tasks::lint_deploy::run(),
        "lint-migrations" => tasks::lint_migrations::run(),
        "openapi" => tasks::openapi::run(rest),
        "prometheus" => tasks::prometheus::run(),
        "replica-outage" => tasks::replica_outage::run(),
        "rolling-restart" => tasks::rolling_restart::run(),
        "schemathesis" => tasks::schemathesis::run(rest),
        "sqlx-prepare" => tasks::sqlx_prepare::run(),
        "tidy" => tasks::tidy::run(),
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(anyhow::anyhow!("unknown task `{other}`\n\n{USAGE}")),
    };
    outcome.unwrap_or_else(|error| {
        eprintln!("xtask: {error:#}");
        ExitCode::FAILURE
    })
}
