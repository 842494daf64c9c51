//! The yardsticks that the service is measured against, built and started
//! by the benchmark: the floor of its own stack (`bench/stack-floor`), the
//! fastest argon2id at hand (`bench/argon2-limit`) and the plan's stack
//! (`bench/peers/express-pg`); and the open-loop generator
//! (`bench/paced-load`) that they are built with.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::service::RunningServer;
use crate::{interrupt, workspace};

/// The binaries of the yardsticks' own workspace.
pub struct Yardsticks {
    pub floor: PathBuf,
    pub argon2_limit: PathBuf,
    pub paced_load: PathBuf,
}

/// The argon2id costs that the service and its peer both use.
#[derive(Clone, Copy)]
pub struct Argon2Costs {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

fn bench_dir() -> PathBuf {
    workspace::root().join("bench")
}

impl Yardsticks {
    /// `cargo build --release` of the yardsticks' workspace.
    pub fn build() -> anyhow::Result<Self> {
        let mut cargo = workspace::cargo();
        cargo
            .args([
                "build",
                "--release",
                "--locked",
                "--workspace",
                "--manifest-path",
            ])
            .arg(bench_dir().join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", workspace::target_dir());
        let status = interrupt::run_in_own_group(&mut cargo)?;
        interrupt::check()?;
        if !status.success() {
            bail!("building the yardsticks in bench/ failed ({status})");
        }
        let release = workspace::target_dir().join("release");
        Ok(Self {
            floor: release.join("stack-floor"),
            argon2_limit: release.join("argon2-limit"),
            paced_load: release.join("paced-load"),
        })
    }

    /// The floor of the stack on `port`, over a pool of `pool_size`.
    pub fn start_floor(
        &self,
        database_url: &str,
        rows: u32,
        pool_size: u32,
        port: u16,
        log: &Path,
    ) -> anyhow::Result<RunningServer> {
        let mut floor = Command::new(&self.floor);
        floor
            .env("DATABASE_URL", database_url)
            .env("FLOOR_BIND_ADDRESS", format!("127.0.0.1:{port}"))
            .env("FLOOR_ROWS", rows.to_string())
            .env("FLOOR_POOL_SIZE", pool_size.to_string());
        let mut server = RunningServer::start("the floor of the stack", &mut floor, log)?;
        server.wait_until_ready(port, "/healthz")?;
        Ok(server)
    }

    /// The median time of one argon2id verification at `costs` on one
    /// thread, by the fastest implementation at hand, and the verifications
    /// per second of one thread per core at once.
    pub fn argon2_limit(&self, costs: Argon2Costs) -> anyhow::Result<(Duration, f64)> {
        interrupt::check()?;
        let output = Command::new(&self.argon2_limit)
            .env("ARGON2_MEMORY_KIB", costs.memory_kib.to_string())
            .env("ARGON2_ITERATIONS", costs.iterations.to_string())
            .env("ARGON2_PARALLELISM", costs.parallelism.to_string())
            .output()
            .context("cannot run argon2-limit")?;
        let printed = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            bail!(
                "argon2-limit failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let figures = printed
            .split_whitespace()
            .map(str::parse::<f64>)
            .collect::<Result<Vec<_>, _>>()
            .ok();
        let Some(&[seconds, together]) = figures.as_deref() else {
            bail!("argon2-limit printed {printed:?}, not seconds and a rate");
        };
        let seconds = Duration::try_from_secs_f64(seconds)
            .with_context(|| format!("argon2-limit printed {printed:?}, not a time"))?;
        Ok((seconds, together))
    }
}

/// The plan's own stack: Express and pg, with its modules installed.
pub struct Peer {
    dir: PathBuf,
}

impl Peer {
    /// `npm ci` of the peer's locked dependencies.
    pub fn install() -> anyhow::Result<Self> {
        let dir = bench_dir().join("peers").join("express-pg");
        let mut npm = Command::new("npm");
        npm.args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir);
        let status = match interrupt::run_in_own_group(&mut npm) {
            Err(error)
                if error
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|error| error.kind() == ErrorKind::NotFound) =>
            {
                bail!("npm is not installed: `apt-get install nodejs npm`")
            }
            other => other?,
        };
        interrupt::check()?;
        if !status.success() {
            bail!("npm ci in {} failed ({status})", dir.display());
        }
        Ok(Self { dir })
    }

    /// The peer on `port`, one worker per core, with `costs`.
    pub fn start(
        &self,
        database_url: &str,
        costs: Argon2Costs,
        port: u16,
        log: &Path,
    ) -> anyhow::Result<RunningServer> {
        let mut node = Command::new("node");
        node.arg("src/server.js")
            .current_dir(&self.dir)
            .env("DATABASE_URL", database_url)
            .env("PORT", port.to_string())
            .env("ARGON2_MEMORY_KIB", costs.memory_kib.to_string())
            .env("ARGON2_ITERATIONS", costs.iterations.to_string())
            .env("ARGON2_PARALLELISM", costs.parallelism.to_string());
        let mut server = RunningServer::start("the Express peer", &mut node, log)?;
        server.wait_until_ready(port, "/healthz")?;
        Ok(server)
    }
}
