//! `cargo xtask lint-migrations`: squawk over `migrations/`, for the
//! operations that lock a busy table or break the previous release,
//! with the accepted findings of applied migrations in
//! `migrations/lint-exceptions.txt`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context as _, bail};
use serde_json::Value;

use crate::python::{self, version_of};
use crate::workspace;

/// The version CI was last checked with.
const SQUAWK_VERSION: &str = "2.70.0";
/// The PostgreSQL that the service supports.
const PG_VERSION: &str = "15";

/// Never relevant here: the migrator sets `lock_timeout`
/// (`DOORMAN_MIGRATION_LOCK_TIMEOUT_MS`) on its connection, and leaves the
/// statement timeout off on purpose (a migration may rightly take long).
const EXCLUDED_EVERYWHERE: &str = "require-lock-timeout,require-statement-timeout";

/// Not relevant to a `down` either: it undoes its `up`, and is run by an
/// operator who has stopped the release that needs what it drops.
const EXCLUDED_FROM_DOWNS: &str = "ban-drop-table,ban-drop-column,ban-drop-constraint,\
                                   require-concurrent-index-deletion,constraint-missing-not-valid";

/// One finding: file name, line, rule.
type Finding = (String, u64, String);

pub fn run() -> anyhow::Result<ExitCode> {
    let squawk = squawk()?;
    let directory = workspace::root().join("migrations");
    let mut findings = BTreeSet::new();
    for (suffix, excluded) in [
        (".up.sql", EXCLUDED_EVERYWHERE.to_owned()),
        (
            ".down.sql",
            format!("{EXCLUDED_EVERYWHERE},{EXCLUDED_FROM_DOWNS}"),
        ),
    ] {
        findings.extend(lint(&squawk, &files(&directory, suffix)?, &excluded)?);
    }
    let exceptions = exceptions(&directory.join("lint-exceptions.txt"))?;
    let unexpected: Vec<&Finding> = findings.difference(&exceptions).collect();
    let stale: Vec<&Finding> = exceptions.difference(&findings).collect();
    for (file, line, rule) in &unexpected {
        println!("migrations/{file}:{line}: {rule}");
    }
    for (file, line, rule) in &stale {
        println!("migrations/lint-exceptions.txt: {file}:{line} {rule} is no longer found");
    }
    println!(
        "xtask: squawk {SQUAWK_VERSION} (PostgreSQL {PG_VERSION}): {} findings, {} of them \
         accepted in lint-exceptions.txt; {} unexpected, {} stale exceptions",
        findings.len(),
        findings.len() - unexpected.len(),
        unexpected.len(),
        stale.len()
    );
    if unexpected.is_empty() && stale.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "xtask: fix the migration, or justify the finding with a `-- squawk-ignore <rule>` \
             comment above its statement"
        );
        Ok(ExitCode::FAILURE)
    }
}

/// squawk at the checked version: on PATH, or installed into a virtual
/// environment under the target directory.
fn squawk() -> anyhow::Result<PathBuf> {
    let wanted = format!("squawk {SQUAWK_VERSION}");
    let is_wanted = |program: &Path| version_of(program).as_deref() == Some(wanted.as_str());
    let on_path = PathBuf::from("squawk");
    if is_wanted(&on_path) {
        return Ok(on_path);
    }
    python::tool(
        "squawk-venv",
        "squawk-cli",
        SQUAWK_VERSION,
        "squawk",
        is_wanted,
    )
}

fn files(directory: &Path, suffix: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = workspace::entries(directory)?;
    files.retain(|path| workspace::file_name(path).is_some_and(|name| name.ends_with(suffix)));
    Ok(files)
}

/// squawk's findings in `files`, but for the `excluded` rules.
fn lint(squawk: &Path, files: &[PathBuf], excluded: &str) -> anyhow::Result<Vec<Finding>> {
    let output = Command::new(squawk)
        .arg(format!("--pg-version={PG_VERSION}"))
        // sqlx runs each migration in a transaction of its own.
        .arg("--assume-in-transaction")
        .arg(format!("--exclude={excluded}"))
        .args(["--reporter", "json"])
        .args(files)
        .output()
        .context("cannot run squawk")?;
    // squawk exits 1 when it finds something: its report says what.
    let report: Value = serde_json::from_slice(&output.stdout).with_context(|| {
        format!(
            "squawk printed no report: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    parse(&report)
}

fn parse(report: &Value) -> anyhow::Result<Vec<Finding>> {
    let entries = report.as_array().context("squawk's report is not a list")?;
    entries
        .iter()
        .map(|entry| {
            let file = entry["file"]
                .as_str()
                .and_then(|path| workspace::file_name(Path::new(path)))
                .context("a finding without its file")?;
            // squawk counts lines from 0; editors and the exceptions, from 1.
            let line = entry["line"]
                .as_u64()
                .context("a finding without its line")?
                + 1;
            let rule = entry["rule_name"]
                .as_str()
                .context("a finding without its rule")?;
            Ok((file.to_owned(), line, rule.to_owned()))
        })
        .collect()
}

/// The accepted findings: `<file>:<line> <rule> -- why`, each with its why.
fn exceptions(path: &Path) -> anyhow::Result<BTreeSet<Finding>> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| parse_exception(line).with_context(|| format!("{}: `{line}`", path.display())))
        .collect()
}

fn parse_exception(line: &str) -> anyhow::Result<Finding> {
    let (finding, why) = line
        .split_once(" -- ")
        .context("expected `<file>:<line> <rule> -- why`")?;
    if why.trim().is_empty() {
        bail!("an exception needs its reason");
    }
    let (place, rule) = finding
        .split_once(' ')
        .context("expected `<file>:<line> <rule>`")?;
    let (file, number) = place.split_once(':').context("expected `<file>:<line>`")?;
    Ok((file.to_owned(), number.parse()?, rule.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exception_names_its_place_and_rule_and_gives_a_reason() {
        assert_eq!(
            parse_exception("0003_x.up.sql:5 ban-drop-column -- it was empty").expect("parses"),
            ("0003_x.up.sql".to_owned(), 5, "ban-drop-column".to_owned())
        );
        for bad in [
            "0003_x.up.sql:5 ban-drop-column",
            "0003_x.up.sql ban -- why",
            "x:1 r --  ",
        ] {
            assert!(parse_exception(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn squawks_report_gives_file_line_and_rule() {
        let report = serde_json::json!([
            {"file": "migrations/0006_a.up.sql", "line": 9, "rule_name": "ban-drop-column"}
        ]);
        assert_eq!(
            parse(&report).expect("parses"),
            [("0006_a.up.sql".to_owned(), 10, "ban-drop-column".to_owned())]
        );
    }
}
