//! `cargo xtask schemathesis`: the committed OpenAPI document checked
//! against the running service by schemathesis, as a user and as an
//! administrator.
//!
//! The service runs on a throw-away cluster with a fresh signing key, cheap
//! password hashing and limits that the fuzzing does not reach. Schemathesis
//! signs in itself (`POST /v1/auth/login`, its dynamic bearer auth) and
//! signs in again whenever a request gets 401: the fuzzing calls
//! `logout-all` and ends sessions, which would otherwise leave the rest of
//! the run with a dead token.
//!
//! Signing in again cannot undo the loss of the account itself. A user
//! cannot lose theirs (changing the password needs the current one), but an
//! administrator who promoted another account may then demote, disable or
//! delete their own with `PATCH` or `DELETE /v1/users/{id}`, once the
//! fuzzing has learned their id from a response. So these two operations
//! are fuzzed in a run of their own, with registration as the only source of
//! ids, and the administrator's other run covers every other operation.

use std::fs;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::postgres::ScratchCluster;
use crate::{interrupt, workspace};

mod cli;
mod client;
mod service;

use cli::Schemathesis;
use client::Client;
use service::{Service, build_server, free_port};
const DATABASE: &str = "doorman_schemathesis";
const DOCUMENT: &str = "openapi.json";
/// How long the service may take to answer `/readyz` with 200.
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the service may take to stop once asked to.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);
/// How long one request of this task may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// What schemathesis checks in every response: no server error, and the
/// status code, content type, headers and body that the document
/// declares.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance";
/// Test cases per operation in each generating phase.
const MAX_EXAMPLES: &str = "50";
/// Fixed, so that a failure in CI can be replayed.
const SEED: &str = "20240601";

/// An account that schemathesis signs in as. The passwords are not those of
/// the document's examples, which the fuzzing sends: it must not be able to
/// change them.
struct Account {
    email: &'static str,
    password: &'static str,
    role: &'static str,
}

const USER: Account = Account {
    email: "schemathesis-user@example.net",
    password: "Velvet-Harbor-Comet-8302",
    role: "user",
};
const ADMIN: Account = Account {
    email: "schemathesis-admin@example.net",
    password: "Quartz-Lantern-Osprey-4719",
    role: "admin",
};

/// One `st run`: as whom, on which operations (by `operationId`).
struct Run {
    name: &'static str,
    account: &'static Account,
    filter: &'static [&'static str],
    /// The operations that may answer this account nothing but 401 or 403.
    /// Any other doing so means that signing in did not work for it, and
    /// that the run tested little of it.
    refused: &'static [&'static str],
}

/// Operations whose 401 is about the credentials or token in the body
/// (the fuzzing never has a refresh token of its own session).
const REFUSED_BY_BODY: [&str; 3] = [
    "POST /v1/auth/login",
    "POST /v1/auth/refresh",
    "POST /v1/auth/logout",
];

/// [`REFUSED_BY_BODY`] and the operations for administrators.
const REFUSED_TO_USERS: [&str; 9] = [
    REFUSED_BY_BODY[0],
    REFUSED_BY_BODY[1],
    REFUSED_BY_BODY[2],
    "GET /v1/users",
    "GET /v1/users/{id}",
    "PATCH /v1/users/{id}",
    "DELETE /v1/users/{id}",
    "POST /v1/users/{id}/unlock",
    "GET /v1/audit-events",
];

/// The user's run first: the administrator's may disable or delete any
/// account but its own.
const RUNS: [Run; 3] = [
    Run {
        name: "user",
        account: &USER,
        filter: &[],
        refused: &REFUSED_TO_USERS,
    },
    Run {
        name: "admin",
        account: &ADMIN,
        filter: &[
            "--exclude-operation-id",
            "update_user",
            "--exclude-operation-id",
            "delete_user",
        ],
        refused: &REFUSED_BY_BODY,
    },
    Run {
        name: "admin-accounts",
        account: &ADMIN,
        filter: &[
            "--include-operation-id",
            "register",
            "--include-operation-id",
            "update_user",
            "--include-operation-id",
            "delete_user",
        ],
        refused: &REFUSED_BY_BODY,
    },
];

pub fn run(extra_args: &[String]) -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    let started = Instant::now();
    let cli = Schemathesis::find()?;
    eprintln!("xtask: {}", cli.version);
    let doorman = build_server()?;
    let work = workspace::target_dir().join("schemathesis");
    if work.exists() {
        fs::remove_dir_all(&work).with_context(|| format!("cannot empty {}", work.display()))?;
    }
    fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;

    // Declared before the server so that the cluster outlives it.
    let scratch = ScratchCluster::start()?;
    let cluster = scratch.cluster();
    eprintln!(
        "xtask: throw-away PostgreSQL cluster in {}",
        cluster.root().display()
    );
    cluster.ensure_database(DATABASE)?;
    let service = Service {
        doorman,
        database_url: cluster.url(DATABASE),
        key_file: work.join("access-token-ed25519.pem"),
        port: free_port()?,
    };
    service.keygen()?;
    let mut server = service.start(&work.join("server.log"))?;
    server.wait_until_ready(service.port)?;
    let client = Client { port: service.port };
    client.register(&USER)?;
    service.create_admin(&ADMIN)?;
    for account in [&USER, &ADMIN] {
        client.sign_in(account)?;
    }

    let mut outcomes = Vec::new();
    for run in &RUNS {
        eprintln!("\nxtask: schemathesis run `{}`", run.name);
        let mut outcome = cli.run(run, service.port, &work, extra_args)?;
        if interrupt::interrupted() {
            return Ok(ExitCode::from(130));
        }
        // A run that lost its account tested less than it reports.
        if let Err(error) = client.sign_in(run.account) {
            outcome.problems.push(format!("after the run: {error:#}"));
        }
        outcomes.push(outcome);
    }
    drop(server);
    drop(scratch);

    let failed = outcomes.iter().any(|outcome| !outcome.passed());
    println!(
        "\n{} against {DOCUMENT} (--max-examples {MAX_EXAMPLES} --seed {SEED}{}):",
        cli.version,
        extra_args
            .iter()
            .fold(String::new(), |all, arg| all + " " + arg)
    );
    for outcome in &outcomes {
        println!("  {outcome}");
    }
    println!(
        "{} in {:.0?}; reports and the service's log in {}",
        if failed { "FAILED" } else { "passed" },
        started.elapsed(),
        work.display()
    );
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
