//! The benchmark's table, its ratios and its verdicts.

use std::fs;
use std::path::Path;
use std::time::Duration;

use super::pgbench::Tps;
use super::scrape::Histogram;
use super::{CONNECTIONS, MEMORY_CONNECTIONS, PACED_SHARE, RUN, WAITING_CONNECTIONS};
use crate::tasks::bench::estimates::verdict;
use crate::tasks::bench::wrk::Outcome;

/// What `me` must reach against the floor of the stack, the peer and
/// `pgbench -S`.
const ME_OVER_FLOOR: f64 = 0.8;
const ME_OVER_PEER: f64 = 3.0;
const ME_OVER_PGBENCH: f64 = 0.3;
/// Latency of `me` and pool wait at [`PACED_SHARE`] of its peak.
const PACED_P99: Duration = Duration::from_millis(5);
const PACED_POOL_WAIT_P99: f64 = 0.001;
/// How far the paced run's rate may be from the share aimed at.
const PACED_TOLERANCE: f64 = 0.1;
/// What sign-in must reach against the argon2 limit and the peer.
const LOGIN_OVER_LIMIT: f64 = 0.85;
const LOGIN_OVER_PEER: f64 = 1.0;
/// What refresh must reach against one durable `UPDATE` per transaction.
const REFRESH_OVER_UPDATE: f64 = 0.4;
/// Resident memory with [`MEMORY_CONNECTIONS`] connections.
const CROWD_MIB: f64 = 64.0;
/// The share of hung-up sign-ins that may still cost a hash.
const DEAD_HASH_SHARE: f64 = 0.01;

/// Everything the benchmark measured.
pub struct Measured {
    pub cores: u32,
    /// The median time of one argon2id verification, on one thread.
    pub verify_time: Duration,
    /// Verifications per second with every core verifying at once.
    pub verified_together: f64,
    pub pgbench_select: Tps,
    pub pgbench_update: Tps,
    pub floor: Outcome,
    pub me: Outcome,
    pub peer_me: Outcome,
    pub login: Outcome,
    pub peer_login: Outcome,
    pub refresh: Outcome,
    pub peer_refresh: Outcome,
    /// Connections, then the service, the floor and the peer.
    pub sweep: Vec<(u32, Outcome, Outcome, Outcome)>,
    /// The best rate of `me` at any number of connections.
    pub peak: f64,
    /// `me`, then the floor, at [`PACED_SHARE`] of their peaks.
    pub paced: Outcome,
    pub paced_pool_wait: Histogram,
    pub floor_peak: f64,
    pub floor_paced: Outcome,
    pub idle_kib: u64,
    pub crowd: Outcome,
    pub crowd_kib: u64,
    /// Sign-ins of waiting clients alone, then during the flood.
    pub calm: Outcome,
    pub flooded: Outcome,
    pub flood_sent: u64,
    /// Verifications computed while the flood ran.
    pub flood_hashes: f64,
}

impl Measured {
    /// Sign-ins per second that the machine's cores can verify.
    fn argon2_limit(&self) -> f64 {
        f64::from(self.cores) / self.verify_time.as_secs_f64()
    }

    /// Verifications spent on sign-ins whose clients had hung up: all but
    /// those of the waiting clients' sign-ins that succeeded.
    fn dead_hashes(&self) -> f64 {
        (self.flood_hashes - self.answered_during_flood() as f64).max(0.0)
    }

    /// The waiting clients' sign-ins that succeeded during the flood.
    fn answered_during_flood(&self) -> u64 {
        self.flooded.requests - self.flooded.non_success
    }

    /// Runs whose throughput includes failures.
    fn problems(&self) -> Vec<String> {
        let mut runs: Vec<(String, &Outcome)> = vec![
            ("floor".to_owned(), &self.floor),
            ("me".to_owned(), &self.me),
            ("peer me".to_owned(), &self.peer_me),
            ("login".to_owned(), &self.login),
            ("peer login".to_owned(), &self.peer_login),
            ("refresh".to_owned(), &self.refresh),
            ("peer refresh".to_owned(), &self.peer_refresh),
            ("paced me".to_owned(), &self.paced),
            ("paced floor".to_owned(), &self.floor_paced),
            (
                format!("me at {MEMORY_CONNECTIONS} connections"),
                &self.crowd,
            ),
            ("waiting sign-ins".to_owned(), &self.calm),
            (
                "waiting sign-ins during the flood".to_owned(),
                &self.flooded,
            ),
        ];
        for (connections, doorman, floor, peer) in &self.sweep {
            runs.push((format!("sweep {connections}: me"), doorman));
            runs.push((format!("sweep {connections}: floor"), floor));
            runs.push((format!("sweep {connections}: peer me"), peer));
        }
        runs.into_iter()
            .filter(|(_, outcome)| outcome.non_success + outcome.socket_errors > 0)
            .map(|(run, outcome)| {
                format!(
                    "{run}: {} of {} responses not 2xx, {} socket errors",
                    outcome.non_success, outcome.requests, outcome.socket_errors
                )
            })
            .collect()
    }
}

/// The report of one run of the benchmark.
pub struct Report<'a> {
    pub measured: &'a Measured,
    pub wrk_version: &'a str,
    pub work: &'a Path,
}

/// One target: its name, the figure, the bound and whether it is met.
struct Target {
    name: String,
    figure: String,
    met: bool,
}

impl Report<'_> {
    /// Prints the table and the targets: whether all are met.
    pub fn print(&self) -> bool {
        let m = self.measured;
        println!();
        println!(
            "Load: release builds on {} ({} cores), one throw-away PostgreSQL with its default \
             durability, wrk {} on the same cores, {} connections and {}s per run unless said \
             (outputs in {})",
            cpu_model(),
            m.cores,
            self.wrk_version,
            CONNECTIONS,
            RUN.as_secs(),
            self.work.display()
        );
        println!();
        println!("  limits");
        println!(
            "    {:<62} {:>9.0} tps",
            m.pgbench_select.command, m.pgbench_select.rate
        );
        println!(
            "    {:<62} {:>9.0} tps",
            m.pgbench_update.command, m.pgbench_update.rate
        );
        println!(
            "    {:<62} {:>9.0} /s",
            format!(
                "argon2 limit: {} cores / {:.2} ms per verification",
                m.cores,
                millis(m.verify_time)
            ),
            m.argon2_limit()
        );
        println!(
            "    {:<62} {:>9.0} /s",
            "  every core verifying at once, with nothing else running", m.verified_together
        );
        println!(
            "    {:<62} {:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  {:.2}x pgbench -S",
            "floor of the stack: actix-web + sqlx, one read per request",
            m.floor.rate,
            millis(m.floor.p50),
            millis(m.floor.p99),
            m.floor.rate / m.pgbench_select.rate
        );
        println!(
            "    {:<62} {:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms",
            format!(
                "  at {:.0}% of its peak of {:.0}, open loop",
                PACED_SHARE * 100.0,
                m.floor_peak
            ),
            m.floor_paced.rate,
            millis(m.floor_paced.p50),
            millis(m.floor_paced.p99)
        );
        println!();
        println!(
            "  {:<22} {:>9} {:>8} {:>8}   {:>9} {:>8} {:>8}   {:>8}   limits",
            "endpoint", "req/s", "p50 ms", "p99 ms", "peer", "p50 ms", "p99 ms", "/peer"
        );
        let rows = [
            (
                "GET /v1/users/me",
                &m.me,
                &m.peer_me,
                format!(
                    "{:.2}x floor, {:.2}x pgbench -S",
                    m.me.rate / m.floor.rate,
                    m.me.rate / m.pgbench_select.rate
                ),
            ),
            (
                "POST /v1/auth/login",
                &m.login,
                &m.peer_login,
                format!(
                    "{:.2}x argon2 limit, {:.2}x every core verifying",
                    m.login.rate / m.argon2_limit(),
                    m.login.rate / m.verified_together
                ),
            ),
            (
                "POST /v1/auth/refresh",
                &m.refresh,
                &m.peer_refresh,
                format!(
                    "{:.2}x pgbench one UPDATE",
                    m.refresh.rate / m.pgbench_update.rate
                ),
            ),
        ];
        for (endpoint, doorman, peer, limit) in rows {
            println!(
                "  {endpoint:<22} {:>9.0} {:>8.2} {:>8.2}   {:>9.0} {:>8.2} {:>8.2}   {:>7.2}x   {limit}",
                doorman.rate,
                millis(doorman.p50),
                millis(doorman.p99),
                peer.rate,
                millis(peer.p50),
                millis(peer.p99),
                doorman.rate / peer.rate
            );
        }
        println!();
        println!(
            "  GET /v1/users/me by connections (5s each): req/s, p99 ms; the service over the floor and over the peer"
        );
        for (connections, doorman, floor, peer) in &m.sweep {
            println!(
                "    {connections:>4}  doorman {:>7.0} {:>7.2}   floor {:>7.0} {:>7.2}   peer {:>7.0} {:>7.2}   {:>5.2}x floor  {:>5.2}x peer",
                doorman.rate,
                millis(doorman.p99),
                floor.rate,
                millis(floor.p99),
                peer.rate,
                millis(peer.p99),
                doorman.rate / floor.rate,
                doorman.rate / peer.rate
            );
        }
        println!();
        let targets = self.targets();
        let problems = m.problems();
        println!("  targets");
        for target in &targets {
            println!(
                "    {:<58} {:<44} {}",
                target.name,
                target.figure,
                verdict(target.met)
            );
        }
        for problem in &problems {
            println!("    {problem}");
        }
        problems.is_empty() && targets.iter().all(|target| target.met)
    }

    fn targets(&self) -> Vec<Target> {
        let m = self.measured;
        let ratio = |name: &str, value: f64, bound: f64| Target {
            name: name.to_owned(),
            figure: format!("{value:.2}x (at least {bound}x)"),
            met: value >= bound,
        };
        let paced_wait = m.paced_pool_wait.quantile_bound(0.99);
        let crowd_mib = m.crowd_kib as f64 / 1024.0;
        let dead = m.dead_hashes();
        vec![
            ratio(
                "me over the floor of the stack",
                m.me.rate / m.floor.rate,
                ME_OVER_FLOOR,
            ),
            ratio(
                "me over the Express peer",
                m.me.rate / m.peer_me.rate,
                ME_OVER_PEER,
            ),
            ratio(
                "me over pgbench -S",
                m.me.rate / m.pgbench_select.rate,
                ME_OVER_PGBENCH,
            ),
            Target {
                name: format!(
                    "me p99 at {:.0}% of its peak ({:.0} of {:.0} req/s)",
                    PACED_SHARE * 100.0,
                    m.paced.rate,
                    m.peak
                ),
                figure: format!(
                    "{:.2} ms (under {} ms; the floor {:.2} ms)",
                    millis(m.paced.p99),
                    PACED_P99.as_millis(),
                    millis(m.floor_paced.p99)
                ),
                // Far from the share aimed at, the p99 says nothing of it.
                met: m.paced.p99 < PACED_P99
                    && (m.paced.rate / (m.peak * PACED_SHARE) - 1.0).abs() <= PACED_TOLERANCE,
            },
            Target {
                name: "pool wait p99 at that load (bucket bound)".to_owned(),
                figure: paced_wait.map_or("no waits measured".to_owned(), |bound| {
                    format!("at most {:.2} ms (under 1 ms)", bound * 1e3)
                }),
                met: paced_wait.is_some_and(|bound| bound <= PACED_POOL_WAIT_P99),
            },
            ratio(
                "sign-in over the argon2 limit",
                m.login.rate / m.argon2_limit(),
                LOGIN_OVER_LIMIT,
            ),
            ratio(
                "sign-in over the Express peer",
                m.login.rate / m.peer_login.rate,
                LOGIN_OVER_PEER,
            ),
            ratio(
                "refresh over pgbench one UPDATE",
                m.refresh.rate / m.pgbench_update.rate,
                REFRESH_OVER_UPDATE,
            ),
            Target {
                name: format!("resident memory, {MEMORY_CONNECTIONS} keep-alive connections"),
                figure: format!(
                    "{crowd_mib:.1} MiB (under {CROWD_MIB} MiB; idle {:.1} MiB)",
                    m.idle_kib as f64 / 1024.0
                ),
                met: m.crowd_kib > 0 && crowd_mib < CROWD_MIB,
            },
            Target {
                name: format!(
                    "hung-up sign-ins hashed ({} sent; {WAITING_CONNECTIONS} waiting clients: \
                     {:.0} req/s alone, {:.0} during, {:.2}x)",
                    m.flood_sent,
                    m.calm.rate,
                    m.flooded.rate,
                    m.flooded.rate / m.calm.rate
                ),
                figure: format!("{dead:.0} (at most {:.0}%)", DEAD_HASH_SHARE * 100.0),
                // Every answered sign-in was hashed: fewer hashes than that
                // means the histogram was not read.
                met: m.flood_sent > 0
                    && m.flood_hashes >= m.answered_during_flood() as f64
                    && dead <= DEAD_HASH_SHARE * m.flood_sent as f64,
            },
        ]
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// The processor, as `/proc/cpuinfo` names it.
fn cpu_model() -> String {
    fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .and_then(|rest| rest.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "an unknown processor".to_owned())
}
