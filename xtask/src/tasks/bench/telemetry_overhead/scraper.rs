//! A stand-in for Prometheus: the service's metrics fetched once a second,
//! from a thread of this task's own.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle, sleep};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::service::Client;

/// Prometheus's usual interval is longer: once a second makes any cost of
/// rendering the metrics show.
const INTERVAL: Duration = Duration::from_secs(1);
/// How often the thread looks whether it is to stop.
const TICK: Duration = Duration::from_millis(20);

/// The scraping thread, stopped when finished or dropped.
pub struct Scraper {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Scrapes>>,
}

/// How the scrapes went.
#[derive(Debug, Default)]
pub struct Scrapes {
    pub ok: u32,
    pub failed: u32,
    /// The size of the last good one.
    pub bytes: u64,
}

impl Scraper {
    /// Scrapes `GET /metrics` on `port` of 127.0.0.1 until
    /// [`finish`](Self::finish).
    pub fn start(port: u16) -> anyhow::Result<Self> {
        let stop = Arc::<AtomicBool>::default();
        let thread = thread::Builder::new()
            .name("scraper".into())
            .spawn({
                let stop = Arc::clone(&stop);
                move || scrape_until(&stop, port)
            })
            .context("cannot start the scraper")?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops scraping: how it went.
    pub fn finish(mut self) -> Scrapes {
        self.stop.store(true, Ordering::SeqCst);
        self.thread
            .take()
            .and_then(|thread| thread.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for Scraper {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn scrape_until(stop: &AtomicBool, port: u16) -> Scrapes {
    let client = Client::new(port);
    let mut scrapes = Scrapes::default();
    let mut next = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        if Instant::now() >= next {
            match client.exchange("GET", "/metrics", None) {
                Ok((200, body)) if !body.is_empty() => {
                    scrapes.ok += 1;
                    scrapes.bytes = u64::try_from(body.len()).unwrap_or(u64::MAX);
                }
                _ => scrapes.failed += 1,
            }
            next += INTERVAL;
        }
        sleep(TICK);
    }
    scrapes
}
