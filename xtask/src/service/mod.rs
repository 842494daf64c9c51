//! The service as the tasks run it: built, started on a throw-away cluster
//! with an environment of its own, asked a few requests, stopped.

mod client;
mod running;

use std::env;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::{interrupt, signing_key, workspace};

pub use client::{Client, Tokens};
pub use running::RunningServer;

/// How long a server may take to answer its readiness check with 200.
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a server may take to stop once asked to.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);
/// How long one request of a task may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// An account that a task signs in as.
pub struct Account<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub role: &'a str,
}

/// How the service is built: quickly, or as it is deployed and measured.
#[derive(Debug, Clone, Copy)]
pub enum Profile {
    Debug,
    Release,
}

/// `cargo build -p server` in `profile`, and the path of the binary.
pub fn build_server(profile: Profile) -> anyhow::Result<PathBuf> {
    let mut cargo = workspace::cargo();
    cargo.args([
        "build",
        "--locked",
        "--package",
        "server",
        "--bin",
        "doorman",
    ]);
    let dir = match profile {
        Profile::Debug => "debug",
        Profile::Release => {
            cargo.arg("--release");
            "release"
        }
    };
    let status = interrupt::run_in_own_group(&mut cargo)?;
    interrupt::check()?;
    if !status.success() {
        bail!("building the server failed ({status})");
    }
    Ok(workspace::target_dir().join(dir).join("doorman"))
}

/// A port that nothing listens on now.
pub fn free_port() -> anyhow::Result<u16> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("cannot find a free port")?;
    Ok(listener.local_addr()?.port())
}

/// How the service is run: its binary, database, key, port and whatever a
/// task adds.
pub struct Service {
    pub doorman: PathBuf,
    pub database_url: String,
    pub key_file: PathBuf,
    pub port: u16,
    /// Set after the defaults of [`command`](Self::command), which they
    /// override: a metrics listener, an OTLP collector, fewer workers.
    pub env: Vec<(&'static str, String)>,
}

impl Service {
    /// `doorman`, configured for a task's many requests from one address
    /// and by nothing of this task's own environment: cheap password
    /// hashing, sign-in and registration limits that thousands of requests
    /// do not reach, and no metrics listener unless [`env`](Self::env)
    /// asks for one (on its default port, it would collide with any other).
    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.doorman);
        for (name, _) in env::vars_os() {
            let name_text = name.to_string_lossy();
            if name_text.starts_with("DOORMAN_") || name_text.starts_with("OTEL_") {
                command.env_remove(name);
            }
        }
        command
            .env("DATABASE_URL", &self.database_url)
            .env("DOORMAN_MIGRATE", "true")
            .env("DOORMAN_ACCESS_TOKEN_PRIVATE_KEY_FILE", &self.key_file)
            .env("DOORMAN_BIND_ADDRESS", format!("127.0.0.1:{}", self.port))
            .env("DOORMAN_METRICS_BIND_ADDRESS", "")
            .env("DOORMAN_ARGON2_MEMORY_KIB", "1024")
            .env("DOORMAN_ARGON2_ITERATIONS", "1")
            .env("DOORMAN_REGISTRATIONS_PER_NETWORK", "1000000")
            .env("DOORMAN_LOGIN_MAX_FAILURES_PER_ACCOUNT", "1000000")
            .env("DOORMAN_LOGIN_MAX_FAILURES_PER_NETWORK", "1000000")
            .env("DOORMAN_LOGIN_MAX_FAILURES_PER_WIDE_NETWORK", "1000000")
            .env("DOORMAN_REGISTRATIONS_PER_WIDE_NETWORK", "1000000")
            .env("DOORMAN_SHUTDOWN_TIMEOUT_SECS", "5")
            // No balancer in front to notice the drain.
            .env("DOORMAN_SHUTDOWN_DELAY_MS", "0")
            .envs(self.env.iter().map(|(name, value)| (name, value)));
        command
    }

    /// A fresh signing key in `key_file`, readable by this account only.
    pub fn keygen(&self) -> anyhow::Result<()> {
        interrupt::check()?;
        let mut keygen = Command::new(&self.doorman);
        keygen.arg("keygen");
        signing_key::write_new(keygen, &self.key_file)
    }

    /// Starts the service in the background; its output goes to `log`.
    pub fn start(&self, log: &Path) -> anyhow::Result<RunningServer> {
        let server = RunningServer::start("the service", &mut self.command(), log)?;
        eprintln!(
            "xtask: the service listens on 127.0.0.1:{} (log: {})",
            self.port,
            log.display()
        );
        Ok(server)
    }

    /// `doorman admin create`, the password from the environment.
    pub fn create_admin(&self, account: &Account<'_>) -> anyhow::Result<()> {
        interrupt::check()?;
        let output = self
            .command()
            .args(["admin", "create", "--email", account.email])
            .env("DOORMAN_ADMIN_PASSWORD", account.password)
            .stdin(Stdio::null())
            .output()
            .context("cannot run doorman admin create")?;
        if !output.status.success() {
            bail!(
                "doorman admin create failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(())
    }
}
