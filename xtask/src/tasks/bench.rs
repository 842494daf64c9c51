//! `cargo xtask bench <name>`: benchmarks that need a database or more
//! than `cargo bench` reports.

mod estimates;
mod instances;
mod load;
mod login_timing;
mod pooler;
mod replicas;
mod suite;
mod telemetry_overhead;
mod test_isolation;
mod wrk;

use std::process::ExitCode;

use anyhow::bail;

const BENCHMARKS: &str = "test-isolation, login-timing, telemetry-overhead, replicas, pooler, load";

pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    match args {
        [name] if name == "test-isolation" => test_isolation::run(),
        [name] if name == "login-timing" => login_timing::run(),
        [name] if name == "telemetry-overhead" => telemetry_overhead::run(),
        [name] if name == "replicas" => replicas::run(),
        [name] if name == "pooler" => pooler::run(),
        [name] if name == "load" => load::run(),
        _ => bail!("usage: cargo xtask bench <name>, where <name> is one of: {BENCHMARKS}"),
    }
}
