//! PgBouncer in transaction mode in front of a PostgreSQL server, for the
//! black-box suite's pass through a pooler and for the load bench. It
//! refuses start-up parameters it does not know; for the tests it also
//! discards a server connection's state after every transaction
//! ([`Resets::AfterEveryTransaction`]), so that a statement sent outside a
//! transaction loses its prepared statement and fails.

use std::fs;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use url::Url;

use super::ClusterOwner;
use crate::service::{RunningServer, free_port};
use crate::workspace;

/// Where Debian's package puts it, for when `/usr/sbin` is not on PATH.
const PACKAGE_DIR: &str = "/usr/sbin";
/// How long PgBouncer may take to listen.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);

/// PgBouncer as installed: the program and its version.
pub struct PgBouncer {
    program: PathBuf,
    pub version: String,
}

/// Whether PgBouncer resets a server connection after each transaction.
#[derive(Debug, Clone, Copy)]
pub enum Resets {
    /// `server_reset_query_always`: what the tests need to catch a
    /// statement outside a transaction, at a cost no deployment pays.
    AfterEveryTransaction,
    /// As `deploy/pgbouncer/pgbouncer.ini` has it: no reset in
    /// transaction mode.
    AsDeployed,
}

/// A running PgBouncer, stopped and its files removed when dropped.
pub struct Pooler {
    _server: RunningServer,
    work: PathBuf,
    /// A URL through it, of the database the server's URL named; any other
    /// database of that server is reached by changing the path.
    pub url: String,
}

/// Where PgBouncer sends its connections.
struct Target {
    host: String,
    port: u16,
    user: String,
    password: String,
}

impl PgBouncer {
    /// The program, or a failure saying how to install it.
    pub fn find() -> anyhow::Result<Self> {
        let program = workspace::find_program("pgbouncer", PACKAGE_DIR).with_context(|| {
            format!(
                "pgbouncer is not installed, on PATH or in {PACKAGE_DIR}: \
                 `apt-get install pgbouncer`"
            )
        })?;
        let output = Command::new(&program)
            .arg("--version")
            .output()
            .with_context(|| format!("cannot run {} --version", program.display()))?;
        // `PgBouncer 1.18.0` on the first line.
        let version = String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .unwrap_or("PgBouncer (unknown version)")
            .to_owned();
        Ok(Self { program, version })
    }

    /// Starts PgBouncer as `owner` in front of the server of `server_url`,
    /// with `pool_size` server connections per database and role, and waits
    /// until it listens.
    pub fn start(
        &self,
        server_url: &str,
        owner: &ClusterOwner,
        pool_size: u32,
        resets: Resets,
    ) -> anyhow::Result<Pooler> {
        let target = Target::of(server_url)?;
        let work = std::env::temp_dir().join(format!("doorman-pgbouncer-{}", std::process::id()));
        fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
        owner.take_ownership(&work)?;
        let port = free_port()?;
        let users = work.join("users.txt");
        fs::write(
            &users,
            format!("\"{}\" \"{}\"\n", target.user, target.password),
        )
        .with_context(|| format!("cannot write {}", users.display()))?;
        let config = work.join("pgbouncer.ini");
        fs::write(
            &config,
            configuration(&target, port, &users, pool_size, resets),
        )
        .with_context(|| format!("cannot write {}", config.display()))?;
        for file in [&users, &config] {
            owner.take_ownership(file)?;
        }
        let mut command = owner.command(&self.program, &work);
        command.arg(&config);
        let server = RunningServer::start("pgbouncer", &mut command, &work.join("pgbouncer.log"))?;
        let mut url = Url::parse(server_url).context("the server's URL is not a URL")?;
        url.set_query(None);
        url.set_host(Some("127.0.0.1"))
            .context("the server's URL takes no host")?;
        let _ = url.set_port(Some(port));
        let _ = url.set_password(None);
        let pooler = Pooler {
            _server: server,
            work,
            url: url.into(),
        };
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() >= deadline {
                bail!(
                    "PgBouncer did not listen on port {port} within {}s",
                    STARTUP_TIMEOUT.as_secs()
                );
            }
            sleep(Duration::from_millis(20));
        }
        Ok(pooler)
    }
}

impl Drop for Pooler {
    fn drop(&mut self) {
        if let Err(error) = fs::remove_dir_all(&self.work) {
            eprintln!("xtask: cannot remove {}: {error}", self.work.display());
        }
    }
}

impl Target {
    /// The server, role and password of a `postgres://` URL; a Unix socket's
    /// directory may be its `host` parameter.
    fn of(server_url: &str) -> anyhow::Result<Self> {
        let url = Url::parse(server_url).context("DATABASE_URL is not a URL")?;
        let parameter = |name: &str| {
            url.query_pairs()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
        };
        let host = parameter("host")
            .or_else(|| url.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".to_owned());
        let port = match parameter("port") {
            Some(port) => port.parse().context("the URL's port is not a number")?,
            None => url.port().unwrap_or(5432),
        };
        let user = match url.username() {
            "" => "postgres".to_owned(),
            user => percent_decoded(user),
        };
        Ok(Self {
            host,
            port,
            user,
            password: url.password().map(percent_decoded).unwrap_or_default(),
        })
    }
}

/// A URL's user or password as written before it was percent-encoded.
fn percent_decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Every database of the server, each with its own pool of `pool_size`;
/// clients are trusted (it listens on 127.0.0.1 only) and PgBouncer logs in
/// as they do.
fn configuration(
    target: &Target,
    port: u16,
    users: &Path,
    pool_size: u32,
    resets: Resets,
) -> String {
    let resets = match resets {
        Resets::AfterEveryTransaction => {
            "server_reset_query = DISCARD ALL\nserver_reset_query_always = 1\n"
        }
        Resets::AsDeployed => "",
    };
    format!(
        "[databases]
* = host={host} port={server_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {users}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 4096
{resets}server_idle_timeout = 10
query_wait_timeout = 20
log_connections = 0
log_disconnections = 0
",
        host = target.host,
        server_port = target.port,
        users = users.display(),
    )
}
