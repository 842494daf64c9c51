//! `cargo xtask replica-outage`: the streaming replica stopped and started
//! again under load, and nothing a client sees changes.
//!
//! One instance of the service (debug build) runs on a throw-away cluster,
//! its administrators' listings on a streaming replica of it. Clients list
//! the accounts as an administrator and read their own account throughout,
//! while the replica runs, after it is stopped (a fast shutdown, which ends
//! its sessions) and after it is started again. The task fails on any
//! request not answered 200 and on any listing that misses the accounts
//! made before the load, and unless the primary served listings while the
//! replica was stopped and none before it stopped or in the last seconds. Everything listens on 127.0.0.1 only.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle, sleep};
use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::Value;

use crate::postgres::{Cluster, ScratchCluster, StopOnDrop};
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
    // Over TCP, as a replica on another machine is reached: a connection
    // refused there is retried until the pool's acquire timeout, where a
    // missing socket file fails at once.
    let replica_port = free_port()?;
    let replica = primary.replica(
        primary.root().join("replica"),
        &format!("listen_addresses = '127.0.0.1'\nport = {replica_port}\n"),
    )?;
    replica.start()?;
    let _stop_replica = StopOnDrop(&replica);
    let replica_url = format!("postgres://doorman@127.0.0.1:{replica_port}/{DATABASE}");
    let metrics_port = free_port()?;
    let service = Service {
        doorman,
        database_url: primary.url(DATABASE),
        key_file: work.join("access-token-ed25519.pem"),
        port: free_port()?,
        env: vec![
            ("DOORMAN_DB_REPLICA_URL", replica_url.clone()),
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
    // The administrator and the clients' accounts.
    let known = CLIENTS + 1;
    // The replica serves the listings once it has replayed them.
    wait_until_replayed(&replica, &replica_url, known)?;

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
    let back = fallbacks(&metrics)?;
    sleep(PHASE);
    stop.store(true, Ordering::Relaxed);
    let after = back - before - while_stopped;
    // By then the replica serves every listing again.
    let last = fallbacks(&metrics)? - back;
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
         the replica stopped, {while_stopped} while it was stopped, {after} in the {}s after \
         it started again, {last} in the {}s after that",
        seen.listings,
        seen.reads,
        seen.failures.len(),
        PHASE.as_secs(),
        PHASE.as_secs()
    );
    println!(
        "  the slowest listing took {} ms (the replica's pool waits up to 1000 ms for a connection)",
        seen.slowest.as_millis()
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

/// Waits until the replica, at `url`, counts `known` accounts.
fn wait_until_replayed(replica: &Cluster, url: &str, known: usize) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        interrupt::check()?;
        // Refused until the replica has replayed the database's creation.
        let count = replica
            .query(url, "SELECT count(*) FROM users")
            .ok()
            .and_then(|count| count.trim().parse::<usize>().ok());
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
    slowest: Duration,
    failures: Vec<String>,
}

impl Seen {
    fn add(&mut self, other: Self) {
        self.listings += other.listings;
        self.reads += other.reads;
        self.slowest = self.slowest.max(other.slowest);
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
        let started = Instant::now();
        let listing = listed(&admin);
        seen.slowest = seen.slowest.max(started.elapsed());
        match listing {
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
