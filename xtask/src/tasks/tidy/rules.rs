//! The dependency rules that docs/ARCHITECTURE.md, the README's table of
//! crates and each crate's `lib.rs` state, checked over a [`Graph`].

use std::collections::BTreeSet;

use super::graph::{Graph, Path};

/// What neither the domain nor the use cases may need: an async runtime,
/// HTTP, SQL or cryptography.
const ADAPTERS_ONLY: &[&str] = &[
    "sqlx*",
    "actix*",
    "hyper*",
    "tokio*",
    "reqwest",
    "argon2*",
    "jsonwebtoken",
];

/// Packages that a crate must not need, even indirectly, in a normal build,
/// and why; a trailing `*` stands for any end of the name.
const BANNED: [(&str, &[&str], &str); 5] = [
    (
        "domain",
        ADAPTERS_ONLY,
        "the domain has no runtime, HTTP, SQL or cryptography",
    ),
    (
        "app",
        ADAPTERS_ONLY,
        "the use cases reach the world through the ports only",
    ),
    (
        "adapters-postgres",
        &["app", "actix*", "hyper*", "reqwest"],
        "the database adapter knows nothing of HTTP or of the use cases",
    ),
    (
        "adapters-http",
        &["sqlx*", "argon2*", "jsonwebtoken"],
        "the HTTP adapter never touches SQL or cryptography",
    ),
    (
        "adapters-crypto",
        &["app", "sqlx*", "actix*", "hyper*", "reqwest"],
        "the cryptography adapter depends on the domain only",
    ),
];

/// Packages that only the crates listed may declare as normal dependencies.
const DIRECT_ONLY: [(&str, &[&str]); 3] = [
    ("anyhow", &["server", "xtask"]),
    ("sqlx", &["adapters-postgres", "test-db"]),
    ("actix-web", &["adapters-http"]),
];

const DOMAIN: &str = "domain";
const MOCKS: &str = "mocks";
const USE_CASES: &str = "app";
const ADAPTER_PREFIX: &str = "adapters-";
const WIRING: &str = "server";
const TEST_HARNESS: &str = "test-db";

type Rule = fn(&Graph) -> Vec<String>;

/// Every rule, with what the report of success says of it.
const RULES: [(&str, Rule); 8] = [
    ("the crates that the rules name exist", named_crates_exist),
    (
        "no runtime, HTTP, SQL or cryptography crate where the layers forbid it",
        banned_packages,
    ),
    ("no adapter on another", adapters_apart),
    ("only server on both app and an adapter", only_server_wires),
    ("nothing on server", nothing_on_server),
    (
        "anyhow, sqlx and actix-web declared only where allowed",
        direct_only_where_allowed,
    ),
    ("test-db only in dev-dependencies", harness_for_tests_only),
    (
        "domain's mocks feature only in dev-dependencies",
        mocks_for_tests_only,
    ),
];

/// Every violation of the rules in `graph`, one line each.
pub fn check(graph: &Graph) -> Vec<String> {
    RULES.iter().flat_map(|(_, rule)| rule(graph)).collect()
}

/// What the rules check, for the report of success.
pub fn checked() -> String {
    RULES.map(|(what, _)| what).join("; ")
}

/// A renamed crate would otherwise leave its rules checking nothing.
fn named_crates_exist(graph: &Graph) -> Vec<String> {
    let named = BANNED
        .iter()
        .map(|(krate, _, _)| *krate)
        .chain(
            DIRECT_ONLY
                .iter()
                .flat_map(|(_, allowed)| allowed.iter().copied()),
        )
        .chain([DOMAIN, USE_CASES, WIRING, TEST_HARNESS]);
    named
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|name| graph.member(name).is_none())
        .map(|name| format!("no workspace crate is named {name}, which a dependency rule names"))
        .collect()
}

fn banned_packages(graph: &Graph) -> Vec<String> {
    let mut violations = Vec::new();
    for (krate, banned, why) in BANNED {
        let Some(id) = graph.member(krate) else {
            continue;
        };
        let is_banned = |name: &str| banned.iter().any(|pattern| matches(pattern, name));
        for path in graph.paths_to(id, is_banned) {
            violations.push(forbidden(&path, why));
        }
    }
    violations
}

fn adapters_apart(graph: &Graph) -> Vec<String> {
    let mut violations = Vec::new();
    for (id, _) in graph
        .members()
        .filter(|(_, package)| is_adapter(graph, &package.name))
    {
        for path in graph.paths_to(id, |name| is_adapter(graph, name)) {
            violations.push(forbidden(&path, "adapters never call each other"));
        }
    }
    violations
}

fn only_server_wires(graph: &Graph) -> Vec<String> {
    let mut violations = Vec::new();
    for (id, package) in graph
        .members()
        .filter(|(_, package)| package.name != WIRING)
    {
        let Some(use_cases) = graph.paths_to(id, |name| name == USE_CASES).pop() else {
            continue;
        };
        for adapter in graph.paths_to(id, |name| is_adapter(graph, name)) {
            violations.push(format!(
                "{} must not depend on both {USE_CASES} and {} (only {WIRING} wires the use cases to adapters): {use_cases}; {adapter}",
                package.name,
                adapter.target()
            ));
        }
    }
    violations
}

fn nothing_on_server(graph: &Graph) -> Vec<String> {
    let mut violations = Vec::new();
    for (id, _) in graph.members() {
        for path in graph.paths_to(id, |name| name == WIRING) {
            violations.push(forbidden(&path, "the binary is the top of the graph"));
        }
    }
    violations
}

fn direct_only_where_allowed(graph: &Graph) -> Vec<String> {
    let mut violations = Vec::new();
    for (_, package) in graph.members() {
        for declared in &package.declared {
            for (dependency, allowed) in DIRECT_ONLY {
                if declared.name == dependency && !allowed.contains(&package.name.as_str()) {
                    violations.push(format!(
                        "{} must not depend directly on {dependency} (only {} may)",
                        package.name,
                        allowed.join(" and ")
                    ));
                }
            }
        }
    }
    violations
}

fn harness_for_tests_only(graph: &Graph) -> Vec<String> {
    graph
        .members()
        .filter(|(_, package)| package.declared.iter().any(|declared| declared.name == TEST_HARNESS))
        .map(|(_, package)| {
            format!(
                "{} must not depend on {TEST_HARNESS} outside its dev-dependencies (it is for tests only)",
                package.name
            )
        })
        .collect()
}

fn mocks_for_tests_only(graph: &Graph) -> Vec<String> {
    graph
        .members()
        .filter(|(_, package)| {
            package.declared.iter().any(|declared| {
                declared.name == DOMAIN && declared.features.iter().any(|feature| feature == MOCKS)
            })
        })
        .map(|(_, package)| {
            format!(
                "{} must not enable {DOMAIN}'s {MOCKS} feature outside its dev-dependencies",
                package.name
            )
        })
        .collect()
}

fn forbidden(path: &Path<'_>, why: &str) -> String {
    format!(
        "{} must not depend on {} ({why}): {path}",
        path.source(),
        path.target()
    )
}

fn is_adapter(graph: &Graph, name: &str) -> bool {
    name.starts_with(ADAPTER_PREFIX) && graph.member(name).is_some()
}

fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == pattern,
    }
}

#[cfg(test)]
mod tests;
