//! Prometheus and promtool, as installed on the machine, and promtool's
//! verdict on the committed rules and example configuration.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};

use crate::{interrupt, workspace};

/// Where Debian's package puts both, for when `/usr/bin` is not on PATH.
const PACKAGE_DIR: &str = "/usr/bin";
/// The committed configuration, relative to the workspace.
pub const DEPLOY_DIR: &str = "deploy/prometheus";
pub const RULES: &str = "alerts.yml";
const EXAMPLE_CONFIG: &str = "prometheus.yml";
/// The configuration of deploy/compose.yaml's Prometheus.
const COMPOSE_CONFIG: &str = "compose.yml";

/// The two programs, and the version of Prometheus.
pub struct Tools {
    pub prometheus: PathBuf,
    promtool: PathBuf,
    /// `2.42.0+ds`
    pub version: String,
}

impl Tools {
    /// Both programs, or a failure saying how to install them.
    pub fn find() -> anyhow::Result<Self> {
        let (Some(prometheus), Some(promtool)) = (
            workspace::find_program("prometheus", PACKAGE_DIR),
            workspace::find_program("promtool", PACKAGE_DIR),
        ) else {
            bail!(
                "prometheus and promtool must both be installed, on PATH or in {PACKAGE_DIR}: \
                 `apt-get install prometheus`"
            );
        };
        let output = Command::new(&prometheus)
            .arg("--version")
            .output()
            .with_context(|| format!("cannot run {} --version", prometheus.display()))?;
        // `prometheus, version 2.42.0+ds (branch: …)`, on stdout or stderr
        // depending on the release.
        let printed = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        let version = printed
            .split_whitespace()
            .nth(2)
            .unwrap_or("(unknown version)")
            .to_owned();
        Ok(Self {
            prometheus,
            promtool,
            version,
        })
    }

    /// `promtool check rules` and `promtool check config` on the committed
    /// files (the example configuration and compose's), from their directory so that the configuration's relative
    /// rule path resolves: what each reported, or a failure with all of its
    /// output.
    pub fn check_committed(&self) -> anyhow::Result<Vec<String>> {
        [
            ["rules", RULES],
            ["config", EXAMPLE_CONFIG],
            ["config", COMPOSE_CONFIG],
        ]
        .iter()
        .map(|args| self.check(args))
        .collect()
    }

    fn check(&self, args: &[&str; 2]) -> anyhow::Result<String> {
        interrupt::check()?;
        let described = format!("promtool check {}", args.join(" "));
        let output = Command::new(&self.promtool)
            .arg("check")
            .args(args)
            .current_dir(workspace::root().join(DEPLOY_DIR))
            .output()
            .with_context(|| format!("cannot run {described}"))?;
        let printed = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            bail!(
                "{described} (in {DEPLOY_DIR}) failed ({}):\n{}",
                output.status,
                printed.trim_end()
            );
        }
        let verdicts: Vec<&str> = printed
            .lines()
            .map(str::trim)
            .filter(|line| line.starts_with("SUCCESS"))
            .collect();
        Ok(format!("{described}: {}", verdicts.join("; ")))
    }
}
