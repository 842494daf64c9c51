//! The resident memory of a process, read from `/proc` while it is under
//! load.

use std::fs;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use anyhow::Context;

/// How often the sampler reads the process's resident set.
const INTERVAL: Duration = Duration::from_millis(100);

/// Reads a process's resident set every [`INTERVAL`] until finished, and
/// keeps the largest.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    peak_kib: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

/// The resident set of process `pid` now, in KiB.
pub fn resident_kib(pid: u32) -> anyhow::Result<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("cannot read the status of process {pid}"))?;
    vm_rss(&status).with_context(|| format!("no VmRSS in the status of process {pid}"))
}

impl Sampler {
    pub fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak_kib = Arc::new(AtomicU64::new(0));
        let thread = thread::spawn({
            let stop = Arc::clone(&stop);
            let peak_kib = Arc::clone(&peak_kib);
            move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(kib) = resident_kib(pid) {
                        peak_kib.fetch_max(kib, Ordering::Relaxed);
                    }
                    thread::sleep(INTERVAL);
                }
            }
        });
        Self {
            stop,
            peak_kib,
            thread: Some(thread),
        }
    }

    /// The largest resident set seen, in KiB.
    pub fn finish(mut self) -> u64 {
        self.stop_thread();
        self.peak_kib.load(Ordering::Relaxed)
    }

    fn stop_thread(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop_thread();
    }
}

/// `VmRSS:     59392 kB`
fn vm_rss(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::vm_rss;

    #[test]
    fn the_resident_set_is_read_from_the_status() {
        let status = "Name:\tdoorman\nVmHWM:\t   61000 kB\nVmRSS:\t   59392 kB\nThreads:\t9\n";
        assert_eq!(vm_rss(status), Some(59392));
        assert_eq!(vm_rss("Name:\tzombie\n"), None);
    }
}
