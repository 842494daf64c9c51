//! `cargo xtask lint-deploy`: the Kubernetes manifests under
//! `deploy/kubernetes`, rendered by `kubectl kustomize` (the base and every
//! overlay) and checked offline by kubernetes-validate, strictly (no field
//! the schema does not know), against the Kubernetes version they target;
//! and `deploy/compose.yaml` with its pooler override checked by
//! check-jsonschema against the Compose specification it bundles.

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{Context as _, bail};

use crate::python::{self, version_of};
use crate::workspace;

/// The versions CI was last checked with.
const VALIDATE_VERSION: &str = "1.37.0";
const CHECK_JSONSCHEMA_VERSION: &str = "0.39.0";
/// The compose file and the override that adds the pooler.
const COMPOSE: [&str; 2] = ["deploy/compose.yaml", "deploy/compose.pooler.yaml"];
/// The Kubernetes release the manifests target.
const KUBERNETES_VERSION: &str = "1.31.0";
const MANIFESTS: &str = "deploy/kubernetes";

pub fn run() -> anyhow::Result<ExitCode> {
    let kubectl = kubectl_version()?;
    let validate = python::tool(
        "kubernetes-validate-venv",
        "kubernetes-validate",
        VALIDATE_VERSION,
        "kubernetes-validate",
        |program| version_of(program).as_deref() == Some(VALIDATE_VERSION),
    )?;
    let root = workspace::root().join(MANIFESTS);
    let rendered = workspace::fresh_dir("deploy-lint")?;
    let mut directories = vec![root.join("base")];
    directories.extend(workspace::entries(&root.join("overlays"))?);
    let mut failed = false;
    for directory in &directories {
        let name = directory
            .strip_prefix(&root)
            .unwrap_or(directory)
            .display()
            .to_string();
        let file = rendered.join(format!("{}.yaml", name.replace('/', "-")));
        render(directory, &file)?;
        let (ok, said) = validated(&validate, &file)?;
        let resources = said
            .lines()
            .filter(|line| line.contains(" passed "))
            .count();
        if ok {
            println!(
                "xtask: {MANIFESTS}/{name}: {resources} resources valid for Kubernetes \
                 {KUBERNETES_VERSION} (strict)"
            );
        } else {
            failed = true;
            println!("xtask: {MANIFESTS}/{name} does not validate:\n{said}");
        }
    }
    println!(
        "xtask: rendered by {kubectl}, checked by kubernetes-validate {VALIDATE_VERSION}; \
         the rendered manifests are in {}",
        rendered.display()
    );
    failed |= !compose_is_valid()?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Whether check-jsonschema finds the [`COMPOSE`] files valid, having said
/// so.
fn compose_is_valid() -> anyhow::Result<bool> {
    let wanted = format!("check-jsonschema, version {CHECK_JSONSCHEMA_VERSION}");
    let check = python::tool(
        "check-jsonschema-venv",
        "check-jsonschema",
        CHECK_JSONSCHEMA_VERSION,
        "check-jsonschema",
        |program| version_of(program).as_deref() == Some(wanted.as_str()),
    )?;
    let output = Command::new(check)
        .args(["--builtin-schema", "vendor.compose-spec"])
        .args(COMPOSE.map(|file| workspace::root().join(file)))
        .output()
        .context("cannot run check-jsonschema")?;
    let said = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    if output.status.success() {
        println!(
            "xtask: {}: valid against the Compose specification \
             (check-jsonschema {CHECK_JSONSCHEMA_VERSION})",
            COMPOSE.join(", ")
        );
    } else {
        println!(
            "xtask: {} do not validate:\n{}",
            COMPOSE.join(", "),
            said.trim()
        );
    }
    Ok(output.status.success())
}

/// `kubectl version --client`, or a failure saying how to install it.
fn kubectl_version() -> anyhow::Result<String> {
    let output = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .map_err(|_| {
            anyhow::anyhow!(
                "kubectl is not installed, or not on PATH: `apt-get install kubernetes-client`"
            )
        })?;
    let printed = String::from_utf8_lossy(&output.stdout);
    // `Client Version: v1.32.4` or `Client Version: version.Info{...GitVersion:"v1.20.2"...}`
    let version = printed
        .split(['"', ' ', '\n'])
        .find(|word| word.starts_with('v') && word[1..].starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or("(unknown version)");
    Ok(format!("kubectl {version}"))
}

/// `kubectl kustomize directory` into `file`.
fn render(directory: &Path, file: &Path) -> anyhow::Result<()> {
    let output = Command::new("kubectl")
        .arg("kustomize")
        .arg(directory)
        .output()
        .context("cannot run kubectl kustomize")?;
    if !output.status.success() {
        bail!(
            "kubectl kustomize {} failed: {}",
            directory.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    fs::write(file, &output.stdout).with_context(|| format!("cannot write {}", file.display()))
}

/// Whether kubernetes-validate passes `file`, and what it said.
fn validated(validate: &Path, file: &Path) -> anyhow::Result<(bool, String)> {
    let output = Command::new(validate)
        .args(["--strict", "--kubernetes-version", KUBERNETES_VERSION])
        .arg(file)
        .output()
        .context("cannot run kubernetes-validate")?;
    let said = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    Ok((output.status.success(), said.trim().to_owned()))
}
