//! `cargo xtask rolling-restart`: replicas of the service behind HAProxy,
//! restarted one at a time under load, and every request answered.
//!
//! Three replicas share one throw-away cluster behind HAProxy, which
//! checks each on `/readyz` and resends nothing (`retries 0`). Clients
//! read their accounts and rotate their refresh tokens through it while
//! each replica in turn gets SIGTERM, drains, stops, and is started again
//! on its port; the next waits until HAProxy has the new one back in
//! rotation. The task fails on any request that was not answered 200, on
//! any refresh taken for a replayed one, and on any error HAProxy counted.
//! Then it checks that a lockout and a logout-all made through the
//! balancer hold on every replica, and that the replicas' purges, all
//! running, remove the ended sessions and keep the live ones.
//! Everything listens on 127.0.0.1 only.

mod load;
mod shared_state;

use std::process::ExitCode;
use std::thread::sleep;
use std::time::{Duration, Instant};

use self::load::{Load, Seen};
use self::shared_state::Sessions;
use crate::balancer::{Balancer, CHECK_INTERVAL, FALL, Haproxy, RISE, replica_name};
use crate::postgres::ScratchCluster;
use crate::service::{Profile, RunningServer, Service, build_server, free_port};
use crate::{interrupt, workspace};

const DATABASE: &str = "doorman_rolling";
const REPLICAS: usize = 3;
const CLIENTS: usize = 6;
/// Each replica's drain: well over the checks that take it out of
/// rotation (every 200 ms, two in a row).
const DRAIN: Duration = Duration::from_millis(1500);
/// Load before the first restart and after the last.
const SETTLE: Duration = Duration::from_secs(2);
/// How long HAProxy may take to see a replica come or go.
const SEEN_TIMEOUT: Duration = Duration::from_secs(30);

pub fn run() -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    let started = Instant::now();
    let haproxy = Haproxy::find()?;
    let doorman = build_server(Profile::Debug)?;
    let work = workspace::fresh_dir("rolling-restart")?;

    // Declared before the servers so that the cluster outlives them.
    let scratch = ScratchCluster::with_database(DATABASE)?;
    let cluster = scratch.cluster();
    let ports: Vec<u16> = (0..REPLICAS)
        .map(|_| free_port())
        .collect::<anyhow::Result<_>>()?;
    let services: Vec<Service> = ports
        .iter()
        .map(|&port| Service {
            doorman: doorman.clone(),
            database_url: cluster.url(DATABASE),
            key_file: work.join("access-token-ed25519.pem"),
            port,
            env: vec![
                ("DOORMAN_SHUTDOWN_DELAY_MS", DRAIN.as_millis().to_string()),
                ("DOORMAN_HTTP_WORKERS", "1".to_owned()),
                (
                    "DOORMAN_LOGIN_MAX_FAILURES_PER_ACCOUNT",
                    shared_state::FAILURES_TO_LOCK.to_string(),
                ),
                ("DOORMAN_DB_MAX_CONNECTIONS", "4".to_owned()),
                // Every replica purges, each often enough to be seen at it.
                ("DOORMAN_PURGE_INTERVAL_SECS", "1".to_owned()),
            ],
        })
        .collect();
    services[0].keygen()?;
    let mut replicas = Vec::with_capacity(REPLICAS);
    for (index, service) in services.iter().enumerate() {
        replicas.push(start(service, &work, index, 0)?);
    }
    let port = free_port()?;
    let balancer = haproxy.start(&work, "haproxy", port, &ports, true)?;
    for index in 0..REPLICAS {
        balancer.wait_for(&replica_name(index), "UP", SEEN_TIMEOUT)?;
    }

    let load = Load::start(port, CLIENTS)?;
    eprintln!("xtask: {CLIENTS} clients through HAProxy on 127.0.0.1:{port}");
    sleep(SETTLE);
    let mut restarts = Vec::with_capacity(REPLICAS);
    let restarted = (0..REPLICAS).try_for_each(|index| {
        interrupt::check()?;
        let name = replica_name(index);
        eprintln!("xtask: restarting {name}");
        let began = Instant::now();
        let old = replicas.remove(index);
        let (out, stopped) = stop(old, &balancer, &name)?;
        let new = start(&services[index], &work, index, 1)?;
        balancer.wait_for(&name, "UP", SEEN_TIMEOUT)?;
        replicas.insert(index, new);
        restarts.push(Restart {
            name,
            out,
            stopped,
            back: began.elapsed(),
        });
        Ok::<_, anyhow::Error>(())
    });
    sleep(SETTLE);
    let seen = load.stop();
    restarted?;
    let rows = balancer.rows()?;
    let shared = shared_state::check(port, &ports, &Sessions::of(cluster, DATABASE), CLIENTS);

    println!(
        "\nRolling restart of {REPLICAS} replicas behind HAProxy {} (checks of /readyz every {} ms, \
         {FALL} to fall, {RISE} to rise, retries 0; each replica drains {} ms):",
        haproxy.version,
        CHECK_INTERVAL.as_millis(),
        DRAIN.as_millis()
    );
    for restart in &restarts {
        println!(
            "  {}: SIGTERM; out of rotation after {:.2} s, exited after {:.2} s; \
             the new process back in rotation {:.2} s after the SIGTERM",
            restart.name,
            restart.out.as_secs_f64(),
            restart.stopped.as_secs_f64(),
            restart.back.as_secs_f64()
        );
    }
    report(&seen);
    let mut failed = seen.failures > 0 || seen.refused_as_reuse > 0;
    for row in &rows {
        let errors = row.connection_errors + row.response_errors + row.answers_5xx;
        failed |= errors > 0;
        println!(
            "  HAProxy, {}: {}; connection errors {}, response errors {}, 5xx answers {}",
            row.name, row.status, row.connection_errors, row.response_errors, row.answers_5xx
        );
    }
    match &shared {
        Ok(checks) => {
            for check in checks {
                println!("  {check}");
            }
        }
        Err(error) => {
            failed = true;
            println!("  {error:#}");
        }
    }
    if failed {
        for replica in &replicas {
            println!("{}", replica.log_tail());
        }
        println!("{}", balancer.server.log_tail());
    }
    Ok(super::verdict(
        failed,
        started,
        "the logs and configuration",
        &work,
    ))
}

/// One replica's restart: when HAProxy took it out of rotation, when it
/// exited, and when the new process was back in rotation, from the SIGTERM.
struct Restart {
    name: String,
    out: Duration,
    stopped: Duration,
    back: Duration,
}

/// Starts the `index`-th replica, its `incarnation`-th process, and waits
/// until it is ready.
fn start(
    service: &Service,
    work: &std::path::Path,
    index: usize,
    incarnation: usize,
) -> anyhow::Result<RunningServer> {
    let log = work.join(format!("{}-{incarnation}.log", replica_name(index)));
    let mut server = service.start(&log)?;
    server.wait_until_ready(service.port, "/readyz")?;
    Ok(server)
}

/// Sends SIGTERM and waits for the replica to leave HAProxy's rotation
/// and then to exit: both times from the signal.
fn stop(
    mut replica: RunningServer,
    balancer: &Balancer,
    name: &str,
) -> anyhow::Result<(Duration, Duration)> {
    let signalled = Instant::now();
    replica.terminate()?;
    let out = balancer.wait_for(name, "DOWN", SEEN_TIMEOUT)?;
    replica.wait_for_exit()?;
    Ok((out, signalled.elapsed()))
}

fn report(seen: &Seen) {
    println!(
        "  load: {} requests in {:.1} s from {CLIENTS} clients, one at a time each \
         ({} GET /v1/users/me, {} POST /v1/auth/refresh)",
        seen.requests(),
        seen.took.as_secs_f64(),
        seen.reads,
        seen.refreshes
    );
    println!(
        "  failed requests: {}; refreshes refused as reuse: {}",
        seen.failures, seen.refused_as_reuse
    );
    for example in &seen.examples {
        println!("    {example}");
    }
}
