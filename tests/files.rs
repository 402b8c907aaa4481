//! Which files a run reads and how: each input once, symbolic links followed, reads bounded in
//! size, a run with nothing to check an error, and the same verdicts from any working directory.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

/// A production database without a week of backups: BCK-001 (scoped to prod) fails it, and
/// other controls too.
const DB: &str = "AWSTemplateFormatVersion: \"2010-09-09\"
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      BackupRetentionPeriod: 1
      StorageEncrypted: true
      DeletionProtection: true
      Tags:
        - {Key: Owner, Value: team-a}
";

/// The config: resources say nothing of their environment, so `envs/prod/**` decides.
const CONFIG: &str = "environment: dev
environments:
  - path: \"envs/prod/**\"
    environment: prod
";

/// An exception for BCK-001 on `Db`, scoped to the production stacks by path.
const REGISTRY: &str = "exceptions:
  - id: EXC-1
    control: BCK-001
    scope:
      resources: [Db]
      paths: [\"envs/prod/*.yaml\"]
    owner: alice@example.com
    reason: Migrating.
    compensatingControl: Manual snapshots.
    approval:
      approver: bob@example.com
      role: platform-owner
      date: 2026-11-01
    expires: 2027-01-15
    status: approved
";

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// A repository (it has `.git`) with the config and `envs/prod/db.yaml`.
    fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir(repo.path(".git")).unwrap();
        repo.write(".controlgate.yaml", CONFIG);
        repo.write("envs/prod/db.yaml", DB);
        repo
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn run_in(&self, sub: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_controlgate"))
            .args(args)
            .current_dir(self.dir.path().join(sub))
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_in("", args)
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stderr(o)))
}

/// What decides the gate of each finding, without the paths (they are relative to the working
/// directory by design).
fn verdicts(doc: &Value) -> Vec<String> {
    let mut out: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {} {}",
                f["controlId"], f["ruleId"], f["resource"], f["outcome"], f["environment"], f["exception"]["state"]
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_same_verdicts_and_fingerprints_from_a_subdirectory() {
    let repo = Repo::new();
    repo.write(".controlgate/exceptions.yaml", REGISTRY);
    let at_root = repo.run(&["check", "envs", "-f", "json", "--today", "2026-11-25"]);
    let config = repo.path(".controlgate.yaml");
    let registry = repo.path(".controlgate/exceptions.yaml");
    let (config, registry) = (config.to_str().unwrap(), registry.to_str().unwrap());
    let below = repo.run_in(
        "envs",
        &[
            "check",
            ".",
            "-f",
            "json",
            "--today",
            "2026-11-25",
            "--config",
            config,
            "--exceptions",
            registry,
        ],
    );
    assert_eq!(code(&at_root), code(&below), "{}\n{}", stderr(&at_root), stderr(&below));
    let (a, b) = (json(&at_root), json(&below));
    assert_eq!(verdicts(&a), verdicts(&b));
    // The production pattern placed the database from both directories, and the path-scoped
    // exception excepted BCK-001 from both.
    let bck: Vec<&Value> = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["controlId"] == "BCK-001")
        .collect();
    assert_eq!(bck.len(), 1, "{a:#}");
    assert_eq!(bck[0]["environment"], "prod");
    assert!(bck[0]["exception"]["id"] == "EXC-1", "{:#}", bck[0]);
    let fingerprints = |d: &Value| -> Vec<String> {
        d["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    assert_eq!(fingerprints(&a), fingerprints(&b));

    let sarif = |sub: &str, args: &[&str]| -> Vec<(String, String)> {
        let mut all = vec!["check", "-f", "sarif", "--config", config];
        all.extend_from_slice(args);
        let doc = json(&repo.run_in(sub, &all));
        let mut out: Vec<(String, String)> = doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].to_string(),
                    r["partialFingerprints"].to_string(),
                )
            })
            .collect();
        out.sort();
        out
    };
    let from_root = sarif("", &["envs/prod/db.yaml"]);
    assert!(!from_root.is_empty());
    assert_eq!(from_root, sarif("envs", &["prod/db.yaml"]));
    assert_eq!(from_root, sarif("envs/prod", &["db.yaml"]));
}

#[test]
fn a_run_that_finds_nothing_to_check_is_an_error() {
    let repo = Repo::new();
    repo.write("empty/package.json", "{\"name\": \"x\"}");
    let o = repo.run(&["check", "empty", "nothing-here"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let o = repo.run(&["check", "empty"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("no Terraform plan or CloudFormation template found in empty"));
    assert!(stderr(&o).contains("--allow-empty"));
    let o = repo.run(&["check", "empty", "--allow-empty"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Pre-commit passes the changed files: a commit without IaC is normal.
    let o = repo.run(&["check", "--skip-other-files", "empty/package.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // A directory named like a plan holds nothing to check.
    std::fs::create_dir_all(repo.path("plan.json")).unwrap();
    let o = repo.run(&["check", "plan.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

fn finding_count(o: &Output) -> usize {
    json(o)["findings"].as_array().unwrap().len()
}

#[test]
fn each_file_is_checked_once_however_often_it_is_named() {
    let repo = Repo::new();
    let once = repo.run(&["check", "-f", "json", "envs/prod/db.yaml"]);
    let n = finding_count(&once);
    assert!(n > 0);
    let many = repo.run(&[
        "check",
        "-f",
        "json",
        "envs/prod/db.yaml",
        "./envs/prod/db.yaml",
        "envs",
        "envs/prod/../prod/db.yaml",
        "envs/prod",
    ]);
    assert_eq!(code(&many), code(&once));
    assert_eq!(finding_count(&many), n, "{}", stderr(&many));
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("prod/db.yaml", repo.path("envs/alias.yaml")).unwrap();
        let linked = repo.run(&["check", "-f", "json", "envs", "envs/alias.yaml"]);
        assert_eq!(finding_count(&linked), n, "{}", stderr(&linked));
    }
}

#[cfg(unix)]
#[test]
fn symlinked_inputs_are_followed_and_refused_links_are_named() {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.path("stacks")).unwrap();
    std::os::unix::fs::symlink("../envs/prod", repo.path("stacks/prod")).unwrap();
    let o = repo.run(&["check", "-f", "json", "stacks"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(finding_count(&o) > 0);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("t.yaml"), DB).unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.path("stacks/outside")).unwrap();
    let o = repo.run(&["check", "stacks"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("stacks/outside"), "{}", stderr(&o));
    assert!(stderr(&o).contains("out of the repository"), "{}", stderr(&o));
}

#[test]
fn files_over_the_size_limit_are_located_errors() {
    let repo = Repo::new();
    let o = repo.run(&["check", "--max-file-size", "100", "envs"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("envs/prod/db.yaml"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("over the size limit of 100 bytes"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--max-file-size"));
    let o = repo.run(&["check", "--max-file-size", "1M", "envs"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    // The config file is bounded too.
    let o = repo.run(&["check", "--max-file-size", "20", "--allow-empty", "nothing"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains(".controlgate.yaml"), "{}", stderr(&o));
    let o = repo.run(&["check", "--max-file-size", "lots", "envs"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not a size"), "{}", stderr(&o));
}

#[test]
fn exceptions_validate_counts_entries_and_files() {
    let repo = Repo::new();
    repo.write("reg/a.yaml", REGISTRY);
    repo.write("reg/b.YAML", "exceptions: []\n");
    let o = repo.run(&["exceptions", "validate", "--exceptions", "reg", "--today", "2026-11-25"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "1 exception from 2 files: all valid"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_beside_a_plan_is_an_error_not_a_hang() {
    let repo = Repo::new();
    let plan = r#"{"format_version": "1.2", "terraform_version": "1.9.0",
        "resource_changes": [{"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket",
          "name": "b", "change": {"actions": ["create"], "after": {"bucket": "b"}, "after_unknown": {}}}],
        "configuration": {"root_module": {}}}"#;
    repo.write("tf/plan.json", plan);
    repo.write("tf/main.tf", "resource \"aws_s3_bucket\" \"b\" {}\n");
    let made = Command::new("mkfifo").arg(repo.path("tf/vars.tf")).status().unwrap();
    assert!(made.success());
    let o = repo.run(&["check", "tf/plan.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("tf/vars.tf: not a regular file: a FIFO"),
        "{}",
        stderr(&o)
    );
}

/// A link elsewhere in the repository to a production file is the production file: its
/// environment comes from where the file is, not from the link met first.
#[cfg(unix)]
#[test]
fn a_link_to_a_production_file_keeps_its_production_scope() {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.path("envs/dev")).unwrap();
    std::os::unix::fs::symlink("../prod/db.yaml", repo.path("envs/dev/a.yaml")).unwrap();
    let o = repo.run(&["check", "-f", "json", "envs"]);
    let doc = json(&o);
    assert_eq!(
        doc["findings"].as_array().unwrap().len(),
        finding_count(&repo.run(&["check", "-f", "json", "envs/prod"]))
    );
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["controlId"] == "BCK-001" && f["environment"] == "prod"),
        "{doc:#}"
    );
}
