//! The DB test suite: the tests of the crates that use the database, built
//! once, then run the way `cargo test` runs them (one binary after another,
//! each running its tests in parallel) and timed.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::interrupt;
use crate::postgres::TestPostgres;

/// The crates whose tests use the database, through test-db or not.
const DATABASE_CRATES: [&str; 2] = ["adapters-postgres", "server"];
/// The harness: the crates that depend on it use the database too.
const HARNESS: &str = "test-db";
/// Makes the harness give every test a fresh database when `fresh`.
pub const ISOLATION: &str = "DOORMAN_TEST_DB_ISOLATION";

/// How the harness isolates each test.
#[derive(Debug, Clone, Copy)]
pub enum Isolation {
    /// Rolled-back transactions and clones of the template.
    Template,
    /// A fresh database with every migration applied, for every test.
    Fresh,
}

impl Isolation {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Template => "rollback transactions and template clones",
            Self::Fresh => "DOORMAN_TEST_DB_ISOLATION=fresh",
        }
    }
}

pub struct Suite {
    packages: Vec<String>,
    binaries: Vec<TestBinary>,
}

struct TestBinary {
    executable: PathBuf,
    package_dir: PathBuf,
}

impl Suite {
    /// Picks the crates and builds their tests (libraries, binaries and
    /// integration tests; doctests use no database).
    pub fn build(postgres: &TestPostgres) -> anyhow::Result<Self> {
        let packages = packages(postgres)?;
        let mut cargo = postgres.cargo();
        cargo
            .args(["test", "--locked", "--no-run", "--lib", "--bins", "--tests"])
            .arg("--message-format=json-render-diagnostics")
            .stdout(Stdio::piped());
        for package in &packages {
            cargo.args(["--package", package]);
        }
        interrupt::check()?;
        let output = cargo.output().context("cannot run cargo test --no-run")?;
        if !output.status.success() {
            bail!("building the DB test suite failed ({})", output.status);
        }
        let binaries = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|message| test_binary(&message))
            .collect();
        Ok(Self { packages, binaries })
    }

    /// `cargo test -p <each> --lib --bins --tests`, as the report shows it.
    pub fn command_line(&self) -> String {
        let packages: Vec<String> = self.packages.iter().map(|p| format!("-p {p}")).collect();
        format!("cargo test {} --lib --bins --tests", packages.join(" "))
    }

    pub fn binary_count(&self) -> usize {
        self.binaries.len()
    }

    /// Runs every test binary and returns the wall time of all; their
    /// output goes to `log`.
    pub fn time(
        &self,
        postgres: &TestPostgres,
        isolation: Isolation,
        log: &Path,
    ) -> anyhow::Result<Duration> {
        let started = Instant::now();
        for binary in &self.binaries {
            let output = File::options()
                .create(true)
                .append(true)
                .open(log)
                .with_context(|| format!("cannot write {}", log.display()))?;
            let mut command = postgres.command(&binary.executable);
            command
                .current_dir(&binary.package_dir)
                .stdout(output.try_clone()?)
                .stderr(output);
            match isolation {
                Isolation::Template => command.env_remove(ISOLATION),
                Isolation::Fresh => command.env(ISOLATION, "fresh"),
            };
            let status = interrupt::run_in_own_group(&mut command)?;
            if !status.success() {
                bail!(
                    "{} failed with {} ({status}); its output is in {}",
                    binary.executable.display(),
                    isolation.describe(),
                    log.display()
                );
            }
        }
        Ok(started.elapsed())
    }
}

/// The database crates and every crate that uses the harness.
fn packages(postgres: &TestPostgres) -> anyhow::Result<Vec<String>> {
    let output = postgres
        .cargo()
        .args(["metadata", "--locked", "--no-deps", "--format-version", "1"])
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed ({})", output.status);
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("cargo metadata printed no JSON")?;
    let mut packages: BTreeSet<String> = DATABASE_CRATES.map(str::to_owned).into();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let uses_harness = package["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|dependency| dependency["name"] == HARNESS);
        if let (true, Some(name)) = (uses_harness, package["name"].as_str()) {
            packages.insert(name.to_owned());
        }
    }
    Ok(packages.into_iter().collect())
}

/// The test executable that a line of cargo's JSON output announces.
fn test_binary(message: &serde_json::Value) -> Option<TestBinary> {
    if message["reason"] != "compiler-artifact" || message["profile"]["test"] != true {
        return None;
    }
    let executable = PathBuf::from(message["executable"].as_str()?);
    let package_dir = Path::new(message["manifest_path"].as_str()?)
        .parent()?
        .to_path_buf();
    Some(TestBinary {
        executable,
        package_dir,
    })
}
