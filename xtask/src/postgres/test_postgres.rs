use std::env;
use std::path::Path;
use std::process::Command;

use super::ScratchCluster;
use crate::workspace;

const DATABASE: &str = "doorman_test";

/// The PostgreSQL that database tests and benchmarks run against:
/// `DATABASE_URL` when it is set, else a throw-away cluster tuned for tests,
/// stopped and removed when this is dropped.
#[derive(Debug)]
pub struct TestPostgres {
    _scratch: Option<ScratchCluster>,
    url: String,
}

impl TestPostgres {
    pub fn start() -> anyhow::Result<Self> {
        if let Ok(url) = env::var("DATABASE_URL") {
            eprintln!("xtask: testing against DATABASE_URL");
            return Ok(Self {
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
            _scratch: Some(scratch),
            url,
        })
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
