//! The options users coming from Checkov or Trivy reach for, end to end through the binary:
//! `--check` / `--skip-check`, `--skip-path`, `--soft-fail`, the `CONTROLGATE_*` variables and
//! their precedence, and the README's migration table against `check --help`.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `controlgate check ARGS` in `dir`, with no `CONTROLGATE_*` variable but `envs`.
fn run_env(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = common::controlgate();
    cmd.arg("check").args(args).current_dir(dir).env("NO_COLOR", "1");
    cmd.envs(envs.iter().copied()).output().unwrap()
}

fn run(dir: &Path, args: &[&str]) -> Output {
    run_env(dir, args, &[])
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(o), stderr(o)))
}

/// The controls of the findings of a JSON report.
fn finding_controls(doc: &Value) -> BTreeSet<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["controlId"].as_str().unwrap().to_string())
        .collect()
}

fn finding_rules(doc: &Value) -> BTreeSet<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["ruleId"].as_str().unwrap().to_string())
        .collect()
}

/// `(control, rule, setting, by, source)` of every skipped rule of a JSON report.
fn skipped_rules(doc: &Value) -> Vec<(String, String, String, String, String)> {
    doc["settings"]["skipped"]["rules"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    let s = |k: &str| r[k].as_str().unwrap().to_string();
                    (s("control"), s("rule"), s("setting"), s("by"), s("source"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The `(control, rule)` pairs of the built-in catalog, as `controlgate controls --format json`
/// lists them, less the deprecated ones.
fn catalog_rules() -> BTreeSet<(String, String)> {
    let o = Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args(["controls", "--format", "json"])
        .current_dir(root())
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let deprecated = deprecated_rules(&root().join("policies/rules"));
    assert!(!deprecated.is_empty(), "the pack keeps a deprecated rule");
    let mut out = BTreeSet::new();
    for c in doc["controls"].as_array().unwrap() {
        for r in c["rules"].as_array().unwrap() {
            let rule = r.as_str().unwrap().to_string();
            if !deprecated.contains(&rule) {
                out.insert((c["id"].as_str().unwrap().to_string(), rule));
            }
        }
    }
    out
}

/// The ids of the rules under `dir` with a top-level `deprecated:` (never evaluated, so never
/// listed as skipped).
fn deprecated_rules(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(deprecated_rules(&p));
        } else if let Ok(text) = std::fs::read_to_string(&p)
            && text.lines().any(|l| l.starts_with("deprecated:"))
        {
            let id = text.lines().find_map(|l| l.strip_prefix("id: ")).unwrap();
            out.insert(id.trim().to_string());
        }
    }
    out
}

/// An SSH port open to the internet, untagged: it fails NET-001 (critical) and TAG-001 (medium).
const TEMPLATE: &str = "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n";

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

// --- --check / --skip-check -------------------------------------------------------------------

/// `--check CONTROL` evaluates that control's rules only: no other control reports a finding,
/// and every other rule of the catalog is on the record as not selected, in JSON, SARIF and
/// Markdown.
#[test]
fn check_with_a_control_id_runs_only_that_controls_rules() {
    let all = json(&run(root(), &["--format", "json", "fixtures/demo"]));
    assert!(
        finding_controls(&all).len() > 2,
        "the demo fails several controls: {:?}",
        finding_controls(&all)
    );
    let o = run(root(), &["--check", "NET-001", "--format", "json", "fixtures/demo"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(finding_controls(&doc), BTreeSet::from(["NET-001".to_string()]));
    let skipped = skipped_rules(&doc);
    let expected: BTreeSet<(String, String)> = catalog_rules().into_iter().filter(|(c, _)| c != "NET-001").collect();
    let got: BTreeSet<(String, String)> = skipped.iter().map(|s| (s.0.clone(), s.1.clone())).collect();
    assert_eq!(
        got, expected,
        "every rule of another control, and only those, is skipped"
    );
    assert!(
        skipped
            .iter()
            .all(|s| (s.2.as_str(), s.3.as_str(), s.4.as_str()) == ("check", "NET-001", "command line"))
    );
    assert_eq!(doc["summary"]["findings"], doc["findings"].as_array().unwrap().len());

    let sarif = json(&run(
        root(),
        &["--check", "NET-001", "--format", "sarif", "fixtures/demo"],
    ));
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    for r in rules {
        let wholly = r["properties"]["skipped"] == true;
        assert_eq!(wholly, r["id"] != "NET-001", "{}", r["id"]);
    }
    assert!(
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["ruleId"] == "NET-001")
    );

    let md = stdout(&run(
        root(),
        &["--check", "NET-001", "--format", "markdown", "fixtures/demo"],
    ));
    assert!(md.contains("### Skipped rules"), "{md}");
    assert!(
        md.contains("| BCK-001 | <code>rds-backup-retention-too-short</code> | not selected by --check NET-001 |"),
        "{md}"
    );
}

/// `--skip-check` by a rule id leaves out that rule; by a control id, all the control's rules.
#[test]
fn skip_check_by_rule_id_and_by_control_id() {
    let o = run(
        root(),
        &[
            "--skip-check",
            "rds-backup-retention-too-short",
            "--format",
            "json",
            "fixtures/demo",
        ],
    );
    let doc = json(&o);
    assert!(!finding_rules(&doc).contains("rds-backup-retention-too-short"));
    assert!(
        finding_controls(&doc).contains("BCK-001"),
        "the control's other rules still run"
    );
    assert_eq!(
        skipped_rules(&doc),
        [(
            "BCK-001".into(),
            "rds-backup-retention-too-short".into(),
            "skipCheck".into(),
            "rds-backup-retention-too-short".into(),
            "command line".into()
        )]
    );

    let o = run(
        root(),
        &["--skip-check", "BCK-001", "--format", "json", "fixtures/demo"],
    );
    assert_eq!(o.status.code(), Some(1), "other controls still block");
    let doc = json(&o);
    assert!(!finding_controls(&doc).contains("BCK-001"));
    let got: BTreeSet<(String, String)> = skipped_rules(&doc).into_iter().map(|s| (s.0, s.1)).collect();
    let bck: BTreeSet<(String, String)> = catalog_rules().into_iter().filter(|(c, _)| c == "BCK-001").collect();
    assert_eq!(got, bck);
    assert!(stderr(&o).contains(
        "rule skipped, not evaluated: BCK-001/rds-backup-retention-too-short (--skip-check BCK-001, from command line)"
    ));
}

/// `--check` and `--skip-check` together: the selected controls minus the skipped rules.
#[test]
fn check_and_skip_check_combine() {
    let o = run(
        root(),
        &[
            "--check",
            "NET-001,TAG-001",
            "--skip-check",
            "security-group-open-admin-port",
            "--format",
            "json",
            "fixtures/demo",
        ],
    );
    let doc = json(&o);
    let controls = finding_controls(&doc);
    assert!(
        controls.iter().all(|c| c == "NET-001" || c == "TAG-001"),
        "{controls:?}"
    );
    assert!(controls.contains("TAG-001"), "{controls:?}");
    assert!(!finding_rules(&doc).contains("security-group-open-admin-port"));
    let skipped = skipped_rules(&doc);
    let admin = skipped
        .iter()
        .find(|s| s.1 == "security-group-open-admin-port")
        .unwrap();
    assert_eq!(admin.2, "skipCheck", "a selected rule that is skipped says so");
    assert!(
        skipped
            .iter()
            .filter(|s| s.0 != "NET-001" && s.0 != "TAG-001")
            .all(|s| s.2 == "check" && s.3 == "NET-001,TAG-001")
    );
}

/// What clap accepts: `--check A --check B`, `--check A,B`, `--check=A,B` and spaces after
/// commas are the same selection. `--check A B` is not a list: `B` is a path to check (an error
/// when it does not exist), as with every option taking one value.
#[test]
fn repeated_and_comma_separated_ids_are_the_same_selection() {
    let forms: [&[&str]; 4] = [
        &["--check", "NET-001", "--check", "TAG-001"],
        &["--check", "NET-001,TAG-001"],
        &["--check=NET-001,TAG-001"],
        &["--check", " NET-001 , TAG-001,"],
    ];
    let mut seen = Vec::new();
    for form in forms {
        let o = run(root(), &[form, &["--format", "json", "fixtures/demo"][..]].concat());
        assert_eq!(o.status.code(), Some(1), "{form:?}: {}", stderr(&o));
        let doc = json(&o);
        let skipped: BTreeSet<String> = skipped_rules(&doc).into_iter().map(|s| s.1).collect();
        seen.push((finding_rules(&doc), skipped));
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:#?}");
    assert!(!seen[0].1.is_empty());

    let o = run(root(), &["--check", "NET-001", "TAG-001", "fixtures/demo"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("TAG-001: no such file or directory"),
        "{}",
        stderr(&o)
    );
}

/// `--check` with an id of a user pack: the pack's rule runs, every built-in rule is skipped and
/// listed as such, so the run cannot pass as if the built-in pack had judged it.
#[test]
fn check_with_a_user_pack_id_skips_every_built_in_rule_on_the_record() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "t.yaml", TEMPLATE);
    user_pack(dir.path());
    let o = run(
        dir.path(),
        &["--policies", "pack", "--check", "ORG-001", "--format", "json", "t.yaml"],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "the pack's rule fails the group: {}",
        stderr(&o)
    );
    let doc = json(&o);
    assert_eq!(finding_controls(&doc), BTreeSet::from(["ORG-001".to_string()]));
    let skipped: BTreeSet<(String, String)> = skipped_rules(&doc).into_iter().map(|s| (s.0, s.1)).collect();
    assert_eq!(skipped, catalog_rules());
    // Without the pack, the id names nothing: an error, not an empty selection.
    let o = run(dir.path(), &["--check", "ORG-001", "t.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--check `ORG-001` names no control or rule"),
        "{}",
        stderr(&o)
    );
}

/// A pack with one control, ORG-001, whose rule fails every security group without a
/// description tag.
pub fn user_pack(dir: &Path) {
    write(
        dir,
        "pack/controls/ORG-001.yaml",
        "id: ORG-001\nversion: 1\ntitle: Security groups say who owns them\nintent: Ownership.\nseverity: low\nscope:\n  resourceTypes: [AWS::EC2::SecurityGroup]\nevidenceSources: [cloudformation-template]\nexception:\n  allowed: false\nremediation:\n  mode: manual\n  hint: Add an Owner tag.\nframeworks:\n  nist-800-53: [CM-8]\n",
    );
    write(
        dir,
        "pack/rules/org-sg-owner-missing.yaml",
        "id: org-sg-owner-missing\ncontrol: ORG-001\ntitle: Security groups carry an Owner tag\nmessage: the security group has no Owner tag\nparameters:\n  tags: [Owner]\ncloudformation:\n  resourceTypes: [AWS::EC2::SecurityGroup]\n  assert:\n    tagsExist: {parameter: tags}\n",
    );
}

// --- --skip-path --------------------------------------------------------------------------------

/// A repository (`.git` marks its root) with a failing template in `infra/`, `examples/a/` and
/// `examples/b/deep/`.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for rel in ["infra/t.yaml", "examples/a/t.yaml", "examples/b/deep/t.yaml"] {
        write(dir.path(), rel, TEMPLATE);
    }
    dir
}

/// The skipped files of a JSON report, made repository-relative from `cwd` (reports name files
/// relative to the working directory).
fn skipped_files(doc: &Value, repo: &Path, cwd: &Path) -> BTreeSet<String> {
    let repo = repo.canonicalize().unwrap();
    doc["settings"]["skipped"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = cwd.join(f["file"].as_str().unwrap()).canonicalize().unwrap();
            p.strip_prefix(&repo).unwrap().to_string_lossy().replace('\\', "/")
        })
        .collect()
}

/// `--skip-path` globs match paths relative to the repository root (`--repo-root`, else the git
/// top level), whatever the working directory: the same pattern leaves out the same files from
/// the root and from a subdirectory, and a pattern written relative to the working directory
/// matches nothing and is warned about.
#[test]
fn skip_path_globs_are_relative_to_the_repository_root_from_any_directory() {
    let repo = repository();
    let expected = BTreeSet::from(["examples/a/t.yaml".to_string(), "examples/b/deep/t.yaml".to_string()]);
    for (cwd, walk) in [(".", "."), ("infra", ".."), ("examples/b", "../..")] {
        let cwd = repo.path().join(cwd);
        let o = run(&cwd, &["--skip-path", "examples/**", "--format", "json", walk]);
        assert_eq!(o.status.code(), Some(1), "{cwd:?}: infra still fails: {}", stderr(&o));
        let doc = json(&o);
        assert_eq!(skipped_files(&doc, repo.path(), &cwd), expected, "from {cwd:?}");
        assert_eq!(doc["summary"]["files"], 1, "from {cwd:?}");
    }
    // `**/deep` matches a directory at any depth; a directory pattern covers the files under it.
    let o = run(repo.path(), &["--skip-path", "**/deep", "--format", "json", "."]);
    assert_eq!(
        skipped_files(&json(&o), repo.path(), repo.path()),
        BTreeSet::from(["examples/b/deep/t.yaml".to_string()])
    );
    // From examples/, `a/**` is not repository-relative: nothing is skipped, and it says so.
    let cwd = repo.path().join("examples");
    let o = run(&cwd, &["--skip-path", "a/**", "--format", "json", "."]);
    assert!(skipped_files(&json(&o), repo.path(), &cwd).is_empty());
    assert!(
        stderr(&o).contains("--skip-path `a/**` (from command line) matches no file"),
        "{}",
        stderr(&o)
    );
    // --repo-root moves the base: from examples/ as root, `a/**` matches.
    let o = run(
        &cwd,
        &["--repo-root", ".", "--skip-path", "a/**", "--format", "json", "."],
    );
    assert_eq!(
        skipped_files(&json(&o), repo.path(), &cwd),
        BTreeSet::from(["examples/a/t.yaml".to_string()])
    );
}

/// A skipped file is listed in JSON, SARIF and Markdown, and named files are still checked.
#[test]
fn a_skipped_path_is_listed_in_every_output() {
    let repo = repository();
    let args = ["--skip-path", "examples/a/**", "."];
    let doc = json(&run(repo.path(), &[&args[..], &["--format", "json"]].concat()));
    assert_eq!(doc["settings"]["skipped"]["files"][0]["file"], "examples/a/t.yaml");
    assert_eq!(doc["settings"]["skipped"]["files"][0]["pattern"], "examples/a/**");

    let sarif = json(&run(repo.path(), &[&args[..], &["--format", "sarif"]].concat()));
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["properties"]["skippedFiles"][0]["file"], "examples/a/t.yaml");
    assert!(
        inv["toolConfigurationNotifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["message"]["text"]
                .as_str()
                .unwrap()
                .contains("--skip-path `examples/a/**`")),
        "{inv}"
    );

    let md = stdout(&run(repo.path(), &[&args[..], &["--format", "markdown"]].concat()));
    assert!(md.contains("examples/a/t.yaml"), "{md}");

    let gh = stdout(&run(repo.path(), &[&args[..], &["--format", "github"]].concat()));
    assert!(
        gh.lines()
            .any(|l| l.starts_with("::warning") && l.contains("examples/a/t.yaml")),
        "{gh}"
    );

    // A file named on the command line is checked even when a pattern matches it.
    let o = run(
        repo.path(),
        &["--skip-path", "examples/**", "--format", "json", "examples/a/t.yaml"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["summary"]["files"], 1);
    assert!(
        stderr(&o).contains("is checked: it is named on the command line"),
        "{}",
        stderr(&o)
    );
}

// --- --soft-fail --------------------------------------------------------------------------------

/// On a blocked gate, `--soft-fail` exits 0 and every format still says the gate is blocked.
#[test]
fn soft_fail_exits_zero_on_a_blocked_run_and_every_output_says_blocked() {
    for format in ["human", "json", "sarif", "markdown", "github", "junit", "gitlab"] {
        let o = run(root(), &["--soft-fail", "--format", format, "fixtures/demo"]);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(
            stderr(&o).contains("soft-fail: the gate is blocked, exiting 0"),
            "{format}: {}",
            stderr(&o)
        );
        match format {
            "human" => assert!(
                out.contains("gate: blocked by 24 findings (soft-fail: exit 0)"),
                "{out}"
            ),
            "json" => {
                let doc = json(&o);
                assert_eq!(doc["gate"]["decision"], "blocked");
                assert_eq!(doc["gate"]["softFail"], true);
                assert_eq!(doc["gate"]["exitCode"], 0);
            }
            "sarif" => {
                let doc = json(&o);
                let props = &doc["runs"][0]["invocations"][0]["properties"];
                assert_eq!(props["decision"], "blocked", "{props}");
                assert_eq!(props["softFail"], true);
                assert_eq!(props["gate"], "gate: blocked by 24 findings (soft-fail: exit 0)");
                assert!(!doc["runs"][0]["results"].as_array().unwrap().is_empty());
            }
            "markdown" => assert!(
                out.starts_with("## controlgate: blocked by 24 findings (soft-fail: the job does not fail)"),
                "{out}"
            ),
            "github" => assert!(
                out.lines()
                    .any(|l| l.starts_with("::warning")
                        && l.contains("gate: blocked by 24 findings (soft-fail: exit 0)")),
                "{out}"
            ),
            "junit" => assert!(
                out.contains("<failure type=\"blocked\" message=\"gate: blocked by 24 findings (soft-fail: exit 0)\""),
                "{out}"
            ),
            "gitlab" => {
                let doc = json(&o);
                let soft = doc
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|i| i["check_name"] == "controlgate/soft-fail")
                    .unwrap_or_else(|| panic!("{doc:#}"));
                assert_eq!(
                    soft["description"],
                    "controlgate: gate: blocked by 24 findings (soft-fail: exit 0)"
                );
            }
            _ => unreachable!(),
        }
    }
    // A passing run is a plain pass: soft-fail adds no blocked statement.
    let o = run(
        root(),
        &[
            "--soft-fail",
            "--check",
            "NET-001",
            "--skip-check",
            "security-group-open-admin-port",
            "--format",
            "gitlab",
            "fixtures/demo",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stdout(&o).contains("controlgate/soft-fail"));
}

/// An error is never softened: `--soft-fail` on a run with an input error exits 2 in every
/// format, and the outputs say error.
#[test]
fn soft_fail_still_exits_two_on_an_error_run() {
    let dir = common::failed_inputs();
    for format in ["human", "json", "sarif", "markdown", "github", "junit", "gitlab"] {
        let o = run(dir.path(), &["--soft-fail", "--format", format, "."]);
        assert_eq!(o.status.code(), Some(2), "{format}: {}", stderr(&o));
        assert!(!stderr(&o).contains("exiting 0"), "{format}: {}", stderr(&o));
        match format {
            "json" => assert_eq!(json(&o)["gate"]["decision"], "error"),
            "sarif" => assert_eq!(json(&o)["runs"][0]["invocations"][0]["executionSuccessful"], false),
            _ => assert!(stdout(&o).contains("error"), "{format}: {}", stdout(&o)),
        }
    }
    let o = run_env(dir.path(), &["."], &[("CONTROLGATE_SOFT_FAIL", "true")]);
    assert_eq!(o.status.code(), Some(2));
}

// --- CONTROLGATE_* variables ------------------------------------------------------------------

/// The variables the README lists, in its words.
fn readme_variables() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let at = readme
        .find("- Every option CI jobs set per job also reads an environment variable:")
        .expect("the README lists the variables");
    let para = &readme[at..at + readme[at..].find("\n\n").unwrap()];
    let mut vars: Vec<String> = para
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("CONTROLGATE_"))
        .map(str::to_string)
        .collect();
    vars.dedup();
    vars
}

/// Each variable the README lists is honoured: set alone, it changes what the run does or
/// records, and the record names the variable where the setting weakens the gate.
#[test]
fn every_listed_variable_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "t.yaml", TEMPLATE);
    write(dir.path(), "sub/t.yaml", TEMPLATE);
    user_pack(dir.path());
    write(dir.path(), "strict.yaml", "failOn: critical\n");
    // An exception for the group's TAG-001 finding, in one account and region only.
    write(
        dir.path(),
        "registry.yaml",
        "exceptions:\n  - id: EXC-2026-100\n    control: TAG-001\n    scope:\n      resources: [Sg]\n      paths: [t.yaml]\n      accounts: ['111122223333']\n      regions: [eu-west-1]\n    owner: alice@example.com\n    reason: Tags are added by the account pipeline after creation.\n    compensatingControl: A nightly job tags untagged resources.\n    approval:\n      approver: bob@example.com\n      role: platform-owner\n      date: 2026-11-01\n    expires: 2027-01-15\n    status: approved\n",
    );
    write(
        dir.path(),
        "roster.yaml",
        "approvers:\n  platform-owner: [carol@example.com]\n",
    );
    let base = ["--today", "2026-11-25", "--format", "json", "t.yaml"];
    let with = |var: &str, value: &str| run_env(dir.path(), &base, &[(var, value)]);
    let changed = |doc: &Value, setting: &str| -> Option<String> {
        doc["settings"]["changed"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["setting"] == setting)
            .map(|c| c["source"].as_str().unwrap().to_string())
    };
    let tag_excepted = |o: &Output| {
        json(o)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["controlId"] == "TAG-001" && f["exception"]["state"] == "active")
    };
    let mut tested = BTreeSet::new();
    let mut check = |var: &str, ok: bool, what: &str| {
        assert!(ok, "{var}: {what}");
        tested.insert(var.to_string());
    };

    let o = run_env(dir.path(), &["t.yaml"], &[("CONTROLGATE_FORMAT", "sarif")]);
    check(
        "CONTROLGATE_FORMAT",
        json(&o)["version"] == "2.1.0",
        "standard output is SARIF",
    );
    let doc = json(&with("CONTROLGATE_FAIL_ON", "critical"));
    check(
        "CONTROLGATE_FAIL_ON",
        doc["gate"]["failOn"] == "critical" && changed(&doc, "failOn").as_deref() == Some("CONTROLGATE_FAIL_ON"),
        "failOn is critical, from the variable",
    );
    let doc = json(&with("CONTROLGATE_UNKNOWN", "warn"));
    check(
        "CONTROLGATE_UNKNOWN",
        doc["gate"]["unknown"] == "warn" && changed(&doc, "unknown").as_deref() == Some("CONTROLGATE_UNKNOWN"),
        "unknown is warn",
    );
    let doc = json(&with("CONTROLGATE_ENVIRONMENT", "dev"));
    check(
        "CONTROLGATE_ENVIRONMENT",
        changed(&doc, "environment").as_deref() == Some("CONTROLGATE_ENVIRONMENT"),
        "environment recorded from the variable",
    );
    let doc = json(&with("CONTROLGATE_CHECK", "NET-001"));
    check(
        "CONTROLGATE_CHECK",
        finding_controls(&doc) == BTreeSet::from(["NET-001".to_string()])
            && skipped_rules(&doc).iter().all(|s| s.4 == "CONTROLGATE_CHECK"),
        "only NET-001, skips from the variable",
    );
    let doc = json(&with("CONTROLGATE_SKIP_CHECK", "NET-001"));
    check(
        "CONTROLGATE_SKIP_CHECK",
        !finding_controls(&doc).contains("NET-001")
            && skipped_rules(&doc).iter().all(|s| s.4 == "CONTROLGATE_SKIP_CHECK"),
        "NET-001 skipped by the variable",
    );
    let o = run_env(
        dir.path(),
        &["--format", "json", "."],
        &[("CONTROLGATE_SKIP_PATH", "sub/**")],
    );
    let doc = json(&o);
    check(
        "CONTROLGATE_SKIP_PATH",
        doc["settings"]["skipped"]["files"][0]["file"] == "sub/t.yaml"
            && doc["settings"]["skipped"]["files"][0]["source"] == "CONTROLGATE_SKIP_PATH",
        "sub/t.yaml skipped by the variable",
    );
    let o = with("CONTROLGATE_SOFT_FAIL", "true");
    check(
        "CONTROLGATE_SOFT_FAIL",
        o.status.code() == Some(0) && changed(&json(&o), "softFail").as_deref() == Some("CONTROLGATE_SOFT_FAIL"),
        "exit 0, recorded",
    );
    let doc = json(&with("CONTROLGATE_POLICIES", "pack"));
    check(
        "CONTROLGATE_POLICIES",
        finding_controls(&doc).contains("ORG-001"),
        "the pack's control fails the group",
    );
    let doc = json(&with("CONTROLGATE_CONFIG", "strict.yaml"));
    check(
        "CONTROLGATE_CONFIG",
        doc["gate"]["failOn"] == "critical" && changed(&doc, "failOn").as_deref() == Some("strict.yaml"),
        "the named config file is read",
    );
    let scoped = [
        ("CONTROLGATE_EXCEPTIONS", "registry.yaml"),
        ("CONTROLGATE_ACCOUNT", "111122223333"),
        ("CONTROLGATE_REGION", "eu-west-1"),
    ];
    let o = run_env(dir.path(), &base, &scoped);
    assert!(
        tag_excepted(&o),
        "the exception applies in its account and region: {}",
        stderr(&o)
    );
    for (i, (var, _)) in scoped.iter().enumerate() {
        let mut without = scoped.to_vec();
        without.remove(i);
        check(
            var,
            !tag_excepted(&run_env(dir.path(), &base, &without)),
            "without it, no exception",
        );
    }
    let o = run_env(
        dir.path(),
        &base,
        &[&scoped[..], &[("CONTROLGATE_APPROVERS", "roster.yaml")]].concat(),
    );
    check(
        "CONTROLGATE_APPROVERS",
        o.status.code() == Some(2) && stderr(&o).contains("roster"),
        "bob is not on the roster: the exception is invalid",
    );
    let o = run_env(
        dir.path(),
        &["--format", "sarif", "t.yaml"],
        &[("CONTROLGATE_SARIF_CATEGORY", "stack-a")],
    );
    check(
        "CONTROLGATE_SARIF_CATEGORY",
        json(&o)["runs"][0]["automationDetails"]["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("stack-a")),
        "the category is the SARIF automation id",
    );

    let o = run_env(
        dir.path(),
        &["--evidence", "run.json", "t.yaml"],
        &[("CONTROLGATE_CHANGE_ID", "CHG-7")],
    );
    let record: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap()).unwrap();
    check(
        "CONTROLGATE_CHANGE_ID",
        record["predicate"]["context"]["changeRecord"]
            == serde_json::json!({"id": "CHG-7", "source": "change-id", "url": null}),
        &format!("the record names the change record: {}", stderr(&o)),
    );

    let listed: BTreeSet<String> = readme_variables().into_iter().collect();
    assert_eq!(listed.len(), 16, "{listed:?}");
    assert_eq!(
        tested, listed,
        "every variable the README lists is tested, and no other"
    );
    let help = String::from_utf8(
        Command::new(env!("CARGO_BIN_EXE_controlgate"))
            .args(["check", "--help"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    for v in &listed {
        assert!(help.contains(&format!("[env: {v}=")), "check --help shows {v}");
    }
}

/// Precedence, one level at a time: the config file over the default, the environment over the
/// config file, the command line over the environment.
#[test]
fn precedence_is_command_line_then_environment_then_config_then_default() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "t.yaml", TEMPLATE);
    let fail_on = |args: &[&str], envs: &[(&str, &str)]| {
        let o = run_env(dir.path(), &[args, &["--format", "json", "t.yaml"][..]].concat(), envs);
        json(&o)["gate"]["failOn"].as_str().unwrap().to_string()
    };
    assert_eq!(fail_on(&[], &[]), "low", "the default");
    write(dir.path(), ".controlgate.yaml", "failOn: medium\n");
    assert_eq!(fail_on(&[], &[]), "medium", "config over default");
    assert_eq!(
        fail_on(&[], &[("CONTROLGATE_FAIL_ON", "high")]),
        "high",
        "environment over config"
    );
    assert_eq!(
        fail_on(&["--fail-on", "critical"], &[("CONTROLGATE_FAIL_ON", "high")]),
        "critical",
        "command line over environment"
    );
    // Lists too: the environment's replaces the config file's, the command line's the environment's.
    write(dir.path(), ".controlgate.yaml", "skipCheck: [TAG-001]\n");
    let by = |args: &[&str], envs: &[(&str, &str)]| -> BTreeSet<(String, String)> {
        let o = run_env(dir.path(), &[args, &["--format", "json", "t.yaml"][..]].concat(), envs);
        skipped_rules(&json(&o)).into_iter().map(|s| (s.3, s.4)).collect()
    };
    assert_eq!(
        by(&[], &[]),
        BTreeSet::from([("TAG-001".into(), ".controlgate.yaml".into())])
    );
    assert_eq!(
        by(&[], &[("CONTROLGATE_SKIP_CHECK", "NET-002")]),
        BTreeSet::from([("NET-002".into(), "CONTROLGATE_SKIP_CHECK".into())])
    );
    assert_eq!(
        by(&["--skip-check", "KMS-001"], &[("CONTROLGATE_SKIP_CHECK", "NET-002")]),
        BTreeSet::from([("KMS-001".into(), "command line".into())])
    );
}

// --- the migration table ------------------------------------------------------------------------

/// Every controlgate option the README's "Coming from Checkov or Trivy" table names exists in
/// `controlgate check --help`, so the table cannot go stale.
#[test]
fn the_migration_table_names_only_options_that_exist() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let at = readme
        .find("### Coming from Checkov or Trivy")
        .expect("the README has the migration table");
    let section = &readme[at..];
    let section = &section[..section[4..].find("\n#").map_or(section.len(), |e| e + 4)];
    let help = String::from_utf8(
        Command::new(env!("CARGO_BIN_EXE_controlgate"))
            .args(["check", "--help"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let mut named = BTreeSet::new();
    let mut rows = 0;
    for line in section
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("| ---"))
    {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | tool | their option | controlgate |
        let Some(ours) = cells.get(3) else { continue };
        if cells[1] == "tool" {
            continue;
        }
        rows += 1;
        for code in ours.split('`').skip(1).step_by(2) {
            for word in code.split_whitespace() {
                if let Some(opt) = word.strip_prefix("--") {
                    let opt = opt.split(['=', '[']).next().unwrap();
                    named.insert(format!("--{opt}"));
                }
            }
        }
    }
    assert!(rows >= 20, "the table maps the Checkov and Trivy options: {rows} rows");
    assert!(named.len() >= 10, "{named:?}");
    for opt in &named {
        let shown = help
            .lines()
            .any(|l| l.trim_start().starts_with('-') && l.trim_start().split([',', ' ']).any(|w| w == opt));
        assert!(
            shown,
            "{opt} (in the migration table) is not an option of `controlgate check`"
        );
    }
}
