//! `cargo xtask replica-outage`: the streaming replica stopped and started
//! again under load, and nothing a client sees changes.
//!
//! One instance of the service (debug build) runs on a throw-away cluster,
//! its administrators' listings on a streaming replica of it. Clients list
//! the accounts as an administrator and read their own account throughout,
//! while the replica runs, after it is stopped (a fast shutdown, which ends
//! its sessions) and after it is started again. The task fails on any
//! request not answered 200 and on any listing that misses the accounts
//! made before the load; it shows how many listings the primary served
//! meanwhile, which must be some, and before, which must be none. Everything listens on 127.0.0.1 only.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle, sleep};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde_json::Value;

use crate::postgres::{Cluster, ScratchCluster};
use crate::service::{Account, Client, Profile, Service, build_server, free_port};
use crate::{interrupt, workspace};

const DATABASE: &str = "doorman_replica_outage";
const CLIENTS: usize = 4;
/// Load in each state of the replica: running, stopped, running again.
const PHASE: Duration = Duration::from_secs(2);
const ADMIN: Account<'static> = Account {
    email: "outage-admin@example.net",
    password: "Marble-Pigeon-Sunset-6184",
    role: "admin",
};
const LISTING: &str = "/v1/users?limit=100";
const FALLBACKS: &str = "doorman_db_replica_fallbacks_total";

pub fn run() -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    let doorman = build_server(Profile::Debug)?;
    let work = workspace::fresh_dir("replica-outage")?;

    // Declared first so that they are dropped last: the primary after its
    // replica, both after the service.
    let scratch = ScratchCluster::with_database(DATABASE)?;
    let primary = scratch.cluster();
    let replica = primary.replica(primary.root().join("replica"), "")?;
    replica.start()?;
    let _stop_replica = StopOnDrop(&replica);
    let metrics_port = free_port()?;
    let service = Service {
        doorman,
        database_url: primary.url(DATABASE),
        key_file: work.join("access-token-ed25519.pem"),
        port: free_port()?,
        env: vec![
            ("DOORMAN_DB_REPLICA_URL", replica.url(DATABASE)),
            (
                "DOORMAN_METRICS_BIND_ADDRESS",
                format!("127.0.0.1:{metrics_port}"),
            ),
        ],
    };
    service.keygen()?;
    let mut server = service.start(&work.join("doorman.log"))?;
    server.wait_until_ready(service.port, "/readyz")?;
    service.create_admin(&ADMIN)?;
    let admin = Client::new(service.port).sign_in(&ADMIN)?.access;
    let accounts = accounts(service.port)?;
    let known = listed(&Client::new(service.port).with_bearer(&admin))
        .map_err(anyhow::Error::msg)?
        .len();
    // The replica serves the listings once it has replayed the accounts.
    wait_until_replayed(&replica, known)?;

    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<JoinHandle<Seen>> = accounts
        .into_iter()
        .map(|token| {
            let (port, admin, stop) = (service.port, admin.clone(), Arc::clone(&stop));
            thread::spawn(move || drive(port, &admin, &token, known, &stop))
        })
        .collect();
    let metrics = Client::new(metrics_port);
    sleep(PHASE);
    let before = fallbacks(&metrics)?;
    replica.stop()?;
    eprintln!("xtask: stopped the replica");
    sleep(PHASE);
    let while_stopped = fallbacks(&metrics)? - before;
    replica.start()?;
    eprintln!("xtask: started the replica again");
    sleep(PHASE);
    stop.store(true, Ordering::Relaxed);
    let after = fallbacks(&metrics)? - before - while_stopped;
    let mut seen = Seen::default();
    for client in clients {
        match client.join() {
            Ok(one) => seen.add(one),
            Err(_) => seen.failures.push("a client thread panicked".to_owned()),
        }
    }
    if let Some(exit) = server.exited() {
        seen.failures.push(format!("the service exited: {exit}"));
    }

    println!();
    println!(
        "Replica outage: {CLIENTS} clients listing accounts ({LISTING}) and reading their own \
         for {}s each with the replica running, stopped and running again (outputs in {})",
        PHASE.as_secs(),
        work.display()
    );
    println!(
        "  {} listings, {} reads; {} failed; listings served by the primary: {before} before \
         the replica stopped, {while_stopped} while it was stopped, {after} once it ran again",
        seen.listings,
        seen.reads,
        seen.failures.len()
    );
    for failure in seen.failures.iter().take(10) {
        println!("  {failure}");
    }
    Ok(
        if seen.failures.is_empty() && while_stopped > 0 && before == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        },
    )
}

/// Registers and signs in one account per client: their access tokens.
fn accounts(port: u16) -> anyhow::Result<Vec<String>> {
    let client = Client::new(port);
    (0..CLIENTS)
        .map(|index| {
            let email = format!("outage-{index}@example.net");
            let account = Account {
                email: &email,
                password: ADMIN.password,
                role: "user",
            };
            client.register(&account, "Replica Outage")?;
            Ok(client.sign_in(&account)?.access)
        })
        .collect()
}

/// Waits until the replica's own count of accounts is `known`.
fn wait_until_replayed(replica: &Cluster, known: usize) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        interrupt::check()?;
        let output = replica
            .tool("psql")
            .arg(replica.url(DATABASE))
            .args(["--no-psqlrc", "--tuples-only", "--no-align"])
            .args(["--command", "SELECT count(*) FROM users"])
            .output()
            .context("cannot run psql")?;
        let count = String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse::<usize>()
            .ok();
        if count == Some(known) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!("the replica never replayed the {known} accounts ({count:?} so far)");
        }
        sleep(Duration::from_millis(20));
    }
}

/// What the clients saw.
#[derive(Default)]
struct Seen {
    listings: u64,
    reads: u64,
    failures: Vec<String>,
}

impl Seen {
    fn add(&mut self, other: Self) {
        self.listings += other.listings;
        self.reads += other.reads;
        self.failures.extend(other.failures);
    }
}

/// One client: a listing, then its own account, until `stop`.
fn drive(port: u16, admin: &str, token: &str, known: usize, stop: &AtomicBool) -> Seen {
    let (admin, own) = (
        Client::new(port).with_bearer(admin),
        Client::new(port).with_bearer(token),
    );
    let mut seen = Seen::default();
    while !stop.load(Ordering::Relaxed) {
        seen.listings += 1;
        match listed(&admin) {
            Ok(items) if items.len() >= known => {}
            Ok(items) => seen.failures.push(format!(
                "a listing of {} accounts, not {known}",
                items.len()
            )),
            Err(failure) => seen.failures.push(failure),
        }
        seen.reads += 1;
        match own.request("GET", "/v1/users/me", None) {
            Ok((200, _)) => {}
            Ok((status, body)) => seen
                .failures
                .push(format!("GET /v1/users/me: {status} {body}")),
            Err(error) => seen.failures.push(format!("GET /v1/users/me: {error:#}")),
        }
    }
    seen
}

/// The accounts of the listing, or why it failed.
fn listed(admin: &Client) -> Result<Vec<Value>, String> {
    match admin.request("GET", LISTING, None) {
        Ok((200, page)) => page["items"]
            .as_array()
            .cloned()
            .ok_or_else(|| format!("GET {LISTING}: no items in {page}")),
        Ok((status, body)) => Err(format!("GET {LISTING}: {status} {body}")),
        Err(error) => Err(format!("GET {LISTING}: {error:#}")),
    }
}

/// The listings the primary served in the replica's place so far.
fn fallbacks(metrics: &Client) -> anyhow::Result<u64> {
    let (status, text) = metrics.exchange("GET", "/metrics", None)?;
    if status != 200 {
        bail!("the metrics listener answered {status}");
    }
    let total: f64 = text
        .lines()
        .filter(|line| line.starts_with(FALLBACKS))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a counter's value is a whole number"
    )]
    Ok(total as u64)
}

/// Stops the replica when the task ends, before its primary is removed.
struct StopOnDrop<'a>(&'a Cluster);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        if let Err(error) = self.0.stop() {
            eprintln!("xtask: {error:#}");
        }
        self.0.remove_socket_dir();
    }
}
