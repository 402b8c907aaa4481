//! `controlgate metrics`: coverage, exceptions and noncompliance from run records, and the
//! metrics a run record carries.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_controlgate"));
    cmd.current_dir(dir).args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("CONTROLGATE_") || k.starts_with("GITHUB_") || k.starts_with("GITLAB_") || k == "CI" {
            cmd.env_remove(k);
        }
    }
    cmd.output().unwrap()
}

fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

fn json(out: &Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {out:?}"))
}

const REGISTRY: &str = "fixtures/exceptions/valid.yaml";

fn control<'a>(rows: &'a Value, key: &str, id: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r[key] == id)
        .unwrap_or_else(|| panic!("no row {id} in {rows}"))
}

#[test]
fn coverage_counts_rules_per_format_and_engine_and_the_built_in_fixtures() {
    let m = json(&run(&["metrics", "--no-config", "-f", "json"]));
    let catalog = json(&run(&["catalog", "--no-config", "-f", "json"]));
    let c = &m["coverage"];
    let controls = catalog["controls"].as_array().unwrap();
    assert_eq!(c["controls"], controls.len());
    assert_eq!(
        c["fixturesKnown"], true,
        "run from the checkout, policies/tests is found"
    );
    // `controlgate test` passes on the built-in pack (CI runs it), so every control is tested.
    assert_eq!(c["fullyTested"], controls.len());
    for ctl in controls {
        let id = ctl["id"].as_str().unwrap();
        let row = control(&c["byControl"], "id", id);
        let active: Vec<&Value> = ctl["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["deprecated"].is_null())
            .collect();
        assert_eq!(row["rules"], active.len(), "{id}");
        let tf = active.iter().filter(|r| r["terraform"].is_array()).count();
        let cfn = active.iter().filter(|r| r["cloudformation"].is_array()).count();
        assert_eq!(row["terraform"]["rules"], tf, "{id}");
        assert_eq!(row["cloudformation"]["rules"], cfn, "{id}");
        assert_eq!(row["terraform"]["native"], tf, "{id}: the built-in pack is native");
        assert_eq!(row["terraform"]["withFixtures"], tf, "{id}");
        assert_eq!(row["cloudformation"]["withFixtures"], cfn, "{id}");
    }
}

#[test]
fn without_policy_tests_fixtures_are_unknown_not_zero() {
    let elsewhere = tempfile::tempdir().unwrap();
    let m = json(&run_in(elsewhere.path(), &["metrics", "--no-config", "-f", "json"]));
    assert_eq!(m["coverage"]["fixturesKnown"], false);
    assert!(m["coverage"]["fullyTested"].is_null());
    assert!(m["coverage"]["byControl"][0]["terraform"]["withFixtures"].is_null());
    let md = run_in(elsewhere.path(), &["metrics", "--no-config"]);
    assert!(String::from_utf8_lossy(&md.stdout).contains("fixtures not known"));
}

#[test]
fn a_rule_without_a_failing_fixture_is_not_counted_as_tested() {
    let pack = tempfile::tempdir().unwrap();
    let p = pack.path();
    for d in ["controls", "rules", "tests/bucket-unversioned/compliant"] {
        std::fs::create_dir_all(p.join(d)).unwrap();
    }
    std::fs::write(
        p.join("controls/VER-001.yaml"),
        "id: VER-001\nversion: 1\ntitle: Buckets keep versions\nintent: Recover overwritten objects.\nseverity: low\n\
         scope:\n  resourceTypes: [AWS::S3::Bucket]\nevidenceSources: [cloudformation-template]\n\
         exception:\n  allowed: false\nremediation:\n  mode: iac-change\n  hint: enable versioning\nframeworks:\n  soc2: [A1.2]\n",
    )
    .unwrap();
    std::fs::write(
        p.join("rules/bucket-unversioned.yaml"),
        "id: bucket-unversioned\ncontrol: VER-001\ntitle: Buckets keep versions\nmessage: versioning is off\n\
         cloudformation:\n  resourceTypes: [AWS::S3::Bucket]\n  assert:\n    path: $.VersioningConfiguration.Status\n    equals: Enabled\n",
    )
    .unwrap();
    std::fs::write(
        p.join("tests/bucket-unversioned/compliant/pass.yaml"),
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration:\n        Status: Enabled\n",
    )
    .unwrap();
    let m = json(&run(&[
        "metrics",
        "--no-config",
        "--no-builtin",
        "--policies",
        p.to_str().unwrap(),
        "-f",
        "json",
    ]));
    let row = control(&m["coverage"]["byControl"], "id", "VER-001");
    assert_eq!(row["cloudformation"]["rules"], 1);
    assert_eq!(row["cloudformation"]["withFixtures"], 0, "no noncompliant fixture");
    assert_eq!(row["fixtures"], false);
    std::fs::create_dir_all(p.join("tests/bucket-unversioned/noncompliant")).unwrap();
    std::fs::write(
        p.join("tests/bucket-unversioned/noncompliant/fail.yaml"),
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration:\n        Status: Suspended\n",
    )
    .unwrap();
    let m = json(&run(&[
        "metrics",
        "--no-config",
        "--no-builtin",
        "--policies",
        p.to_str().unwrap(),
        "-f",
        "json",
    ]));
    let row = control(&m["coverage"]["byControl"], "id", "VER-001");
    assert_eq!(row["cloudformation"]["withFixtures"], 1);
    assert_eq!(row["fixtures"], true);
}

#[test]
fn exceptions_by_control_and_severity_with_their_age_and_those_expiring_soon() {
    let m = json(&run(&[
        "metrics",
        "--no-config",
        "--exceptions",
        REGISTRY,
        "--today",
        "2026-11-20",
        "-f",
        "json",
    ]));
    let e = &m["exceptions"];
    assert_eq!(m["judgedDay"], "2026-11-20");
    assert_eq!(e["total"], 6);
    assert_eq!(e["inForce"], 3);
    assert_eq!(e["inForceBySeverity"]["critical"], 1);
    assert_eq!(e["inForceBySeverity"]["high"], 2);
    assert_eq!(e["inForceBySeverity"]["medium"], 0);
    let bck = control(&e["byControl"], "control", "BCK-001");
    assert_eq!(bck["severity"], "high");
    assert_eq!(bck["inForce"], 2);
    // Approved 2026-11-01, judged 2026-11-20.
    assert_eq!(bck["oldestDays"], 19);
    let log = control(&e["byControl"], "control", "LOG-001");
    assert_eq!(log["expired"], 1);
    assert_eq!(log["inForce"], 0);
    let soon = e["expiringSoon"].as_array().unwrap();
    assert_eq!(soon.len(), 1, "{soon:?}");
    assert_eq!(soon[0]["id"], "EXC-2026-002");
    assert_eq!(soon[0]["daysLeft"], 11);
    assert_eq!(soon[0]["ageDays"], 10);
    // A wider warning window takes in more.
    let wide = json(&run(&[
        "metrics",
        "--no-config",
        "--exceptions",
        REGISTRY,
        "--today",
        "2026-11-20",
        "--expiry-warning-days",
        "60",
        "-f",
        "json",
    ]));
    assert!(wide["exceptions"]["expiringSoon"].as_array().unwrap().len() > 1);
}

/// Three records of the demo inputs, in three months: the demo as it is in September and
/// October, and in November with every TAG-001 failure fixed.
fn records(dir: &Path) {
    let record = dir.join("run.json");
    let out = run(&[
        "check",
        "--no-config",
        "fixtures/demo",
        "--today",
        "2026-11-20",
        "--evidence",
        record.to_str().unwrap(),
        "-f",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "the demo is blocked: {out:?}");
    let base: Value = serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    std::fs::remove_file(&record).unwrap();
    for (name, when, fixed) in [
        ("a.json", "2026-09-03T10:00:00.000Z", false),
        ("b.json", "2026-10-03T10:00:00.000Z", false),
        ("c.json", "2026-11-03T10:00:00.000Z", true),
    ] {
        let mut r = base.clone();
        r["predicate"]["startedAt"] = when.into();
        r["predicate"]["finishedAt"] = when.into();
        if fixed {
            for c in r["predicate"]["controls"].as_array_mut().unwrap() {
                if c["id"] == "TAG-001" {
                    c["passed"] = (c["passed"].as_u64().unwrap() + c["failed"].as_u64().unwrap()).into();
                    c["failed"] = 0.into();
                }
            }
        }
        std::fs::write(dir.join(name), serde_json::to_string(&r).unwrap()).unwrap();
    }
}

#[test]
fn noncompliance_by_control_and_its_trend_by_month_from_run_records() {
    let dir = tempfile::tempdir().unwrap();
    records(dir.path());
    let base: Value = serde_json::from_slice(&std::fs::read(dir.path().join("a.json")).unwrap()).unwrap();
    let tag_failed = base["predicate"]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "TAG-001")
        .unwrap()["failed"]
        .as_u64()
        .unwrap();
    assert!(tag_failed > 0, "the demo fails TAG-001");
    let m = json(&run(&[
        "metrics",
        "--no-config",
        "--records",
        dir.path().to_str().unwrap(),
        "-f",
        "json",
    ]));
    let n = &m["noncompliance"];
    assert_eq!(n["runs"], 3);
    assert_eq!(n["from"], "2026-09-03T10:00:00.000Z");
    let tag = control(&n["byControl"], "control", "TAG-001");
    assert_eq!(tag["runs"], 3);
    assert_eq!(tag["runsWithFailures"], 2);
    assert_eq!(tag["failed"], 2 * tag_failed);
    assert_eq!(tag["failedInLatestRun"], 0, "fixed in November");
    let trend = n["trend"].as_array().unwrap();
    let months: Vec<&str> = trend.iter().map(|t| t["month"].as_str().unwrap()).collect();
    assert_eq!(months, ["2026-09", "2026-10", "2026-11"]);
    assert_eq!(trend[0]["failedByControl"]["TAG-001"], tag_failed);
    assert!(trend[2]["failedByControl"]["TAG-001"].is_null());
    assert_eq!(
        trend[0]["failed"].as_u64().unwrap() - trend[2]["failed"].as_u64().unwrap(),
        tag_failed,
        "the month's total drops by what was fixed"
    );
    assert_eq!(trend[0]["blocked"], 1);
    let md =
        String::from_utf8(run(&["metrics", "--no-config", "--records", dir.path().to_str().unwrap()]).stdout).unwrap();
    assert!(md.contains("### Trend by month"), "{md}");
    assert!(md.contains("| 2026-11 | 1 | 1 |"), "{md}");
}

#[test]
fn a_folder_holding_something_other_than_run_records_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.json"), "{\"not\": \"a record\"}").unwrap();
    let out = run(&["metrics", "--no-config", "--records", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("x.json"), "the error names the file: {err}");
    let out = run(&["metrics", "--no-config", "--tests", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no/such/dir") && err.contains("no such tests directory"),
        "{err}"
    );
}

#[test]
fn the_run_record_carries_the_metrics_of_its_catalog_and_registry() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("r.json");
    let out = run(&[
        "check",
        "--no-config",
        "fixtures/demo",
        "--exceptions",
        REGISTRY,
        "--today",
        "2026-11-20",
        "--evidence",
        record.to_str().unwrap(),
        "-f",
        "json",
    ]);
    assert!(out.status.code().is_some_and(|c| c < 2), "{out:?}");
    let r: Value = serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    let m = &r["predicate"]["metrics"];
    assert_eq!(m["exceptions"]["total"], 6);
    assert_eq!(m["exceptions"]["inForce"], 3);
    assert_eq!(m["coverage"]["fixturesKnown"], false, "a run reads no policy tests");
    let standalone = json(&run(&[
        "metrics",
        "--no-config",
        "--exceptions",
        REGISTRY,
        "--today",
        "2026-11-20",
        "-f",
        "json",
    ]));
    assert_eq!(m["exceptions"]["byControl"], standalone["exceptions"]["byControl"]);
    assert_eq!(
        m["coverage"]["byControl"][0]["rules"],
        standalone["coverage"]["byControl"][0]["rules"]
    );
}

#[test]
fn markdown_snapshot() {
    let out = run(&[
        "metrics",
        "--no-config",
        "--exceptions",
        REGISTRY,
        "--today",
        "2026-11-20",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}
