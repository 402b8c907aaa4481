//! `evidence query` and `evidence package` over folders of run records: the committed fixture
//! folder (fixtures/evidence/records, written by scripts/gen_evidence.py from a real record) in
//! snapshots, filters checked against counts computed here from the raw JSON, the same records
//! as `.json` files and as JSON lines, and records that are not records.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_controlgate"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CONTROLGATE_") {
            c.env_remove(k);
        }
    }
    c.current_dir(root());
    c
}

const RECORDS: &str = "fixtures/evidence/records";

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}\n{}", text(&out.stderr));
    text(&out.stdout)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap()
}

/// Every record of a folder, read here with serde_json alone.
fn raw(dir: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    for e in walk(dir) {
        let t = std::fs::read_to_string(&e).unwrap();
        if e.extension().is_some_and(|x| x == "jsonl") {
            out.extend(
                t.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| serde_json::from_str(l).unwrap()),
            );
        } else {
            out.push(serde_json::from_str(&t).unwrap());
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files.extend(walk(&p));
        } else {
            files.push(p);
        }
    }
    files.sort();
    files
}

fn generate(n: usize, jsonl: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Command::new("python3");
    c.arg(root().join("scripts/gen_evidence.py"))
        .arg(n.to_string())
        .arg(dir.path())
        .args(["--seed", "5"]);
    if jsonl {
        c.arg("--jsonl");
    }
    let out = c.output().expect("python3 runs scripts/gen_evidence.py");
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir
}

fn started(v: &Value) -> Vec<String> {
    v["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["startedAt"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_package_of_a_control_for_a_quarter_in_markdown() {
    insta::assert_snapshot!(ok(&[
        "evidence",
        "package",
        "BCK-001",
        "--since",
        "2026-01-01",
        "--until",
        "2026-03-31",
        RECORDS
    ]));
}

#[test]
fn the_package_of_a_control_for_a_quarter_in_json() {
    let v = json(&[
        "evidence",
        "package",
        "BCK-001",
        "--since",
        "2026-01-01",
        "--until",
        "2026-03-31",
        RECORDS,
        "-f",
        "json",
    ]);
    insta::assert_json_snapshot!(v);
}

#[test]
fn a_control_whose_rule_set_changed_in_the_period_shows_both_rule_sets_and_bundles() {
    let v = json(&[
        "evidence",
        "package",
        "LOG-001",
        "--since",
        "2026-01-01",
        "--until",
        "2026-12-31",
        RECORDS,
        "-f",
        "json",
    ]);
    let sets = v["implementation"]["recordedRuleSets"].as_array().unwrap();
    assert_eq!(sets.len(), 2, "{sets:#?}");
    assert_eq!(sets[0]["version"], 2);
    assert_eq!(sets[1]["version"], 3);
    assert_eq!(v["implementation"]["policyBundles"].as_array().unwrap().len(), 2);
    // The second set was first seen after the first one was last seen.
    assert!(sets[1]["firstSeen"]["at"].as_str() > sets[0]["lastSeen"]["at"].as_str());
}

#[test]
fn the_query_table_and_json() {
    insta::assert_snapshot!(
        "query_human",
        ok(&[
            "evidence",
            "query",
            RECORDS,
            "--control",
            "BCK-001",
            "--repository",
            "acme/orders"
        ])
    );
    insta::assert_json_snapshot!(
        "query_json",
        json(&[
            "evidence",
            "query",
            RECORDS,
            "--repository",
            "acme/payments",
            "--control",
            "BCK-001",
            "--since",
            "2026-02-01",
            "-f",
            "json"
        ])
    );
}

#[test]
fn filters_match_the_counts_computed_from_the_raw_records() {
    let records = raw(&root().join(RECORDS));
    let count = |args: &[&str]| {
        let mut a = vec!["evidence", "query", RECORDS, "-f", "json"];
        a.extend_from_slice(args);
        json(&a)["matched"].as_u64().unwrap() as usize
    };
    let p = |r: &Value, ptr: &str| r["predicate"].pointer(ptr).cloned().unwrap_or(Value::Null);
    let blocked = records
        .iter()
        .filter(|r| p(r, "/decision/verdict") == "blocked")
        .count();
    assert_eq!(count(&["--decision", "blocked"]), blocked);
    assert_eq!(
        count(&["--decision", "blocked", "--decision", "pass"]),
        records.len() - records.iter().filter(|r| p(r, "/decision/verdict") == "error").count()
    );
    let orders = records
        .iter()
        .filter(|r| p(r, "/context/repository") == "acme/orders")
        .count();
    assert!(orders > 0);
    assert_eq!(count(&["--repository", "acme/orders"]), orders);
    let applied = records
        .iter()
        .filter(|r| {
            p(r, "/findings")
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["exception"] == "EXC-2026-001")
        })
        .count();
    assert!(applied > 0);
    assert_eq!(count(&["--exception", "EXC-2026-001"]), applied);
    let january = records
        .iter()
        .filter(|r| p(r, "/startedAt").as_str().unwrap().starts_with("2026-01"))
        .count();
    assert_eq!(count(&["--since", "2026-01-01", "--until", "2026-01-31"]), january);
    let db = records
        .iter()
        .filter(|r| {
            p(r, "/findings")
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["resource"] == "OrdersDatabase" && f["control"] == "BCK-001")
        })
        .count();
    // The resource is in every run's changes; with a finding of the control, fewer.
    assert_eq!(count(&["--resource", "OrdersDatabase"]), records.len());
    assert_eq!(count(&["--resource", "Orders*"]), records.len());
    assert_eq!(count(&["--resource", "Orders"]), 0, "exact unless a star is given");
    assert!(db > 0 && db < records.len());
    assert_eq!(
        count(&["--account", "111111111111", "--region", "eu-west-1"]),
        records.len()
    );
    assert_eq!(count(&["--account", "999999999999"]), 0);
    assert_eq!(count(&["--control", "NO-SUCH-001"]), 0);
}

#[test]
fn the_same_records_as_files_and_as_json_lines_give_the_same_runs() {
    let files = generate(300, false);
    let lines = generate(300, true);
    for filter in [
        vec!["--decision", "blocked"],
        vec!["--control", "BCK-001", "--exception", "EXC-2026-001"],
        vec!["--repository", "acme/search", "--since", "2026-06-01"],
        vec!["--resource", "module.web.*", "--region", "us-east-1"],
    ] {
        let q = |dir: &Path| {
            let mut a = vec!["evidence", "query", dir.to_str().unwrap(), "-f", "json"];
            a.extend_from_slice(&filter);
            json(&a)
        };
        let (a, b) = (q(files.path()), q(lines.path()));
        assert_eq!(a["records"], 300);
        assert_eq!(started(&a), started(&b), "{filter:?}");
        assert!(!started(&a).is_empty(), "{filter:?} matches something");
    }
}

#[test]
fn output_does_not_depend_on_the_working_directory() {
    let here = ok(&["evidence", "query", RECORDS, "-f", "json"]);
    let out = bin()
        .current_dir(root().join("fixtures"))
        .args(["evidence", "query", "evidence/records", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), here);
    let digests: Vec<String> = serde_json::from_str::<Value>(&here).unwrap()["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["record"]["sha256"].as_str().unwrap().to_string())
        .collect();
    // The digest is that of the file's bytes.
    let first = serde_json::from_str::<Value>(&here).unwrap()["runs"][0]["record"]["file"]
        .as_str()
        .unwrap()
        .to_string();
    let bytes = std::fs::read(root().join(RECORDS).join(&first)).unwrap();
    use sha2::Digest;
    assert_eq!(digests[0], format!("{:x}", sha2::Sha256::digest(&bytes)));
}

#[test]
fn no_match_says_so_and_exits_0() {
    let out = run(&["evidence", "query", RECORDS, "--repository", "nobody/nothing"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "");
    assert!(
        text(&out.stderr).contains("0 of 12 runs match"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn other_json_is_an_error_unless_skipped_and_invalid_json_always_is() {
    let dir = tempfile::tempdir().unwrap();
    let one = walk(&root().join(RECORDS)).remove(0);
    std::fs::copy(&one, dir.path().join("run.json")).unwrap();
    std::fs::write(
        dir.path().join("results.sarif.json"),
        r#"{"version": "2.1.0", "runs": []}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not read").unwrap();
    let d = dir.path().to_str().unwrap();
    let out = run(&["evidence", "query", d]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("results.sarif.json: not a controlgate run record"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "");
    let out = run(&["evidence", "query", d, "--skip-other-files", "-f", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("note: results.sarif.json: JSON without `_type` and `predicateType`, skipped"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(serde_json::from_str::<Value>(&text(&out.stdout)).unwrap()["matched"], 1);
    // A record with a field missing is a broken record, skipped or not.
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&one).unwrap()).unwrap();
    v["predicate"].as_object_mut().unwrap().remove("decision");
    std::fs::write(dir.path().join("broken.json"), serde_json::to_string(&v).unwrap()).unwrap();
    let out = run(&["evidence", "query", d, "--skip-other-files"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("broken.json:1: invalid run record: missing field `decision`"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_file(dir.path().join("broken.json")).unwrap();
    // The second line of a JSON-lines file is cut short.
    let line = serde_json::to_string(&serde_json::from_str::<Value>(&std::fs::read_to_string(&one).unwrap()).unwrap())
        .unwrap();
    std::fs::write(
        dir.path().join("day.jsonl"),
        format!("{line}\n{}\n", &line[..line.len() / 2]),
    )
    .unwrap();
    let out = run(&["evidence", "query", d, "--skip-other-files"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("day.jsonl:2: invalid JSON"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_package_of_a_control_not_in_the_catalog_is_an_error() {
    let out = run(&[
        "evidence",
        "package",
        "NOPE-001",
        "--since",
        "2026-01-01",
        "--until",
        "2026-03-31",
        RECORDS,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no control `NOPE-001`"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&[
        "evidence",
        "package",
        "BCK-001",
        "--since",
        "2026-13-01",
        "--until",
        "2026-03-31",
        RECORDS,
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_period_that_ends_before_it_starts_is_an_error() {
    let out = run(&[
        "evidence",
        "package",
        "BCK-001",
        "--since",
        "2026-04-01",
        "--until",
        "2026-03-31",
        RECORDS,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--since 2026-04-01 is after --until 2026-03-31"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&[
        "evidence",
        "query",
        RECORDS,
        "--since",
        "2026-03-31T12:00:00Z",
        "--until",
        "2026-03-31",
    ]);
    assert_eq!(out.status.code(), Some(0), "a part of one day");
}

#[test]
fn the_fixture_folder_is_what_the_generator_writes() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("python3")
        .arg(root().join("scripts/gen_evidence.py"))
        .args(["12"])
        .arg(dir.path())
        .args(["--seed", "1", "--repositories", "2", "--days", "120"])
        .output()
        .expect("python3 runs scripts/gen_evidence.py");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let committed = walk(&root().join(RECORDS));
    let generated = walk(dir.path());
    let rel = |base: &Path, files: &[PathBuf]| -> Vec<PathBuf> {
        files
            .iter()
            .map(|f| f.strip_prefix(base).unwrap().to_path_buf())
            .collect()
    };
    assert_eq!(rel(&root().join(RECORDS), &committed), rel(dir.path(), &generated));
    for (a, b) in committed.iter().zip(&generated) {
        assert!(
            std::fs::read(a).unwrap() == std::fs::read(b).unwrap(),
            "{} differs",
            a.display()
        );
    }
}

#[test]
fn the_change_record_a_run_named_shows_in_the_query_and_the_package() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("run.json");
    let mut check = bin();
    for (k, _) in std::env::vars() {
        if k == "CI" || k.starts_with("GITHUB_") || k.starts_with("GITLAB_") || k.starts_with("CI_") {
            check.env_remove(k);
        }
    }
    let out = check
        .args([
            "check",
            "--no-config",
            "fixtures/demo",
            "--change-id",
            "CHG-77",
            "--evidence",
        ])
        .arg(&record)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let d = dir.path().to_str().unwrap();
    let q = json(&["evidence", "query", d, "--control", "CHG-001", "--format", "json"]);
    assert_eq!(q["runs"][0]["changeRecord"]["id"], "CHG-77");
    assert_eq!(q["runs"][0]["changeRecord"]["source"], "change-id");
    let day = q["runs"][0]["startedAt"].as_str().unwrap()[..10].to_string();
    let md = ok(&["evidence", "package", "CHG-001", "--since", &day, "--until", &day, d]);
    let row = md
        .lines()
        .find(|l| l.contains("<code>CHG-77</code>"))
        .unwrap_or_else(|| panic!("{md}"));
    assert!(row.contains("| blocked |"), "{row}");
}
