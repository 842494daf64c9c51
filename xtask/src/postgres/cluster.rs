use std::fmt::Write as _;
use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use anyhow::{Context, bail};

use super::{ClusterOwner, PgBinaries};

/// The superuser that `initdb` creates and every client connects as.
const SUPERUSER: &str = "doorman";
/// Only names the socket file: the cluster listens on no TCP port.
const PORT: u16 = 5432;
/// Unix socket paths are limited to 107 bytes on Linux.
const MAX_SOCKET_DIR_LEN: usize = 90;

/// A throw-away cluster for tests, tuned for creating, using and dropping
/// many small databases at once.
const TEST_SETTINGS: &str = "\
# Nothing in it needs to survive a crash.
fsync = off
synchronous_commit = off
full_page_writes = off
# Every test thread holds a few connections (a service's pool and its own),
# besides the harness's pools, and CI may run more threads than cores.
max_connections = 300
# Test data is tiny, while dropping a database and cloning one by file copy
# scan every shared buffer.
shared_buffers = 32MB
# Test databases live for milliseconds: vacuuming them only competes with
# the tests.
autovacuum = off
";

/// A throw-away cluster under load: PostgreSQL's durability, so that a
/// commit waits for its flush to disk, and room for the pools of every server that a benchmark runs side by side.
const LOAD_SETTINGS: &str = "\
max_connections = 300
";

/// How a cluster is configured.
#[derive(Debug, Clone, Copy)]
pub enum Tuning {
    /// PostgreSQL's defaults: a cluster that keeps a developer's data.
    Development,
    /// Durability off and room for many parallel test connections: a
    /// throw-away cluster.
    Tests,
    /// PostgreSQL's defaults with room for many pools: a throw-away
    /// cluster whose commits are as durable as a real one's.
    Load,
}

/// A PostgreSQL cluster in a directory of its own, reached only through a
/// Unix socket in a directory private to its account.
#[derive(Debug)]
pub struct Cluster {
    root: PathBuf,
    socket_dir: PathBuf,
    binaries: PgBinaries,
    owner: ClusterOwner,
}

impl Cluster {
    pub fn new(root: PathBuf, binaries: PgBinaries, owner: ClusterOwner) -> Self {
        let socket_dir = if root.as_os_str().len() <= MAX_SOCKET_DIR_LEN {
            root.clone()
        } else {
            std::env::temp_dir().join(format!("doorman-socket-{:016x}", super::path_hash(&root)))
        };
        Self {
            root,
            socket_dir,
            binaries,
            owner,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    fn log_file(&self) -> PathBuf {
        self.root.join("postgres.log")
    }

    pub fn is_initialized(&self) -> bool {
        self.data_dir().join("PG_VERSION").is_file()
    }

    /// Creates the cluster's directories and runs `initdb`.
    pub fn init(&self, tuning: Tuning) -> anyhow::Result<()> {
        self.create_dirs()?;
        let output = self
            .tool("initdb")
            .arg("--pgdata")
            .arg(self.data_dir())
            .args([
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
            ])
            .args(["--no-locale", "--no-sync", "--no-instructions"])
            .output()
            .context("cannot run initdb")?;
        ensure_success("initdb", &output)?;
        let mut settings = format!(
            "\n# Written by `cargo xtask`.\nlisten_addresses = ''\nport = {PORT}\n\
             unix_socket_directories = '{}'\nunix_socket_permissions = 0700\n",
            self.socket_dir.display()
        );
        match tuning {
            Tuning::Development => {}
            Tuning::Tests => settings.push_str(TEST_SETTINGS),
            Tuning::Load => settings.push_str(LOAD_SETTINGS),
        }
        self.append_settings(&settings)
    }

    /// The cluster's directory and its socket's, private to its account.
    fn create_dirs(&self) -> anyhow::Result<()> {
        for dir in [&self.root, &self.socket_dir] {
            private_dir(dir)?;
            self.owner.take_ownership(dir)?;
        }
        Ok(())
    }

    /// Adds `settings` at the end of `postgresql.conf`, where they win.
    fn append_settings(&self, settings: &str) -> anyhow::Result<()> {
        let file = self.data_dir().join("postgresql.conf");
        OpenOptions::new()
            .append(true)
            .open(&file)
            .and_then(|mut open| open.write_all(settings.as_bytes()))
            .with_context(|| format!("cannot write {}", file.display()))
    }

    /// A streaming replica of this running cluster in `root`, made with
    /// `pg_basebackup --write-recovery-conf` unless it is there already,
    /// listening on a socket of its own, with the further `settings`
    /// (`postgresql.conf` lines, such as `recovery_min_apply_delay`). It
    /// is not started.
    pub fn replica(&self, root: PathBuf, settings: &str) -> anyhow::Result<Self> {
        let replica = Self::new(root, self.binaries.clone(), self.owner.clone());
        if replica.is_initialized() {
            return Ok(replica);
        }
        replica.create_dirs()?;
        let output = self
            .tool("pg_basebackup")
            .arg("--pgdata")
            .arg(replica.data_dir())
            .arg("--host")
            .arg(&self.socket_dir)
            .args(["--port", &PORT.to_string(), "--username", SUPERUSER])
            .args(["--write-recovery-conf", "--wal-method", "stream"])
            .args(["--checkpoint", "fast", "--no-sync"])
            .output()
            .context("cannot run pg_basebackup")?;
        ensure_success("pg_basebackup", &output)?;
        // The primary's settings came with the copy; later lines win.
        replica.append_settings(&format!(
            "\n# The replica's own, written by `cargo xtask`.\n\
             unix_socket_directories = '{}'\n{settings}",
            replica.socket_dir.display()
        ))?;
        Ok(replica)
    }

    /// Starts the server and waits until it accepts connections.
    pub fn start(&self) -> anyhow::Result<()> {
        let output = self
            .tool("pg_ctl")
            .arg("start")
            .arg("--pgdata")
            .arg(self.data_dir())
            .arg("--log")
            .arg(self.log_file())
            .args(["--wait", "--timeout", "60", "--silent"])
            // Keeps the server out of the terminal's process group: Ctrl-C
            // reaches this task, which stops the server in order.
            .process_group(0)
            .stdin(Stdio::null())
            .output()
            .context("cannot run pg_ctl start")?;
        if !output.status.success() {
            let log = fs::read_to_string(self.log_file()).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(15).collect();
            bail!(
                "PostgreSQL did not start: {}\n--- {} (last lines) ---\n{}",
                String::from_utf8_lossy(&output.stderr).trim(),
                self.log_file().display(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        Ok(())
    }

    pub fn is_running(&self) -> bool {
        self.tool("pg_ctl")
            .arg("status")
            .arg("--pgdata")
            .arg(self.data_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    /// Stops the server: fast (disconnecting clients), then immediate if
    /// that does not finish in time.
    pub fn stop(&self) -> anyhow::Result<()> {
        for mode in ["fast", "immediate"] {
            if !self.is_running() {
                return Ok(());
            }
            let _ = self
                .tool("pg_ctl")
                .arg("stop")
                .arg("--pgdata")
                .arg(self.data_dir())
                .args(["--mode", mode, "--wait", "--timeout", "30", "--silent"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        if self.is_running() {
            bail!("PostgreSQL in {} did not stop", self.root.display());
        }
        Ok(())
    }

    /// Stops the server, saying why when it cannot, and removes its socket
    /// directory: for a cluster whose files go next.
    pub fn shut_down(&self) {
        if let Err(error) = self.stop() {
            eprintln!("xtask: {error:#}");
        }
        self.remove_socket_dir();
    }

    /// Removes the cluster's socket directory when it lives apart.
    pub fn remove_socket_dir(&self) {
        if self.socket_dir != self.root {
            let _ = fs::remove_dir_all(&self.socket_dir);
        }
    }

    /// A connection URL for `database`, as the superuser.
    pub fn url(&self, database: &str) -> String {
        let mut host = String::new();
        for byte in self.socket_dir.as_os_str().as_encoded_bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' => {
                    host.push(char::from(*byte));
                }
                _ => {
                    let _ = write!(host, "%{byte:02X}");
                }
            }
        }
        format!("postgres://{SUPERUSER}@localhost/{database}?host={host}&port={PORT}")
    }

    /// Creates `database` unless it exists.
    pub fn ensure_database(&self, database: &str) -> anyhow::Result<()> {
        let exists = self.psql(&format!(
            "SELECT 1 FROM pg_database WHERE datname = '{database}'"
        ))?;
        if exists.trim().is_empty() {
            self.psql(&format!("CREATE DATABASE \"{database}\""))?;
        }
        Ok(())
    }

    fn psql(&self, sql: &str) -> anyhow::Result<String> {
        self.query(&self.url("postgres"), sql)
    }

    /// What `sql` returns on the database at `url`, one row a line, its
    /// columns separated by `|`.
    pub fn query(&self, url: &str, sql: &str) -> anyhow::Result<String> {
        let output = self
            .tool("psql")
            .arg(url)
            .args([
                "--no-psqlrc",
                "--tuples-only",
                "--no-align",
                "--set",
                "ON_ERROR_STOP=1",
            ])
            .args(["--command", sql])
            .output()
            .context("cannot run psql")?;
        ensure_success("psql", &output)?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// One of PostgreSQL's programs (`pgbench`, `psql`), run as the
    /// cluster's account.
    pub fn tool(&self, name: &str) -> Command {
        self.owner.command(&self.binaries.program(name), &self.root)
    }
}

/// Stops a cluster (a replica, say) when dropped, before whatever holds its
/// files is removed, and removes its socket directory.
pub struct StopOnDrop<'a>(pub &'a Cluster);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.shut_down();
    }
}

fn private_dir(dir: &Path) -> anyhow::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .with_context(|| format!("cannot restrict {}", dir.display()))
}

fn ensure_success(program: &str, output: &Output) -> anyhow::Result<()> {
    if output.status.success() {
        return Ok(());
    }
    bail!(
        "{program} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    )
}
