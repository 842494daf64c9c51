//! `cargo xtask bench test-isolation`: what isolating one database test
//! costs each way, and what the DB test suite takes with the harness and
//! with a fresh database for every test.

use std::fs;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

use super::estimates::{criterion_home, median, ms, run_criterion, verdict};
use super::suite::{Isolation, Suite};
use crate::interrupt;
use crate::postgres::TestPostgres;
use crate::workspace;

const GROUP: &str = "test_isolation";
const TRANSACTION_TARGET: Duration = Duration::from_millis(2);
const HAND_OFF_TARGET: Duration = Duration::from_millis(2);
const CLONE_TARGET: Duration = Duration::from_millis(30);
/// The plan's success metric: the suite's time cut by half.
const SUITE_SPEED_UP_TARGET: f64 = 2.0;
/// Rounds of the suite run each way, one way right after the other: the
/// machine is shared, so one pair of runs can land on a busy moment, and
/// the median of the rounds' ratios is judged.
const SUITE_ROUNDS: usize = 3;

pub fn run() -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    let postgres = TestPostgres::start()?;
    let status = run_criterion(&postgres, "test-db", "test_isolation")?;
    if !status.success() {
        return Ok(crate::tasks::exit_code(status));
    }
    let set_up = SetUp::read()?;

    eprintln!("xtask: building the DB test suite");
    let suite = Suite::build(&postgres)?;
    let logs = workspace::target_dir().join("xtask");
    fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let log_of = |name: &str| {
        let log = logs.join(format!("test-isolation-suite-{name}.log"));
        // Each run's output replaces the last one's.
        let _ = fs::remove_file(&log);
        log
    };
    // The templates are kept across runs on a developer's server, so the
    // runs compared are those after the first, which builds the seeded ones.
    eprintln!(
        "xtask: running the DB test suite once on the new server, building its seeded template"
    );
    let first = suite.time(&postgres, Isolation::Template, &log_of("first"))?;
    let (normal_log, fresh_log) = (log_of("normal"), log_of("fresh"));
    let mut rounds = Vec::new();
    for round in 1..=SUITE_ROUNDS {
        eprintln!("xtask: round {round} of {SUITE_ROUNDS}: the DB test suite each way");
        rounds.push(Round {
            normal: suite.time(&postgres, Isolation::Template, &normal_log)?,
            fresh: suite.time(&postgres, Isolation::Fresh, &fresh_log)?,
        });
    }

    let mut passed = set_up.report();
    passed &= report_suite(&suite, first, &rounds);
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The medians of the criterion benchmark.
struct SetUp {
    transaction: Duration,
    hand_off: Duration,
    wal_log: Duration,
    file_copy: Duration,
    fresh: Duration,
}

impl SetUp {
    fn read() -> anyhow::Result<Self> {
        Ok(Self {
            transaction: median(GROUP, "rollback_transaction")?,
            hand_off: median(GROUP, "hand_off")?,
            wal_log: median(GROUP, "template_clone_wal_log")?,
            file_copy: median(GROUP, "template_clone_file_copy")?,
            fresh: median(GROUP, "fresh_database")?,
        })
    }

    fn report(&self) -> bool {
        let transaction_ok = self.transaction <= TRANSACTION_TARGET;
        let hand_off_ok = self.hand_off <= HAND_OFF_TARGET;
        // The strategy that the clones made ahead of need use.
        let clone = self.file_copy;
        let clone_ok = clone <= CLONE_TARGET;
        println!();
        println!(
            "Per-test set-up (criterion medians, {})",
            criterion_home().display()
        );
        println!(
            "  (a) transaction on the shared database, rolled back  {:>9}   target <= {}  {}",
            ms(self.transaction),
            ms(TRANSACTION_TARGET),
            verdict(transaction_ok)
        );
        println!(
            "      database of its own, made ahead, handed over     {:>9}   target <= {}  {}",
            ms(self.hand_off),
            ms(HAND_OFF_TARGET),
            verdict(hand_off_ok)
        );
        println!(
            "  (b) clone of the template, created and dropped       {:>9}   target <= {}  {}",
            ms(clone),
            ms(CLONE_TARGET),
            verdict(clone_ok)
        );
        println!(
            "        FILE_COPY, as made ahead; WAL_LOG {}",
            ms(self.wal_log)
        );
        println!(
            "  (c) fresh database, every migration, then dropped    {:>9}   (what #[sqlx::test] does)",
            ms(self.fresh)
        );
        println!(
            "  c/a = {:.1}x   c/b = {:.1}x",
            ratio(self.fresh, self.transaction),
            ratio(self.fresh, clone)
        );
        transaction_ok && hand_off_ok && clone_ok
    }
}

/// The suite's wall time as it is and with a fresh database for every
/// test, run one after the other.
struct Round {
    normal: Duration,
    fresh: Duration,
}

impl Round {
    fn speed_up(&self) -> f64 {
        ratio(self.fresh, self.normal)
    }
}

fn report_suite(suite: &Suite, first: Duration, rounds: &[Round]) -> bool {
    println!();
    println!(
        "DB test suite: {} ({} test binaries, already built, run one after another)",
        suite.command_line(),
        suite.binary_count()
    );
    println!(
        "  {:<45} {:>8.2} s   (not compared)",
        "first run on a new server, seeded template built",
        first.as_secs_f64()
    );
    println!(
        "  round  {:>45}  {:>32}  fresh/normal",
        Isolation::Template.describe(),
        Isolation::Fresh.describe()
    );
    for (number, round) in rounds.iter().enumerate() {
        println!(
            "  {:>5}  {:>43.2} s  {:>30.2} s  {:>11.2}x",
            number + 1,
            round.normal.as_secs_f64(),
            round.fresh.as_secs_f64(),
            round.speed_up()
        );
    }
    let mut speed_ups: Vec<f64> = rounds.iter().map(Round::speed_up).collect();
    speed_ups.sort_by(f64::total_cmp);
    let Some(&median) = speed_ups.get(speed_ups.len() / 2) else {
        return false;
    };
    let ok = median >= SUITE_SPEED_UP_TARGET;
    println!(
        "  median fresh/normal = {median:.2}x   target >= {SUITE_SPEED_UP_TARGET:.0}x  {}",
        verdict(ok)
    );
    ok
}

fn ratio(numerator: Duration, denominator: Duration) -> f64 {
    numerator.as_secs_f64() / denominator.as_secs_f64()
}
