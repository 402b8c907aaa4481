//! The run record (`check --evidence`) and `verify-evidence`: digests recomputed here, apart
//! from the code that writes them; the record reproducible but for its times; in-toto's own
//! Statement validator accepts it; every kind of tampering is caught.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use sha2::{Digest, Sha256};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_controlgate"));
    // The record's context comes from the CI's variables: none of the test runner's leak in.
    for (k, _) in std::env::vars() {
        if k.starts_with("CONTROLGATE_")
            || k.starts_with("GITHUB_")
            || k.starts_with("CI_")
            || k == "CI"
            || k == "GITLAB_CI"
        {
            c.env_remove(k);
        }
    }
    c
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// A repository with the demo's plan and template, a pack of its own and an exception registry.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = root();
    // Where the registry's scopes expect them.
    std::fs::create_dir_all(dir.path().join(INFRA)).unwrap();
    for f in ["plan.json", "template.yaml"] {
        std::fs::copy(r.join("fixtures/demo").join(f), dir.path().join(INFRA).join(f)).unwrap();
    }
    std::fs::copy(
        r.join("fixtures/exceptions/valid.yaml"),
        dir.path().join("exceptions.yaml"),
    )
    .unwrap();
    dir
}

const INFRA: &str = "fixtures/demo";

fn check(dir: &Path, extra: &[&str]) -> (Output, Value) {
    let record = dir.join("record.json");
    let _ = std::fs::remove_file(&record);
    let out = bin()
        .current_dir(dir)
        .args([
            "check",
            INFRA,
            "--repo-root",
            ".",
            "--today",
            "2026-12-20",
            "--exceptions",
            "exceptions.yaml",
            "--evidence",
        ])
        .arg(&record)
        .args(extra)
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&record)
        .unwrap_or_else(|_| panic!("no record: {}", String::from_utf8_lossy(&out.stderr)));
    (out, serde_json::from_str(&text).unwrap())
}

fn verify(dir: &Path, record: &Path, extra: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .arg("verify-evidence")
        .arg(record)
        .args(["--repo-root", ".", "--exceptions", "exceptions.yaml"])
        .args(extra)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The record without its two times.
fn timeless(mut record: Value) -> Value {
    let p = record["predicate"].as_object_mut().unwrap();
    p.remove("startedAt").unwrap();
    p.remove("finishedAt").unwrap();
    record
}

/// The built-in pack's files as the record names them, read from `policies/` here.
fn builtin_lines() -> Vec<String> {
    let mut lines = Vec::new();
    for (top, role) in [("controls", "control"), ("rules", "rule")] {
        for e in walk(&root().join("policies").join(top)) {
            let ext = e.extension().and_then(|x| x.to_str()).unwrap_or_default();
            if ext != "yaml" && ext != "yml" {
                continue;
            }
            let rel = e.strip_prefix(root().join("policies").join(top)).unwrap();
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let name = format!("<builtin>/policies/{top}/{}", rel.join("/"));
            lines.push(format!("{role} {name} {}\n", sha256(&std::fs::read(&e).unwrap())));
        }
    }
    lines
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_record_is_an_in_toto_statement_whose_digests_are_those_of_the_files() {
    let dir = repo();
    let (out, record) = check(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(record["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(record["predicateType"], "https://controlgate.dev/evidence/run/v1");
    let subjects = record["subject"].as_array().unwrap();
    let names: Vec<&str> = subjects.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "fixtures/demo/plan.json",
            "fixtures/demo/template.yaml",
            "controlgate:policy-bundle"
        ]
    );
    for s in &subjects[..2] {
        let bytes = std::fs::read(dir.path().join(s["name"].as_str().unwrap())).unwrap();
        assert_eq!(s["digest"]["sha256"], sha256(&bytes), "{s}");
    }
    // The bundle: the built-in pack's files and the registry, one sorted line each.
    let mut lines = builtin_lines();
    let registry = std::fs::read(dir.path().join("exceptions.yaml")).unwrap();
    lines.push(format!("exceptions exceptions.yaml {}\n", sha256(&registry)));
    lines.sort();
    let bundle = sha256(lines.concat().as_bytes());
    assert_eq!(record["predicate"]["policy"]["digest"]["sha256"], bundle);
    assert_eq!(subjects[2]["digest"]["sha256"], bundle);
    assert_eq!(
        record["predicate"]["policy"]["files"].as_array().unwrap().len(),
        lines.len()
    );
}

#[test]
fn the_record_holds_counts_exceptions_changes_and_the_decision() {
    let dir = repo();
    let (out, record) = check(dir.path(), &[]);
    let p = &record["predicate"];
    assert_eq!(p["decision"]["verdict"], "blocked");
    assert_eq!(p["decision"]["exitCode"], 1);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(p["settings"]["judgedDay"], "2026-12-20");
    // The plan's resources are created but one, deleted; the template declares its own.
    let by_action = &p["changes"]["byAction"];
    let plan_resources = p["changes"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["file"] == "fixtures/demo/plan.json")
        .count();
    assert_eq!(by_action["create"], plan_resources - 1);
    assert_eq!(by_action["delete"], 1);
    assert!(plan_resources > 1);
    assert!(
        p["changes"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| (r["file"] == "fixtures/demo/plan.json") == r.get("action").is_some())
    );
    // Per control, the counts agree with the findings listed.
    for c in p["controls"].as_array().unwrap() {
        let findings: Vec<&Value> = p["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["control"] == c["id"])
            .collect();
        let failed = findings.iter().filter(|f| f["outcome"] == "fail").count();
        assert_eq!(c["failed"], failed, "{}", c["id"]);
        let excepted = findings.iter().filter(|f| f["exception"].is_string()).count();
        assert_eq!(c["excepted"], excepted, "{}", c["id"]);
    }
    // An applied exception carries its owner, approver, expiry and evidence link.
    let applied: Vec<&Value> = p["exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["applied"].as_u64() > Some(0))
        .collect();
    assert!(!applied.is_empty(), "{}", p["exceptions"]);
    for e in applied {
        for k in ["owner", "approver", "expires", "evidence", "compensatingControl"] {
            assert!(e[k].is_string(), "{k} of {e}");
        }
    }
}

#[test]
fn in_totos_own_validator_accepts_the_record() {
    let dir = repo();
    let (_, _) = check(dir.path(), &[]);
    let script = "import sys\nfrom google.protobuf import json_format\nimport in_toto_attestation.v1.statement_pb2 as spb\nfrom in_toto_attestation.v1.statement import Statement\npb = json_format.Parse(open(sys.argv[1]).read(), spb.Statement())\nStatement.copy_from_pb(pb).validate()\nprint(len(pb.subject), pb.predicate_type)\n";
    let Ok(out) = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(dir.path().join("record.json"))
        .output()
    else {
        return skip("python3");
    };
    if !out.status.success() && text(&out.stderr).contains("ModuleNotFoundError") {
        return skip("in-toto-attestation (pip install in-toto-attestation)");
    }
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "3 https://controlgate.dev/evidence/run/v1");
}

fn skip(tool: &str) {
    assert!(
        std::env::var_os("CONTROLGATE_REQUIRE_TOOLS").is_none(),
        "{tool} is required here"
    );
    eprintln!("skipped: {tool} is not installed");
}

#[test]
fn the_record_but_its_times_is_the_same_for_every_run_and_working_directory() {
    let dir = repo();
    let (_, first) = check(dir.path(), &[]);
    let (_, second) = check(dir.path(), &[]);
    assert_ne!(first["predicate"]["startedAt"], Value::Null);
    assert_eq!(timeless(first.clone()), timeless(second));
    // From a subdirectory, naming the same files.
    let sub = dir.path().join(INFRA);
    let record = dir.path().join("record2.json");
    let out = bin()
        .current_dir(&sub)
        .args([
            "check",
            ".",
            "--repo-root",
            "../..",
            "--today",
            "2026-12-20",
            "--exceptions",
            "../../exceptions.yaml",
            "--evidence",
        ])
        .arg(&record)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let third: Value = serde_json::from_str(&std::fs::read_to_string(record).unwrap()).unwrap();
    // Every name is relative to the repository root: the same bytes but the times.
    assert_eq!(timeless(first), timeless(third));
}

#[test]
fn a_run_that_fails_records_the_error() {
    let dir = repo();
    std::fs::write(dir.path().join("fixtures/demo/broken.json"), "{\"resource_changes\": [").unwrap();
    let (out, record) = check(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let d = &record["predicate"]["decision"];
    assert_eq!(d["verdict"], "error");
    assert_eq!(d["exitCode"], 2);
    assert_eq!(d["errors"][0]["file"], "fixtures/demo/broken.json", "{d}");
    // An invalid catalog: no input was read, and the record still says the run failed.
    std::fs::create_dir_all(dir.path().join("pack/controls")).unwrap();
    std::fs::write(dir.path().join("pack/controls/BAD.yaml"), "id: nope\n").unwrap();
    let (out, record) = check(dir.path(), &["--policies", "pack"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(record["predicate"]["decision"]["verdict"], "error");
    assert_eq!(
        record["subject"].as_array().unwrap().len(),
        1,
        "the policy bundle subject is always there"
    );
}

#[test]
fn verify_evidence_accepts_the_record_of_the_files_at_hand() {
    let dir = repo();
    let (_, _) = check(dir.path(), &[]);
    let out = verify(dir.path(), Path::new("record.json"), &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("subject fixtures/demo/plan.json: matches"), "{stdout}");
    assert!(stdout.contains("policy bundle: matches"), "{stdout}");
    assert!(
        stdout.contains("verified: the record matches the files at hand"),
        "{stdout}"
    );
    // JSON, naming each subject.
    let out = verify(dir.path(), Path::new("record.json"), &["--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["matches"], true);
    assert_eq!(v["subjects"].as_array().unwrap().len(), 3);
    assert!(v["subjects"].as_array().unwrap().iter().all(|s| s["status"] == "match"));
}

#[test]
fn verify_evidence_detects_a_changed_input() {
    let dir = repo();
    let (_, _) = check(dir.path(), &[]);
    let path = dir.path().join("fixtures/demo/template.yaml");
    let mut t = std::fs::read_to_string(&path).unwrap();
    t.push_str("\n# a comment changes the digest, not the verdicts\n");
    std::fs::write(&path, t).unwrap();
    let out = verify(dir.path(), Path::new("record.json"), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["matches"], false);
    let s = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "fixtures/demo/template.yaml")
        .unwrap();
    assert_eq!(s["status"], "changed");
    assert_eq!(s["actual"], sha256(&std::fs::read(&path).unwrap()));
    // A missing input is named too.
    std::fs::remove_file(dir.path().join("fixtures/demo/plan.json")).unwrap();
    let out = verify(dir.path(), Path::new("record.json"), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("subject fixtures/demo/plan.json: MISSING"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn verify_evidence_detects_a_changed_policy_or_exception_file() {
    let dir = repo();
    let (_, _) = check(dir.path(), &[]);
    let path = dir.path().join("exceptions.yaml");
    let t = std::fs::read_to_string(&path)
        .unwrap()
        .replacen("reason:", "reason: Still", 1);
    std::fs::write(&path, t).unwrap();
    let out = verify(dir.path(), Path::new("record.json"), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["policy"]["matches"], false);
    assert_eq!(v["policy"]["files"][0]["change"], "changed");
    assert_eq!(v["policy"]["files"][0]["name"], "exceptions.yaml");
    // Verified against a different policy set: the pack's files are "added".
    std::fs::write(
        dir.path().join("exceptions.yaml"),
        std::fs::read(root().join("fixtures/exceptions/valid.yaml")).unwrap(),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("pack/controls")).unwrap();
    let control = std::fs::read_to_string(root().join("policies/controls/TAG-001.yaml"))
        .unwrap()
        .replace("TAG-001", "TST-001");
    std::fs::write(dir.path().join("pack/controls/TST-001.yaml"), control).unwrap();
    let out = verify(
        dir.path(),
        Path::new("record.json"),
        &["--format", "json", "--policies", "pack"],
    );
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["policy"]["files"][0]["change"], "added", "{}", v["policy"]);
    assert_eq!(v["policy"]["files"][0]["name"], "pack/controls/TST-001.yaml");
}

/// Each field an auditor relies on, changed in the record, is caught.
#[test]
fn verify_evidence_detects_each_tampered_field() {
    let dir = repo();
    let (_, record) = check(dir.path(), &[]);
    type Edit = Box<dyn Fn(&mut Value)>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "a control's failed count",
            Box::new(|r| {
                let c = r["predicate"]["controls"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .find(|c| c["failed"].as_u64() > Some(0))
                    .unwrap();
                c["failed"] = (c["failed"].as_u64().unwrap() - 1).into();
            }),
        ),
        (
            "the decision",
            Box::new(|r| r["predicate"]["decision"]["verdict"] = "pass".into()),
        ),
        (
            "the exit code",
            Box::new(|r| r["predicate"]["decision"]["exitCode"] = 0.into()),
        ),
        (
            "an input's digest",
            Box::new(|r| r["subject"][0]["digest"]["sha256"] = sha256(b"other").into()),
        ),
        (
            "the policy digest",
            Box::new(|r| r["predicate"]["policy"]["digest"]["sha256"] = sha256(b"other").into()),
        ),
        (
            "a policy file's digest",
            Box::new(|r| r["predicate"]["policy"]["files"][0]["sha256"] = sha256(b"other").into()),
        ),
        (
            "a finding removed",
            Box::new(|r| {
                r["predicate"]["findings"].as_array_mut().unwrap().pop();
            }),
        ),
        (
            "an exception's use",
            Box::new(|r| r["predicate"]["exceptions"][0]["applied"] = 9.into()),
        ),
        (
            "a planned action",
            Box::new(|r| r["predicate"]["changes"]["resources"][0]["action"] = "no-op".into()),
        ),
        (
            "the fail-on setting",
            Box::new(|r| r["predicate"]["settings"]["failOn"] = "critical".into()),
        ),
        (
            "the judged day",
            Box::new(|r| r["predicate"]["settings"]["judgedDay"] = "2026-12-21".into()),
        ),
    ];
    for (what, edit) in edits {
        let mut r = record.clone();
        edit(&mut r);
        assert_ne!(r, record, "{what}: the edit changed nothing");
        let path = dir.path().join("tampered.json");
        std::fs::write(&path, serde_json::to_string_pretty(&r).unwrap()).unwrap();
        let out = verify(dir.path(), &path, &[]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{what} was not detected:\n{}",
            text(&out.stdout)
        );
        assert!(text(&out.stdout).contains("NOT VERIFIED"), "{what}");
    }
}

#[test]
fn verify_evidence_refuses_what_is_not_a_record() {
    let dir = repo();
    for (name, body, says) in [
        ("bad.json", "{\n  \"_type\": ", "bad.json:2:"),
        (
            "other.json",
            "{\"_type\": \"https://in-toto.io/Statement/v1\", \"predicateType\": \"https://slsa.dev/provenance/v1\", \"subject\": [], \"predicate\": {}}",
            "not a controlgate run record",
        ),
    ] {
        std::fs::write(dir.path().join(name), body).unwrap();
        let out = verify(dir.path(), Path::new(name), &[]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(text(&out.stderr).contains(says), "{name}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_record_of_a_run_on_the_system_clock_keeps_its_day() {
    let dir = repo();
    let record = dir.path().join("record.json");
    let out = bin()
        .current_dir(dir.path())
        .args(["check", INFRA, "--repo-root", ".", "--evidence"])
        .arg(&record)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let out = bin()
        .current_dir(dir.path())
        .args(["verify-evidence", "record.json", "--repo-root", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let mut r: Value = serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    assert_eq!(r["predicate"]["settings"]["judgedDaySource"], "system clock (UTC)");
    r["predicate"]["settings"]["judgedDay"] = "2020-01-01".into();
    std::fs::write(&record, serde_json::to_string(&r).unwrap()).unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args(["verify-evidence", "record.json", "--repo-root", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("/predicate/settings/judgedDay"),
        "{}",
        text(&out.stdout)
    );
}
