//! `cargo xtask bench telemetry-overhead`: what exporting metrics and
//! traces costs the throughput of an authenticated request.
//!
//! Two instances of the release build share one throw-away database, with
//! one HTTP worker each, every thread of theirs (the exporters' included)
//! pinned to one core and wrk to the other, so that the load generator and
//! the service never take turns on a core: one exports nothing; the other serves its metrics to a scrape every second, as
//! Prometheus would, and pushes its metrics (every second) and traces over
//! OTLP to a sink of this task's own. wrk loads `GET /v1/users/me` on each
//! in turn, the first of each round alternating so that neither always
//! runs on a warmer or busier machine. Each round's two runs are seconds
//! apart, so their ratio is little moved by what else the machine is doing
//! at the time; the verdict is on the median of those ratios.

mod otlp_sink;
mod scraper;

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};

use self::otlp_sink::{OtlpSink, Pushes};
use self::scraper::{Scraper, Scrapes};
use super::estimates::verdict;
use super::instances::{Instance, PATH, Schedule, median_ratio, schedule_line, sign_in_and_run};
use super::wrk::{Load, Wrk};
use crate::postgres::ScratchCluster;
use crate::service::{Profile, Service, build_server, free_port};
use crate::{interrupt, workspace};

const DATABASE: &str = "doorman_telemetry_overhead";
/// The warm-up lets connections, caches and the CPU's clock settle.
const SCHEDULE: Schedule = Schedule {
    warm_up: Duration::from_secs(3),
    run: Duration::from_secs(4),
    rounds: 9,
};
/// The most that exporting may cost, relative to the throughput without.
const TARGET: f64 = 0.05;
/// The core wrk runs on; the instances under load run on the other, so
/// that neither takes time from the other.
const LOAD_CPU: &str = "1";
/// The core of the instances under load.
const SERVER_CPU: &str = "0";

pub fn run() -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    let wrk = Wrk::find()?;
    let doorman = build_server(Profile::Release)?;
    let work = workspace::fresh_dir("telemetry-overhead")?;

    // Declared before the servers so that the cluster outlives them, and
    // the sink answers their exporters until they stop.
    let scratch = ScratchCluster::with_database(DATABASE)?;
    let cluster = scratch.cluster();
    let sink = OtlpSink::start()?;
    let metrics_port = free_port()?;
    let key_file = work.join("access-token-ed25519.pem");
    let service = |env: Vec<(&'static str, String)>| -> anyhow::Result<Service> {
        Ok(Service {
            doorman: doorman.clone(),
            database_url: cluster.url(DATABASE),
            key_file: key_file.clone(),
            port: free_port()?,
            env: [("DOORMAN_HTTP_WORKERS", "1".to_owned())]
                .into_iter()
                .chain(env)
                .collect(),
        })
    };
    let off = service(Vec::new())?;
    let on = service(vec![
        // The other instance has migrated the database.
        ("DOORMAN_MIGRATE", "false".to_owned()),
        (
            "DOORMAN_METRICS_BIND_ADDRESS",
            format!("127.0.0.1:{metrics_port}"),
        ),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", sink.endpoint()),
        ("OTEL_METRIC_EXPORT_INTERVAL", "1000".to_owned()),
    ])?;
    off.keygen()?;
    let mut off_server = off.start(&work.join("server-off.log"))?;
    off_server.wait_until_ready(off.port, "/readyz")?;
    let mut on_server = on.start(&work.join("server-on.log"))?;
    on_server.wait_until_ready(on.port, "/readyz")?;
    for server in [&off_server, &on_server] {
        pin(server.pid(), SERVER_CPU)?;
    }
    let scraper = Scraper::start(metrics_port)?;

    let mut instances = [Instance::new("off", off.port), Instance::new("on", on.port)];
    sign_in_and_run(&wrk, &work, off.port, &mut instances, load, &SCHEDULE)?;
    let scrapes = scraper.finish();
    let pushes = sink.pushes();

    let ok = report(&wrk, &work, &instances, &scrapes, &pushes);
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Prints the report: whether the target is met, by runs without errors
/// and with every export working.
fn report(
    wrk: &Wrk,
    work: &Path,
    instances: &[Instance; 2],
    scrapes: &Scrapes,
    pushes: &Pushes,
) -> bool {
    let mut problems: Vec<String> = instances
        .iter()
        .flat_map(|instance| {
            instance
                .problems
                .iter()
                .map(|problem| format!("telemetry {}: {problem}", instance.name))
        })
        .collect();
    if scrapes.ok == 0 || scrapes.failed > 0 {
        problems.push(format!(
            "{} of {} scrapes of /metrics failed",
            scrapes.failed,
            scrapes.ok + scrapes.failed
        ));
    }
    if pushes.metrics == 0 || pushes.traces == 0 || pushes.other > 0 {
        problems.push(format!(
            "the OTLP sink received {} metric pushes, {} trace pushes and {} requests \
             to other paths",
            pushes.metrics, pushes.traces, pushes.other
        ));
    }
    let [off, on] = instances;
    let ratio = median_ratio(on, off);
    let overhead = 1.0 - ratio;
    let ok = overhead <= TARGET && problems.is_empty();

    println!();
    println!(
        "Telemetry export on against off: GET {PATH} with an access token, release build, \
         one HTTP worker per instance (wrk {}; outputs in {})",
        wrk.version,
        work.display()
    );
    println!(
        "  {}, alternating which instance goes first",
        schedule_line(load, &SCHEDULE)
    );
    for instance in instances {
        println!("  telemetry {instance}");
    }
    println!(
        "  while on: {} scrapes of /metrics ({:.1} kB each), {} OTLP metric pushes, {} trace \
         pushes ({:.1} MB in all, {:.2} kB per request served)",
        scrapes.ok,
        kilobytes(scrapes.bytes),
        pushes.metrics,
        pushes.traces,
        kilobytes(pushes.bytes) / 1e3,
        kilobytes(pushes.bytes) / on.requests.max(1) as f64,
    );
    for problem in &problems {
        println!("  {problem}");
    }
    println!(
        "  on/off = {ratio:.3} (median of the rounds' ratios; of the medians {:.3})   \
         overhead = {:.1}%   target at most {:.0}%  {}",
        on.median() / off.median(),
        overhead * 100.0,
        TARGET * 100.0,
        verdict(ok)
    );
    ok
}

/// One thread and 16 connections on [`LOAD_CPU`]: the service under test
/// has one worker, and the machine may have no more than two cores.
fn load<'a>(url: &'a str, token: &'a str, duration: Duration) -> Load<'a> {
    Load {
        url,
        threads: 1,
        connections: 16,
        duration,
        bearer: Some(token),
        script: None,
        cpus: Some(LOAD_CPU),
    }
}

/// Moves every thread of process `pid` to core `cpu`.
fn pin(pid: u32, cpu: &str) -> anyhow::Result<()> {
    let status = std::process::Command::new("taskset")
        .args(["--all-tasks", "--cpu-list", "--pid", cpu, &pid.to_string()])
        .stdout(std::process::Stdio::null())
        .status()
        .context("cannot run taskset (util-linux)")?;
    if !status.success() {
        bail!("taskset could not pin process {pid} to core {cpu}: {status}");
    }
    Ok(())
}

fn kilobytes(bytes: u64) -> f64 {
    bytes as f64 / 1e3
}
