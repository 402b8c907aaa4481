//! Guard rules in a pack: a `.guard` file tagged `# control: ID` runs beside native rules.
#![cfg(feature = "guard")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/guard")
}

fn check(pack: &Path, template: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args(["check", "--no-builtin", "--format", "json", "--policies"])
        .arg(pack)
        .arg(template)
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {out:?}"))
}

/// A copy of the fixture pack whose .guard file reads `guard`.
fn pack_with(guard: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("controls")).unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::copy(
        fixtures().join("pack/controls/GRD-001.yaml"),
        dir.path().join("controls/GRD-001.yaml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("rules/s3.guard"), guard).unwrap();
    dir
}

#[test]
fn a_failing_resource_is_a_finding_of_the_control_under_the_guard_rule_name() {
    let out = check(&fixtures().join("pack"), &fixtures().join("noncompliant.yaml"));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report = json(&out);
    let findings = report["findings"].as_array().unwrap();
    let failed: Vec<_> = findings.iter().filter(|f| f["outcome"] == "fail").collect();
    assert_eq!(failed.len(), 1, "{findings:#?}");
    assert_eq!(failed[0]["controlId"], "GRD-001");
    assert_eq!(failed[0]["ruleId"], "S3_BUCKET_VERSIONING_ENABLED");
    assert_eq!(failed[0]["severity"], "high");
    assert_eq!(failed[0]["resource"], "Scratch");
    assert_eq!(failed[0]["facts"][0], "S3 bucket versioning must be enabled");
}

#[test]
fn a_passing_resource_has_no_finding() {
    let out = check(&fixtures().join("pack"), &fixtures().join("compliant.yaml"));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = json(&out);
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["outcome"] != "fail"),
        "{report:#?}"
    );
    assert_eq!(report["summary"]["resources"], 1, "{:#?}", report["summary"]);
    assert_eq!(report["summary"]["findings"], 0, "{:#?}", report["summary"]);
}

#[test]
fn a_syntax_error_exits_2_naming_file_and_line() {
    let pack =
        pack_with("# control: GRD-001\n\nrule OK {\n  Resources exists\n}\n\nrule BROKEN {\n  Resources.* ==\n}\n");
    let out = check(pack.path(), &fixtures().join("compliant.yaml"));
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("s3.guard:8:"), "{stderr}");
    assert!(stderr.contains("Guard syntax error"), "{stderr}");
}

#[test]
fn a_guard_file_without_a_control_tag_is_an_error_with_a_hint() {
    let pack = pack_with("# versioning\nrule S3_X {\n  Resources exists\n}\n");
    let out = check(pack.path(), &fixtures().join("compliant.yaml"));
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("s3.guard") && stderr.contains("names no control"),
        "{stderr}"
    );
    assert!(
        stderr.contains("# control: ID"),
        "the hint says how to tag it: {stderr}"
    );
}

#[test]
fn guard_writes_nothing_of_its_own() {
    let out = check(&fixtures().join("pack"), &fixtures().join("noncompliant.yaml"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for text in [&stdout, &stderr] {
        assert!(!text.contains("DATA_STDIN") && !text.contains("RULES_STDIN"), "{text}");
    }
}
