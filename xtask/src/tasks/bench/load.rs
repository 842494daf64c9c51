//! `cargo xtask bench load`: the service under load, side by side with
//! what it is measured against, in one run on one throw-away cluster.
//!
//! The cluster runs on disk with PostgreSQL's durability, so that each
//! commit waits for its flush as in production. On it, `pgbench` gives
//! the floors of a primary-key read and of a one-row durable write; the
//! floor of the stack (`bench/stack-floor`: actix-web and sqlx reading one
//! row per request) gives what the service's own stack can do; the plan's
//! stack (`bench/peers/express-pg`) is the peer; and `bench/argon2-limit`
//! gives the argon2 limit of the machine, cores over the time of one
//! verification. wrk, on the same cores as everything else, loads each in
//! turn; every figure of the report is a ratio of runs made minutes apart.

mod flood;
mod memory;
mod paced;
mod pgbench;
mod report;
mod scrape;
mod scripts;
mod stack;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use anyhow::{Context, bail};
use nix::sys::resource::{Resource, getrlimit, setrlimit};

use self::flood::Flood;
use self::memory::Sampler;
use self::paced::PacedRun;
use self::pgbench::Pgbench;
use self::report::{Measured, Report};
use self::scrape::Exposition;
use self::stack::{Argon2Costs, Peer, Yardsticks};
use super::wrk::{Load, Outcome, Wrk};
use crate::postgres::{ScratchCluster, Tuning};
use crate::service::{Account, Client, Profile, Service, build_server, free_port};
use crate::{interrupt, workspace};

const DATABASE: &str = "doorman_load";
/// 1,000,000 accounts for pgbench and the floor.
const SCALE: u32 = 10;
const ACCOUNT: Account<'static> = Account {
    email: "load@example.net",
    password: "Marble-Pigeon-Sunset-6184",
    role: "user",
};
/// The service's defaults, which its peer uses too: OWASP's minimum.
const COSTS: Argon2Costs = Argon2Costs {
    memory_kib: 19_456,
    iterations: 2,
    parallelism: 1,
};
/// Connections of the main runs.
const CONNECTIONS: u32 = 32;
const RUN: Duration = Duration::from_secs(10);
/// Connections of the sweep of `me`, and how long each step lasts.
const SWEEP: [u32; 6] = [8, 16, 32, 64, 128, 256];
const SWEEP_RUN: Duration = Duration::from_secs(5);
/// Keep-alive connections open at once while resident memory is read.
const MEMORY_CONNECTIONS: u32 = 1000;
/// Connections of the floor's pool: the best of those tried by hand.
const FLOOR_POOL: u32 = 32;
/// Sign-ins waiting for their answers while the flood runs, and the
/// threads that flood.
const WAITING_CONNECTIONS: u32 = 8;
const FLOOD_THREADS: usize = 8;
/// Refresh tokens per wrk connection: more than the one in flight.
const TOKENS_PER_CONNECTION: usize = 2;
/// The share of the peak that the latency target is measured at.
const PACED_SHARE: f64 = 0.8;
/// The histograms read from the service's metrics.
const POOL_WAIT: &str = "db_client_connection_wait_time_seconds";
const HASH_DURATION: &str = "doorman_password_hash_duration_seconds";
const VERIFY: &str = "operation=\"verify\"";

pub fn run() -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    let wrk = Wrk::find()?;
    let cores = thread::available_parallelism().map_or(1, |cores| cores.get() as u32);
    allow_many_connections()?;
    let doorman = build_server(Profile::Release)?;
    let yardsticks = Yardsticks::build()?;
    let peer = Peer::install()?;
    let work = workspace::fresh_dir("load")?;

    let scratch = ScratchCluster::tuned_with_database(Tuning::Load, DATABASE)?;
    let cluster = scratch.cluster();
    let url = cluster.url(DATABASE);
    eprintln!("xtask: pgbench --initialize --scale={SCALE}");
    let pgbench = Pgbench::initialize(cluster, DATABASE, SCALE, cores)?;

    let metrics_port = free_port()?;
    let service = Service {
        doorman,
        database_url: url.clone(),
        key_file: work.join("access-token-ed25519.pem"),
        port: free_port()?,
        env: vec![
            ("DOORMAN_ARGON2_MEMORY_KIB", COSTS.memory_kib.to_string()),
            ("DOORMAN_ARGON2_ITERATIONS", COSTS.iterations.to_string()),
            ("DOORMAN_ARGON2_PARALLELISM", COSTS.parallelism.to_string()),
            (
                "DOORMAN_METRICS_BIND_ADDRESS",
                format!("127.0.0.1:{metrics_port}"),
            ),
        ],
    };
    service.keygen()?;
    let mut doorman = service.start(&work.join("doorman.log"))?;
    doorman.wait_until_ready(service.port, "/readyz")?;
    let floor_port = free_port()?;
    let _floor = yardsticks.start_floor(
        &url,
        pgbench.rows(),
        FLOOR_POOL,
        floor_port,
        &work.join("floor.log"),
    )?;
    let peer_port = free_port()?;
    let _peer = peer.start(&url, COSTS, peer_port, &work.join("peer.log"))?;

    let bench = Bench {
        wrk,
        work: work.clone(),
        threads: cores,
    };
    let doorman_api = Api::new(service.port, &bench)?;
    let peer_api = Api::new(peer_port, &bench)?;
    let floor_url = format!("http://127.0.0.1:{floor_port}/account");

    eprintln!("xtask: timing argon2id verifications");
    let (verify_time, verified_together) = yardsticks.argon2_limit(COSTS)?;

    eprintln!(
        "xtask: {}s runs at {CONNECTIONS} connections",
        RUN.as_secs()
    );
    let pgbench_select = pgbench.select(CONNECTIONS, RUN)?;
    let floor = bench.get("floor", &floor_url, None, CONNECTIONS, RUN)?;
    let me = doorman_api.me(&bench, "doorman-me", CONNECTIONS, RUN)?;
    let peer_me = peer_api.me(&bench, "peer-me", CONNECTIONS, RUN)?;
    let pgbench_update = pgbench.update(CONNECTIONS, RUN)?;
    let refresh = doorman_api.refresh(&bench, "doorman-refresh", CONNECTIONS, RUN)?;
    let peer_refresh = peer_api.refresh(&bench, "peer-refresh", CONNECTIONS, RUN)?;
    let login = doorman_api.login(&bench, "doorman-login", CONNECTIONS, RUN)?;
    let peer_login = peer_api.login(&bench, "peer-login", CONNECTIONS, RUN)?;

    eprintln!("xtask: sweep of GET /v1/users/me");
    let mut sweep = Vec::new();
    for connections in SWEEP {
        let name = format!("sweep-{connections}");
        sweep.push((
            connections,
            doorman_api.me(&bench, &format!("doorman-{name}"), connections, SWEEP_RUN)?,
            bench.get(
                &format!("floor-{name}"),
                &floor_url,
                None,
                connections,
                SWEEP_RUN,
            )?,
            peer_api.me(&bench, &format!("peer-{name}"), connections, SWEEP_RUN)?,
        ));
    }

    let peak = sweep
        .iter()
        .map(|(_, doorman, _, _): &(u32, Outcome, Outcome, Outcome)| doorman.rate)
        .fold(me.rate, f64::max);
    let floor_peak = sweep
        .iter()
        .map(|(_, _, floor, _)| floor.rate)
        .fold(floor.rate, f64::max);
    eprintln!(
        "xtask: GET /v1/users/me and the floor at {:.0}% of their peaks",
        PACED_SHARE * 100.0
    );
    let before = Exposition::take(metrics_port)?;
    let paced = bench.paced(
        &yardsticks,
        "doorman-paced",
        &PacedRun {
            port: service.port,
            path: "/v1/users/me",
            bearer: Some(&doorman_api.access_token),
            rate: peak * PACED_SHARE,
            connections: CONNECTIONS,
            duration: RUN,
        },
    )?;
    let paced_pool_wait = Exposition::take(metrics_port)?
        .histogram(POOL_WAIT, "")
        .since(&before.histogram(POOL_WAIT, ""));
    let floor_paced = bench.paced(
        &yardsticks,
        "floor-paced",
        &PacedRun {
            port: floor_port,
            path: "/account",
            bearer: None,
            rate: floor_peak * PACED_SHARE,
            connections: CONNECTIONS,
            duration: RUN,
        },
    )?;

    eprintln!("xtask: resident memory with {MEMORY_CONNECTIONS} connections");
    let idle_kib = memory::resident_kib(doorman.pid())?;
    let sampler = Sampler::start(doorman.pid());
    let crowd = doorman_api.me(&bench, "doorman-crowd", MEMORY_CONNECTIONS, RUN)?;
    let crowd_kib = sampler.finish();

    eprintln!("xtask: sign-ins while a flood of clients hangs up");
    let calm = doorman_api.login(&bench, "doorman-calm", WAITING_CONNECTIONS, RUN)?;
    let before = Exposition::take(metrics_port)?;
    let flood = Flood::start(service.port, &ACCOUNT, FLOOD_THREADS);
    let flooded = doorman_api.login(&bench, "doorman-flooded", WAITING_CONNECTIONS, RUN)?;
    let flood_sent = flood.finish();
    let flood_hashes = Exposition::take(metrics_port)?
        .histogram(HASH_DURATION, VERIFY)
        .since(&before.histogram(HASH_DURATION, VERIFY))
        .count();
    if let Some(exited) = doorman.exited() {
        bail!("{exited} during the benchmark\n{}", doorman.log_tail());
    }

    let measured = Measured {
        cores,
        verify_time,
        verified_together,
        pgbench_select,
        pgbench_update,
        floor,
        me,
        peer_me,
        login,
        peer_login,
        refresh,
        peer_refresh,
        sweep,
        peak,
        paced,
        paced_pool_wait,
        floor_peak,
        floor_paced,
        idle_kib,
        crowd,
        crowd_kib,
        calm,
        flooded,
        flood_sent,
        flood_hashes,
    };
    let report = Report {
        measured: &measured,
        wrk_version: &bench.wrk.version,
        work: &work,
    };
    Ok(if report.print() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// wrk and where its outputs go.
struct Bench {
    wrk: Wrk,
    work: PathBuf,
    threads: u32,
}

impl Bench {
    /// `GET url` by `connections` connections for `duration`.
    fn get(
        &self,
        name: &str,
        url: &str,
        bearer: Option<&str>,
        connections: u32,
        duration: Duration,
    ) -> anyhow::Result<Outcome> {
        self.load(name, url, bearer, None, connections, duration)
    }

    /// `run` by the open-loop generator.
    fn paced(
        &self,
        yardsticks: &Yardsticks,
        name: &str,
        run: &PacedRun<'_>,
    ) -> anyhow::Result<Outcome> {
        let outcome = run.run(
            &yardsticks.paced_load,
            &self.work.join(format!("paced-{name}.txt")),
        )?;
        eprintln!(
            "xtask: {name}: {:.0} of {:.0} req/s, p99 {:.2} ms",
            outcome.rate,
            run.rate,
            outcome.p99.as_secs_f64() * 1e3
        );
        Ok(outcome)
    }

    fn load(
        &self,
        name: &str,
        url: &str,
        bearer: Option<&str>,
        script: Option<&Path>,
        connections: u32,
        duration: Duration,
    ) -> anyhow::Result<Outcome> {
        let load = Load {
            url,
            threads: self.threads.min(connections),
            connections,
            duration,
            bearer,
            script,
            cpus: None,
        };
        let outcome = self
            .wrk
            .run(&load, &self.work.join(format!("wrk-{name}.txt")))?;
        eprintln!(
            "xtask: {name}: {:.0} req/s, p99 {:.2} ms{}",
            outcome.rate,
            outcome.p99.as_secs_f64() * 1e3,
            if outcome.non_success + outcome.socket_errors > 0 {
                format!(
                    " ({} not 2xx, {} socket errors)",
                    outcome.non_success, outcome.socket_errors
                )
            } else {
                String::new()
            }
        );
        Ok(outcome)
    }
}

/// The three endpoints of the service or of its peer, with the account
/// they are loaded as.
struct Api {
    port: u16,
    access_token: String,
    sign_in_script: PathBuf,
}

impl Api {
    /// Registers the benchmark's account on the server at `port`.
    fn new(port: u16, bench: &Bench) -> anyhow::Result<Self> {
        let client = Client::new(port);
        client.register(&ACCOUNT, "Load")?;
        let access_token = client.sign_in(&ACCOUNT)?.access;
        let sign_in_script =
            scripts::sign_in(&bench.work, &format!("sign-in-{port}.lua"), &ACCOUNT)?;
        Ok(Self {
            port,
            access_token,
            sign_in_script,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn me(
        &self,
        bench: &Bench,
        name: &str,
        connections: u32,
        duration: Duration,
    ) -> anyhow::Result<Outcome> {
        let url = self.url("/v1/users/me");
        bench.get(name, &url, Some(&self.access_token), connections, duration)
    }

    fn login(
        &self,
        bench: &Bench,
        name: &str,
        connections: u32,
        duration: Duration,
    ) -> anyhow::Result<Outcome> {
        let url = self.url("/v1/auth/login");
        let script = Some(self.sign_in_script.as_path());
        bench.load(name, &url, None, script, connections, duration)
    }

    /// Refreshes sessions of its own, signed in for this run.
    fn refresh(
        &self,
        bench: &Bench,
        name: &str,
        connections: u32,
        duration: Duration,
    ) -> anyhow::Result<Outcome> {
        let client = Client::new(self.port);
        let tokens = (0..connections as usize * TOKENS_PER_CONNECTION)
            .map(|_| client.sign_in(&ACCOUNT).map(|tokens| tokens.refresh))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let threads = bench.threads.min(connections);
        let script = scripts::refresh(&bench.work, &format!("{name}.lua"), &tokens, threads)?;
        let url = self.url("/v1/auth/refresh");
        bench.load(name, &url, None, Some(&script), connections, duration)
    }
}

/// Raises the limit of open files to its maximum: wrk and the service each
/// hold [`MEMORY_CONNECTIONS`] sockets at once.
fn allow_many_connections() -> anyhow::Result<()> {
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).context("cannot read RLIMIT_NOFILE")?;
    let needed = u64::from(MEMORY_CONNECTIONS) * 2 + 256;
    if hard < needed {
        bail!("at most {hard} open files are allowed (ulimit -Hn); the benchmark needs {needed}");
    }
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard).context("cannot raise RLIMIT_NOFILE")
}
