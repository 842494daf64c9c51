//! Criterion's results, read from where it writes them.

use std::fs;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

use anyhow::Context;

use super::suite::ISOLATION;
use crate::interrupt;
use crate::postgres::TestPostgres;
use crate::workspace;

/// Runs the criterion benchmark `bench` of `package` against `postgres`,
/// with the harness's usual isolation: its exit status.
pub fn run_criterion(
    postgres: &TestPostgres,
    package: &str,
    bench: &str,
) -> anyhow::Result<ExitStatus> {
    interrupt::run_in_own_group(
        postgres
            .cargo()
            .args(["bench", "--locked", "--package", package])
            .args(["--bench", bench])
            .env("CRITERION_HOME", criterion_home())
            .env_remove(ISOLATION),
    )
}

/// Criterion's output directory, under the cargo target directory.
pub fn criterion_home() -> PathBuf {
    workspace::target_dir().join("criterion")
}

/// The median time of one iteration of benchmark `id` of `group`, in its
/// latest run.
pub fn median(group: &str, id: &str) -> anyhow::Result<Duration> {
    let path = criterion_home()
        .join(group)
        .join(id)
        .join("new")
        .join("estimates.json");
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let estimates: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let nanos = estimates["median"]["point_estimate"]
        .as_f64()
        .with_context(|| format!("{} has no median", path.display()))?;
    Duration::try_from_secs_f64(nanos / 1e9)
        .with_context(|| format!("{} has a median of {nanos} ns", path.display()))
}

/// A duration in milliseconds, for the reports.
pub fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}

/// How a report marks a target met or missed.
pub fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}
