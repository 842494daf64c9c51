//! Criterion's results, read from where it writes them.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::workspace;

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
