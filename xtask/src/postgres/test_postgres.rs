use std::env;
use std::path::Path;
use std::process::Command;

use super::{Cluster, ScratchCluster};
use crate::workspace;

const DATABASE: &str = "doorman_test";

/// How far behind the throw-away cluster's replica replays: long enough
/// that a test reads what it has not replayed yet, short enough that the
/// test can wait for it.
const REPLICA_APPLY_DELAY: &str = "2s";

/// The PostgreSQL that database tests and benchmarks run against:
/// `DATABASE_URL` when it is set, else a throw-away cluster tuned for tests,
/// stopped and removed when this is dropped.
#[derive(Debug)]
pub struct TestPostgres {
    // Dropped first: the replica stops before its primary.
    replica: Option<Replica>,
    _scratch: Option<ScratchCluster>,
    url: String,
}

/// A streaming replica of the throw-away cluster, stopped when dropped.
#[derive(Debug)]
struct Replica {
    cluster: Cluster,
    url: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.cluster.shut_down();
    }
}

impl TestPostgres {
    pub fn start() -> anyhow::Result<Self> {
        if let Ok(url) = env::var("DATABASE_URL") {
            eprintln!("xtask: testing against DATABASE_URL");
            return Ok(Self {
                replica: None,
                _scratch: None,
                url,
            });
        }
        let scratch = ScratchCluster::start()?;
        let cluster = scratch.cluster();
        eprintln!(
            "xtask: throw-away PostgreSQL cluster in {}",
            cluster.root().display()
        );
        cluster.ensure_database(DATABASE)?;
        let url = cluster.url(DATABASE);
        Ok(Self {
            replica: None,
            _scratch: Some(scratch),
            url,
        })
    }

    /// The same, with a streaming replica of the throw-away cluster that
    /// replays [`REPLICA_APPLY_DELAY`] behind; none with `DATABASE_URL`.
    pub fn start_with_replica() -> anyhow::Result<Self> {
        let mut postgres = Self::start()?;
        let Some(scratch) = &postgres._scratch else {
            return Ok(postgres);
        };
        let primary = scratch.cluster();
        let cluster = primary.replica(
            primary.root().join("replica"),
            &format!("recovery_min_apply_delay = '{REPLICA_APPLY_DELAY}'\n"),
        )?;
        let replica = Replica {
            url: cluster.url(DATABASE),
            cluster,
        };
        replica.cluster.start()?;
        eprintln!(
            "xtask: a streaming replica of it, {REPLICA_APPLY_DELAY} behind, in {}",
            replica.cluster.root().display()
        );
        postgres.replica = Some(replica);
        Ok(postgres)
    }

    /// The replica's URL of the same database, when there is one.
    pub fn replica_url(&self) -> Option<&str> {
        self.replica.as_ref().map(|replica| replica.url.as_str())
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `cargo`, in the workspace, with the database as `DATABASE_URL` and
    /// queries checked against the committed query data rather than it.
    pub fn cargo(&self) -> Command {
        self.with_database(workspace::cargo())
    }

    /// `program`, with the database as `DATABASE_URL`.
    pub fn command(&self, program: &Path) -> Command {
        self.with_database(Command::new(program))
    }

    fn with_database(&self, mut command: Command) -> Command {
        command
            .env("DATABASE_URL", &self.url)
            .env("SQLX_OFFLINE", "true");
        command
    }
}
