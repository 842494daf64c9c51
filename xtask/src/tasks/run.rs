//! `cargo xtask run`: the service in the foreground, on DATABASE_URL or on
//! a local cluster kept under `target/`.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::postgres::{self, Cluster, ClusterOwner, PgBinaries, Tuning};
use crate::{interrupt, signing_key, workspace};

const DATABASE: &str = "doorman";
const KEY_VARIABLES: [&str; 2] = [
    "DOORMAN_ACCESS_TOKEN_PRIVATE_KEY",
    "DOORMAN_ACCESS_TOKEN_PRIVATE_KEY_FILE",
];

/// The flag that adds a streaming replica of the local cluster.
const WITH_REPLICA: &str = "--replica";

pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    let with_replica = args.first().is_some_and(|arg| arg == WITH_REPLICA);
    let server_args = if with_replica { &args[1..] } else { args };
    let mut server = workspace::cargo();
    server.args(["run", "--locked", "--package", "server", "--"]);
    server.env("DOORMAN_MIGRATE", "true").args(server_args);
    // Ctrl-C stops a developer's service at once: no balancer is in front
    // to notice a drain.
    if env::var_os("DOORMAN_SHUTDOWN_DELAY_MS").is_none() {
        server.env("DOORMAN_SHUTDOWN_DELAY_MS", "0");
    }
    // Declared before the guards so that the clusters outlive the server,
    // the primary the replica.
    let cluster;
    let _stop_on_exit;
    let replica;
    let _stop_replica_on_exit;
    if env::var_os("DATABASE_URL").is_some() {
        if with_replica {
            bail!("`cargo xtask run --replica` replicates the local cluster: unset DATABASE_URL");
        }
        eprintln!("xtask: using DATABASE_URL");
    } else {
        cluster = development_cluster()?;
        _stop_on_exit = start_unless_running(&cluster, "PostgreSQL cluster")?;
        cluster.ensure_database(DATABASE)?;
        let url = cluster.url(DATABASE);
        eprintln!("xtask: database {url}\nxtask:   (psql '{url}')");
        server.env("DATABASE_URL", url);
        if with_replica {
            replica = cluster.replica(cluster.root().join("replica"), "")?;
            _stop_replica_on_exit = start_unless_running(&replica, "replica")?;
            let url = replica.url(DATABASE);
            eprintln!("xtask: replica {url}\nxtask:   (psql '{url}')");
            server.env("DOORMAN_DB_REPLICA_URL", url);
        }
    }
    if KEY_VARIABLES.iter().all(|name| env::var_os(name).is_none()) {
        server.env(KEY_VARIABLES[1], development_signing_key()?);
    }
    let status = interrupt::run_in_own_group(&mut server)?;
    Ok(super::exit_code(status))
}

/// Starts `cluster` unless it runs already: what stops it on exit if it
/// was started here.
fn start_unless_running<'a>(
    cluster: &'a Cluster,
    what: &'a str,
) -> anyhow::Result<Option<StopOnExit<'a>>> {
    if cluster.is_running() {
        eprintln!("xtask: reusing the {what} in {}", cluster.root().display());
        return Ok(None);
    }
    cluster.start()?;
    eprintln!("xtask: started the {what} in {}", cluster.root().display());
    Ok(Some(StopOnExit(cluster, what)))
}

/// The developer's cluster under `target/postgres`, created on first use.
fn development_cluster() -> anyhow::Result<Cluster> {
    let binaries = PgBinaries::discover()?;
    let owner = ClusterOwner::detect()?;
    let root = cluster_root(&owner)?;
    let cluster = Cluster::new(root, binaries, owner);
    if !cluster.is_initialized() {
        eprintln!(
            "xtask: creating a PostgreSQL cluster in {}",
            cluster.root().display()
        );
        cluster.init(Tuning::Development)?;
    }
    interrupt::check()?;
    Ok(cluster)
}

/// `target/postgres`, unless the cluster's account cannot reach it (root
/// building in `/root`): then a directory of that account's own.
fn cluster_root(owner: &ClusterOwner) -> anyhow::Result<PathBuf> {
    let preferred = workspace::target_dir().join("postgres");
    fs::create_dir_all(&preferred)
        .with_context(|| format!("cannot create {}", preferred.display()))?;
    owner.take_ownership(&preferred)?;
    if owner.can_write(&preferred) {
        return Ok(preferred);
    }
    let fallback = Path::new("/var/tmp").join(format!(
        "doorman-postgres-{:016x}",
        postgres::path_hash(&preferred)
    ));
    fs::create_dir_all(&fallback)
        .with_context(|| format!("cannot create {}", fallback.display()))?;
    owner.take_ownership(&fallback)?;
    if !owner.can_write(&fallback) {
        bail!(
            "the cluster's account can write neither {} nor {}",
            preferred.display(),
            fallback.display()
        );
    }
    Ok(fallback)
}

/// A signing key for local runs, made once and kept under `target/`.
fn development_signing_key() -> anyhow::Result<PathBuf> {
    let path = workspace::target_dir()
        .join("dev")
        .join("access-token-ed25519.pem");
    if path.is_file() {
        return Ok(path);
    }
    eprintln!(
        "xtask: generating a development signing key in {}",
        path.display()
    );
    fs::create_dir_all(path.parent().context("key path has a parent")?)?;
    let mut keygen = workspace::cargo();
    keygen.args([
        "run",
        "--quiet",
        "--locked",
        "--package",
        "server",
        "--",
        "keygen",
    ]);
    signing_key::write_new(keygen, &path)?;
    Ok(path)
}

/// A cluster started here and what the messages call it.
struct StopOnExit<'a>(&'a Cluster, &'a str);

impl Drop for StopOnExit<'_> {
    fn drop(&mut self) {
        match self.0.stop() {
            Ok(()) => eprintln!("xtask: stopped the {} (its data is kept)", self.1),
            Err(error) => eprintln!("xtask: {error:#}"),
        }
    }
}
