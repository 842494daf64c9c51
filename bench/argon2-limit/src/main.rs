//! Prints the median time, in seconds, of one argon2id verification on
//! one thread (the limit of sign-ins per core), then how many verifications
//! per second one thread per core makes at once (what the cores really
//! give, when they share caches or are hyperthreads of one another). The
//! costs come from `ARGON2_MEMORY_KIB`, `ARGON2_ITERATIONS` and
//! `ARGON2_PARALLELISM`.
//!
//! The implementation is `argon2-rust`, the fastest of those tried for
//! Rust on this kind of machine (against `argon2`, `rust-argon2`, `dryoc`,
//! libsodium and the reference C through `argon2-kdf` and `argon2-sys`):
//! SIMD chosen at run time, and an arena allocated once and reused, so that
//! the figure is argon2's work and not the kernel's zeroing of fresh pages.

use std::env;
use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::Context;
use argon2_rust::params::Memory;
use argon2_rust::{Algorithm, Argon2, Params, Version};

/// Untimed hashes first, then the timed ones.
const WARM_UP: usize = 3;
const TIMED: usize = 21;
/// How long every core verifies at once.
const TOGETHER: Duration = Duration::from_secs(3);
const PASSWORD: &[u8] = b"correct horse battery staple";

fn cost(name: &str) -> anyhow::Result<u32> {
    let value = env::var(name).with_context(|| format!("{name} is not set"))?;
    value
        .parse()
        .with_context(|| format!("{name} is not a number: {value:?}"))
}

fn main() -> anyhow::Result<()> {
    let params = Params::builder()
        .memory(Memory::kib(u64::from(cost("ARGON2_MEMORY_KIB")?)))
        .passes(cost("ARGON2_ITERATIONS")?)
        .lanes(cost("ARGON2_PARALLELISM")?)
        .build()
        .map_err(|error| anyhow::anyhow!("invalid argon2 costs: {error}"))?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let stored = argon2
        .hash_encoded(PASSWORD, b"a sixteen-byte s")
        .map_err(|error| anyhow::anyhow!("argon2 failed: {error}"))?;
    let mut hasher = argon2.hasher();
    let mut times: Vec<Duration> = Vec::with_capacity(TIMED);
    for round in 0..WARM_UP + TIMED {
        let started = Instant::now();
        verify(&mut hasher, &stored)?;
        if round >= WARM_UP {
            times.push(started.elapsed());
        }
    }
    times.sort();
    let median = times[TIMED / 2];

    let cores = thread::available_parallelism().map_or(1, usize::from);
    let verified: usize = thread::scope(|scope| {
        let threads: Vec<_> = (0..cores)
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<usize> {
                    let mut hasher = argon2.hasher();
                    let until = Instant::now() + TOGETHER;
                    let mut count = 0;
                    while Instant::now() < until {
                        verify(&mut hasher, &stored)?;
                        count += 1;
                    }
                    Ok(count)
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|thread| {
                thread
                    .join()
                    .map_err(|_| anyhow::anyhow!("a thread panicked"))?
            })
            .sum::<anyhow::Result<usize>>()
    })?;
    #[allow(clippy::print_stdout, reason = "the figures are the program's output")]
    {
        println!(
            "{:.6} {:.1}",
            median.as_secs_f64(),
            verified as f64 / TOGETHER.as_secs_f64()
        );
    }
    Ok(())
}

fn verify(hasher: &mut argon2_rust::Hasher, stored: &str) -> anyhow::Result<()> {
    hasher
        .verify_encoded(black_box(stored), black_box(PASSWORD), Algorithm::Argon2id)
        .map_err(|error| anyhow::anyhow!("argon2 failed: {error}"))
}
