use serde_json::json;

use super::*;

const DOMAIN: &str = "path+file:///w/crates/domain#0.1.0";
const APP: &str = "path+file:///w/crates/app#0.1.0";
const MOCKALL: &str = "registry+https://github.com/rust-lang/crates.io-index#mockall@0.15.0";
const TOKIO: &str = "registry+https://github.com/rust-lang/crates.io-index#tokio@1.54.1";
const PROPTEST: &str = "registry+https://github.com/rust-lang/crates.io-index#proptest@1.7.0";
const CC: &str = "registry+https://github.com/rust-lang/crates.io-index#cc@1.2.0";

fn dependency(name: &str, kind: Option<&str>, features: &[&str]) -> Value {
    json!({ "name": name, "kind": kind, "features": features, "optional": false })
}

fn external(id: &str, name: &str) -> Value {
    json!({ "id": id, "name": name, "dependencies": [] })
}

fn resolved(name: &str, pkg: &str, kinds: &[(Option<&str>, Option<&str>)]) -> Value {
    let kinds: Vec<Value> = kinds
        .iter()
        .map(|(kind, target)| json!({ "kind": kind, "target": target }))
        .collect();
    json!({ "name": name, "pkg": pkg, "dep_kinds": kinds })
}

/// Two crates as `cargo metadata` shows them: `app` uses the domain, and
/// its mocks and tokio in tests only; the domain has a platform-specific
/// normal dependency, a dev-dependency and a build-dependency.
fn metadata() -> Value {
    json!({
        "workspace_members": [DOMAIN, APP],
        "packages": [
            {
                "id": DOMAIN,
                "name": "domain",
                "dependencies": [
                    dependency("mockall", None, &[]),
                    dependency("proptest", Some("dev"), &[]),
                    dependency("cc", Some("build"), &[]),
                ],
            },
            {
                "id": APP,
                "name": "app",
                "dependencies": [
                    dependency("domain", None, &[]),
                    dependency("domain", Some("dev"), &["mocks"]),
                    dependency("tokio", Some("dev"), &["macros"]),
                ],
            },
            external(MOCKALL, "mockall"),
            external(TOKIO, "tokio"),
            external(PROPTEST, "proptest"),
            external(CC, "cc"),
        ],
        "resolve": {
            "root": null,
            "nodes": [
                {
                    "id": DOMAIN,
                    "deps": [
                        resolved("mockall", MOCKALL, &[(None, Some("cfg(unix)"))]),
                        resolved("proptest", PROPTEST, &[(Some("dev"), None)]),
                        resolved("cc", CC, &[(Some("build"), None)]),
                    ],
                },
                {
                    "id": APP,
                    "deps": [
                        resolved("domain", DOMAIN, &[(None, None), (Some("dev"), None)]),
                        resolved("tokio", TOKIO, &[(Some("dev"), None)]),
                    ],
                },
                { "id": MOCKALL, "deps": [] },
                { "id": TOKIO, "deps": [] },
                { "id": PROPTEST, "deps": [] },
                { "id": CC, "deps": [] },
            ],
        },
    })
}

fn parsed() -> Graph {
    Graph::from_metadata(&metadata()).expect("the metadata is well-formed")
}

fn package<'a>(graph: &'a Graph, id: &str) -> &'a Package {
    graph.packages.get(id).expect("the package is in the graph")
}

#[test]
fn members_are_the_workspace_crates_by_name() {
    let graph = parsed();
    assert_eq!(graph.member("app"), Some(APP));
    assert_eq!(graph.member("domain"), Some(DOMAIN));
    assert_eq!(graph.member("tokio"), None);
}

#[test]
fn only_normal_edges_are_resolved_whatever_the_target() {
    let graph = parsed();
    assert_eq!(
        package(&graph, APP).normal,
        BTreeSet::from([DOMAIN.to_owned()])
    );
    assert_eq!(
        package(&graph, DOMAIN).normal,
        BTreeSet::from([MOCKALL.to_owned()])
    );
}

#[test]
fn only_normal_declarations_of_members_are_kept_with_their_features() {
    let graph = parsed();
    let declared = |name: &str| Declared {
        name: name.to_owned(),
        features: Vec::new(),
    };
    assert_eq!(package(&graph, APP).declared, [declared("domain")]);
    assert_eq!(package(&graph, DOMAIN).declared, [declared("mockall")]);
    assert!(package(&graph, MOCKALL).declared.is_empty());
}

#[test]
fn metadata_without_its_resolve_section_is_refused() {
    let mut metadata = metadata();
    metadata["resolve"] = Value::Null;
    let error = Graph::from_metadata(&metadata).expect_err("no resolve section");
    assert_eq!(
        error.to_string(),
        "cargo metadata has no list of resolve.nodes"
    );
}

#[test]
fn paths_are_the_shortest_and_stop_at_the_first_wanted_package() {
    let mut graph = Graph::default();
    for (from, to) in [("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"), ("b", "e")] {
        package_named(&mut graph, to);
        package_named(&mut graph, from).normal.insert(to.to_owned());
    }
    let paths: Vec<String> = graph
        .paths_to("a", |name| ["c", "d", "e"].contains(&name))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(paths, ["a -> c", "a -> b -> e"]);
}
