//! Prints the median time, in seconds, of one argon2id verification on
//! one thread: the limit of sign-ins per core. The costs come from
//! `ARGON2_MEMORY_KIB`, `ARGON2_ITERATIONS` and `ARGON2_PARALLELISM`.
//!
//! A verification is a hash of the presented password compared with the
//! stored one; the hash is the whole of its cost. Its memory is allocated
//! once and reused, so that the figure is argon2's work and not the
//! kernel's zeroing of fresh pages.

use std::env;
use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::Context;
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Untimed hashes first, then the timed ones.
const WARM_UP: usize = 3;
const TIMED: usize = 21;

fn cost(name: &str) -> anyhow::Result<u32> {
    let value = env::var(name).with_context(|| format!("{name} is not set"))?;
    value
        .parse()
        .with_context(|| format!("{name} is not a number: {value:?}"))
}

fn main() -> anyhow::Result<()> {
    let params = Params::new(
        cost("ARGON2_MEMORY_KIB")?,
        cost("ARGON2_ITERATIONS")?,
        cost("ARGON2_PARALLELISM")?,
        Some(32),
    )
    .map_err(|error| anyhow::anyhow!("invalid argon2 costs: {error}"))?;
    let mut memory = vec![Block::default(); params.block_count()];
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut output = [0_u8; 32];
    let mut times: Vec<Duration> = Vec::with_capacity(TIMED);
    for round in 0..WARM_UP + TIMED {
        let started = Instant::now();
        argon2
            .hash_password_into_with_memory(
                black_box(b"correct horse battery staple"),
                b"a sixteen-byte s",
                &mut output,
                &mut memory,
            )
            .map_err(|error| anyhow::anyhow!("argon2 failed: {error}"))?;
        black_box(&output);
        if round >= WARM_UP {
            times.push(started.elapsed());
        }
    }
    times.sort();
    let median = times[TIMED / 2];
    #[allow(clippy::print_stdout, reason = "the figure is the program's output")]
    {
        println!("{:.6}", median.as_secs_f64());
    }
    Ok(())
}
