//! The schemathesis command line, and what its runs report.
use std::fmt;
use std::fs;
use std::path::Path;
use std::process::{Command, ExitStatus};

use anyhow::{Context, bail};
use serde_json::Value;

use super::{CHECKS, DOCUMENT, MAX_EXAMPLES, Run, SEED};
use crate::service::Account;
use crate::{interrupt, workspace};

/// The schemathesis CLI.
pub(super) struct Schemathesis {
    pub(super) program: &'static str,
    pub(super) version: String,
}

impl Schemathesis {
    /// The installed CLI, or a failure saying how to install it.
    pub(super) fn find() -> anyhow::Result<Self> {
        for program in ["st", "schemathesis"] {
            if let Ok(output) = Command::new(program).arg("--version").output()
                && output.status.success()
            {
                // `st, version 4.32.5`
                let printed = String::from_utf8_lossy(&output.stdout);
                let number = printed
                    .split_whitespace()
                    .last()
                    .unwrap_or("(unknown version)");
                let version = format!("schemathesis {number}");
                return Ok(Self { program, version });
            }
        }
        bail!(
            "the schemathesis CLI (`st`) is not installed, or not on PATH: \
             `pip install schemathesis` (in a virtual environment whose bin/ is then put on PATH)"
        )
    }

    /// `st run`, with `extra_args` last so that they can override the
    /// defaults.
    pub(super) fn run(
        &self,
        run: &Run,
        port: u16,
        work: &Path,
        extra_args: &[String],
    ) -> anyhow::Result<Outcome> {
        let dir = work.join(run.name);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let config = dir.join("schemathesis.toml");
        fs::write(&config, auth_config(run.account))
            .with_context(|| format!("cannot write {}", config.display()))?;
        let report = dir.join("report.json");
        let mut command = Command::new(self.program);
        command
            // Where anything that schemathesis keeps of its own goes.
            .current_dir(&dir)
            .arg("--config-file")
            .arg(&config)
            .arg("run")
            .arg(workspace::root().join(DOCUMENT))
            .args(["--url", &format!("http://127.0.0.1:{port}")])
            .args(["--checks", CHECKS])
            .args(["--max-examples", MAX_EXAMPLES])
            .args(["--seed", SEED])
            // One worker: the same requests in the same order each time.
            .args(["--workers", "1"])
            // No examples replayed from earlier runs: the same run each time.
            .args(["--generation-database", "none"])
            .args(["--request-timeout", "10"])
            .args(["--report", "json,junit"])
            .arg("--report-json-path")
            .arg(&report)
            .arg("--report-junit-path")
            .arg(dir.join("junit.xml"))
            .args(run.filter)
            .args(extra_args);
        let status = interrupt::run_in_own_group(&mut command)?;
        Ok(Outcome::read(run, status, &report))
    }
}

/// Schemathesis signs in as `account`, and again after a 401.
pub(super) fn auth_config(account: &Account<'_>) -> String {
    // JSON strings are TOML basic strings.
    format!(
        "[auth.dynamic.openapi.bearer]\n\
         path = \"/v1/auth/login\"\n\
         payload = {{ email = {}, password = {} }}\n\
         extract_selector = \"/accessToken\"\n\
         retry_on = [401]\n",
        Value::from(account.email),
        Value::from(account.password)
    )
}

/// How one schemathesis run went, from its exit status and JSON report.
pub(super) struct Outcome {
    pub(super) name: &'static str,
    pub(super) status: ExitStatus,
    pub(super) report: Value,
    pub(super) problems: Vec<String>,
}

impl Outcome {
    pub(super) fn read(run: &Run, status: ExitStatus, report: &Path) -> Self {
        let mut problems = Vec::new();
        let report = match fs::read_to_string(report)
            .map_err(anyhow::Error::from)
            .and_then(|text| Ok(serde_json::from_str::<Value>(&text)?))
        {
            Ok(report) => report,
            Err(error) => {
                problems.push(format!("no report in {}: {error}", report.display()));
                Value::Null
            }
        };
        if report["auth"]["reauth_broke"] == true {
            problems.push("signing in again failed: the account was lost during the run".into());
        }
        let warnings = &report["warnings"];
        for scheme in warnings["unused_openapi_auth"]
            .as_array()
            .into_iter()
            .flatten()
        {
            problems.push(format!(
                "the sign-in configured names no scheme of {DOCUMENT}: {scheme}"
            ));
        }
        for operation in warnings["missing_auth"].as_array().into_iter().flatten() {
            if !operation
                .as_str()
                .is_some_and(|label| run.refused.contains(&label))
            {
                problems.push(format!("{operation} answered only 401 or 403"));
            }
        }
        Self {
            name: run.name,
            status,
            report,
            problems,
        }
    }

    pub(super) fn passed(&self) -> bool {
        self.status.success() && self.problems.is_empty()
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let report = &self.report;
        let count = |value: &Value| value.as_u64().unwrap_or_default();
        write!(
            f,
            "{:<14} {}/{} operations, {} test cases, {} failures, {} errors, \
             {} sign-ins again, {:.0}s: {}",
            self.name,
            count(&report["operations"]["tested"]),
            count(&report["operations"]["selected"]),
            count(&report["test_cases"]["generated"]),
            count(&report["test_cases"]["unique_failures"]),
            report["errors"].as_array().map_or(0, Vec::len),
            count(&report["auth"]["reauth_count"]),
            report["running_time"].as_f64().unwrap_or_default(),
            if self.passed() { "passed" } else { "FAILED" }
        )?;
        if !self.status.success() {
            write!(f, " (schemathesis {})", self.status)?;
        }
        for problem in &self.problems {
            write!(f, "\n                 {problem}")?;
        }
        Ok(())
    }
}
