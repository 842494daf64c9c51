use std::env;
use std::os::unix::fs::chown;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use nix::unistd::{Gid, Uid, User, geteuid};

/// The operating-system account that runs a cluster: the current one, or an
/// unprivileged one when running as root, which PostgreSQL refuses.
#[derive(Debug, Clone)]
pub enum ClusterOwner {
    CurrentUser,
    Unprivileged {
        name: String,
        uid: Uid,
        gid: Gid,
        home: PathBuf,
    },
}

impl ClusterOwner {
    /// The current user, or when that is root the account named by
    /// `XTASK_PG_USER` (default `postgres`).
    pub fn detect() -> anyhow::Result<Self> {
        if !geteuid().is_root() {
            return Ok(Self::CurrentUser);
        }
        let name = env::var("XTASK_PG_USER").unwrap_or_else(|_| "postgres".to_owned());
        let Some(user) = User::from_name(&name).context("cannot read the user database")? else {
            bail!(
                "running as root, and PostgreSQL refuses to run as root; there is no `{name}` \
                 account to run it as. Create one (`useradd --system --create-home {name}`) \
                 or name another unprivileged account in XTASK_PG_USER"
            );
        };
        if user.uid.is_root() {
            bail!("XTASK_PG_USER names `{name}`, which is root; name an unprivileged account");
        }
        Ok(Self::Unprivileged {
            name,
            uid: user.uid,
            gid: user.gid,
            home: user.dir,
        })
    }

    /// A command that runs `program` as this account, in `dir` (PostgreSQL's
    /// tools fail in a working directory their account cannot read).
    pub fn command(&self, program: &Path, dir: &Path) -> Command {
        let mut command = Command::new(program);
        command.current_dir(dir);
        if let Self::Unprivileged {
            name,
            uid,
            gid,
            home,
        } = self
        {
            command
                .uid(uid.as_raw())
                .gid(gid.as_raw())
                .env("HOME", home)
                .env("USER", name)
                .env("LOGNAME", name);
        }
        command
    }

    /// Gives `path` to this account.
    pub fn take_ownership(&self, path: &Path) -> anyhow::Result<()> {
        if let Self::Unprivileged { uid, gid, .. } = self {
            chown(path, Some(uid.as_raw()), Some(gid.as_raw())).with_context(|| {
                format!("cannot hand {} to the cluster's account", path.display())
            })?;
        }
        Ok(())
    }

    /// Whether this account can enter and write `dir`: false when a parent
    /// directory is private to another account (as `/root` is).
    pub fn can_write(&self, dir: &Path) -> bool {
        let mut command = self.command(Path::new("test"), Path::new("/"));
        command
            .args([
                "-w",
                &dir.to_string_lossy(),
                "-a",
                "-x",
                &dir.to_string_lossy(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command.status().is_ok_and(|status| status.success())
    }
}
