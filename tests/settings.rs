//! A repository config that weakens the gate says so in every output; the judged day is on the
//! record; the built-in pack can be required and the repository's config ignored.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// An SSH port open to the internet, untagged: it fails NET-001 (critical) and TAG-001 (medium).
const TEMPLATE: &str = "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n";

/// A config that weakens everything it can, and a template for it to judge.
fn weakened() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.yaml"), TEMPLATE).unwrap();
    std::fs::write(
        dir.path().join(".controlgate.yaml"),
        "failOn: critical\nunknown: warn\ninvalidExceptions: warn\nenvironment: dev\nenvironments:\n  - path: '**'\n    environment: dev\nparameters:\n  required-tags-missing:\n    tags: [Owner]\n",
    )
    .unwrap();
    dir
}

#[test]
fn a_weakening_config_is_visible_in_every_format() {
    let dir = weakened();
    let settings = [
        "failOn",
        "unknown",
        "invalidExceptions",
        "environment",
        "environments",
        "parameters",
    ];
    for format in ["human", "json", "markdown", "github", "sarif"] {
        let o = run(dir.path(), &["--format", format, "t.yaml"]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{format}: the critical finding still blocks\n{}",
            stderr(&o)
        );
        let err = stderr(&o);
        for s in settings {
            assert!(
                err.contains(&format!("warning: a setting weakens the gate: {s}:")),
                "{format} stderr lacks {s}:\n{err}"
            );
        }
        let out = stdout(&o);
        match format {
            "json" => {
                let doc: Value = serde_json::from_str(&out).unwrap();
                let changed = doc["settings"]["changed"].as_array().unwrap();
                for s in settings {
                    let c = changed
                        .iter()
                        .find(|c| c["setting"] == s)
                        .unwrap_or_else(|| panic!("{s}: {doc}"));
                    assert_eq!(c["weakens"], true);
                    assert_eq!(c["source"], ".controlgate.yaml");
                }
                assert_eq!(doc["settings"]["weakening"], changed.len());
            }
            "sarif" => {
                let doc: Value = serde_json::from_str(&out).unwrap();
                let invocation = &doc["runs"][0]["invocations"][0];
                let notes = invocation["toolConfigurationNotifications"].as_array().unwrap();
                assert_eq!(
                    notes.len(),
                    invocation["properties"]["settingsChanged"].as_array().unwrap().len()
                );
                assert!(notes.iter().all(|n| n["level"] == "warning"));
                assert!(
                    notes
                        .iter()
                        .any(|n| n["message"]["text"].as_str().unwrap().contains("unknown: warn"))
                );
            }
            "markdown" => {
                let at = out.find("### Settings that weaken the gate").expect(&out);
                assert!(out.find("| severity |").is_some_and(|t| at < t), "at the top:\n{out}");
                for s in settings {
                    assert!(out.contains(&format!("| {s} |")), "{s}:\n{out}");
                }
            }
            "github" => {
                let warnings = out
                    .lines()
                    .filter(|l| l.starts_with("::warning title=controlgate%3A a setting weakens the gate::"))
                    .count();
                assert_eq!(warnings, settings.len(), "{out}");
            }
            _ => {}
        }
    }
}

#[test]
fn a_run_with_the_defaults_records_nothing_changed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.yaml"), TEMPLATE).unwrap();
    let o = run(dir.path(), &["--format", "json", "t.yaml"]);
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["settings"]["changed"], serde_json::json!([]));
    assert_eq!(doc["settings"]["judgedDaySource"], "system clock (UTC)");
    assert_eq!(
        doc["settings"]["judgedDay"],
        chrono::Utc::now().date_naive().to_string()
    );
    assert!(!stderr(&o).contains("weakens"), "{}", stderr(&o));
}

#[test]
fn the_judged_day_is_on_the_record_and_an_earlier_one_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.yaml"), TEMPLATE).unwrap();
    let o = run(dir.path(), &["--format", "json", "--today", "2020-01-01", "t.yaml"]);
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["settings"]["judgedDay"], "2020-01-01");
    assert_eq!(doc["settings"]["judgedDaySource"], "--today");
    let today = &doc["settings"]["changed"][0];
    assert_eq!(
        (&today["setting"], &today["weakens"]),
        (&Value::from("today"), &Value::from(true))
    );
    assert!(
        stderr(&o).contains("warning: a setting weakens the gate: today: 2020-01-01"),
        "{}",
        stderr(&o)
    );
    let md = stdout(&run(
        dir.path(),
        &["--format", "markdown", "--today", "2020-01-01", "t.yaml"],
    ));
    assert!(md.contains("Exceptions judged as on 2020-01-01 (--today)."), "{md}");
    assert!(md.contains("| today |"), "{md}");
    // A later day is recorded, not a weakening.
    let o = run(dir.path(), &["--format", "json", "--today", "2999-01-01", "t.yaml"]);
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["settings"]["weakening"], 0);
    assert_eq!(doc["settings"]["changed"][0]["setting"], "today");
    // The day is a UTC day, whatever the time zone.
    for tz in ["Pacific/Kiritimati", "Etc/GMT+12"] {
        let o = Command::new(env!("CARGO_BIN_EXE_controlgate"))
            .args(["check", "--format", "json", "t.yaml"])
            .current_dir(dir.path())
            .env("TZ", tz)
            .output()
            .unwrap();
        let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            doc["settings"]["judgedDay"],
            chrono::Utc::now().date_naive().to_string(),
            "{tz}"
        );
    }
}

#[test]
fn the_built_in_pack_can_be_required_and_the_repository_config_ignored() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.yaml"), TEMPLATE).unwrap();
    // A pack of one harmless control replaces the built-in one.
    std::fs::create_dir_all(dir.path().join("pack/controls")).unwrap();
    std::fs::write(
        dir.path().join("pack/controls/NET-001.yaml"),
        "id: NET-001\nversion: 1\ntitle: Anything goes\nintent: None.\nseverity: low\nscope:\n  resourceTypes: [AWS::EC2::SecurityGroup]\nevidenceSources: [cloudformation-template]\nexception:\n  allowed: false\nremediation:\n  mode: manual\n  hint: None.\nframeworks:\n  nist-800-53: [AC-1]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".controlgate.yaml"),
        "builtin: false\npolicies: [pack]\n",
    )
    .unwrap();
    let weak = run(dir.path(), &["--format", "sarif", "t.yaml"]);
    assert_eq!(
        weak.status.code(),
        Some(0),
        "the replaced pack lets it through: {}",
        stderr(&weak)
    );
    assert!(
        stderr(&weak).contains("a setting weakens the gate: builtin: false"),
        "{}",
        stderr(&weak)
    );
    let doc: Value = serde_json::from_slice(&weak.stdout).unwrap();
    let rule = &doc["runs"][0]["tool"]["driver"]["rules"][0];
    assert_eq!(rule["id"], "NET-001");
    assert!(
        rule.get("helpUri").is_none(),
        "a pack's control never links to the built-in one: {rule}"
    );

    let required = run(dir.path(), &["--require-builtin", "t.yaml"]);
    assert_eq!(required.status.code(), Some(2));
    assert!(
        stderr(&required).contains(".controlgate.yaml: the built-in pack is left out"),
        "{}",
        stderr(&required)
    );
    let ignored = run(dir.path(), &["--no-config", "--require-builtin", "t.yaml"]);
    assert_eq!(ignored.status.code(), Some(1), "{}", stderr(&ignored));
}

/// `--skip-check` of one rule: that rule is not evaluated, and JSON, SARIF and the warnings on
/// standard error all say which rule of which control was skipped.
#[test]
fn a_skipped_rule_is_recorded_in_every_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let skip = ["--skip-check", "security-group-open-admin-port", "fixtures/demo"];
    let json = run(root, &[&skip[..], &["--format", "json"]].concat());
    let doc: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let net = doc["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "NET-001")
        .unwrap();
    assert_eq!(
        net["skippedRules"],
        serde_json::json!(["security-group-open-admin-port"])
    );
    assert_eq!(doc["settings"]["skipped"]["rules"][0]["setting"], "skipCheck");
    let reports = |doc: &Value| {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["ruleId"] == "security-group-open-admin-port")
    };
    assert!(!reports(&doc), "a skipped rule reports nothing");
    let unskipped = run(root, &["--format", "json", "fixtures/demo"]);
    assert!(
        reports(&serde_json::from_str(&stdout(&unskipped)).unwrap()),
        "the demo fails the rule when it runs"
    );
    assert!(stderr(&json).contains("rule skipped, not evaluated: NET-001/security-group-open-admin-port"));

    let sarif = run(root, &[&skip[..], &["--format", "sarif"]].concat());
    let doc: Value = serde_json::from_str(&stdout(&sarif)).unwrap();
    let rules = doc["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let net = rules.iter().find(|r| r["properties"]["tags"][0] == "NET-001").unwrap();
    assert_eq!(
        net["properties"]["skippedRules"],
        serde_json::json!(["security-group-open-admin-port"])
    );
    assert_eq!(
        net["properties"]["skipped"], false,
        "the control's other rule still ran"
    );
}

/// An id that names no control or rule is a configuration error (exit 2) with the closest id,
/// never a run that silently skips nothing; `--soft-fail` does not turn an error into a pass.
#[test]
fn a_mistyped_check_id_is_an_error_even_with_soft_fail() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = run(
        root,
        &[
            "--skip-check",
            "NET-0001",
            "--soft-fail",
            "--format",
            "json",
            "fixtures/demo",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `NET-001`?"), "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["gate"]["decision"], "error");
}

/// `--soft-fail` exits 0 on a blocked gate, but the decision every output records stays
/// `blocked`, and the setting is listed as weakening the gate with its source.
#[test]
fn soft_fail_exits_zero_and_still_says_blocked() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args(["check", "--format", "json", "fixtures/demo"])
        .env("CONTROLGATE_SOFT_FAIL", "true")
        .current_dir(root)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["gate"]["decision"], "blocked");
    assert!(
        stderr(&o).contains("softFail: true (from CONTROLGATE_SOFT_FAIL)"),
        "{}",
        stderr(&o)
    );
}
