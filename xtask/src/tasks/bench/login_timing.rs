//! `cargo xtask bench login-timing`: whether a refused sign-in takes as
//! long for an unknown address as for a wrong password.

use std::process::ExitCode;

use super::estimates::{criterion_home, median, ms, run_criterion, verdict};
use crate::interrupt;
use crate::postgres::TestPostgres;

const GROUP: &str = "login_timing";
/// The most the two medians may differ, relative to the wrong-password one.
const TOLERANCE: f64 = 0.10;

pub fn run() -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    let postgres = TestPostgres::start()?;
    let status = run_criterion(&postgres, "server", "login_timing")?;
    if !status.success() {
        return Ok(crate::tasks::exit_code(status));
    }
    let unknown = median(GROUP, "unknown_email")?;
    let wrong = median(GROUP, "wrong_password")?;
    let ratio = unknown.as_secs_f64() / wrong.as_secs_f64();
    let ok = (ratio - 1.0).abs() <= TOLERANCE;
    println!();
    println!(
        "Refused sign-in through HTTP, default argon2 cost (criterion medians, {})",
        criterion_home().display()
    );
    println!("  unknown email   {:>9}", ms(unknown));
    println!("  wrong password  {:>9}", ms(wrong));
    println!(
        "  unknown/wrong = {ratio:.3}   target within {:.0}%  {}",
        TOLERANCE * 100.0,
        verdict(ok)
    );
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
