use super::*;
use crate::tasks::tidy::graph::{Declared, package_named};

const MEMBERS: [&str; 8] = [
    "domain",
    "app",
    "adapters-postgres",
    "adapters-http",
    "adapters-crypto",
    "server",
    "test-db",
    "xtask",
];

/// The normal edges of a workspace shaped like the real one, which keeps
/// every rule.
const TIDY: [&str; 25] = [
    "domain -> thiserror",
    "domain -> async-trait",
    "app -> domain",
    "app -> fastrand",
    "adapters-postgres -> domain",
    "adapters-postgres -> sqlx",
    "adapters-postgres -> tokio",
    "sqlx -> sqlx-core",
    "sqlx-core -> tokio",
    "adapters-http -> app",
    "adapters-http -> domain",
    "adapters-http -> actix-web",
    "actix-web -> tokio",
    "adapters-crypto -> domain",
    "adapters-crypto -> argon2",
    "adapters-crypto -> jsonwebtoken",
    "server -> domain",
    "server -> app",
    "server -> adapters-postgres",
    "server -> adapters-http",
    "server -> adapters-crypto",
    "server -> anyhow",
    "test-db -> sqlx",
    "xtask -> anyhow",
    "xtask -> serde_json",
];

/// A graph of `edges` written `from -> to`, or `from -> to[feature]` for
/// a feature that the edge enables, with package ids that are their names.
/// The edges from workspace crates are also what they declare.
fn graph(edges: &[&str]) -> Graph {
    let mut graph = Graph {
        members: MEMBERS.map(str::to_owned).into(),
        ..Graph::default()
    };
    for member in MEMBERS {
        package_named(&mut graph, member);
    }
    for edge in edges {
        let (from, to) = edge.split_once(" -> ").expect("an edge is `from -> to`");
        let (to, features) = match to.split_once('[') {
            Some((to, features)) => (to, vec![features.trim_end_matches(']').to_owned()]),
            None => (to, Vec::new()),
        };
        package_named(&mut graph, to);
        let package = package_named(&mut graph, from);
        package.normal.insert(to.to_owned());
        if MEMBERS.contains(&from) {
            package.declared.push(Declared {
                name: to.to_owned(),
                features,
            });
        }
    }
    graph
}

/// The violations of the tidy workspace with `extra` edges.
fn violations_with(extra: &[&str]) -> Vec<String> {
    let edges: Vec<&str> = TIDY.iter().chain(extra).copied().collect();
    check(&graph(&edges))
}

#[track_caller]
fn assert_violation(extra: &[&str], expected: &str) {
    let violations = violations_with(extra);
    assert!(
        violations.iter().any(|violation| violation == expected),
        "expected {expected:?} among {violations:#?}"
    );
}

#[test]
fn the_tidy_workspace_keeps_every_rule() {
    assert_eq!(violations_with(&[]), Vec::<String>::new());
}

#[test]
fn the_domain_must_not_reach_tokio_even_through_another_crate() {
    assert_violation(
        &["domain -> futures-timer", "futures-timer -> tokio"],
        "domain must not depend on tokio (the domain has no runtime, HTTP, SQL or cryptography): domain -> futures-timer -> tokio",
    );
}

#[test]
fn the_use_cases_must_not_reach_sql_through_an_adapter() {
    let violations = violations_with(&["app -> adapters-postgres"]);
    assert!(violations.contains(
        &"app must not depend on sqlx (the use cases reach the world through the ports only): app -> adapters-postgres -> sqlx".to_owned()
    ));
    assert!(
        !violations
            .iter()
            .any(|violation| violation.contains("sqlx-core")),
        "a banned crate hides what it brings in: {violations:#?}"
    );
}

#[test]
fn prefixes_ban_every_crate_of_a_family() {
    assert_violation(
        &["app -> hyper-util"],
        "app must not depend on hyper-util (the use cases reach the world through the ports only): app -> hyper-util",
    );
}

#[test]
fn each_adapter_keeps_to_its_own_concern() {
    assert_violation(
        &["adapters-http -> argon2"],
        "adapters-http must not depend on argon2 (the HTTP adapter never touches SQL or cryptography): adapters-http -> argon2",
    );
    assert_violation(
        &["adapters-crypto -> reqwest"],
        "adapters-crypto must not depend on reqwest (the cryptography adapter depends on the domain only): adapters-crypto -> reqwest",
    );
    assert_violation(
        &["adapters-postgres -> app"],
        "adapters-postgres must not depend on app (the database adapter knows nothing of HTTP or of the use cases): adapters-postgres -> app",
    );
}

#[test]
fn an_adapter_must_not_depend_on_another() {
    assert_violation(
        &["adapters-http -> adapters-postgres"],
        "adapters-http must not depend on adapters-postgres (adapters never call each other): adapters-http -> adapters-postgres",
    );
}

#[test]
fn only_server_depends_on_app_and_an_adapter() {
    assert_violation(
        &["test-db -> app", "test-db -> adapters-crypto"],
        "test-db must not depend on both app and adapters-crypto (only server wires the use cases to adapters): test-db -> app; test-db -> adapters-crypto",
    );
}

#[test]
fn nothing_depends_on_server() {
    assert_violation(
        &["xtask -> server"],
        "xtask must not depend on server (the binary is the top of the graph): xtask -> server",
    );
}

#[test]
fn anyhow_stays_at_the_edges() {
    assert_violation(
        &["app -> anyhow"],
        "app must not depend directly on anyhow (only server and xtask may)",
    );
}

#[test]
fn sqlx_is_declared_by_the_database_crates_only() {
    assert_violation(
        &["server -> sqlx"],
        "server must not depend directly on sqlx (only adapters-postgres and test-db may)",
    );
}

#[test]
fn actix_web_is_declared_by_the_http_adapter_only() {
    assert_violation(
        &["server -> actix-web"],
        "server must not depend directly on actix-web (only adapters-http may)",
    );
}

#[test]
fn the_test_harness_is_a_dev_dependency_only() {
    assert_violation(
        &["server -> test-db"],
        "server must not depend on test-db outside its dev-dependencies (it is for tests only)",
    );
}

#[test]
fn the_domains_mocks_are_enabled_by_dev_dependencies_only() {
    assert_violation(
        &["adapters-postgres -> domain[mocks]"],
        "adapters-postgres must not enable domain's mocks feature outside its dev-dependencies",
    );
}

#[test]
fn a_rule_about_a_crate_that_is_gone_fails() {
    let mut graph = graph(&TIDY);
    graph.members.remove("test-db");
    assert_eq!(
        check(&graph),
        ["no workspace crate is named test-db, which a dependency rule names"]
    );
}
