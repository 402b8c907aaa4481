//! The `rust-version` Cargo.toml claims is true: no dependency the build uses needs a newer Rust.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

/// `1.89` or `1.85.0` as comparable numbers (`1.89` is `1.89.0`).
fn version(text: &str) -> [u64; 3] {
    let mut v = [0; 3];
    for (slot, part) in v.iter_mut().zip(text.split('.')) {
        *slot = part.parse().unwrap_or(0);
    }
    v
}

#[test]
fn rust_version_is_at_least_every_dependencys() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages: Vec<&Value> = meta["packages"].as_array().unwrap().iter().collect();
    let by_id = |id: &str| packages.iter().find(|p| p["id"] == id).copied().unwrap();
    let nodes = meta["resolve"]["nodes"].as_array().unwrap();
    let root = meta["resolve"]["root"].as_str().unwrap();
    let ours = version(
        by_id(root)["rust_version"]
            .as_str()
            .expect("Cargo.toml sets rust-version"),
    );
    // What a build of the crate (not its tests) compiles: normal and build dependencies.
    let mut seen = BTreeSet::new();
    let mut todo = vec![root.to_string()];
    while let Some(id) = todo.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let node = nodes.iter().find(|n| n["id"] == id.as_str()).unwrap();
        for dep in node["deps"].as_array().unwrap() {
            let built = dep["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].is_null() || k["kind"] == "build");
            if built {
                todo.push(dep["pkg"].as_str().unwrap().to_string());
            }
        }
    }
    assert!(seen.len() > 20, "{} packages", seen.len());
    let newer: Vec<String> = seen
        .iter()
        .map(|id| by_id(id))
        .filter_map(|p| p["rust_version"].as_str().map(|v| (p["name"].as_str().unwrap(), v)))
        .filter(|(_, v)| version(v) > ours)
        .map(|(n, v)| format!("{n} needs {v}"))
        .collect();
    assert!(newer.is_empty(), "rust-version is older than: {newer:?}");
}
