//! HAProxy in front of replicas of the service, for the tasks that run
//! several: its configuration, and what its statistics say about each
//! replica and about the errors it saw.

use std::fmt::Write as _;
use std::fs;
use std::io::{Read as _, Write as _};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::service::RunningServer;
use crate::workspace;

/// Where Debian's package puts it, for when `/usr/sbin` is not on PATH.
const PACKAGE_DIR: &str = "/usr/sbin";
const BACKEND: &str = "replicas";
/// How often HAProxy checks `/readyz`, and how many answers in a row take
/// a replica out of rotation or put it back.
pub const CHECK_INTERVAL: Duration = Duration::from_millis(200);
pub const FALL: u32 = 2;
pub const RISE: u32 = 2;
/// How long HAProxy may take to start answering on its runtime API.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);

/// HAProxy as installed: the program and its version.
pub struct Haproxy {
    program: PathBuf,
    pub version: String,
}

/// A running HAProxy and the socket of its runtime API.
pub struct Balancer {
    pub server: RunningServer,
    socket: PathBuf,
    replicas: usize,
}

impl Haproxy {
    /// The program, or a failure saying how to install it.
    pub fn find() -> anyhow::Result<Self> {
        let program = workspace::find_program("haproxy", PACKAGE_DIR).with_context(|| {
            format!(
                "haproxy is not installed, on PATH or in {PACKAGE_DIR}: `apt-get install haproxy`"
            )
        })?;
        let output = Command::new(&program)
            .arg("-v")
            .output()
            .with_context(|| format!("cannot run {} -v", program.display()))?;
        // `HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/`
        let version = String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .nth(2)
            .unwrap_or("(unknown version)")
            .to_owned();
        Ok(Self { program, version })
    }

    /// Writes the configuration into `work` and starts HAProxy in the
    /// foreground, listening on `port` with `replicas` (their ports)
    /// behind it, and waits until its runtime API answers. Its files are
    /// named after `name`; its log has a line for every request when
    /// `log_requests`.
    pub fn start(
        &self,
        work: &Path,
        name: &str,
        port: u16,
        replicas: &[u16],
        log_requests: bool,
    ) -> anyhow::Result<Balancer> {
        let config = work.join(format!("{name}.cfg"));
        let socket = work.join(format!("{name}.sock"));
        fs::write(
            &config,
            configuration(port, &socket, replicas, log_requests),
        )
        .with_context(|| format!("cannot write {}", config.display()))?;
        let mut command = Command::new(&self.program);
        command.arg("-db").arg("-f").arg(&config);
        let log = work.join(format!("{name}.log"));
        let server = RunningServer::start("haproxy", &mut command, &log)?;
        let balancer = Balancer {
            server,
            socket,
            replicas: replicas.len(),
        };
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        while let Err(error) = balancer.rows() {
            if Instant::now() >= deadline {
                bail!("HAProxy's runtime API does not answer: {error:#}");
            }
            sleep(CHECK_INTERVAL / 4);
        }
        Ok(balancer)
    }
}

/// Round robin over the replicas, each checked on `/readyz`. `retries 0`:
/// HAProxy resends no request whose connection failed, so that a replica
/// that stops badly shows as a failed request rather than being hidden.
fn configuration(port: u16, socket: &Path, replicas: &[u16], log_requests: bool) -> String {
    // Warnings and state changes only, or a line for every request too.
    let level = if log_requests { "info" } else { "notice" };
    let mut config = format!(
        "global
    maxconn 4096
    log stderr format short local0 {level}
    stats socket {socket} mode 600 level user

defaults
    mode http
    log global
    option httplog
    retries 0
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 10s

frontend doorman
    bind 127.0.0.1:{port}
    default_backend {BACKEND}

backend {BACKEND}
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter {inter}ms fall {FALL} rise {RISE}
",
        inter = CHECK_INTERVAL.as_millis(),
        socket = socket.display()
    );
    for (index, replica) in replicas.iter().enumerate() {
        let _ = writeln!(
            config,
            "    server {} 127.0.0.1:{replica} check",
            replica_name(index)
        );
    }
    config
}

/// How the configuration and the statistics name the `index`-th replica.
pub fn replica_name(index: usize) -> String {
    format!("replica{}", index + 1)
}

/// One row of HAProxy's statistics, the fields this task reads.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    pub status: String,
    /// Requests that could not be sent to a replica.
    pub connection_errors: u64,
    /// Responses that broke off or never came.
    pub response_errors: u64,
    pub answers_5xx: u64,
}

impl Balancer {
    /// How many replicas are behind it.
    pub fn replicas(&self) -> usize {
        self.replicas
    }

    /// The statistics of the backend and of each replica (`show stat`).
    pub fn rows(&self) -> anyhow::Result<Vec<Row>> {
        let mut stream = UnixStream::connect(&self.socket)
            .with_context(|| format!("cannot connect to {}", self.socket.display()))?;
        stream.set_read_timeout(Some(STARTUP_TIMEOUT))?;
        stream.write_all(b"show stat\n")?;
        let mut csv = String::new();
        stream.read_to_string(&mut csv)?;
        parse(&csv)
    }

    /// Waits until HAProxy's status of `replica` is `wanted` (`UP`,
    /// `DOWN`; not `UP 1/2`, on its way down), failing after `timeout`; how
    /// long it took.
    pub fn wait_for(
        &self,
        replica: &str,
        wanted: &str,
        timeout: Duration,
    ) -> anyhow::Result<Duration> {
        let started = Instant::now();
        loop {
            let rows = self.rows()?;
            let status = rows
                .iter()
                .find(|row| row.name == replica)
                .map(|row| row.status.clone())
                .with_context(|| format!("HAProxy does not know {replica}"))?;
            if status == wanted {
                return Ok(started.elapsed());
            }
            if started.elapsed() >= timeout {
                bail!("HAProxy still sees {replica} as {status} after {timeout:?}, not {wanted}");
            }
            sleep(CHECK_INTERVAL / 4);
        }
    }
}

/// The rows of the backend in `show stat`'s CSV.
fn parse(csv: &str) -> anyhow::Result<Vec<Row>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines
        .next()
        .and_then(|line| line.strip_prefix("# "))
        .context("HAProxy's statistics have no header")?
        .split(',')
        .collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|field| *field == name)
            .with_context(|| format!("HAProxy's statistics have no {name} column"))
    };
    let (proxy, name, status) = (column("pxname")?, column("svname")?, column("status")?);
    let (econ, eresp, hrsp_5xx) = (column("econ")?, column("eresp")?, column("hrsp_5xx")?);
    let count =
        |fields: &[&str], at: usize| fields.get(at).and_then(|f| f.parse().ok()).unwrap_or(0);
    Ok(lines
        .map(|line| line.split(',').collect::<Vec<&str>>())
        .filter(|fields| fields.get(proxy) == Some(&BACKEND))
        .map(|fields| Row {
            name: fields.get(name).copied().unwrap_or_default().to_owned(),
            status: fields.get(status).copied().unwrap_or_default().to_owned(),
            connection_errors: count(&fields, econ),
            response_errors: count(&fields, eresp),
            answers_5xx: count(&fields, hrsp_5xx),
        })
        .collect())
}
