use std::fs;
use std::path::{Path, PathBuf};
use std::process;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use nix::errno::Errno;
use nix::sys::signal::kill;
use nix::sys::statvfs::statvfs;
use nix::unistd::Pid;

use super::{Cluster, ClusterOwner, PgBinaries, Tuning};

const PREFIX: &str = "doorman-scratch-";
/// Names the process that made a scratch cluster, so that a later run can
/// remove clusters whose maker was killed before it could.
const MAKER_FILE: &str = "maker.pid";
/// A memory-backed file system, preferred to the temporary directory: with
/// the databases that tests create and drop by the hundred, a disk file
/// system spends its time allocating and freeing inodes (ext4 slows down
/// the more files were deleted recently), and nothing here needs to
/// survive.
const IN_MEMORY: &str = "/dev/shm";
/// Room the cluster needs: its files, its write-ahead log and the
/// databases alive at once.
const MIN_FREE_BYTES: u64 = 2 << 30;

/// A throw-away cluster, in memory where possible, stopped and removed
/// when dropped: on success, on error, on panic and after Ctrl-C.
#[derive(Debug)]
pub struct ScratchCluster {
    cluster: Cluster,
}

impl ScratchCluster {
    /// Initialises and starts a cluster tuned for tests.
    pub fn start() -> anyhow::Result<Self> {
        Self::start_tuned(Tuning::Tests)
    }

    /// Initialises and starts a cluster configured by `tuning`.
    pub fn start_tuned(tuning: Tuning) -> anyhow::Result<Self> {
        let binaries = PgBinaries::discover()?;
        let owner = ClusterOwner::detect()?;
        remove_orphans(&binaries, &owner);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let root = parent_dir(tuning).join(format!("{PREFIX}{}-{nanos:x}", process::id()));
        fs::create_dir(&root).with_context(|| format!("cannot create {}", root.display()))?;
        let scratch = Self {
            cluster: Cluster::new(root, binaries, owner),
        };
        fs::write(
            scratch.cluster.root().join(MAKER_FILE),
            process::id().to_string(),
        )
        .context("cannot record the cluster's maker")?;
        scratch.cluster.init(tuning)?;
        crate::interrupt::check()?;
        scratch.cluster.start()?;
        Ok(scratch)
    }

    /// [`start`](Self::start)s a cluster with the database `name` in it,
    /// and says where.
    pub fn with_database(name: &str) -> anyhow::Result<Self> {
        Self::tuned_with_database(Tuning::Tests, name)
    }

    /// [`with_database`](Self::with_database), the cluster configured by
    /// `tuning`.
    pub fn tuned_with_database(tuning: Tuning, name: &str) -> anyhow::Result<Self> {
        let scratch = Self::start_tuned(tuning)?;
        eprintln!(
            "xtask: throw-away PostgreSQL cluster in {}",
            scratch.cluster.root().display()
        );
        scratch.cluster.ensure_database(name)?;
        Ok(scratch)
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }
}

impl Drop for ScratchCluster {
    fn drop(&mut self) {
        self.cluster.shut_down();
        if let Err(error) = fs::remove_dir_all(self.cluster.root()) {
            eprintln!(
                "xtask: cannot remove {}: {error}",
                self.cluster.root().display()
            );
        }
    }
}

/// Where scratch clusters go: a cluster under load on disk, so that its
/// commits wait for a flush as a real one's do; any other in memory when
/// there is room, else in the temporary directory.
#[allow(
    clippy::useless_conversion,
    reason = "the widths of the file system's counts differ between platforms"
)]
fn parent_dir(tuning: Tuning) -> PathBuf {
    if matches!(tuning, Tuning::Load) {
        return std::env::temp_dir();
    }
    let in_memory = Path::new(IN_MEMORY);
    let has_room = statvfs(in_memory).is_ok_and(|stats| {
        u64::from(stats.blocks_available()).saturating_mul(u64::from(stats.fragment_size()))
            >= MIN_FREE_BYTES
    });
    if has_room {
        in_memory.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// Stops and removes scratch clusters whose maker no longer runs.
fn remove_orphans(binaries: &PgBinaries, owner: &ClusterOwner) {
    let entries = [Path::new(IN_MEMORY).to_path_buf(), std::env::temp_dir()]
        .into_iter()
        .filter_map(|dir| fs::read_dir(dir).ok())
        .flatten();
    for entry in entries.flatten() {
        let path = entry.path();
        let is_scratch = entry.file_name().to_string_lossy().starts_with(PREFIX);
        if is_scratch && !maker_is_alive(&path) {
            eprintln!(
                "xtask: removing {}, left by an interrupted run",
                path.display()
            );
            drop(ScratchCluster {
                cluster: Cluster::new(path, binaries.clone(), owner.clone()),
            });
        }
    }
}

fn maker_is_alive(root: &Path) -> bool {
    let maker: Option<i32> = fs::read_to_string(root.join(MAKER_FILE))
        .ok()
        .and_then(|pid| pid.trim().parse().ok());
    // The maker writes its file right after creating the directory: a
    // directory without one is being set up now.
    maker.is_none_or(|pid| kill(Pid::from_raw(pid), None) != Err(Errno::ESRCH))
}
