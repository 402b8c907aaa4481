//! AWS Guard Rules Registry rule sets (`--guard-mapping`), and Guard rules on Terraform plans.
#![cfg(feature = "guard")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const DEMO: &str = "fixtures/guard-registry/mappings/rule_set_demo.json";
const OTHER: &str = "fixtures/guard-registry/mappings/rule_set_other.json";
const UNVERSIONED: &str = "fixtures/guard-registry/templates/unversioned.yaml";
const VERSIONED: &str = "fixtures/guard-registry/templates/versioned.yaml";

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {out:?}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// (rule id, resource, outcome) of every finding.
fn findings(report: &Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["ruleId"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
                f["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(found: &[(String, String, String)], rule: &str, resource: &str, outcome: &str) -> bool {
    found
        .iter()
        .any(|(r, id, o)| r == rule && id == resource && o == outcome)
}

#[test]
fn each_guard_rule_of_a_mapping_is_a_control_and_a_sarif_rule_tagged_with_its_framework_controls() {
    let out = run(&[
        "check",
        UNVERSIONED,
        "--no-builtin",
        "--guard-mapping",
        DEMO,
        "--guard-mapping",
        OTHER,
        "--format",
        "sarif",
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &sarif["runs"][0];
    let rule = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "BUCKET_VERSIONING_ENABLED")
        .expect("a SARIF rule named by the Guard rule");
    let tags: Vec<&str> = rule["properties"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    // Both mappings' framework controls, each once.
    for tag in ["demo-set/DS-1", "demo-set/DS-2", "other-set/OT-9"] {
        assert_eq!(tags.iter().filter(|t| **t == tag).count(), 1, "{tags:?}");
    }
    assert_eq!(
        rule["shortDescription"]["text"],
        "Checks that S3 buckets keep object versions"
    );
    let results: Vec<&Value> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "BUCKET_VERSIONING_ENABLED")
        .collect();
    let names: Vec<&str> = results
        .iter()
        .map(|r| r["locations"][0]["logicalLocations"][0]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Scratch", "Quiet"], "{results:#?}");
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 8);
}

#[test]
fn a_guard_suppression_in_the_template_does_not_suppress() {
    let out = run(&[
        "check",
        UNVERSIONED,
        "--no-builtin",
        "--guard-mapping",
        DEMO,
        "--format",
        "json",
    ]);
    let report = json(&out);
    let found = findings(&report);
    assert!(has(&found, "BUCKET_VERSIONING_ENABLED", "Quiet", "fail"), "{found:?}");
    assert!(has(&found, "BUCKET_VERSIONING_ENABLED", "Scratch", "fail"), "{found:?}");
    assert!(
        !found
            .iter()
            .any(|(r, id, _)| r == "BUCKET_VERSIONING_ENABLED" && id == "Logs"),
        "{found:?}"
    );
    // A resource no rule selects is not evaluated at all.
    assert!(!found.iter().any(|(_, id, _)| id == "Topic"), "{found:?}");
    let quiet = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["resource"] == "Quiet")
        .unwrap();
    assert!(
        quiet.to_string().contains("Metadata.guard"),
        "the attempt is reported: {quiet:#}"
    );
}

#[test]
fn a_failure_on_no_resource_counts_against_each_resource_the_rule_is_about() {
    let out = run(&[
        "check",
        UNVERSIONED,
        "--no-builtin",
        "--guard-mapping",
        DEMO,
        "--format",
        "json",
    ]);
    let found = findings(&json(&out));
    for bucket in ["Logs", "Scratch", "Quiet"] {
        assert!(has(&found, "CLOUDTRAIL_REQUIRED", bucket, "fail"), "{found:?}");
    }
    assert!(!has(&found, "CLOUDTRAIL_REQUIRED", "Topic", "fail"), "{found:?}");
    let out = run(&[
        "check",
        VERSIONED,
        "--no-builtin",
        "--guard-mapping",
        DEMO,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = json(&out);
    let controls = report["controls"].as_array().unwrap();
    let trail = controls.iter().find(|c| c["id"] == "CLOUDTRAIL_REQUIRED").unwrap();
    assert_eq!(trail["passed"], 2, "the bucket and the trail: {trail:#}");
}

#[test]
fn a_staged_guard_file_without_rules_is_named_in_a_note() {
    let out = run(&["check", VERSIONED, "--no-builtin", "--guard-mapping", DEMO]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        stderr(&out).contains("names 1 Guard file with no rule yet") && stderr(&out).contains("staged_placeholder"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn guard_findings_are_excepted_by_the_registry_like_native_ones() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("exceptions.yaml");
    std::fs::write(
        &registry,
        "exceptions:
  - id: EXC-2026-100
    control: BUCKET_VERSIONING_ENABLED
    scope:
      resources: [Scratch]
    owner: alice@example.com
    reason: Scratch data is rebuilt nightly from the source bucket.
    compensatingControl: Source bucket is versioned and replicated.
    approval:
      approver: bob@example.com
      role: platform-owner
      date: 2026-11-01
    expires: 2027-01-15
    status: approved
",
    )
    .unwrap();
    let out = run(&[
        "check",
        UNVERSIONED,
        "--no-builtin",
        "--guard-mapping",
        DEMO,
        "--exceptions",
        registry.to_str().unwrap(),
        "--today",
        "2026-12-01",
        "--format",
        "json",
    ]);
    let report = json(&out);
    let scratch = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["resource"] == "Scratch" && f["ruleId"] == "BUCKET_VERSIONING_ENABLED")
        .unwrap();
    assert_eq!(scratch["exception"]["id"], "EXC-2026-100", "{scratch:#}");
    let quiet = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["resource"] == "Quiet" && f["ruleId"] == "BUCKET_VERSIONING_ENABLED")
        .unwrap();
    assert!(
        quiet["exception"].is_null(),
        "the exception's scope is one resource: {quiet:#}"
    );
    assert_eq!(out.status.code(), Some(1), "other findings still block");
}

#[test]
fn the_config_file_pins_a_mapping_relative_to_itself() {
    let dir = tempfile::tempdir().unwrap();
    let registry = root().join("fixtures/guard-registry");
    let copy = dir.path().join("registry");
    for sub in ["mappings", "rules/demo"] {
        std::fs::create_dir_all(copy.join(sub)).unwrap();
        for e in std::fs::read_dir(registry.join(sub)).unwrap() {
            let e = e.unwrap();
            if e.path().is_file() {
                std::fs::copy(e.path(), copy.join(sub).join(e.file_name())).unwrap();
            }
        }
    }
    std::fs::copy(root().join(UNVERSIONED), dir.path().join("template.yaml")).unwrap();
    std::fs::write(
        dir.path().join(".controlgate.yaml"),
        "guardMappings: [registry/mappings/rule_set_demo.json]\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["check", "template.yaml", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report = json(&out);
    let found = findings(&report);
    assert!(has(&found, "BUCKET_VERSIONING_ENABLED", "Scratch", "fail"), "{found:?}");
    // The built-in pack still runs beside it.
    assert!(found.iter().any(|(r, _, _)| r.contains('-')), "{found:?}");
    let changed = report["settings"]["changed"].to_string();
    assert!(
        changed.contains("guardMappings") && changed.contains("rule_set_demo.json"),
        "{changed}"
    );
}

#[test]
fn an_invalid_mapping_is_an_error_naming_the_file() {
    let cases = [
        ("escape.json", "leaves the registry root"),
        ("missing.json", "nowhere.guard"),
        ("syntax.json", "broken.guard:2:17: Guard syntax error"),
        (
            "typo.json",
            "typo.json:2:11: not a Guard rule set mapping: unknown field `mapings`",
        ),
    ];
    for (file, expected) in cases {
        let mapping = format!("fixtures/guard-registry-bad/mappings/{file}");
        for format in ["human", "json", "sarif"] {
            let out = run(&["check", VERSIONED, "--guard-mapping", &mapping, "--format", format]);
            assert_eq!(out.status.code(), Some(2), "{file}: {out:?}");
            assert!(stderr(&out).contains(expected), "{file}: {}", stderr(&out));
            if format == "json" {
                assert_eq!(json(&out)["gate"]["decision"], "error", "{file}");
            }
        }
    }
    let out = run(&[
        "check",
        VERSIONED,
        "--guard-mapping",
        "fixtures/guard-registry-bad/outside.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("must be in a folder named `mappings`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn two_guard_files_with_one_rule_name_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::write(
        dir.path().join("rules/x.guard"),
        "rule TAG_001 {\n  Resources exists\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("mappings/m.json"),
        r#"{"ruleSetName": "X", "mappings": [{"guardFilePath": "rules/x.guard", "controls": []}]}"#,
    )
    .unwrap();
    // Two mappings naming different files with one rule name.
    std::fs::write(
        dir.path().join("rules/y.guard"),
        "rule TAG_001 {\n  Resources exists\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("mappings/n.json"),
        r#"{"ruleSetName": "Y", "mappings": [{"guardFilePath": "rules/y.guard", "controls": []}]}"#,
    )
    .unwrap();
    let m = dir.path().join("mappings/m.json");
    let n = dir.path().join("mappings/n.json");
    let out = run(&[
        "check",
        VERSIONED,
        "--guard-mapping",
        m.to_str().unwrap(),
        "--guard-mapping",
        n.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        stderr(&out).contains("takes the id of control TAG_001"),
        "{}",
        stderr(&out)
    );
}

const TF: &str = "fixtures/guard-terraform";

fn tf(pack: &str, plan: &str, format: &str) -> Output {
    run(&[
        "check",
        "--no-builtin",
        "--policies",
        &format!("{TF}/{pack}"),
        &format!("{TF}/{plan}"),
        "--format",
        format,
    ])
}

#[test]
fn guard_rules_judge_terraform_plan_resources_in_the_normalized_shape() {
    let out = tf("pack", "pass.json", "json");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = json(&out);
    let control = report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "GRD-101")
        .unwrap();
    assert_eq!(control["passed"], 1, "{control:#}");

    let out = tf("pack", "fail.json", "json");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let found = findings(&json(&out));
    assert_eq!(
        found,
        [(
            "TF_S3_VERSIONING_ENABLED".to_string(),
            "aws_s3_bucket_versioning.trail".to_string(),
            "fail".to_string()
        )]
    );

    // `versioning_configuration` is known only after apply: not a failure, not a pass.
    let out = tf("pack", "unknown.json", "json");
    let found = findings(&json(&out));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].2, "unknown", "{found:?}");
}

#[test]
fn a_sensitive_value_guard_quotes_is_never_shown() {
    // Sanity: the rule fails and cfn-guard's own message would quote the value.
    for format in ["human", "json", "sarif", "markdown", "github", "gitlab", "junit"] {
        let out = tf("quoting", "sensitive.json", format);
        assert_eq!(out.status.code(), Some(1), "{format}: {out:?}");
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert!(
            !all.contains("secret-xyz"),
            "{format} shows the sensitive value:\n{all}"
        );
    }
    let found = json(&tf("quoting", "sensitive.json", "json"));
    assert!(
        found.to_string().contains("the value is sensitive and not shown"),
        "{found:#}"
    );
}

/// Every rule set of the AWS Guard Rules Registry loads and runs, when the corpus is present.
#[test]
fn every_registry_mapping_loads() {
    let registry = root().join("../shared/corpus/guard-rules-registry");
    if !registry.is_dir() {
        eprintln!("skipped: {} is absent", registry.display());
        return;
    }
    let mut mappings: Vec<PathBuf> = std::fs::read_dir(registry.join("mappings"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    mappings.sort();
    assert!(mappings.len() >= 50, "{mappings:?}");
    for m in &mappings {
        let out = run(&["controls", "--guard-mapping", m.to_str().unwrap(), "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}: {}", m.display(), stderr(&out));
        let listed = String::from_utf8_lossy(&out.stdout);
        assert!(listed.contains("\"nist-800-53\""), "the built-in pack is listed too");
    }
}

#[test]
fn explain_shows_a_guard_rule_as_written_and_where() {
    let out = run(&[
        "explain",
        "BUCKET_VERSIONING_ENABLED",
        "--no-builtin",
        "--guard-mapping",
        DEMO,
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("bucket_versioning_enabled.guard:17"), "{text}");
    assert!(
        text.contains("%versioning_buckets.Properties.VersioningConfiguration.Status == 'Enabled'"),
        "{text}"
    );
    assert!(text.contains("demo-set: DS-1, DS-2"), "{text}");
    assert!(text.contains("exceptions: allowed"), "{text}");
    let out = run(&[
        "explain",
        "BUCKET_VERSIONING_ENABLED",
        "--no-builtin",
        "--guard-mapping",
        DEMO,
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let guard = &v["rules"][0]["guard"];
    assert_eq!(guard["line"], 17, "{v:#}");
    assert!(guard["text"].as_str().unwrap().ends_with('}'), "{guard:#}");
    // Native rules carry no Guard text.
    let out = run(&["explain", "rds-backup-retention-too-short", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["rules"].as_array().unwrap().iter().all(|r| r.get("guard").is_none()),
        "{v:#}"
    );
}

/// A pack with control GRD-001 (S3 buckets) and one Guard file.
fn pack_with(guard: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("controls")).unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::copy(
        root().join("fixtures/guard/pack/controls/GRD-001.yaml"),
        dir.path().join("controls/GRD-001.yaml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("rules/r.guard"), guard).unwrap();
    std::fs::write(
        dir.path().join("template.yaml"),
        "Parameters:
  DbPassword:
    Type: String
    NoEcho: true
    Default: hunter2-secret
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Ref DbPassword
  Topic:
    Type: AWS::SNS::Topic
",
    )
    .unwrap();
    dir
}

#[test]
fn guard_rules_see_the_templates_other_sections_and_never_show_a_no_echo_default() {
    let pack =
        pack_with("# control: GRD-001\nrule PASSWORD_DEFAULT_EMPTY {\n  Parameters.DbPassword.Default == ''\n}\n");
    let p = |name: &str| pack.path().join(name).to_str().unwrap().to_string();
    for format in ["human", "json", "sarif", "markdown"] {
        let out = run(&[
            "check",
            "--no-builtin",
            "--policies",
            &p(""),
            &p("template.yaml"),
            "--format",
            format,
        ]);
        assert_eq!(out.status.code(), Some(1), "the rule reads Parameters: {out:?}");
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert!(!all.contains("hunter2"), "{format} shows the NoEcho default:\n{all}");
    }
    let out = run(&[
        "check",
        "--no-builtin",
        "--policies",
        &p(""),
        &p("template.yaml"),
        "--format",
        "json",
    ]);
    let found = findings(&json(&out));
    // The failure names no resource: it counts against the control's bucket, not the topic.
    assert_eq!(
        found,
        [(
            "PASSWORD_DEFAULT_EMPTY".to_string(),
            "Data".to_string(),
            "fail".to_string()
        )]
    );
}

const LOCKED: &str = "# control: GRD-001
let b = Resources.*[ Type == 'AWS::S3::Bucket' ]
rule LOCKED when %b !empty {
  %b.Properties.ObjectLockEnabled == true
}
";

fn bucket_check(pack: &tempfile::TempDir, name: &str, properties: &str) -> Output {
    let template = pack.path().join(name);
    std::fs::write(
        &template,
        format!("Resources:\n  Data:\n    Type: AWS::S3::Bucket\n    Properties:\n{properties}"),
    )
    .unwrap();
    run(&[
        "check",
        "--no-builtin",
        "--policies",
        pack.path().to_str().unwrap(),
        template.to_str().unwrap(),
        "--format",
        "json",
    ])
}

#[test]
fn guard_sees_templates_as_controlgates_loader_reads_them() {
    let pack = pack_with(LOCKED);
    // `yes` is true in YAML 1.1 (CloudFormation) and a string in 1.2: undecidable, as for
    // native rules, never a pass.
    let out = bucket_check(&pack, "yes.yaml", "      ObjectLockEnabled: yes\n");
    let found = findings(&json(&out));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].2, "unknown", "{found:?}");
    // `no` is false either way: a failure.
    let found = findings(&json(&bucket_check(&pack, "no.yaml", "      ObjectLockEnabled: no\n")));
    assert_eq!(found[0].2, "fail", "{found:?}");
    // Written plainly, it passes.
    let out = bucket_check(&pack, "true.yaml", "      ObjectLockEnabled: true\n");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // A key written twice is an error, not the last value (cfn-guard takes one silently).
    let out = bucket_check(
        &pack,
        "twice.yaml",
        "      ObjectLockEnabled: false\n      ObjectLockEnabled: true\n",
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        stderr(&out).contains("duplicate key `ObjectLockEnabled`"),
        "{}",
        stderr(&out)
    );
    // Short-form tags arrive in their long form: `!Ref` is an intrinsic, not a string.
    let rule = "# control: GRD-001\nrule NAMED_BY_REF {\n  Resources.*[ Type == 'AWS::S3::Bucket' ].Properties.BucketName.Ref exists\n}\n";
    std::fs::write(pack.path().join("rules/r.guard"), rule).unwrap();
    let out = bucket_check(&pack, "ref.yaml", "      BucketName: !Ref Name\n");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // `Fn::ForEach` is expanded: each bucket it makes is judged.
    std::fs::write(pack.path().join("rules/r.guard"), LOCKED).unwrap();
    let template = pack.path().join("foreach.yaml");
    std::fs::write(
        &template,
        "Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Buckets:
    - Name
    - [A, B]
    - Bucket${Name}:
        Type: AWS::S3::Bucket
        Properties:
          ObjectLockEnabled: false
",
    )
    .unwrap();
    let out = run(&[
        "check",
        "--no-builtin",
        "--policies",
        pack.path().to_str().unwrap(),
        template.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let found = findings(&json(&out));
    let ids: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(ids, ["BucketA", "BucketB"], "{found:?}");
}

#[test]
fn guard_sees_resource_attributes_as_written_but_no_suppression_entries() {
    // `Properties exists` fails on a resource written without them: nothing is added.
    let pack = pack_with(
        "# control: GRD-001\nlet b = Resources.*[ Type == 'AWS::S3::Bucket' ]\nrule HAS_PROPERTIES when %b !empty {\n  %b.Properties exists\n}\n",
    );
    let template = pack.path().join("bare.yaml");
    std::fs::write(&template, "Resources:\n  Bare:\n    Type: AWS::S3::Bucket\n").unwrap();
    let args = |t: &Path| {
        vec![
            "check".to_string(),
            "--no-builtin".to_string(),
            "--policies".to_string(),
            pack.path().display().to_string(),
            t.display().to_string(),
            "--format".to_string(),
            "json".to_string(),
        ]
    };
    let run_args = |t: &Path| {
        let a = args(t);
        run(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let found = findings(&json(&run_args(&template)));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].2, "fail", "{found:?}");
    // Metadata is read (here a retention note), its `guard` entry is not.
    std::fs::write(
        pack.path().join("rules/r.guard"),
        "# control: GRD-001\nlet b = Resources.*[ Type == 'AWS::S3::Bucket' Metadata.guard not exists ]\nrule RETAINED when %b !empty {\n  %b.Metadata.Retention == 'kept'\n  %b.DeletionPolicy == 'Retain'\n}\n",
    )
    .unwrap();
    let template = pack.path().join("meta.yaml");
    std::fs::write(
        &template,
        "Resources:
  Kept:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    Metadata:
      Retention: kept
  Dropped:
    Type: AWS::S3::Bucket
    DeletionPolicy: Delete
    Metadata:
      Retention: kept
      guard:
        SuppressedRules: [RETAINED]
",
    )
    .unwrap();
    let found = findings(&json(&run_args(&template)));
    assert_eq!(
        found,
        [("RETAINED".to_string(), "Dropped".to_string(), "fail".to_string())],
        "Kept passes on its attributes; Dropped's suppression is not seen"
    );
}

#[test]
fn nothing_cfn_guard_writes_reaches_standard_output_or_error() {
    for format in ["human", "json", "sarif"] {
        let out = run(&[
            "check",
            UNVERSIONED,
            "--no-builtin",
            "--guard-mapping",
            DEMO,
            "--format",
            format,
        ]);
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        // The names cfn-guard gives its in-memory inputs, and the words of its reports.
        for marker in ["DATA_STDIN", "RULES_STDIN", "not_compliant", "Rule Name", "Status ="] {
            assert!(!all.contains(marker), "{format}: `{marker}` in\n{all}");
        }
        if format != "human" {
            // Standard output is one document, nothing else.
            serde_json::from_slice::<Value>(&out.stdout).unwrap_or_else(|e| panic!("{format}: {e}"));
        }
    }
}
