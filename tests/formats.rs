//! `--format junit` and `--format gitlab`, checked as their consumers read them: JUnit XML
//! against the Jenkins JUnit schema (libxml2), the GitLab Code Quality report against the schema
//! GitLab's parser validates each issue with.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::failed_inputs;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    common::controlgate()
        .arg("check")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn run(args: &[&str]) -> Output {
    run_in(root(), args)
}

fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

/// `node` with `xmllint-wasm` installed (`npm ci --prefix scripts/node-tools`). CI sets
/// CONTROLGATE_REQUIRE_TOOLS so that a missing tool fails instead of skipping.
fn xsd_validator() -> Option<PathBuf> {
    let script = root().join("scripts/node-tools/xsd-validate.cjs");
    let installed = root().join("scripts/node-tools/node_modules/xmllint-wasm").is_dir();
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if installed && node {
        return Some(script);
    }
    assert!(
        std::env::var_os("CONTROLGATE_REQUIRE_TOOLS").is_none(),
        "node and xmllint-wasm are required here: run `npm ci --prefix scripts/node-tools`"
    );
    skipped("node or xmllint-wasm is not installed (npm ci --prefix scripts/node-tools)");
    None
}

/// The problems libxml2 finds in `xml` against the vendored JUnit schema.
fn xsd_problems(validator: &Path, xml: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.xml");
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("node")
        .arg(validator)
        .arg(root().join("tests/schemas/junit-10.xsd"))
        .arg(&file)
        .output()
        .unwrap();
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "the validator did not run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let problems: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(String::from).collect();
    assert_eq!(code == Some(0), problems.is_empty(), "{problems:?}");
    problems
}

#[test]
fn junit_validates_against_the_jenkins_schema() {
    let Some(validator) = xsd_validator() else {
        return;
    };
    let blocked = run(&["--format", "junit", "fixtures", "policies/tests"]);
    assert_eq!(blocked.status.code(), Some(1));
    let failed = run_in(failed_inputs().path(), &["--format", "junit", "."]);
    assert_eq!(failed.status.code(), Some(2));
    for (what, xml) in [("blocked", &blocked.stdout), ("failed", &failed.stdout)] {
        let problems = xsd_problems(&validator, xml);
        assert!(problems.is_empty(), "{what}: {problems:#?}");
    }
    // The validator does reject what the schema forbids: a suite without its counts.
    let broken = String::from_utf8(blocked.stdout)
        .unwrap()
        .replacen(" failures=\"", " fails=\"", 2);
    assert!(!xsd_problems(&validator, broken.as_bytes()).is_empty());
}

/// Test cases of a JUnit document by suite: (suite, classname, name, outcome).
fn junit_cases(xml: &str) -> Vec<(String, String, String, String)> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let mut cases = Vec::new();
    for suite in doc.root_element().children().filter(|n| n.has_tag_name("testsuite")) {
        let tests: usize = suite.attribute("tests").unwrap().parse().unwrap();
        let mut counted = [0usize; 3];
        let mut n = 0;
        for case in suite.children().filter(|n| n.has_tag_name("testcase")) {
            n += 1;
            let outcome = case
                .children()
                .find(|c| c.is_element())
                .map_or("passed", |c| c.tag_name().name())
                .to_string();
            for (i, kind) in ["failure", "error", "skipped"].iter().enumerate() {
                counted[i] += usize::from(outcome == *kind);
            }
            cases.push((
                suite.attribute("name").unwrap().to_string(),
                case.attribute("classname").unwrap().to_string(),
                case.attribute("name").unwrap().to_string(),
                outcome,
            ));
        }
        assert_eq!(n, tests, "tests= of {:?}", suite.attribute("name"));
        for (i, attr) in ["failures", "errors", "skipped"].iter().enumerate() {
            assert_eq!(suite.attribute(*attr).unwrap(), counted[i].to_string(), "{attr}");
        }
    }
    cases
}

#[test]
fn junit_has_a_case_per_evaluated_rule_and_resource() {
    let o = run(&["--format", "junit", "fixtures/demo"]);
    assert_eq!(o.status.code(), Some(1));
    let xml = String::from_utf8(o.stdout).unwrap();
    let cases = junit_cases(&xml);
    let json: Value = serde_json::from_slice(&run(&["--format", "json", "fixtures/demo"]).stdout).unwrap();
    let evaluated: u64 = json["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["evaluated"].as_u64().unwrap())
        .sum();
    // Every evaluation, and the gate.
    assert_eq!(cases.len() as u64, evaluated + 1, "{xml}");
    let failures = cases.iter().filter(|c| c.3 == "failure").count();
    assert_eq!(failures, 24 + 1, "24 blocking findings and the gate: {xml}");
    assert_eq!(cases[0].1, "controlgate");
    assert_eq!((cases[0].2.as_str(), cases[0].3.as_str()), ("gate", "failure"));
    assert!(cases.iter().any(|c| c.0.starts_with("BCK-001 ")
        && c.1 == "BCK-001.rds-backup-retention-too-short"
        && c.2 == "OrdersDatabase (fixtures/demo/template.yaml)"
        && c.3 == "failure"));
    assert!(cases.iter().filter(|c| c.3 == "passed").count() > 10);
    assert!(
        xml.contains("<failure type=\"unknown\""),
        "an undecidable finding that blocks"
    );
    // What does not block is skipped, saying why: excepted, or below --fail-on.
    let o = run(&[
        "--format",
        "junit",
        "fixtures/demo",
        "--fail-on",
        "high",
        "--exceptions",
        "fixtures/exceptions/valid.yaml",
        "--today",
        "2026-11-25",
    ]);
    let xml = String::from_utf8(o.stdout).unwrap();
    let cases = junit_cases(&xml);
    assert!(cases.iter().any(|c| c.3 == "skipped"), "{xml}");
    assert!(xml.contains("is below --fail-on high"), "{xml}");
    assert!(xml.contains("<skipped message=\"excepted by EXC-"), "{xml}");
    // The weakening settings are said.
    assert!(
        xml.contains("<property name=\"weakening setting\" value=\"failOn: high"),
        "{xml}"
    );
}

#[test]
fn junit_of_a_failed_run_is_failed() {
    let o = run_in(failed_inputs().path(), &["--format", "junit", "."]);
    assert_eq!(o.status.code(), Some(2));
    let xml = String::from_utf8(o.stdout).unwrap();
    let cases = junit_cases(&xml);
    assert_eq!((cases[0].2.as_str(), cases[0].3.as_str()), ("gate", "error"), "{xml}");
    assert!(
        cases
            .iter()
            .any(|c| c.2.starts_with("input error 1: plan.json:1") && c.3 == "error"),
        "{xml}"
    );
    assert!(xml.contains("gate: error: the run failed with 1 error"), "{xml}");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_ne!(doc.root_element().attribute("errors"), Some("0"));
    // An invalid config file: nothing was checked, the report still says the run failed.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".controlgate.yaml"), "failOn: everything\n").unwrap();
    let o = run_in(dir.path(), &["--format", "junit", "."]);
    assert_eq!(o.status.code(), Some(2));
    let cases = junit_cases(&String::from_utf8(o.stdout).unwrap());
    assert_eq!(cases[0].3, "error");
}

#[test]
fn junit_escapes_what_the_inputs_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t&<x>.yaml"),
        "Resources:\n  \"Sg\\u0007]]>\":\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n",
    )
    .unwrap();
    let o = run_in(dir.path(), &["--format", "junit", "."]);
    let xml = String::from_utf8(o.stdout).unwrap();
    let cases = junit_cases(&xml);
    assert!(
        cases
            .iter()
            .any(|c| c.2 == "Sg\\u{7}]]> (t&<x>.yaml)" && c.3 == "failure"),
        "{cases:?}"
    );
}

fn gitlab_schema() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/schemas/gitlab-codeclimate.json")).unwrap())
            .unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

/// GitLab's checks of a report: a JSON array whose every issue passes its schema, with a
/// severity of its scale, a repository-relative path and a line, and fingerprints unique in the
/// report (GitLab compares reports by fingerprint).
fn assert_gitlab_valid(report: &Value) {
    let validator = gitlab_schema();
    let issues = report.as_array().expect("a JSON array");
    let mut fingerprints = HashSet::new();
    for issue in issues {
        let errors: Vec<String> = validator.iter_errors(issue).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{issue}: {errors:?}");
        assert!(
            ["info", "minor", "major", "critical", "blocker"].contains(&issue["severity"].as_str().unwrap()),
            "{issue}"
        );
        assert!(!issue["check_name"].as_str().unwrap().is_empty(), "{issue}");
        let path = issue["location"]["path"].as_str().unwrap();
        assert!(!path.starts_with('/') && !path.starts_with("../"), "{issue}");
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1, "{issue}");
        assert!(
            fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_string()),
            "{issue}"
        );
    }
}

#[test]
fn gitlab_code_quality_validates_against_gitlabs_schema() {
    let o = run(&["--format", "gitlab", "fixtures", "policies/tests"]);
    assert_eq!(o.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(report.as_array().unwrap().len() > 100);
    assert_gitlab_valid(&report);
    // The schema does reject what GitLab refuses: an issue without a fingerprint.
    let mut broken = report[0].clone();
    broken.as_object_mut().unwrap().remove("fingerprint");
    assert!(!gitlab_schema().is_valid(&broken));
}

#[test]
fn gitlab_fingerprints_are_stable_across_runs_and_working_directories() {
    let fingerprints = |dir: &Path, path: &str| -> Vec<(String, String)> {
        let o = run_in(dir, &["--format", "gitlab", path]);
        let report: Value = serde_json::from_slice(&o.stdout).unwrap();
        report
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["fingerprint"].as_str().unwrap().into(),
                    i["location"]["path"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let first = fingerprints(root(), "fixtures/demo");
    assert_eq!(first, fingerprints(root(), "fixtures/demo"));
    // From another directory of the repository: the same fingerprints and repository paths.
    assert_eq!(first, fingerprints(&root().join("fixtures"), "demo"));
    assert!(first.iter().any(|(_, p)| p == "fixtures/demo/main.tf"), "{first:?}");
}

#[test]
fn gitlab_code_quality_of_a_failed_run_says_so() {
    let o = run_in(failed_inputs().path(), &["--format", "gitlab", "."]);
    assert_eq!(o.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_gitlab_valid(&report);
    let first = &report[0];
    assert_eq!(first["severity"], "blocker", "{report}");
    assert_eq!(first["check_name"], "controlgate/input-error");
    assert_eq!(first["location"]["path"], "plan.json");
    assert!(
        first["description"]
            .as_str()
            .unwrap()
            .starts_with("controlgate run failed"),
        "{first}"
    );
    // What does not block reads as info.
    let o = run(&["--format", "gitlab", "fixtures/demo", "--fail-on", "critical"]);
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let high = report
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["check_name"] == "LOG-001/cloudtrail-not-multi-region")
        .unwrap();
    assert_eq!(high["severity"], "info", "{high}");
    assert!(report.as_array().unwrap().iter().any(|i| i["severity"] == "blocker"));
}
