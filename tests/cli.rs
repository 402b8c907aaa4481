//! The `controlgate` binary as a user runs it: exit codes, what goes to standard output and
//! standard error, every error located, several documents in one run.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::{Value, json};

const CONTROL: &str = "id: TST-001
version: 1
title: Databases keep backups
intent: Production data can be restored.
severity: medium
scope:
  environments: [prod]
  resourceTypes: [aws_db_instance, AWS::RDS::DBInstance]
evidenceSources: [terraform-plan, cloudformation-template]
exception:
  allowed: false
remediation:
  mode: iac-change
  hint: Set backup_retention_period to 7 or more.
frameworks:
  nist-800-53: [CP-9]
";

const RULE: &str = "id: db-backup-retention-too-short
control: TST-001
title: Databases keep backups for 7 days
message: backup retention is shorter than 7 days
terraform:
  resourceTypes: [aws_db_instance]
  assert:
    path: $.backup_retention_period
    gte: 7
cloudformation:
  resourceTypes: [AWS::RDS::DBInstance]
  assert:
    path: $.BackupRetentionPeriod
    gte: 7
";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        env.write("pack/controls/TST-001.yaml", CONTROL);
        env.write("pack/rules/db/db-backup-retention-too-short.yaml", RULE);
        env
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        self.write_bytes(rel, text.as_bytes());
    }

    fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    /// Run with the test pack only.
    fn run(&self, args: &[&str]) -> Output {
        let mut all = vec!["check", "--no-builtin", "--policies", "pack"];
        all.extend_from_slice(args);
        self.raw(&all)
    }

    fn raw(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_controlgate"))
            .args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    }
}

fn plan(resources: &[(&str, Value)]) -> String {
    let changes: Vec<Value> = resources
        .iter()
        .map(|(address, after)| {
            json!({"address": address, "mode": "managed", "type": "aws_db_instance", "name": "db",
                   "change": {"actions": ["create"], "before": null, "after": after, "after_unknown": {}}})
        })
        .collect();
    let planned: Vec<Value> = resources
        .iter()
        .map(|(address, after)| json!({"address": address, "mode": "managed", "type": "aws_db_instance", "name": "db", "values": after}))
        .collect();
    serde_json::to_string_pretty(&json!({
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
    }))
    .unwrap()
}

fn prod_db(retention: Value) -> Value {
    json!({"backup_retention_period": retention, "tags_all": {"Environment": "prod"}})
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document: {e}\n{}",
            String::from_utf8_lossy(&o.stdout)
        )
    })
}

#[test]
fn compliant_plan_passes_with_exit_0() {
    let env = Env::new();
    env.write("plan.json", &plan(&[("aws_db_instance.a", prod_db(json!(14)))]));
    let o = env.run(&["plan.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("gate: pass"));
}

#[test]
fn failing_plan_blocks_with_exit_1_and_names_the_resource() {
    let env = Env::new();
    env.write("plan.json", &plan(&[("aws_db_instance.a", prod_db(json!(1)))]));
    let o = env.run(&["plan.json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("aws_db_instance.a"), "{out}");
    assert!(out.contains("TST-001"), "{out}");
    assert!(out.contains("backup_retention_period` is 1"), "{out}");
    assert!(
        out.contains("Set backup_retention_period to 7 or more."),
        "help shows the remediation: {out}"
    );
}

#[test]
fn machine_formats_keep_stdout_clean_and_summarise_on_stderr() {
    let env = Env::new();
    env.write("plan.json", &plan(&[("aws_db_instance.a", prod_db(json!(1)))]));
    env.write("notes.json", "{\"not\": \"a plan\"}");
    for format in ["sarif", "json"] {
        let o = env.run(&["--format", format, "."]);
        assert_eq!(code(&o), 1);
        let doc = stdout_json(&o);
        assert!(doc.is_object());
        assert!(stderr(&o).contains("1 failed"), "{}", stderr(&o));
    }
}

#[test]
fn several_documents_in_one_run() {
    let env = Env::new();
    env.write("plan.json", &plan(&[("aws_db_instance.a", prod_db(json!(1)))]));
    let o = env.run(&[
        "--format",
        "json",
        "--output",
        "out.json",
        "--sarif-file",
        "out.sarif",
        "--json-file",
        "copy.json",
        "plan.json",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "the document went to --output");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(env.path("out.json")).unwrap()).unwrap();
    assert_eq!(json["findings"][0]["resource"], "aws_db_instance.a");
    assert_eq!(
        std::fs::read(env.path("out.json")).unwrap(),
        std::fs::read(env.path("copy.json")).unwrap()
    );
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(env.path("out.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "TST-001");
}

#[test]
fn fail_on_threshold_lets_lower_severities_through() {
    let env = Env::new();
    env.write("plan.json", &plan(&[("aws_db_instance.a", prod_db(json!(1)))]));
    assert_eq!(code(&env.run(&["--fail-on", "medium", "plan.json"])), 1);
    let o = env.run(&["--fail-on", "high", "plan.json"]);
    assert_eq!(code(&o), 0, "a medium finding does not block at --fail-on high");
    assert!(String::from_utf8_lossy(&o.stdout).contains("does not block"));
}

#[test]
fn known_after_apply_fails_by_default_and_warns_when_asked() {
    let env = Env::new();
    let mut p: Value = serde_json::from_str(&plan(&[(
        "aws_db_instance.a",
        json!({"tags_all": {"Environment": "prod"}}),
    )]))
    .unwrap();
    p["resource_changes"][0]["change"]["after_unknown"] = json!({"backup_retention_period": true});
    env.write("plan.json", &p.to_string());
    let o = env.run(&["--format", "json", "plan.json"]);
    assert_eq!(code(&o), 1, "unknown fails closed by default");
    assert_eq!(stdout_json(&o)["findings"][0]["outcome"], "unknown");
    assert_eq!(code(&env.run(&["--unknown", "warn", "plan.json"])), 0);
}

#[test]
fn environment_scoping_by_tag_flag_and_config_path() {
    let env = Env::new();
    let dev = json!({"backup_retention_period": 1, "tags_all": {"Environment": "dev"}});
    let untagged = json!({"backup_retention_period": 1});
    env.write("dev.json", &plan(&[("aws_db_instance.dev", dev)]));
    assert_eq!(
        code(&env.run(&["dev.json"])),
        0,
        "a dev resource is outside a prod-only control"
    );
    env.write(
        "envs/staging/plan.json",
        &plan(&[("aws_db_instance.u", untagged.clone())]),
    );
    env.write("envs/prod/plan.json", &plan(&[("aws_db_instance.u", untagged)]));
    // Unknown environment: in scope (fail closed).
    assert_eq!(code(&env.run(&["envs/staging/plan.json"])), 1);
    assert_eq!(
        code(&env.run(&["--environment", "staging", "envs/staging/plan.json"])),
        0
    );
    env.write(".controlgate.yaml", "environments:\n  - path: \"envs/staging/**\"\n    environment: staging\n  - path: \"envs/prod/**\"\n    environment: prod\n");
    assert_eq!(code(&env.run(&["envs/staging/plan.json"])), 0);
    assert_eq!(code(&env.run(&["envs/prod/plan.json"])), 1);
}

#[test]
fn utf16_and_bom_plans_are_read() {
    let env = Env::new();
    let text = plan(&[("aws_db_instance.a", prod_db(json!(1)))]);
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    env.write_bytes("ps.json", &utf16);
    env.write_bytes("bom.json", &[b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat());
    let o = env.run(&["--format", "json", "ps.json", "bom.json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(stdout_json(&o)["findings"].as_array().unwrap().len(), 2);
}

#[test]
fn a_broken_file_is_located_and_does_not_stop_the_others() {
    let env = Env::new();
    env.write("good.json", &plan(&[("aws_db_instance.a", prod_db(json!(1)))]));
    env.write(
        "broken.json",
        "{\n  \"resource_changes\": [\n    {\"address\": }\n  ]\n}\n",
    );
    let o = env.run(&["--format", "json", "."]);
    assert_eq!(code(&o), 2, "an input error wins over findings");
    let err = stderr(&o);
    assert!(err.contains("broken.json:3:17"), "{err}");
    assert_eq!(
        stdout_json(&o)["findings"][0]["resource"],
        "aws_db_instance.a",
        "the good file was still checked"
    );
}

#[test]
fn missing_paths_and_usage_errors_exit_2() {
    let env = Env::new();
    let o = env.run(&["nope.json"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("nope.json"));
    assert_eq!(code(&env.raw(&["check", "--format", "xml"])), 2);
    assert_eq!(code(&env.raw(&["frobnicate"])), 2);
}

#[test]
fn named_files_must_be_plans_or_templates() {
    let env = Env::new();
    env.write("package.json", "{\"name\": \"x\"}");
    let o = env.run(&["package.json"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("neither a Terraform plan nor a CloudFormation template"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn policy_errors_are_located_and_exit_2() {
    let env = Env::new();
    env.write("plan.json", &plan(&[("aws_db_instance.a", prod_db(json!(14)))]));
    env.write(
        "pack/rules/db/other.yaml",
        &RULE
            .replace("id: db-backup", "id: other-backup")
            .replace("control: TST-001", "control: TST-404"),
    );
    let o = env.run(&["plan.json"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("other.yaml:2:10: rule other-backup-retention-too-short names unknown control TST-404"),
        "{}",
        stderr(&o)
    );

    env.write(
        "pack/rules/db/other.yaml",
        &RULE
            .replace("id: db-backup", "id: other-backup")
            .replace("$.BackupRetentionPeriod", "$.[oops"),
    );
    let o = env.run(&["plan.json"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("other.yaml:13:") && stderr(&o).contains("invalid JSONPath"),
        "{}",
        stderr(&o)
    );

    std::fs::remove_file(env.path("pack/rules/db/other.yaml")).unwrap();
    env.write(
        "pack/controls/TST-002.yaml",
        &CONTROL
            .replace("TST-001", "TST-002")
            .replace("severity: medium", "severity: medium\nowner: me"),
    );
    let o = env.run(&["plan.json"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("TST-002.yaml:6:1: unknown field `owner`"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        code(&env.raw(&["check", "--policies", "plan.json", "plan.json"])),
        2,
        "not a pack"
    );
}

#[test]
fn identical_inputs_give_identical_bytes() {
    let env = Env::new();
    let rs: Vec<(String, Value)> = (0..40)
        .map(|i| (format!("aws_db_instance.db[{i}]"), prod_db(json!(i % 10))))
        .collect();
    let refs: Vec<(&str, Value)> = rs.iter().map(|(a, v)| (a.as_str(), v.clone())).collect();
    env.write("a/plan.json", &plan(&refs));
    env.write("b/plan.json", &plan(&refs[..10]));
    for format in ["sarif", "json", "human"] {
        let first = env.run(&["--format", format, "."]);
        let second = env.run(&["--format", format, "."]);
        assert_eq!(first.stdout, second.stdout, "{format} differs between runs");
    }
}

#[test]
fn controls_lists_the_catalog() {
    let env = Env::new();
    let o = env.raw(&["controls", "--no-builtin", "--policies", "pack"]);
    assert_eq!(code(&o), 0);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("TST-001") && out.contains("db-backup-retention-too-short"),
        "{out}"
    );
}

#[test]
fn policy_tests_of_a_users_pack() {
    let env = Env::new();
    env.write(
        "pack/tests/db-backup-retention-too-short/compliant/ok.json",
        &plan(&[("aws_db_instance.a", prod_db(json!(14)))]),
    );
    env.write(
        "pack/tests/db-backup-retention-too-short/noncompliant/bad.json",
        &plan(&[("aws_db_instance.a", prod_db(json!(1)))]),
    );
    env.write(
        "pack/tests/db-backup-retention-too-short/compliant/ok.yaml",
        "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      BackupRetentionPeriod: 7\n",
    );
    // The CloudFormation side has no failing case yet: the rule is not fully tested.
    let o = env.raw(&["test", "pack"]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stdout));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        out.contains("FAIL db-backup-retention-too-short")
            && out.contains("no cloudformation case with a failing resource"),
        "{out}"
    );
    env.write(
        "pack/tests/db-backup-retention-too-short/noncompliant/bad.yaml",
        "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: {}\n",
    );
    let o = env.raw(&["test", "pack"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok   db-backup-retention-too-short (4 cases)"));
    // A compliant case that the rule fails is a mismatch.
    env.write(
        "pack/tests/db-backup-retention-too-short/compliant/wrong.json",
        &plan(&[("aws_db_instance.a", prod_db(json!(3)))]),
    );
    let o = env.raw(&["test", "pack"]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stdout).contains("compliant/wrong.json: expected no finding"));
}

#[test]
fn explain_prints_a_control_and_its_rules() {
    let env = Env::new();
    let o = env.raw(&[
        "explain",
        "--no-builtin",
        "--policies",
        "pack",
        "db-backup-retention-too-short",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("rule db-backup-retention-too-short enforces control TST-001"),
        "{out}"
    );
    assert!(
        out.contains("nist-800-53: CP-9") && out.contains("exceptions: not allowed"),
        "{out}"
    );
    let json = env.raw(&[
        "explain",
        "--no-builtin",
        "--policies",
        "pack",
        "TST-001",
        "--format",
        "json",
    ]);
    assert_eq!(stdout_json(&json)["rules"][0]["id"], "db-backup-retention-too-short");
    assert_eq!(
        code(&env.raw(&["explain", "--no-builtin", "--policies", "pack", "NOPE-001"])),
        2
    );
}

#[test]
fn rule_parameters_from_the_config_file() {
    let env = Env::new();
    env.write(
        "pack/rules/tags.yaml",
        "id: tags-missing\ncontrol: TST-001\ntitle: t\nmessage: a required tag is missing\nparameters:\n  tags: [Owner]\nterraform:\n  resourceTypes: [aws_db_instance]\n  assert:\n    tagsExist: {parameter: tags}\n",
    );
    let db = json!({"backup_retention_period": 14, "tags_all": {"Environment": "prod", "Owner": "a"}});
    env.write("plan.json", &plan(&[("aws_db_instance.a", db)]));
    assert_eq!(code(&env.run(&["plan.json"])), 0, "Owner is set");
    env.write(
        ".controlgate.yaml",
        "parameters:\n  tags-missing:\n    tags: [Owner, CostCenter]\n",
    );
    let o = env.run(&["--format", "json", "plan.json"]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stdout_json(&o)["findings"][0]["facts"][0],
        "tag `CostCenter` is not set"
    );
    env.write(".controlgate.yaml", "parameters:\n  no-such-rule:\n    tags: [x]\n");
    let o = env.run(&["plan.json"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("names rule no-such-rule, which no pack defines"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn github_workflow_commands_annotate_each_finding() {
    let env = Env::new();
    env.write(
        "plan.json",
        &plan(&[
            ("aws_db_instance.a", prod_db(json!(1))),
            ("aws_db_instance.b", prod_db(json!(30))),
        ]),
    );
    let o = env.run(&["--format", "github", "plan.json"]);
    assert_eq!(code(&o), 1);
    let out = String::from_utf8_lossy(&o.stdout);
    let mut lines: Vec<&str> = out.lines().collect();
    // The test pack replaces the built-in one: a setting that weakens the gate, said first.
    assert!(
        lines.remove(0).contains("a setting weakens the gate::builtin: false"),
        "{out}"
    );
    // One annotation per finding (a medium finding that blocks is a warning), then the summary.
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("::warning file=plan.json,line="), "{out}");
    assert!(
        lines[0].contains("title=TST-001 [medium] db-backup-retention-too-short::aws_db_instance.a: backup retention"),
        "{out}"
    );
    // The summary of a blocked run is an error annotation: the step fails.
    assert!(lines[1].starts_with("::error title=controlgate::1 failed"), "{out}");
    // Below --fail-on it no longer blocks: a notice.
    let o = env.run(&["--format", "github", "--fail-on", "high", "plan.json"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.lines().any(|l| l.starts_with("::notice file=plan.json")), "{out}");
    assert!(out.contains("weakens the gate::failOn: high"), "{out}");
}

#[test]
fn markdown_summary_goes_to_stdout() {
    let env = Env::new();
    env.write("plan.json", &plan(&[("aws_db_instance.a", prod_db(json!(1)))]));
    let o = env.run(&["--format", "markdown", "plan.json"]);
    assert_eq!(code(&o), 1);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("## controlgate: blocked by 1 finding\n"), "{out}");
    // Text from the inputs and the pack is escaped for Markdown (it renders as written).
    assert!(out.contains("#### TST-001 · Databases keep backups (medium)"), "{out}");
    assert!(
        out.contains("| <code>aws&#95;db&#95;instance.a</code> | <code>plan.json:"),
        "{out}"
    );
    assert!(
        out.contains("**Remediation:** Set backup\\_retention\\_period to 7 or more."),
        "{out}"
    );
    assert!(
        stderr(&o).contains("controlgate: 1 failed"),
        "the summary line also goes to stderr"
    );
}

#[test]
fn sarif_uris_are_relative_to_the_repository_root() {
    let env = Env::new();
    std::fs::create_dir_all(env.path(".git")).unwrap();
    env.write(
        "infra/prod/plan.json",
        &plan(&[("aws_db_instance.a", prod_db(json!(1)))]),
    );
    std::fs::rename(env.path("pack"), env.path("infra/pack")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args([
            "check",
            "--no-builtin",
            "--policies",
            "../pack",
            "--format",
            "sarif",
            "plan.json",
        ])
        .current_dir(env.path("infra/prod"))
        .output()
        .unwrap();
    let sarif = stdout_json(&o);
    let loc = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(
        loc["uri"], "infra/prod/plan.json",
        "relative to the directory holding .git"
    );
    assert_eq!(loc["uriBaseId"], "%SRCROOT%");
    let base = sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(base.starts_with("file:///") && base.ends_with('/'), "{base}");
    // --repo-root chooses another root.
    let o = Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args([
            "check",
            "--no-builtin",
            "--policies",
            "../pack",
            "--format",
            "sarif",
            "--repo-root",
            "..",
            "plan.json",
        ])
        .current_dir(env.path("infra/prod"))
        .output()
        .unwrap();
    assert_eq!(
        stdout_json(&o)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "prod/plan.json"
    );
}

#[test]
fn skip_other_files_treats_named_files_as_a_walk_does() {
    let env = Env::new();
    env.write("package.json", "{\"name\": \"x\"}");
    env.write("plan.json", &plan(&[("aws_db_instance.a", prod_db(json!(14)))]));
    assert_eq!(
        code(&env.run(&["package.json", "plan.json"])),
        2,
        "named: must be a plan or template"
    );
    assert_eq!(code(&env.run(&["--skip-other-files", "package.json", "plan.json"])), 0);
    env.write("broken.json", "{\"resource_changes\": [");
    assert_eq!(
        code(&env.run(&["--skip-other-files", "broken.json"])),
        2,
        "a broken plan still fails"
    );
}
