use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::bail;

const REQUIRED: [&str; 4] = ["initdb", "pg_ctl", "postgres", "psql"];

/// A directory holding the PostgreSQL server programs.
#[derive(Debug, Clone)]
pub struct PgBinaries {
    dir: PathBuf,
}

impl PgBinaries {
    /// Finds the server programs: `$PG_BIN`, then `pg_config --bindir`, then
    /// `PATH`, then `/usr/lib/postgresql/<newest>/bin` and other usual places.
    pub fn discover() -> anyhow::Result<Self> {
        let explicit = env::var_os("PG_BIN").map(PathBuf::from);
        if let Some(dir) = &explicit {
            if has_all_programs(dir) {
                return Ok(Self { dir: dir.clone() });
            }
            bail!(
                "PG_BIN is {} but it lacks one of: {}",
                dir.display(),
                REQUIRED.join(", ")
            );
        }
        let found = pg_config_bindir()
            .into_iter()
            .chain(env::var_os("PATH").iter().flat_map(env::split_paths))
            .chain(debian_style_dirs())
            .chain(
                [
                    "/usr/local/pgsql/bin",
                    "/opt/homebrew/bin",
                    "/usr/local/bin",
                ]
                .map(PathBuf::from),
            )
            .find(|dir| has_all_programs(dir));
        match found {
            Some(dir) => Ok(Self { dir }),
            None => bail!(
                "no PostgreSQL server binaries found (looked for {} in $PG_BIN, \
                 `pg_config --bindir`, PATH and /usr/lib/postgresql/*/bin).\n\
                 Install them, for example:\n  \
                 Debian/Ubuntu: sudo apt-get install postgresql\n  \
                 Fedora/RHEL:   sudo dnf install postgresql-server\n  \
                 macOS:         brew install postgresql@16\n\
                 or point PG_BIN at their directory, or set DATABASE_URL to a database \
                 whose role may create databases",
                REQUIRED.join(", ")
            ),
        }
    }

    /// The path of one of the programs.
    pub fn program(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

fn has_all_programs(dir: &Path) -> bool {
    REQUIRED.iter().all(|name| dir.join(name).is_file())
}

fn pg_config_bindir() -> Option<PathBuf> {
    let output = Command::new("pg_config").arg("--bindir").output().ok()?;
    output
        .status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()))
}

/// `/usr/lib/postgresql/<version>/bin`, newest version first.
fn debian_style_dirs() -> Vec<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    versions.into_iter().map(|(_, dir)| dir).collect()
}
