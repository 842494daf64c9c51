//! The workspace's dependency graph as the dependency rules see it, read
//! from `cargo metadata`: what each package needs in a normal build, and
//! which normal dependencies each workspace crate declares.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;

use anyhow::{Context, bail};
use serde_json::Value;

/// The packages of the resolved graph, by cargo's package id.
#[derive(Debug, Default)]
pub struct Graph {
    pub packages: BTreeMap<String, Package>,
    /// The ids of the workspace's crates.
    pub members: BTreeSet<String>,
}

#[derive(Debug, Default)]
pub struct Package {
    pub name: String,
    /// The ids of the packages that it needs in a normal build. Dev- and
    /// build-dependencies are left out: tests may cross the layers, and
    /// build scripts do not end up in the crate.
    pub normal: BTreeSet<String>,
    /// For a workspace crate, the normal dependencies that its manifest
    /// declares: unlike the resolved graph, they tell which edge asks for
    /// which feature.
    pub declared: Vec<Declared>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Declared {
    pub name: String,
    pub features: Vec<String>,
}

/// A chain of normal dependencies, from a workspace crate to a package
/// that it needs.
#[derive(Debug)]
pub struct Path<'a> {
    source: &'a str,
    via: Vec<&'a str>,
    target: &'a str,
}

impl Graph {
    /// Reads the output of `cargo metadata --format-version 1` run with its
    /// dependencies, which has a `resolve` section.
    pub fn from_metadata(metadata: &Value) -> anyhow::Result<Self> {
        let members = array(&metadata["workspace_members"], "workspace_members")?
            .iter()
            .map(|id| string(id, "workspace member id").map(str::to_owned))
            .collect::<anyhow::Result<BTreeSet<_>>>()?;
        let mut packages = BTreeMap::new();
        for package in array(&metadata["packages"], "packages")? {
            let id = string(&package["id"], "package id")?;
            let declared = if members.contains(id) {
                declared_normal_dependencies(package)?
            } else {
                Vec::new()
            };
            let name = string(&package["name"], "package name")?.to_owned();
            packages.insert(
                id.to_owned(),
                Package {
                    name,
                    normal: BTreeSet::new(),
                    declared,
                },
            );
        }
        for node in array(&metadata["resolve"]["nodes"], "resolve.nodes")? {
            let id = string(&node["id"], "resolved package id")?;
            let normal = normal_dependencies(node)?;
            if let Some(unknown) = normal.iter().find(|dep| !packages.contains_key(*dep)) {
                bail!("cargo metadata resolves {id} to {unknown}, which is not among its packages");
            }
            packages
                .get_mut(id)
                .with_context(|| format!("cargo metadata resolves {id}, which is not a package"))?
                .normal = normal;
        }
        Ok(Self { packages, members })
    }

    /// The workspace's crates, by id.
    pub fn members(&self) -> impl Iterator<Item = (&str, &Package)> {
        self.packages
            .iter()
            .filter(|(id, _)| self.members.contains(*id))
            .map(|(id, package)| (id.as_str(), package))
    }

    /// The id of the workspace crate called `name`.
    pub fn member(&self, name: &str) -> Option<&str> {
        self.members()
            .find(|(_, package)| package.name == name)
            .map(|(id, _)| id)
    }

    /// The shortest path from `from` to each package, among those that it
    /// needs in a normal build, whose name `wanted` accepts. The search goes
    /// no further than a wanted package: what that one brings in would only
    /// bury the edge to be fixed under its consequences.
    pub fn paths_to<'a>(&'a self, from: &'a str, wanted: impl Fn(&str) -> bool) -> Vec<Path<'a>> {
        let mut reached_from: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([from]);
        let mut paths = Vec::new();
        while let Some(id) = queue.pop_front() {
            for next in self.normal_dependencies_of(id) {
                if next == from || reached_from.contains_key(next) {
                    continue;
                }
                reached_from.insert(next, id);
                if wanted(self.name(next)) {
                    paths.push(self.path(&reached_from, from, next));
                } else {
                    queue.push_back(next);
                }
            }
        }
        paths
    }

    fn normal_dependencies_of(&self, id: &str) -> impl Iterator<Item = &str> {
        self.packages
            .get(id)
            .into_iter()
            .flat_map(|package| package.normal.iter().map(String::as_str))
    }

    fn name<'a>(&'a self, id: &'a str) -> &'a str {
        self.packages
            .get(id)
            .map_or(id, |package| package.name.as_str())
    }

    fn path<'a>(
        &'a self,
        reached_from: &BTreeMap<&'a str, &'a str>,
        from: &'a str,
        to: &'a str,
    ) -> Path<'a> {
        let mut via = Vec::new();
        let mut id = to;
        while let Some(&previous) = reached_from.get(id) {
            if previous != from {
                via.push(self.name(previous));
            }
            id = previous;
        }
        via.reverse();
        Path {
            source: self.name(from),
            via,
            target: self.name(to),
        }
    }
}

impl<'a> Path<'a> {
    /// The crate that the path starts from.
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// The package that the path leads to.
    pub fn target(&self) -> &'a str {
        self.target
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        for name in &self.via {
            write!(f, " -> {name}")?;
        }
        write!(f, " -> {}", self.target)
    }
}

/// The ids of the packages that a node of `resolve.nodes` needs in a normal
/// build, whatever the target platform.
fn normal_dependencies(node: &Value) -> anyhow::Result<BTreeSet<String>> {
    let mut normal = BTreeSet::new();
    for dep in array(&node["deps"], "resolved dependencies")? {
        let is_normal = array(&dep["dep_kinds"], "dependency kinds")?
            .iter()
            .any(|kind| kind["kind"].is_null());
        if is_normal {
            normal.insert(string(&dep["pkg"], "resolved dependency id")?.to_owned());
        }
    }
    Ok(normal)
}

/// The normal dependencies, optional or not, that an entry of `packages`
/// declares.
fn declared_normal_dependencies(package: &Value) -> anyhow::Result<Vec<Declared>> {
    let mut declared = Vec::new();
    for dep in array(&package["dependencies"], "declared dependencies")? {
        if !dep["kind"].is_null() {
            continue;
        }
        let features = array(&dep["features"], "dependency features")?
            .iter()
            .map(|feature| string(feature, "feature").map(str::to_owned))
            .collect::<anyhow::Result<_>>()?;
        declared.push(Declared {
            name: string(&dep["name"], "dependency name")?.to_owned(),
            features,
        });
    }
    Ok(declared)
}

fn array<'a>(value: &'a Value, what: &str) -> anyhow::Result<&'a Vec<Value>> {
    value
        .as_array()
        .with_context(|| format!("cargo metadata has no list of {what}"))
}

fn string<'a>(value: &'a Value, what: &str) -> anyhow::Result<&'a str> {
    value
        .as_str()
        .with_context(|| format!("cargo metadata has a {what} that is not a string"))
}

/// For the tests: the package named `name`, added when it is missing.
#[cfg(test)]
pub(super) fn package_named<'a>(graph: &'a mut Graph, name: &str) -> &'a mut Package {
    graph
        .packages
        .entry(name.to_owned())
        .or_insert_with(|| Package {
            name: name.to_owned(),
            ..Package::default()
        })
}

#[cfg(test)]
mod tests;
