//! `cargo xtask tidy`: the dependency rules of the architecture, checked
//! over the real dependency graph; and no test file left out of its test
//! binary.

mod graph;
mod rules;

use std::fs;
use std::process::{ExitCode, Stdio};

use anyhow::{Context, bail};

use self::graph::Graph;
use crate::workspace;

pub fn run() -> anyhow::Result<ExitCode> {
    let mut violations = orphan_test_files()?;
    violations.extend(rules::check(&Graph::from_metadata(&metadata()?)?));
    violations.sort();
    violations.dedup();
    if violations.is_empty() {
        eprintln!(
            "xtask: every test file is compiled, and the dependency rules hold: {}",
            rules::checked()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        bail!("the workspace is not tidy:\n  {}", violations.join("\n  "))
    }
}

/// The workspace's packages and their resolved dependencies, read once for
/// every rule.
fn metadata() -> anyhow::Result<serde_json::Value> {
    let output = workspace::cargo()
        .args(["metadata", "--format-version", "1", "--locked"])
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed ({})", output.status);
    }
    serde_json::from_slice(&output.stdout).context("cargo metadata printed no JSON")
}

/// Files of a test binary (`crates/*/tests/<binary>/`) that its `main.rs`
/// does not declare as a module: the compiler ignores them silently, and
/// their tests would never run.
fn orphan_test_files() -> anyhow::Result<Vec<String>> {
    let mut orphans = Vec::new();
    let crates = workspace::root().join("crates");
    for krate in workspace::entries(&crates)? {
        let tests = krate.join("tests");
        if !tests.is_dir() {
            continue;
        }
        for binary in workspace::entries(&tests)? {
            let main = binary.join("main.rs");
            let Ok(declared) = fs::read_to_string(&main) else {
                continue;
            };
            for file in workspace::entries(&binary)? {
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
