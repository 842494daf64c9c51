//! A server that a task starts in the background and stops when done:
//! the service, or Prometheus.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::{Client, READY_TIMEOUT, STOP_TIMEOUT};
use crate::interrupt;

/// A running server, stopped when dropped.
pub struct RunningServer {
    /// What the messages call it.
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl RunningServer {
    /// Starts `command` in a process group of its own, so that Ctrl-C
    /// reaches this task, which stops it in order; its output goes to
    /// `log`.
    pub fn start(name: &'static str, command: &mut Command, log: &Path) -> anyhow::Result<Self> {
        interrupt::check()?;
        let output =
            fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(output.try_clone()?)
            .stderr(output)
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start {}", command.get_program().display()))?;
        Ok(Self {
            name,
            child,
            log: log.to_path_buf(),
        })
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until `path` on `port` answers 200, failing when the server
    /// exits or takes longer than [`READY_TIMEOUT`].
    pub fn wait_until_ready(&mut self, port: u16, path: &str) -> anyhow::Result<()> {
        let client = Client::new(port);
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            interrupt::check()?;
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "{} exited ({status}) before it was ready\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            if client
                .request("GET", path, None)
                .is_ok_and(|(status, _)| status == 200)
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                bail!(
                    "{} did not answer {path} with 200 within {}s\n{}",
                    self.name,
                    READY_TIMEOUT.as_secs(),
                    self.log_tail()
                );
            }
            sleep(Duration::from_millis(100));
        }
    }

    /// Whether the server has exited, and how.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(format!("{} exited ({status})", self.name)),
            Ok(None) => None,
            Err(error) => Some(format!("cannot tell whether {} runs: {error}", self.name)),
        }
    }

    pub fn log_tail(&self) -> String {
        let log = fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        format!(
            "--- {} (last lines) ---\n{}",
            self.log.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
    }

    /// Sends SIGTERM, as an orchestrator does to stop a server.
    pub fn terminate(&self) -> anyhow::Result<()> {
        let pid = i32::try_from(self.child.id()).context("a process id out of range")?;
        kill(Pid::from_raw(pid), Signal::SIGTERM)
            .with_context(|| format!("cannot send SIGTERM to {}", self.name))
    }

    /// Waits for the server to exit, for at most [`STOP_TIMEOUT`], and
    /// fails unless it exited well.
    pub fn wait_for_exit(&mut self) -> anyhow::Result<()> {
        match self.exit_status(Instant::now() + STOP_TIMEOUT)? {
            Some(status) if status.success() => Ok(()),
            Some(status) => bail!("{} exited ({status})\n{}", self.name, self.log_tail()),
            None => bail!(
                "{} did not stop within {}s\n{}",
                self.name,
                STOP_TIMEOUT.as_secs(),
                self.log_tail()
            ),
        }
    }

    /// How the server exited, or `None` if it still runs at `deadline`.
    fn exit_status(&mut self, deadline: Instant) -> anyhow::Result<Option<ExitStatus>> {
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(Some(status));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RunningServer {
    /// SIGTERM, then SIGKILL if the server has not stopped in time.
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = self.terminate();
        if let Ok(Some(_)) = self.exit_status(Instant::now() + STOP_TIMEOUT) {
            eprintln!("xtask: stopped {}", self.name);
            return;
        }
        eprintln!("xtask: {} did not stop in time: killing it", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
