//! wrk, the HTTP load generator, and what it reports.

use std::fs::{self, File};
use std::io::ErrorKind;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::interrupt;

/// The core wrk runs on; the instances under load run on the other, so
/// that neither takes time from the other.
pub const LOAD_CPU: &str = "1";
/// The core of the instances under load.
pub const SERVER_CPU: &str = "0";
/// One thread: the service under test has one worker, and the machine may
/// have no more than two cores.
const THREADS: &str = "1";
/// Enough connections to keep the worker busy while others wait.
const CONNECTIONS: &str = "16";

/// The installed wrk.
pub struct Wrk {
    /// `debian/4.1.0-3+b2`
    pub version: String,
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

    /// The command line of [`run`](Self::run), as the report shows it.
    pub fn command_line(duration: Duration) -> String {
        format!(
            "wrk -t{THREADS} -c{CONNECTIONS} -d{}s -H 'Authorization: Bearer …' URL",
            duration.as_secs()
        )
    }

    /// Loads `url` for `duration` with `GET`s authorised by `access_token`;
    /// wrk's output goes to `output`.
    pub fn run(
        &self,
        url: &str,
        access_token: &str,
        duration: Duration,
        output: &Path,
    ) -> anyhow::Result<Outcome> {
        let file =
            File::create(output).with_context(|| format!("cannot create {}", output.display()))?;
        let mut wrk = Command::new("taskset");
        wrk.args(["--cpu-list", LOAD_CPU, "wrk"])
            .arg(format!("-t{THREADS}"))
            .arg(format!("-c{CONNECTIONS}"))
            .arg(format!("-d{}s", duration.as_secs()))
            .arg("-H")
            .arg(format!("Authorization: Bearer {access_token}"))
            .arg(url)
            .stdout(file.try_clone()?)
            .stderr(file);
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

/// What wrk printed, for example:
///
/// ```text
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
    let mut non_success = 0;
    let mut socket_errors = 0;
    for line in printed.lines().map(str::trim) {
        if let Some(value) = line.strip_prefix("Requests/sec:") {
            rate = value.trim().parse().ok();
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
    })
}

#[cfg(test)]
mod tests;
