//! wrk, the HTTP load generator, and what it reports.

use std::fs::{self, File};
use std::io::ErrorKind;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::interrupt;

/// The installed wrk.
pub struct Wrk {
    /// `debian/4.1.0-3+b2`
    pub version: String,
}

/// One run of wrk: what it loads, how hard and for how long.
pub struct Load<'a> {
    pub url: &'a str,
    pub threads: u32,
    /// Connections kept open, each with one request in flight at a time.
    pub connections: u32,
    pub duration: Duration,
    /// Sent as `Authorization: Bearer`.
    pub bearer: Option<&'a str>,
    /// A Lua script of wrk's: a request body, requests that change with
    /// the responses.
    pub script: Option<&'a Path>,
    /// The cores wrk may run on (`taskset --cpu-list`), when it must keep
    /// off those of the service.
    pub cpus: Option<&'a str>,
}

/// What one run of wrk reports.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    /// Requests per second.
    pub rate: f64,
    pub requests: u64,
    /// Responses with a status other than 2xx or 3xx.
    pub non_success: u64,
    /// Connect, read and write errors, and timeouts.
    pub socket_errors: u64,
    /// The median latency.
    pub p50: Duration,
    pub p99: Duration,
}

impl Wrk {
    /// The installed wrk, or a failure saying how to install it.
    pub fn find() -> anyhow::Result<Self> {
        // `wrk --version` prints its version, then its usage, and exits 1.
        let output = match Command::new("wrk").arg("--version").output() {
            Ok(output) => output,
            Err(error) if error.kind() == ErrorKind::NotFound => {
                bail!("wrk is not installed, or not on PATH: `apt-get install wrk`")
            }
            Err(error) => return Err(error).context("cannot run wrk --version"),
        };
        let version = String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .nth(1)
            .unwrap_or("(unknown version)")
            .to_owned();
        Ok(Self { version })
    }

    /// Runs `load`; wrk's output goes to `output`.
    pub fn run(&self, load: &Load<'_>, output: &Path) -> anyhow::Result<Outcome> {
        let file =
            File::create(output).with_context(|| format!("cannot create {}", output.display()))?;
        let mut wrk = match load.cpus {
            Some(cpus) => {
                let mut taskset = Command::new("taskset");
                taskset.args(["--cpu-list", cpus, "wrk"]);
                taskset
            }
            None => Command::new("wrk"),
        };
        wrk.arg("--latency")
            .arg(format!("-t{}", load.threads))
            .arg(format!("-c{}", load.connections))
            .arg(format!("-d{}s", load.duration.as_secs()));
        if let Some(token) = load.bearer {
            wrk.arg("-H").arg(format!("Authorization: Bearer {token}"));
        }
        if let Some(script) = load.script {
            wrk.arg("-s").arg(script);
        }
        wrk.arg(load.url).stdout(file.try_clone()?).stderr(file);
        let status = interrupt::run_in_own_group(&mut wrk)?;
        interrupt::check()?;
        let printed = fs::read_to_string(output)
            .with_context(|| format!("cannot read {}", output.display()))?;
        if !status.success() {
            bail!("wrk failed ({status}):\n{}", printed.trim_end());
        }
        parse(&printed).with_context(|| format!("unexpected output of wrk in {}", output.display()))
    }
}

impl Load<'_> {
    /// The command line of a run, as a report shows it: the token elided.
    pub fn command_line(&self) -> String {
        let mut line = format!(
            "wrk --latency -t{} -c{} -d{}s",
            self.threads,
            self.connections,
            self.duration.as_secs()
        );
        if self.bearer.is_some() {
            line.push_str(" -H 'Authorization: Bearer …'");
        }
        if let Some(script) = self.script.and_then(Path::file_name) {
            line.push_str(&format!(" -s {}", script.to_string_lossy()));
        }
        line.push_str(" URL");
        line
    }
}

/// What wrk printed, for example:
///
/// ```text
///   Latency Distribution
///      50%    1.02ms
///      99%    3.10ms
///   61234 requests in 5.00s, 30.12MB read
///   Socket errors: connect 0, read 2, write 0, timeout 0
///   Non-2xx or 3xx responses: 12
/// Requests/sec:  12246.80
/// ```
///
/// The two error lines appear only when there are errors.
fn parse(printed: &str) -> anyhow::Result<Outcome> {
    let mut rate = None;
    let mut requests = None;
    let mut p50 = None;
    let mut p99 = None;
    let mut non_success = 0;
    let mut socket_errors = 0;
    for line in printed.lines().map(str::trim) {
        if let Some(value) = line.strip_prefix("Requests/sec:") {
            rate = value.trim().parse().ok();
        } else if let Some(value) = line.strip_prefix("50%") {
            p50 = Some(latency(value)?);
        } else if let Some(value) = line.strip_prefix("99%") {
            p99 = Some(latency(value)?);
        } else if let Some(value) = line.strip_prefix("Non-2xx or 3xx responses:") {
            non_success = value
                .trim()
                .parse()
                .context("a count of non-2xx responses")?;
        } else if let Some(counts) = line.strip_prefix("Socket errors:") {
            // `connect 0, read 2, write 0, timeout 0`
            socket_errors = counts
                .split(',')
                .filter_map(|count| count.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum();
        } else if line.contains(" requests in ") {
            requests = line.split_whitespace().next().and_then(|n| n.parse().ok());
        }
    }
    Ok(Outcome {
        rate: rate.context("no Requests/sec")?,
        requests: requests.context("no count of requests")?,
        non_success,
        socket_errors,
        p50: p50.context("no median latency (was --latency given?)")?,
        p99: p99.context("no 99th percentile of latency")?,
    })
}

/// A latency as wrk prints it: `812.00us`, `3.10ms`, `1.20s`.
fn latency(printed: &str) -> anyhow::Result<Duration> {
    let printed = printed.trim();
    let split = printed
        .find(|c: char| c.is_ascii_alphabetic())
        .with_context(|| format!("a latency without a unit: {printed:?}"))?;
    let (number, unit) = printed.split_at(split);
    let number: f64 = number
        .parse()
        .with_context(|| format!("not a latency: {printed:?}"))?;
    let seconds = match unit {
        "us" => number / 1e6,
        "ms" => number / 1e3,
        "s" => number,
        "m" => number * 60.0,
        _ => bail!("a latency in an unknown unit: {printed:?}"),
    };
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests;
