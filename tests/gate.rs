//! One decision told by every format: a run with errors reads as failed in each of them, and
//! never as a pass or a clean scan.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const FORMATS: [&str; 7] = ["human", "json", "markdown", "github", "sarif", "junit", "gitlab"];

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// A directory with a failing template, a plan saved by a wrapper that printed a line before the
/// JSON (an input error) and, when asked, a pack whose control file is invalid (a policy error).
fn inputs(broken_pack: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("template.yaml"),
        "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("plan.json"),
        "Acquiring state lock...\n{\"format_version\": \"1.2\", \"resource_changes\": []}\n",
    )
    .unwrap();
    if broken_pack {
        std::fs::create_dir_all(dir.path().join("pack/controls")).unwrap();
        std::fs::write(dir.path().join("pack/controls/X-001.yaml"), "id: X-001\nversion: [\n").unwrap();
    }
    dir
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What each format must say of a failed run with `errors` errors.
fn assert_reads_as_failed(format: &str, o: &Output, errors: usize) {
    let out = text(o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{format}: {out}\n{err}");
    assert!(err.contains("error: "), "{format}: the errors go to stderr too: {err}");
    match format {
        "human" => {
            assert!(out.contains("the run failed"), "{out}");
            assert!(out.contains("gate: error: the run failed with"), "{out}");
            assert!(!out.contains("gate: pass"), "{out}");
        }
        "json" => {
            let doc: Value = serde_json::from_str(&out).unwrap();
            assert_eq!(doc["gate"]["decision"], "error", "{out}");
            assert_eq!(doc["gate"]["blocked"], true, "an error run lets nothing through: {out}");
            let list = doc["errors"].as_array().unwrap();
            assert_eq!(list.len(), errors, "{out}");
            for e in list {
                for key in ["kind", "file", "line", "column", "message"] {
                    assert!(!e[key].is_null(), "{key} of {e}");
                }
            }
        }
        "markdown" => {
            assert!(out.starts_with("## controlgate: error: the run failed"), "{out}");
            assert!(!out.contains("passes"), "{out}");
            // The errors come before any finding.
            let first_error = out.find(" error** at ").unwrap();
            assert!(out.find("| severity |").is_none_or(|t| first_error < t), "{out}");
        }
        "github" => {
            let lines: Vec<&str> = out.lines().collect();
            for l in &lines[..errors] {
                assert!(l.starts_with("::error "), "the errors first: {out}");
                assert!(l.contains("error::"), "{l}");
            }
            assert!(
                lines.last().unwrap().starts_with("::error title=controlgate::"),
                "{out}"
            );
            assert!(!out.contains("::notice title=controlgate"), "{out}");
        }
        "sarif" => {
            let doc: Value = serde_json::from_str(&out).unwrap();
            let invocation = &doc["runs"][0]["invocations"][0];
            assert_eq!(invocation["executionSuccessful"], false, "{out}");
            let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
            assert_eq!(notes.len(), errors, "{out}");
            assert!(notes.iter().all(|n| n["level"] == "error"), "{out}");
        }
        "junit" => {
            let doc = roxmltree::Document::parse(&out).unwrap();
            let gate = doc
                .descendants()
                .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("gate"))
                .unwrap();
            let outcome = gate.children().find(|c| c.is_element()).unwrap();
            assert_eq!(outcome.tag_name().name(), "error", "{out}");
            let cases = doc.descendants().filter(|n| n.has_tag_name("error")).count();
            assert_eq!(cases, errors + 1, "one error per run error and the gate's: {out}");
            assert_eq!(
                doc.root_element().attribute("errors"),
                Some((errors + 1).to_string().as_str())
            );
        }
        "gitlab" => {
            let doc: Value = serde_json::from_str(&out).unwrap();
            let issues = doc.as_array().unwrap();
            for issue in &issues[..errors] {
                assert_eq!(issue["severity"], "blocker", "the errors first: {out}");
                assert!(
                    issue["description"]
                        .as_str()
                        .unwrap()
                        .starts_with("controlgate run failed")
                );
            }
        }
        _ => unreachable!(),
    }
}

#[test]
fn an_input_error_reads_as_failed_in_every_format() {
    let dir = inputs(false);
    for format in FORMATS {
        let o = run(dir.path(), &["--format", format, "."]);
        assert_reads_as_failed(format, &o, 1);
    }
    // The findings that could be judged are still reported with the error.
    let o = run(dir.path(), &["--format", "json", "."]);
    let doc: Value = serde_json::from_str(&text(&o)).unwrap();
    assert_eq!(doc["errors"][0]["file"], "plan.json");
    assert_eq!(doc["errors"][0]["line"], 1);
    assert!(doc["gate"]["blockingFindings"].as_u64().unwrap() > 0, "{doc}");
}

#[test]
fn a_policy_error_reads_as_failed_in_every_format() {
    let dir = inputs(true);
    for format in FORMATS {
        let o = run(dir.path(), &["--format", format, "--policies", "pack", "."]);
        assert_reads_as_failed(format, &o, 1);
    }
}

#[test]
fn an_invalid_config_file_reads_as_failed_in_every_format() {
    let dir = inputs(false);
    std::fs::remove_file(dir.path().join("plan.json")).unwrap();
    std::fs::write(dir.path().join(".controlgate.yaml"), "failOn: everything\n").unwrap();
    for format in FORMATS {
        let o = run(dir.path(), &["--format", format, "."]);
        assert_reads_as_failed(format, &o, 1);
    }
    let o = run(dir.path(), &["--format", "json", "--sarif-file", "out.sarif", "."]);
    let doc: Value = serde_json::from_str(&text(&o)).unwrap();
    assert_eq!(doc["errors"][0]["kind"], "config", "{doc}");
    assert_eq!(doc["errors"][0]["file"], ".controlgate.yaml", "{doc}");
    let sarif: Value = serde_json::from_slice(&std::fs::read(dir.path().join("out.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["invocations"][0]["executionSuccessful"], false);
}

#[test]
fn side_documents_of_a_failed_run_say_so() {
    let dir = inputs(false);
    let o = run(
        dir.path(),
        &[
            "--sarif-file",
            "out.sarif",
            "--json-file",
            "out.json",
            "--format",
            "markdown",
            ".",
        ],
    );
    assert_reads_as_failed("markdown", &o, 1);
    let sarif: Value = serde_json::from_slice(&std::fs::read(dir.path().join("out.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["invocations"][0]["executionSuccessful"], false);
    let notification = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(
        notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "plan.json"
    );
    let json: Value = serde_json::from_slice(&std::fs::read(dir.path().join("out.json")).unwrap()).unwrap();
    assert_eq!(json["gate"]["decision"], "error");
}

#[test]
fn a_clean_run_says_it_succeeded() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.yaml"),
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      KmsMasterKeyId: alias/k\n      Tags: [{Key: Owner, Value: a}, {Key: Environment, Value: dev}, {Key: DataClassification, Value: internal}]\n",
    )
    .unwrap();
    let o = run(dir.path(), &["--format", "sarif", "t.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: Value = serde_json::from_str(&text(&o)).unwrap();
    let invocation = &doc["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    assert!(invocation.get("toolExecutionNotifications").is_none());
    let o = run(dir.path(), &["--format", "json", "t.yaml"]);
    let doc: Value = serde_json::from_str(&text(&o)).unwrap();
    assert_eq!(doc["gate"]["decision"], "pass");
    assert_eq!(doc["errors"], serde_json::json!([]));
}
