//! Where the workspace is and how to call cargo in it.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use anyhow::Context as _;

/// The workspace's top-level directory.
///
/// Read from what `cargo run` says at run time before what it said at
/// build time: clones that share a target directory share this binary,
/// and it must work on the clone it was run from, not the one that last
/// built it.
pub fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let manifest_dir = env::var_os("CARGO_MANIFEST_DIR")
            .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
        manifest_dir
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    })
}

/// The cargo target directory, honouring `CARGO_TARGET_DIR`.
pub fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// `name` under the target directory, emptied (or made) for a task's
/// logs, configuration and data.
pub fn fresh_dir(name: &str) -> anyhow::Result<PathBuf> {
    let dir = target_dir().join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("cannot empty {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// The paths of what `dir` holds, sorted.
pub fn entries(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("cannot read {}", dir.display()))?;
    entries.sort();
    Ok(entries)
}

/// The name of the file at `path`, when it is text.
pub fn file_name(path: &Path) -> Option<&str> {
    path.file_name()?.to_str()
}

/// The cargo that runs this task, in the workspace's root.
pub fn cargo() -> Command {
    let mut command = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root());
    command
}

/// `name` in a directory of PATH, or else in `package_dir`, where its
/// Debian package puts it.
pub fn find_program(name: &str, package_dir: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from(package_dir)])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}
