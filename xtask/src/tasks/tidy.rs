//! `cargo xtask tidy`: the dependency rule of the architecture, checked
//! over the real dependency graph.

use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::workspace;

/// Crates that must not appear, even indirectly, in a crate's normal
/// dependencies.
const RULES: [(&str, &[&str]); 2] = [
    (
        "domain",
        &[
            "sqlx",
            "actix",
            "tokio",
            "hyper",
            "reqwest",
            "argon2",
            "jsonwebtoken",
        ],
    ),
    (
        "app",
        &[
            "sqlx",
            "actix",
            "hyper",
            "reqwest",
            "argon2",
            "jsonwebtoken",
        ],
    ),
];

pub fn run() -> anyhow::Result<ExitCode> {
    let mut violations = Vec::new();
    for (krate, banned) in RULES {
        let output = workspace::cargo()
            .args(["tree", "--locked", "--package", krate, "--edges", "normal"])
            .args(["--prefix", "none", "--format", "{p}"])
            .output()
            .context("cannot run cargo tree")?;
        if !output.status.success() {
            bail!(
                "cargo tree failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let name = line.split_whitespace().next().unwrap_or_default();
            if banned.iter().any(|prefix| name.starts_with(prefix)) {
                violations.push(format!("{krate} depends on {name}"));
            }
        }
    }
    violations.sort();
    violations.dedup();
    if violations.is_empty() {
        eprintln!("xtask: the dependency rules hold");
        Ok(ExitCode::SUCCESS)
    } else {
        bail!(
            "the dependency rules are broken:\n  {}",
            violations.join("\n  ")
        )
    }
}
