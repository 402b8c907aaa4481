//! A build without the Guard engine (`--no-default-features`) refuses Guard policies rather
//! than passing over them.
#![cfg(not(feature = "guard"))]

use std::process::Command;

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_pack_with_a_guard_file_is_an_error() {
    let out = run(&[
        "check",
        "--policies",
        "fixtures/guard/pack",
        "fixtures/guard/noncompliant.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("built without Guard rules"), "{stderr}");
}

#[test]
fn a_guard_mapping_is_an_error() {
    let out = run(&[
        "check",
        "--guard-mapping",
        "fixtures/guard-registry/mappings/rule_set_demo.json",
        "fixtures/guard-registry/templates/unversioned.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("has no Guard engine"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["gate"]["decision"], "error");
}
