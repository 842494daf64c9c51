//! Access-token signing keys for the service runs that xtask starts.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// Runs `keygen` (the server's `keygen` subcommand, however it is reached)
/// and writes the key it prints to `path`, a new file readable by this
/// account only.
pub fn write_new(mut keygen: Command, path: &Path) -> anyhow::Result<()> {
    let output = keygen
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run the server's keygen")?;
    if !output.status.success() {
        bail!("the server's keygen failed ({})", output.status);
    }
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut file| file.write_all(&output.stdout))
        .with_context(|| format!("cannot write {}", path.display()))
}
