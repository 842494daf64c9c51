//! `pgbench` on the benchmark's cluster: the floors of a read and of a
//! durable write round trip, with no HTTP and no service in the way.

use std::fs;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::interrupt;
use crate::postgres::Cluster;

/// Rows of `pgbench_accounts` per unit of scale.
const ROWS_PER_SCALE: u32 = 100_000;
/// One row read by its primary key per transaction, as `pgbench -S` does.
const SELECT_SCRIPT: &str = "select-only";
/// One row updated at random per transaction: one durable commit each.
const UPDATE_SCRIPT: &str = "\
\\set aid random(1, 100000 * :scale)
UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = :aid;
";
const UPDATE_FILE: &str = "one-update.sql";

/// `pgbench` against one database of a cluster.
pub struct Pgbench<'a> {
    cluster: &'a Cluster,
    database: &'a str,
    scale: u32,
    /// pgbench's threads: one per core.
    jobs: u32,
}

/// What one run of pgbench reports.
pub struct Tps {
    pub rate: f64,
    /// The command line, as the report shows it.
    pub command: String,
}

impl<'a> Pgbench<'a> {
    /// Fills `database` with pgbench's tables at `scale`; runs will use
    /// `jobs` threads.
    pub fn initialize(
        cluster: &'a Cluster,
        database: &'a str,
        scale: u32,
        jobs: u32,
    ) -> anyhow::Result<Self> {
        let mut init = cluster.tool("pgbench");
        init.args(["--initialize", "--quiet", "--scale"])
            .arg(scale.to_string())
            .arg(cluster.url(database));
        let output = init.output().context("cannot run pgbench --initialize")?;
        if !output.status.success() {
            bail!(
                "pgbench --initialize failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        // Readable by the cluster's account, which runs pgbench.
        fs::write(cluster.root().join(UPDATE_FILE), UPDATE_SCRIPT)
            .context("cannot write pgbench's update script")?;
        Ok(Self {
            cluster,
            database,
            scale,
            jobs,
        })
    }

    /// How many accounts there are.
    pub fn rows(&self) -> u32 {
        self.scale * ROWS_PER_SCALE
    }

    /// `pgbench -S`: one primary-key read per transaction.
    pub fn select(&self, clients: u32, duration: Duration) -> anyhow::Result<Tps> {
        self.run(&["--builtin", SELECT_SCRIPT], clients, duration)
    }

    /// One `UPDATE` of a random row per transaction.
    pub fn update(&self, clients: u32, duration: Duration) -> anyhow::Result<Tps> {
        let script = self.cluster.root().join(UPDATE_FILE);
        let script = script.to_string_lossy();
        self.run(&["--file", &script], clients, duration)
    }

    fn run(&self, script: &[&str], clients: u32, duration: Duration) -> anyhow::Result<Tps> {
        interrupt::check()?;
        let threads = clients.min(self.jobs);
        let options = [
            "--protocol=prepared".to_owned(),
            "--no-vacuum".to_owned(),
            format!("--client={clients}"),
            format!("--jobs={threads}"),
            format!("--time={}", duration.as_secs()),
        ];
        let mut pgbench = self.cluster.tool("pgbench");
        pgbench
            .args(script)
            .args(&options)
            .arg(self.cluster.url(self.database));
        let output = pgbench.output().context("cannot run pgbench")?;
        interrupt::check()?;
        let printed = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            bail!(
                "pgbench failed ({}): {}{}",
                output.status,
                printed.trim(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let rate =
            tps(&printed).with_context(|| format!("no tps in pgbench's output: {printed}"))?;
        let script = match script {
            ["--builtin", name] => format!("--builtin={name}"),
            _ => format!("--file={UPDATE_FILE}"),
        };
        Ok(Tps {
            rate,
            command: format!("pgbench {script} {}", options.join(" ")),
        })
    }
}

/// `tps = 68123.456789 (without initial connection time)`
fn tps(printed: &str) -> Option<f64> {
    printed
        .lines()
        .find_map(|line| line.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|number| number.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::tps;

    #[test]
    fn the_rate_is_read_from_the_tps_line() {
        let printed = "\
number of failed transactions: 0 (0.000%)
latency average = 0.469 ms
initial connection time = 12.345 ms
tps = 68123.456789 (without initial connection time)
";
        assert_eq!(tps(printed), Some(68123.456789));
        assert_eq!(tps("pgbench: error: connection failed\n"), None);
    }
}
