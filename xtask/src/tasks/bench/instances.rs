//! Instances of the service that a benchmark loads in turn with wrk, and
//! what it measured of each.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use anyhow::bail;

use super::wrk::{Load, Outcome, Wrk};
use crate::service::{Account, Client};

/// Whom the benchmarks of an authenticated request sign in as, once: an
/// access token lasts 15 minutes by default, far longer than the runs.
const ACCOUNT: Account<'static> = Account {
    email: "bench@example.net",
    password: "Marble-Pigeon-Sunset-6184",
    role: "user",
};
/// The request they load.
pub const PATH: &str = "/v1/users/me";

/// Fails unless each of `instances` answers [`PATH`] with 200 for `token`.
fn check_answers(instances: &[Instance], token: &str) -> anyhow::Result<()> {
    for instance in instances {
        let (status, answer) = Client::new(instance.port)
            .with_bearer(token)
            .request("GET", PATH, None)?;
        if status != 200 {
            bail!("GET {PATH} via {} got {status}: {answer}", instance.name);
        }
    }
    Ok(())
}

/// One instance under load (or a balancer in front of some), and its runs.
pub struct Instance {
    pub name: &'static str,
    pub port: u16,
    /// Requests per second of each measured run, in order.
    pub rates: Vec<f64>,
    /// Requests served in all runs, the warm-up included.
    pub requests: u64,
    pub problems: Vec<String>,
}

impl Instance {
    pub fn new(name: &'static str, port: u16) -> Self {
        Self {
            name,
            port,
            rates: Vec::new(),
            requests: 0,
            problems: Vec::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Counts a run's requests, and notes a run whose throughput includes
    /// failures.
    pub fn check(&mut self, run: &str, outcome: &Outcome) {
        self.requests += outcome.requests;
        if outcome.non_success > 0 {
            self.problems.push(format!(
                "{run}: {} of {} responses were not 2xx",
                outcome.non_success, outcome.requests
            ));
        }
        if outcome.socket_errors > 0 {
            self.problems
                .push(format!("{run}: {} socket errors", outcome.socket_errors));
        }
    }

    /// The middle of the measured rates (benchmarks run an odd number).
    pub fn median(&self) -> f64 {
        self.sorted_rates()
            .get(self.rates.len() / 2)
            .copied()
            .unwrap_or(f64::NAN)
    }

    /// How far apart the fastest and slowest runs are, relative to the
    /// median: a difference much smaller than that is within the noise of
    /// the machine.
    fn spread(&self) -> f64 {
        let rates = self.sorted_rates();
        match (rates.first(), rates.last()) {
            (Some(slowest), Some(fastest)) => (fastest - slowest) / self.median(),
            _ => f64::NAN,
        }
    }

    fn sorted_rates(&self) -> Vec<f64> {
        let mut rates = self.rates.clone();
        rates.sort_by(f64::total_cmp);
        rates
    }
}

impl fmt::Display for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let runs: Vec<String> = self.rates.iter().map(|rate| format!("{rate:.0}")).collect();
        write!(
            f,
            "{:<9} {:>8.0} req/s   (median of {}; spread {:.0}%)",
            self.name,
            self.median(),
            runs.join(", "),
            self.spread() * 100.0
        )
    }
}

/// Five rounds of 4 s after 3 s of warm-up: for [`shared_load`].
pub const SHARED_SCHEDULE: Schedule = Schedule {
    warm_up: Duration::from_secs(3),
    run: Duration::from_secs(4),
    rounds: 5,
};

/// How long each instance is loaded: a warm-up run, then `rounds`
/// measured runs (odd, for a median).
pub struct Schedule {
    pub warm_up: Duration,
    pub run: Duration,
    pub rounds: usize,
}

/// wrk's run of a URL with a token, for a duration.
pub type MakeLoad = for<'a> fn(&'a str, &'a str, Duration) -> Load<'a>;

/// Warms every instance up, then loads each in turn for every round of
/// `schedule`, the order rotating so that none always goes first: each
/// round's runs are seconds apart, so their ratios are little moved by
/// what else the machine is doing. wrk's outputs go to `work`.
fn run_rounds(
    wrk: &Wrk,
    work: &Path,
    instances: &mut [Instance],
    token: &str,
    load: MakeLoad,
    schedule: &Schedule,
) -> anyhow::Result<()> {
    eprintln!(
        "xtask: {}s of warm-up, then {} rounds of {}s on each",
        schedule.warm_up.as_secs(),
        schedule.rounds,
        schedule.run.as_secs()
    );
    for instance in instances.iter_mut() {
        let log = work.join(format!("wrk-warm-up-{}.txt", instance.name));
        let outcome = wrk.run(&load(&instance.url(PATH), token, schedule.warm_up), &log)?;
        instance.check("warm-up", &outcome);
    }
    let count = instances.len();
    for round in 0..schedule.rounds {
        for offset in 0..count {
            let instance = &mut instances[(round + offset) % count];
            let log = work.join(format!("wrk-{}-{}.txt", round + 1, instance.name));
            let outcome = wrk.run(&load(&instance.url(PATH), token, schedule.run), &log)?;
            instance.check(&format!("round {}", round + 1), &outcome);
            instance.rates.push(outcome.rate);
        }
    }
    Ok(())
}

/// Registers [`ACCOUNT`] on the instance at `port` and signs in, checks
/// that every instance answers [`PATH`] for it, then runs the rounds of
/// `schedule` on them ([`run_rounds`]).
pub fn sign_in_and_run(
    wrk: &Wrk,
    work: &Path,
    port: u16,
    instances: &mut [Instance],
    load: MakeLoad,
    schedule: &Schedule,
) -> anyhow::Result<()> {
    let client = Client::new(port);
    client.register(&ACCOUNT, "Bench")?;
    let token = client.sign_in(&ACCOUNT)?.access;
    check_answers(instances, &token)?;
    run_rounds(wrk, work, instances, &token, load, schedule)
}

/// How the instances were loaded, for the report: wrk's command line and
/// the rounds.
pub fn schedule_line(load: MakeLoad, schedule: &Schedule) -> String {
    format!(
        "{}, {} rounds after {}s of warm-up",
        load("URL", "…", schedule.run).command_line(),
        schedule.rounds,
        schedule.warm_up.as_secs()
    )
}

/// The median of each round's rate of `a` over that of `b`.
pub fn median_ratio(a: &Instance, b: &Instance) -> f64 {
    let mut ratios: Vec<f64> = a.rates.iter().zip(&b.rates).map(|(a, b)| a / b).collect();
    ratios.sort_by(f64::total_cmp);
    ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Prints each instance's figures and every problem seen; whether there
/// was none.
pub fn report(instances: &[Instance]) -> bool {
    for instance in instances {
        println!("  {instance}");
    }
    let mut clean = true;
    for instance in instances {
        for problem in &instance.problems {
            println!("  {}: {problem}", instance.name);
            clean = false;
        }
    }
    clean
}

/// wrk with two threads and 32 connections, sharing the cores with
/// everything else.
pub fn shared_load<'a>(url: &'a str, token: &'a str, duration: Duration) -> Load<'a> {
    Load {
        url,
        threads: 2,
        connections: 32,
        duration,
        bearer: Some(token),
        script: None,
        cpus: None,
    }
}
