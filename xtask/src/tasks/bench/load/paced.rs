//! Runs at a fixed rate by `bench/paced-load`, an open-loop generator:
//! wrk keeps each connection busy, so it cannot load a server at less than
//! its peak without hiding the waits that a stall causes.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

use super::super::wrk::Outcome;
use crate::interrupt;

/// A run of `GET path` on `port` at `rate` requests per second.
pub struct PacedRun<'a> {
    pub port: u16,
    pub path: &'a str,
    pub bearer: Option<&'a str>,
    pub rate: f64,
    pub connections: u32,
    pub duration: Duration,
}

impl PacedRun<'_> {
    /// Runs the generator at `binary`, and keeps what it printed in `output`.
    pub fn run(&self, binary: &Path, output: &Path) -> anyhow::Result<Outcome> {
        interrupt::check()?;
        let mut generator = Command::new(binary);
        generator
            .env("PACED_ADDRESS", format!("127.0.0.1:{}", self.port))
            .env("PACED_PATH", self.path)
            .env("PACED_RATE", format!("{:.1}", self.rate))
            .env("PACED_CONNECTIONS", self.connections.to_string())
            .env("PACED_SECONDS", self.duration.as_secs_f64().to_string());
        if let Some(token) = self.bearer {
            generator.env("PACED_BEARER", token);
        }
        let ran = generator.output().context("cannot run paced-load")?;
        let printed = String::from_utf8_lossy(&ran.stdout);
        std::fs::write(output, printed.as_bytes())
            .with_context(|| format!("cannot write {}", output.display()))?;
        if !ran.status.success() {
            bail!(
                "paced-load failed ({}): {}",
                ran.status,
                String::from_utf8_lossy(&ran.stderr).trim()
            );
        }
        parse(&printed).with_context(|| format!("paced-load printed {printed:?}"))
    }
}

/// Reads the generator's line: answered, not 2xx, failed, rate, then the
/// p50, p99 and largest latency in seconds.
fn parse(printed: &str) -> anyhow::Result<Outcome> {
    let fields: Vec<&str> = printed.split_whitespace().collect();
    let &[answered, non_success, failed, rate, p50, p99, _max] = fields.as_slice() else {
        bail!("not seven figures");
    };
    let seconds = |text: &str| -> anyhow::Result<Duration> {
        Ok(Duration::try_from_secs_f64(text.parse()?)?)
    };
    Ok(Outcome {
        rate: rate.parse()?,
        requests: answered.parse()?,
        non_success: non_success.parse()?,
        socket_errors: failed.parse()?,
        p50: seconds(p50)?,
        p99: seconds(p99)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generators_line_is_read_whole() {
        let outcome = parse("80000 3 1 7999.2 0.000303 0.010885 0.025107\n").ok();
        let outcome = outcome.as_ref();
        assert_eq!(outcome.map(|o| o.requests), Some(80000));
        assert_eq!(outcome.map(|o| o.non_success), Some(3));
        assert_eq!(outcome.map(|o| o.socket_errors), Some(1));
        assert_eq!(outcome.map(|o| o.p99), Some(Duration::from_micros(10885)));
        assert!(parse("80000 3 1 7999.2").is_err());
    }
}
