//! `cargo xtask prometheus`: the service's metrics and the committed alert
//! rules, read by a real Prometheus.
//!
//! promtool checks the committed rules and example configuration first.
//! Then the service runs on a throw-away cluster, with a streaming replica
//! of it and its metrics listener on; a Prometheus of this task's own
//! scrapes it and evaluates the rules every second, traffic goes through
//! the API, and Prometheus is asked the queries that the dashboard and the
//! alerts rest on until every answer is sane or the time is up. Everything
//! listens on 127.0.0.1 only.

mod api;
mod checks;
mod server;
mod tools;
mod traffic;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use self::api::Api;
use self::tools::{DEPLOY_DIR, RULES, Tools};
use crate::postgres::{ScratchCluster, StopOnDrop};
use crate::service::{Client, Profile, RunningServer, Service, build_server, free_port};
use crate::{interrupt, workspace};

const DATABASE: &str = "doorman_prometheus";
/// Long enough for several scrapes and rule evaluations, and for the 30 s
/// rates of the queries to have samples.
const TRAFFIC_TIME: Duration = Duration::from_secs(12);
/// How long after the traffic Prometheus may take to give sane answers.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

pub fn run() -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    let started = Instant::now();
    let tools = Tools::find()?;
    let verdicts = tools.check_committed()?;
    let doorman = build_server(Profile::Debug)?;
    let work = workspace::fresh_dir("prometheus")?;

    // Declared before the servers so that the cluster outlives them.
    let scratch = ScratchCluster::with_database(DATABASE)?;
    let cluster = scratch.cluster();
    // With a replica, so that its metrics and rules are read too.
    let replica = cluster.replica(cluster.root().join("replica"), "")?;
    replica.start()?;
    let _stop_replica = StopOnDrop(&replica);
    let metrics_port = free_port()?;
    let service = Service {
        doorman,
        database_url: cluster.url(DATABASE),
        key_file: work.join("access-token-ed25519.pem"),
        port: free_port()?,
        env: vec![
            (
                "DOORMAN_METRICS_BIND_ADDRESS",
                format!("127.0.0.1:{metrics_port}"),
            ),
            ("DOORMAN_DB_REPLICA_URL", replica.url(DATABASE)),
        ],
    };
    service.keygen()?;
    let mut server = service.start(&work.join("server.log"))?;
    server.wait_until_ready(service.port, "/readyz")?;
    let port = free_port()?;
    let mut prometheus = server::start(&tools, &work, metrics_port, port)?;
    prometheus.wait_until_ready(port, "/-/ready")?;

    eprintln!(
        "xtask: traffic through the API for {}s",
        TRAFFIC_TIME.as_secs()
    );
    let outcome = traffic::drive(&Client::new(service.port), TRAFFIC_TIME).and_then(|sent| {
        eprintln!("xtask: asking Prometheus");
        let findings = checks::poll(&Api::new(port), Instant::now() + ANSWER_TIMEOUT)?;
        Ok((sent, findings))
    });
    if interrupt::interrupted() {
        return Ok(ExitCode::from(130));
    }
    let (sent, findings) = match outcome {
        Ok(outcome) => outcome,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            print_logs(&mut server, &mut prometheus);
            return Ok(ExitCode::FAILURE);
        }
    };

    let failed = findings.iter().any(|finding| !finding.sane);
    println!(
        "\nPrometheus {} scraping the service every second and evaluating {DEPLOY_DIR}/{RULES}:",
        tools.version
    );
    for verdict in &verdicts {
        println!("  {verdict}");
    }
    println!(
        "  traffic: {} rounds of register, sign in, wrong password, refresh and \
         GET /v1/users/me in {:.1}s ({} requests, each answered as expected)",
        sent.rounds,
        sent.took.as_secs_f64(),
        sent.requests
    );
    for finding in &findings {
        println!("  {finding}");
    }
    if failed {
        print_logs(&mut server, &mut prometheus);
    }
    Ok(super::verdict(
        failed,
        started,
        "the logs, configuration and data",
        &work,
    ))
}

/// How the two servers are doing, and the end of their logs.
fn print_logs(service: &mut RunningServer, prometheus: &mut RunningServer) {
    for server in [service, prometheus] {
        if let Some(exit) = server.exited() {
            eprintln!("xtask: {exit}");
        }
        eprintln!("{}", server.log_tail());
    }
}
