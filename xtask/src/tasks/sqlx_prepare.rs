//! `cargo xtask sqlx-prepare`: refreshes `.sqlx/`, the query data that
//! lets the workspace build without a database.

use std::process::{ExitCode, Stdio};

use anyhow::bail;

use crate::postgres::ScratchCluster;
use crate::{interrupt, workspace};

const DATABASE: &str = "doorman_prepare";

pub fn run() -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    let has_sqlx_cli = workspace::cargo()
        .args(["sqlx", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !has_sqlx_cli {
        bail!(
            "sqlx-cli is not installed; install it with\n  \
             cargo install sqlx-cli --version 0.9.0 --no-default-features --features postgres,rustls"
        );
    }
    let scratch = ScratchCluster::start()?;
    scratch.cluster().ensure_database(DATABASE)?;
    let url = scratch.cluster().url(DATABASE);
    for args in [
        &["sqlx", "migrate", "run", "--source", "migrations"][..],
        &[
            "sqlx",
            "prepare",
            "--workspace",
            "--",
            "--all-targets",
            "--all-features",
        ][..],
    ] {
        let status = interrupt::run_in_own_group(
            workspace::cargo()
                .args(args)
                .env("DATABASE_URL", &url)
                .env("SQLX_OFFLINE", "false"),
        )?;
        if !status.success() {
            return Ok(super::exit_code(status));
        }
    }
    Ok(ExitCode::SUCCESS)
}
