//! Python tools from PyPI, each in a virtual environment of its own under
//! the target directory, at the version CI was last checked with.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::workspace;

/// `program` of `package` at `version`: in the virtual environment `venv`
/// when `is_wanted` says the one there is, else installed into it anew
/// (so each tool needs a venv of its own).
pub fn tool(
    venv: &str,
    package: &str,
    version: &str,
    program: &str,
    is_wanted: impl Fn(&Path) -> bool,
) -> anyhow::Result<PathBuf> {
    let venv = workspace::target_dir().join(venv);
    let installed = venv.join("bin").join(program);
    if is_wanted(&installed) {
        return Ok(installed);
    }
    eprintln!(
        "xtask: installing {package} {version} into {}",
        venv.display()
    );
    let created = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .status()
        .is_ok_and(|status| status.success());
    if !created {
        bail!(
            "cannot create a Python virtual environment for {package}: install Python 3 and \
             its venv module (Debian: `apt-get install python3 python3-venv`)"
        );
    }
    let pip = Command::new(venv.join("bin").join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("{package}=={version}"))
        .status()
        .context("cannot run pip")?;
    if !pip.success() {
        bail!("pip could not install {package} {version}");
    }
    Ok(installed)
}

/// What `program --version` prints, trimmed, when it runs and succeeds.
pub fn version_of(program: &Path) -> Option<String> {
    let output = Command::new(program).arg("--version").output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
