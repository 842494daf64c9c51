//! Sends `GET` requests at a fixed rate over keep-alive connections and
//! prints their latencies. Unlike a closed loop (wrk), a request is due at
//! a time set in advance, and its latency runs from then: a slow answer
//! delays the requests behind it, and their wait counts, so a stall cannot
//! hide itself by holding back the load.
//!
//! Configured by the environment:
//! - `PACED_ADDRESS`: the server, such as `127.0.0.1:8080`;
//! - `PACED_PATH`: the path to request;
//! - `PACED_BEARER`: a bearer token to send, if any;
//! - `PACED_RATE`: requests per second, over all connections;
//! - `PACED_CONNECTIONS`: keep-alive connections, all driven by one
//!   thread;
//! - `PACED_SECONDS`: how long to send.
//!
//! Prints one line: requests answered, answers not 2xx, connections that
//! failed, the rate achieved, and the p50, p99 and largest latency in
//! seconds.

mod alarm;
mod driver;
mod http;
mod schedule;

use std::env;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use self::schedule::Schedule;

fn setting<T: FromStr>(name: &str) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    env::var(name)
        .with_context(|| format!("{name} is not set"))?
        .parse()
        .with_context(|| format!("{name} is not valid"))
}

fn main() -> anyhow::Result<()> {
    let address: SocketAddr = setting("PACED_ADDRESS")?;
    let path: String = setting("PACED_PATH")?;
    let rate: f64 = setting("PACED_RATE")?;
    let connections: u32 = setting("PACED_CONNECTIONS")?;
    let seconds: f64 = setting("PACED_SECONDS")?;
    if !(rate > 0.0 && connections > 0 && seconds > 0.0) {
        bail!("the rate, connections and seconds must be positive");
    }
    let authorization = env::var("PACED_BEARER")
        .map(|token| format!("Authorization: Bearer {token}\r\n"))
        .unwrap_or_default();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n{authorization}\r\n");

    let started = Instant::now() + Duration::from_millis(100);
    let length = Duration::try_from_secs_f64(seconds).context("PACED_SECONDS is too large")?;
    let schedules = (0..connections)
        .map(|index| Schedule::new(started, length, rate, connections, index))
        .collect();
    let total = driver::run(address, request.as_bytes(), schedules)?;
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies = total.latencies;
    latencies.sort_unstable();
    let quantile = |share: f64| {
        let rank = ((latencies.len() as f64 * share).ceil() as usize).saturating_sub(1);
        latencies.get(rank).map_or(0.0, Duration::as_secs_f64)
    };
    println!(
        "{} {} {} {:.1} {:.6} {:.6} {:.6}",
        latencies.len(),
        total.non_success,
        total.failures,
        latencies.len() as f64 / elapsed,
        quantile(0.5),
        quantile(0.99),
        latencies.last().map_or(0.0, Duration::as_secs_f64),
    );
    Ok(())
}
