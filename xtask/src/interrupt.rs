//! Ctrl-C and termination: forwarded to the child task so that it can stop
//! cleanly, while this process lives on to remove what it started.

use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};

use anyhow::Context;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

static CHILD_GROUP: AtomicI32 = AtomicI32::new(0);
static SIGNALS: AtomicU32 = AtomicU32::new(0);

/// Catches SIGINT, SIGTERM and SIGHUP from now on.
pub fn install() -> anyhow::Result<()> {
    ctrlc::set_handler(|| {
        let received = SIGNALS.fetch_add(1, Ordering::SeqCst) + 1;
        forward(if received == 1 {
            Signal::SIGINT
        } else {
            Signal::SIGKILL
        });
    })
    .context("cannot install the signal handler")
}

/// Whether a signal asked this task to stop.
pub fn interrupted() -> bool {
    SIGNALS.load(Ordering::SeqCst) > 0
}

/// Fails when a signal asked this task to stop, so that set-up goes no
/// further and the guards already built clean up.
pub fn check() -> anyhow::Result<()> {
    if interrupted() {
        anyhow::bail!("interrupted");
    }
    Ok(())
}

/// Runs a command in a process group of its own and waits for it.
///
/// The first signal this task receives is passed on as SIGINT to the whole
/// group (cargo and the processes it started), a second one as SIGKILL.
pub fn run_in_own_group(command: &mut Command) -> anyhow::Result<ExitStatus> {
    check()?;
    let mut child = {
        use std::os::unix::process::CommandExt;
        command.process_group(0).spawn()
    }
    .with_context(|| format!("cannot start {command:?}"))?;
    let group = i32::try_from(child.id()).context("process id out of range")?;
    CHILD_GROUP.store(group, Ordering::SeqCst);
    if interrupted() {
        forward(Signal::SIGINT);
    }
    let status = child.wait();
    CHILD_GROUP.store(0, Ordering::SeqCst);
    status.with_context(|| format!("cannot wait for {command:?}"))
}

fn forward(signal: Signal) {
    let group = CHILD_GROUP.load(Ordering::SeqCst);
    if group > 0 {
        // The group may have exited in the meantime; nothing is left to stop then.
        let _ = killpg(Pid::from_raw(group), signal);
    }
}
