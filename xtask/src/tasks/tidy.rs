//! `cargo xtask tidy`: the dependency rule of the architecture, checked
//! over the real dependency graph; and no test file left out of its test
//! binary.

use std::fs;
use std::path::Path;
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
    let mut violations = orphan_test_files()?;
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
        eprintln!("xtask: the dependency rules hold and every test file is compiled");
        Ok(ExitCode::SUCCESS)
    } else {
        bail!("the workspace is not tidy:\n  {}", violations.join("\n  "))
    }
}

/// Files of a test binary (`crates/*/tests/<binary>/`) that its `main.rs`
/// does not declare as a module: the compiler ignores them silently, and
/// their tests would never run.
fn orphan_test_files() -> anyhow::Result<Vec<String>> {
    let mut orphans = Vec::new();
    let crates = workspace::root().join("crates");
    for krate in read_dir(&crates)? {
        let tests = krate.join("tests");
        if !tests.is_dir() {
            continue;
        }
        for binary in read_dir(&tests)? {
            let main = binary.join("main.rs");
            let Ok(declared) = fs::read_to_string(&main) else {
                continue;
            };
            for file in read_dir(&binary)? {
                let Some(name) = file
                    .file_name()
                    .and_then(|name| name.to_str())
                    .and_then(|name| name.strip_suffix(".rs"))
                else {
                    continue;
                };
                if name != "main"
                    && !declared
                        .lines()
                        .any(|line| line.trim() == format!("mod {name};"))
                {
                    orphans.push(format!(
                        "{} is not a module of {}",
                        file.display(),
                        main.display()
                    ));
                }
            }
        }
    }
    Ok(orphans)
}

fn read_dir(dir: &Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut entries = fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("cannot read {}", dir.display()))?;
    entries.sort();
    Ok(entries)
}
