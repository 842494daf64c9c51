//! The service under test: built, started on a throw-away cluster, stopped.
use std::env;
use std::fs;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::client::Client;
use super::{Account, READY_TIMEOUT, STOP_TIMEOUT};
use crate::{interrupt, signing_key, workspace};

/// `cargo build -p server`, and the path of the binary.
pub(super) fn build_server() -> anyhow::Result<PathBuf> {
    let mut cargo = workspace::cargo();
    cargo.args([
        "build",
        "--locked",
        "--package",
        "server",
        "--bin",
        "doorman",
    ]);
    let status = interrupt::run_in_own_group(&mut cargo)?;
    interrupt::check()?;
    if !status.success() {
        bail!("building the server failed ({status})");
    }
    Ok(workspace::target_dir().join("debug").join("doorman"))
}

/// A port that nothing listens on now.
pub(super) fn free_port() -> anyhow::Result<u16> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("cannot find a free port")?;
    Ok(listener.local_addr()?.port())
}

/// How the service is run: its binary, database, key and port.
pub(super) struct Service {
    pub(super) doorman: PathBuf,
    pub(super) database_url: String,
    pub(super) key_file: PathBuf,
    pub(super) port: u16,
}

impl Service {
    /// `doorman`, configured for fuzzing and by nothing of this task's own
    /// environment: cheap password hashing, and sign-in and registration
    /// limits that thousands of requests from one address do not reach.
    pub(super) fn command(&self) -> Command {
        let mut command = Command::new(&self.doorman);
        for (name, _) in env::vars_os() {
            if name.to_string_lossy().starts_with("DOORMAN_") {
                command.env_remove(name);
            }
        }
        command
            .env("DATABASE_URL", &self.database_url)
            .env("DOORMAN_MIGRATE", "true")
            .env("DOORMAN_ACCESS_TOKEN_PRIVATE_KEY_FILE", &self.key_file)
            .env("DOORMAN_BIND_ADDRESS", format!("127.0.0.1:{}", self.port))
            .env("DOORMAN_ARGON2_MEMORY_KIB", "1024")
            .env("DOORMAN_ARGON2_ITERATIONS", "1")
            .env("DOORMAN_REGISTRATIONS_PER_IP", "1000000")
            .env("DOORMAN_LOGIN_MAX_FAILURES_PER_ACCOUNT", "1000000")
            .env("DOORMAN_LOGIN_MAX_FAILURES_PER_IP", "1000000")
            .env("DOORMAN_SHUTDOWN_TIMEOUT_SECS", "5");
        command
    }

    /// A fresh signing key in `key_file`, readable by this account only.
    pub(super) fn keygen(&self) -> anyhow::Result<()> {
        interrupt::check()?;
        let mut keygen = Command::new(&self.doorman);
        keygen.arg("keygen");
        signing_key::write_new(keygen, &self.key_file)
    }

    /// Starts the service, in a process group of its own so that Ctrl-C
    /// reaches this task, which stops it in order; its output goes to `log`.
    pub(super) fn start(&self, log: &Path) -> anyhow::Result<RunningServer> {
        interrupt::check()?;
        let output =
            fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
        let child = self
            .command()
            .stdin(Stdio::null())
            .stdout(output.try_clone()?)
            .stderr(output)
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start {}", self.doorman.display()))?;
        eprintln!(
            "xtask: the service listens on 127.0.0.1:{} (log: {})",
            self.port,
            log.display()
        );
        Ok(RunningServer {
            child,
            log: log.to_path_buf(),
        })
    }

    /// `doorman admin create`, the password from the environment.
    pub(super) fn create_admin(&self, account: &Account) -> anyhow::Result<()> {
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

/// The running service, stopped when dropped.
pub(super) struct RunningServer {
    pub(super) child: Child,
    pub(super) log: PathBuf,
}

impl RunningServer {
    /// Waits until `/readyz` answers 200, failing when the service exits or
    /// takes longer than [`READY_TIMEOUT`].
    pub(super) fn wait_until_ready(&mut self, port: u16) -> anyhow::Result<()> {
        let client = Client { port };
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            interrupt::check()?;
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the service exited ({status}) before it was ready\n{}",
                    self.log_tail()
                );
            }
            if client
                .request("GET", "/readyz", None)
                .is_ok_and(|(status, _)| status == 200)
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                bail!(
                    "the service did not answer /readyz with 200 within {}s\n{}",
                    READY_TIMEOUT.as_secs(),
                    self.log_tail()
                );
            }
            sleep(Duration::from_millis(100));
        }
    }

    pub(super) fn log_tail(&self) -> String {
        let log = fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        format!(
            "--- {} (last lines) ---\n{}",
            self.log.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
    }
}

impl Drop for RunningServer {
    /// SIGTERM, then SIGKILL if the service has not stopped in time.
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        if let Ok(pid) = i32::try_from(self.child.id()) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                eprintln!("xtask: stopped the service");
                return;
            }
            sleep(Duration::from_millis(50));
        }
        eprintln!("xtask: the service did not stop in time: killing it");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
