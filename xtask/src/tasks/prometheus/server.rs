//! This task's own Prometheus: scraping the service every second and
//! evaluating the committed rules as often, with its data in the work
//! directory.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::Context;
use serde_json::Value;

use super::tools::{DEPLOY_DIR, RULES, Tools};
use crate::service::RunningServer;
use crate::workspace;

/// How often Prometheus scrapes and evaluates the rules: often enough that
/// a few seconds of traffic give every rate several samples.
const INTERVAL: &str = "1s";
/// The job that the committed rules select.
const JOB: &str = "doorman";

/// Writes the configuration into `work` and starts Prometheus on `port`,
/// scraping the service's metrics on `metrics_port`.
pub fn start(
    tools: &Tools,
    work: &Path,
    metrics_port: u16,
    port: u16,
) -> anyhow::Result<RunningServer> {
    let config = work.join("prometheus.yml");
    fs::write(&config, config_text(metrics_port))
        .with_context(|| format!("cannot write {}", config.display()))?;
    let mut command = Command::new(&tools.prometheus);
    command
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            work.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"));
    let server = RunningServer::start("Prometheus", &mut command, &work.join("prometheus.log"))?;
    eprintln!(
        "xtask: Prometheus {} listens on 127.0.0.1:{port} (log: {})",
        tools.version,
        work.join("prometheus.log").display()
    );
    Ok(server)
}

/// The committed rules by their absolute path: the configuration is not
/// next to them.
fn config_text(metrics_port: u16) -> String {
    let rules = workspace::root().join(DEPLOY_DIR).join(RULES);
    // A JSON string is a YAML one.
    let rules = Value::from(rules.to_string_lossy());
    format!(
        "global:
  scrape_interval: {INTERVAL}
  scrape_timeout: {INTERVAL}
  evaluation_interval: {INTERVAL}
rule_files:
  - {rules}
scrape_configs:
  - job_name: {JOB}
    metrics_path: /metrics
    static_configs:
      - targets: [\"127.0.0.1:{metrics_port}\"]
"
    )
}
