//! `cargo xtask openapi [--check]`: writes the OpenAPI document that the
//! code generates to `openapi.json`, or checks that the committed one is
//! that document.

use std::fs;
use std::process::{ExitCode, Stdio};

use anyhow::{Context, bail};

use crate::workspace;

const FILE: &str = "openapi.json";

pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => bail!("usage: cargo xtask openapi [--check]"),
    };
    let generated = generate()?;
    let path = workspace::root().join(FILE);
    if check {
        let committed = fs::read_to_string(&path).unwrap_or_default();
        if committed != generated {
            bail!(
                "{FILE} is not the document that the code generates{}; \
                 run `cargo xtask openapi` and commit the result",
                first_difference(&committed, &generated)
            );
        }
        eprintln!("xtask: {FILE} is up to date");
    } else {
        fs::write(&path, &generated).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("xtask: wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The document, as `doorman openapi` prints it.
fn generate() -> anyhow::Result<String> {
    let output = workspace::cargo()
        .args(["run", "--quiet", "--locked", "--package", "server", "--"])
        .arg("openapi")
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run the server's openapi command")?;
    if !output.status.success() {
        bail!("the server's openapi command failed ({})", output.status);
    }
    String::from_utf8(output.stdout).context("the document is not UTF-8")
}

/// Where the two texts first differ, as ` (from line N)`, to find the
/// change without a diff tool.
fn first_difference(committed: &str, generated: &str) -> String {
    if committed.is_empty() {
        return " (it is missing or empty)".to_owned();
    }
    let line = committed
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
    format!(" (from line {})", line + 1)
}
