//! `controlgate test --guard-tests`: cfn-guard test files run on the data controlgate hands
//! Guard, end to end through the binary.
#![cfg(feature = "guard")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    root().join("fixtures/guard-tests")
}

fn controlgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {out:?}"))
}

#[test]
fn a_passing_test_file_passes_with_its_suppression_case_listed_by_design() {
    let out = controlgate(&["test", "--guard-tests", "fixtures/guard-tests/registry"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.contains("ok   fixtures/guard-tests/registry/rules/s3/tests/bucket_versioning_tests.yml (5 cases: 4 passed, 1 by design)"),
        "{text}"
    );
    assert!(
        text.contains("case `Unversioned bucket suppressed in Metadata, SKIP` (line 45): S3_BUCKET_VERSIONING expected SKIP, got FAIL: differs by design: Metadata.guard suppression is not honoured; only the exception registry suppresses"),
        "{text}"
    );

    let out = controlgate(&["test", "--guard-tests", "fixtures/guard-tests/registry", "-f", "json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc = json(&out);
    let totals = &doc["guardTests"]["totals"];
    assert_eq!(
        (
            totals["files"].as_u64(),
            totals["cases"].as_u64(),
            totals["passed"].as_u64()
        ),
        (Some(1), Some(5), Some(4))
    );
    assert_eq!(
        (totals["byDesign"].as_u64(), totals["failed"].as_u64()),
        (Some(1), Some(0))
    );
    let cases = doc["guardTests"]["files"][0]["results"].as_array().unwrap();
    // The short-form tags and the Fn::ForEach loop were read as a template: PASS and FAIL.
    let result = |name: &str| {
        cases
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["result"].as_str().unwrap().to_string())
    };
    assert_eq!(
        result("Versioned bucket, short-form tags, PASS").as_deref(),
        Some("passed")
    );
    assert_eq!(
        result("Buckets from Fn::ForEach, one suspended, FAIL").as_deref(),
        Some("passed")
    );
    assert_eq!(
        result("Unversioned bucket suppressed in Metadata, SKIP").as_deref(),
        Some("byDesign")
    );
}

#[test]
fn one_test_file_and_an_explicit_rules_file() {
    let test = "fixtures/guard-tests/registry/rules/s3/tests/bucket_versioning_tests.yml";
    let out = controlgate(&["test", "--guard-tests", test]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // The same cases against another Guard file: its rule has another name, so every
    // expectation names a rule it lacks.
    let out = controlgate(&[
        "test",
        "--guard-tests",
        test,
        "--rules",
        "fixtures/guard-tests/pack/rules/s3/versioning.guard",
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stdout(&out).contains("S3_BUCKET_VERSIONING expected SKIP, got no such rule in the Guard file"),
        "{out:?}"
    );
}

#[test]
fn a_mismatch_fails_with_the_case_rule_statuses_and_guard_messages() {
    let out = controlgate(&["test", "--guard-tests", "fixtures/guard-tests/mismatch"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.contains("FAIL fixtures/guard-tests/mismatch/tests/versioning_tests.yml (2 cases: 1 passed, 1 failed)"),
        "{text}"
    );
    assert!(
        text.contains("case `Suspended bucket said to PASS` (line 1): S3_BUCKET_VERSIONING expected PASS, got FAIL"),
        "{text}"
    );
    assert!(
        text.contains("Guard: Violation: S3 bucket versioning must be enabled. Fix: set VersioningConfiguration.Status to Enabled."),
        "{text}"
    );
}

#[test]
fn an_unpaired_test_file_is_an_error_listed_in_the_output() {
    let out = controlgate(&["test", "--guard-tests", "fixtures/guard-tests/unpaired"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        stdout(&out).contains("ERROR fixtures/guard-tests/unpaired/rules/tests/missing_rule_tests.yml"),
        "{out:?}"
    );
    assert!(
        stderr(&out)
            .contains("unpaired test file: no Guard file fixtures/guard-tests/unpaired/rules/missing_rule.guard"),
        "{out:?}"
    );
}

#[test]
fn a_guard_syntax_error_is_exit_2_at_its_file_and_line() {
    let out = controlgate(&["test", "--guard-tests", "fixtures/guard-tests/syntax"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        stderr(&out).contains("fixtures/guard-tests/syntax/broken.guard:4:58: Guard syntax error"),
        "{out:?}"
    );
}

#[test]
fn a_duplicate_key_in_a_test_file_is_exit_2_at_its_line() {
    // Written here, not kept in fixtures/: a run over fixtures/ would stop at it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("tests")).unwrap();
    std::fs::copy(
        fixtures().join("mismatch/versioning.guard"),
        dir.path().join("versioning.guard"),
    )
    .unwrap();
    let test = dir.path().join("tests/versioning_tests.yml");
    std::fs::write(
        &test,
        "- name: A bucket declared twice\n  input:\n    Resources:\n      Archive:\n        Type: AWS::S3::Bucket\n      Archive:\n        Type: AWS::S3::Bucket\n  expectations:\n    rules:\n      S3_BUCKET_VERSIONING: PASS\n",
    )
    .unwrap();
    let out = controlgate(&["test", "--guard-tests", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = stderr(&out);
    assert!(err.contains(&format!("{}:6:7: duplicate", test.display())), "{err}");
}

#[test]
fn a_pack_runs_its_guard_test_files_in_both_places_and_its_fixture_folders() {
    // Test file beside the Guard file.
    let out = controlgate(&["test", "fixtures/guard-tests/pack"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        stdout(&out).contains("ok   fixtures/guard-tests/pack/rules/s3/tests/versioning_tests.yml (3 cases: 3 passed)"),
        "{out:?}"
    );
    // PACK/tests/<stem>_tests.yml and the PACK/tests/<rule-id>/ fixture folder.
    let out = controlgate(&["test", "fixtures/guard/pack"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    assert!(text.contains("ok   S3_BUCKET_VERSIONING_ENABLED (2 cases)"), "{text}");
    assert!(
        text.contains("ok   fixtures/guard/pack/tests/s3_tests.yml (3 cases: 3 passed)"),
        "{text}"
    );
    let out = controlgate(&["test", "fixtures/guard/pack", "-f", "json"]);
    let doc = json(&out);
    assert_eq!(doc["rules"][0]["rule"], "S3_BUCKET_VERSIONING_ENABLED");
    assert_eq!(doc["guardTests"]["totals"]["passed"], 3);
}

fn copy_pack(to: &Path) {
    for rel in ["controls/GRD-001.yaml", "rules/s3/versioning.guard"] {
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(fixtures().join("pack").join(rel), dest).unwrap();
    }
}

#[test]
fn a_pack_guard_rule_without_tests_fails_like_an_untested_rule() {
    let dir = tempfile::tempdir().unwrap();
    copy_pack(dir.path());
    std::fs::create_dir_all(dir.path().join("tests")).unwrap();
    let out = controlgate(&["test", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stdout(&out).contains("FAIL S3_VERSIONED (0 cases)"), "{out:?}");

    // A fixture folder whose compliant case fails is reported as for a native rule.
    let t = dir.path().join("tests/S3_VERSIONED");
    std::fs::create_dir_all(t.join("compliant")).unwrap();
    std::fs::create_dir_all(t.join("noncompliant")).unwrap();
    let bucket = |status: &str| {
        format!(
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration:\n        Status: {status}\n"
        )
    };
    std::fs::write(t.join("compliant/ok.yaml"), bucket("Suspended")).unwrap();
    std::fs::write(t.join("noncompliant/bad.yaml"), bucket("Suspended")).unwrap();
    let out = controlgate(&["test", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stdout(&out).contains("compliant/ok.yaml: expected no finding"),
        "{out:?}"
    );
    std::fs::write(t.join("compliant/ok.yaml"), bucket("Enabled")).unwrap();
    let out = controlgate(&["test", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

/// The registry's test files, where they are not run as the registry expects, for a reason.
/// Each is checked: a failure not listed, or a listed one that no longer happens, fails.
const EXPLAINED_ERRORS: [(&str, &str); 4] = [
    // cfn-guard ignores unknown fields: `Name` for `name`. controlgate reads test files strictly.
    (
        "amazon_fsx/tests/fsx_resources_protected_by_backup_plan_tests.yml",
        "unknown field `Name`",
    ),
    // Misnamed test files: their Guard file is rds_logging_enabled.guard,
    // s3_bucket_default_lock_enabled.guard, cloudfront_accesslogs_enabled.guard (the name
    // begins with a space). cfn-guard does not pair them either.
    (
        "amazon_rds/tests/rds_instance_logging_enabled_tests.yml",
        "unpaired test file",
    ),
    (
        "amazon_s3/tests/s3_bucket_default_lock_enable_tests.yml",
        "unpaired test file",
    ),
    (
        "cloudfront/tests/ cloudfront_accesslogs_enabled_tests.yml",
        "unpaired test file",
    ),
];

#[test]
fn the_registry_tests_fail_only_for_explained_reasons() {
    let registry = root().join("../shared/corpus/guard-rules-registry");
    if !registry.join("rules").is_dir() {
        println!("skipped: no Guard rules registry at {}", registry.display());
        return;
    }
    let out = controlgate(&["test", "--guard-tests", registry.to_str().unwrap(), "-f", "json"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the registry holds test files controlgate cannot run: {out:?}"
    );
    let doc = json(&out);
    let files = doc["guardTests"]["files"].as_array().unwrap();
    let mut errors = Vec::new();
    let mut unexplained = Vec::new();
    for f in files {
        let test = f["testFile"].as_str().unwrap();
        let rel = test.split("rules/aws/").nth(1).unwrap_or(test).to_string();
        if let Some(e) = f["error"].as_str() {
            errors.push((rel.clone(), e.to_string()));
        }
        for case in f["results"].as_array().unwrap() {
            for check in case["checks"].as_array().unwrap() {
                if check["passed"] == true || !check["byDesign"].is_null() {
                    continue;
                }
                let explained = match rel.as_str() {
                    // Stale expectations: they name rules (`static_name`, ...) the file no longer
                    // has. cfn-guard only notes them; controlgate fails a check of nothing.
                    "aws_cloudformation/tests/cfn_no_explicit_resource_names_tests.yml" => check["actual"].is_null(),
                    _ => false,
                };
                if !explained {
                    unexplained.push(format!("{rel}: {} {check}", case["name"]));
                }
            }
        }
    }
    assert!(
        unexplained.is_empty(),
        "unexplained failures:\n{}",
        unexplained.join("\n")
    );
    assert_eq!(errors.len(), EXPLAINED_ERRORS.len(), "{errors:#?}");
    for (file, message) in EXPLAINED_ERRORS {
        assert!(
            errors.iter().any(|(f, e)| f == file && e.contains(message)),
            "{file}: expected `{message}` in {errors:#?}"
        );
    }
    let totals = &doc["guardTests"]["totals"];
    println!("registry: {totals}");
    assert!(totals["passed"].as_u64().unwrap() > 1000, "{totals}");
    assert!(totals["byDesign"].as_u64().unwrap() > 0, "{totals}");
}
