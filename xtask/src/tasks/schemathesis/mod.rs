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

use std::process::ExitCode;
use std::time::Instant;

use crate::postgres::ScratchCluster;
use crate::service::{Account, Client, Profile, Service, build_server, free_port};
use crate::{interrupt, workspace};

mod cli;

use cli::Schemathesis;
const DATABASE: &str = "doorman_schemathesis";
const DOCUMENT: &str = "openapi.json";
/// The display name of the user's account.
const DISPLAY_NAME: &str = "Schemathesis";

/// What schemathesis checks in every response: no server error, and the
/// status code, content type, headers and body that the document
/// declares.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance";
/// Test cases per operation in each generating phase.
const MAX_EXAMPLES: &str = "50";
/// Fixed, so that a failure in CI can be replayed.
const SEED: &str = "20240601";

/// The accounts that schemathesis signs in as. The passwords are not those
/// of the document's examples, which the fuzzing sends: it must not be able
/// to change them.
const USER: Account<'static> = Account {
    email: "schemathesis-user@example.net",
    password: "Velvet-Harbor-Comet-8302",
    role: "user",
};
const ADMIN: Account<'static> = Account {
    email: "schemathesis-admin@example.net",
    password: "Quartz-Lantern-Osprey-4719",
    role: "admin",
};

/// One `st run`: as whom, on which operations (by `operationId`).
struct Run {
    name: &'static str,
    account: &'static Account<'static>,
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
    let doorman = build_server(Profile::Debug)?;
    let work = workspace::fresh_dir("schemathesis")?;

    // Declared before the server so that the cluster outlives it.
    let scratch = ScratchCluster::with_database(DATABASE)?;
    let cluster = scratch.cluster();
    let service = Service {
        doorman,
        database_url: cluster.url(DATABASE),
        key_file: work.join("access-token-ed25519.pem"),
        port: free_port()?,
        env: Vec::new(),
    };
    service.keygen()?;
    let mut server = service.start(&work.join("server.log"))?;
    server.wait_until_ready(service.port, "/readyz")?;
    let client = Client::new(service.port);
    client.register(&USER, DISPLAY_NAME)?;
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
    Ok(super::verdict(
        failed,
        started,
        "reports and the service's log",
        &work,
    ))
}
