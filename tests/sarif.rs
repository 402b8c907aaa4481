//! SARIF output: valid against the official SARIF 2.1.0 schema, and shaped as GitHub code
//! scanning reads it.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod common;

fn sarif_of(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args(["check", "--format", "sarif"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(1),
        "expected findings: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one SARIF document")
}

/// The SARIF of a failed run: the demo template beside a plan saved with a line of text before
/// its JSON (an input error, exit 2).
fn failed_sarif() -> Value {
    let dir = common::failed_inputs();
    let out = Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args(["check", "--format", "sarif", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("stdout is one SARIF document");
    assert_eq!(sarif["runs"][0]["invocations"][0]["executionSuccessful"], false);
    sarif
}

/// The demo with exceptions (suppressions, and notes on findings whose exception does not apply)
/// and a category (runAutomationDetails).
const EXCEPTED_DEMO: &[&str] = &[
    "fixtures/demo",
    "--exceptions",
    "fixtures/exceptions/valid.yaml",
    "--today",
    "2026-11-25",
    "--sarif-category",
    "infra/prod",
];

#[test]
fn sarif_of_every_fixture_validates_against_the_schema() {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sarif-schema-2.1.0.json");
    let Ok(schema) = std::fs::read_to_string(&schema_path) else {
        skipped(&format!("SARIF schema not found at {}", schema_path.display()));
        return;
    };
    let schema: Value = serde_json::from_str(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let sarif = sarif_of(&["fixtures"]);
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF is invalid:\n{}", errors.join("\n"));
    // The validator does reject what the schema forbids.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    assert!(!validator.is_valid(&broken));
    assert!(sarif["runs"][0]["results"].as_array().unwrap().len() > 10);

    // With exceptions (suppressions, notes on findings whose exception does not apply) and a
    // category (runAutomationDetails).
    let excepted = sarif_of(EXCEPTED_DEMO);
    let results = excepted["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.iter().filter(|r| r.get("suppressions").is_some()).count(), 2);
    assert_eq!(excepted["runs"][0]["automationDetails"]["id"], "infra/prod");
    let errors: Vec<String> = validator
        .iter_errors(&excepted)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF with suppressions is invalid:\n{}",
        errors.join("\n")
    );
    // A failed run's log, with its notifications.
    let failed = failed_sarif();
    let errors: Vec<String> = validator
        .iter_errors(&failed)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF of a failed run is invalid:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sarif_reads_as_github_expects() {
    let sarif = sarif_of(&["fixtures"]);
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.dedup();
    assert_eq!(ids, sorted, "one SARIF rule per control, no duplicates");
    for r in rules {
        let sev = r["properties"]["security-severity"]
            .as_str()
            .expect("security-severity is a string");
        let score: f64 = sev.parse().unwrap();
        assert!((0.1..=10.0).contains(&score));
        assert!(r["help"]["markdown"].as_str().unwrap().contains("Remediation"));
        assert!(r["helpUri"].as_str().unwrap().starts_with("https://"));
        assert!(r["properties"]["tags"].as_array().unwrap().len() <= 20);
        assert!(
            r["properties"]["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == &r["id"])
        );
    }
    for result in run["results"].as_array().unwrap() {
        let rule_id = result["ruleId"].as_str().unwrap();
        assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"], rule_id);
        let loc = &result["locations"][0];
        let uri = loc["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("fixtures/"), "relative URI: {uri}");
        assert!(loc["physicalLocation"]["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(
            !loc["logicalLocations"][0]["fullyQualifiedName"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            result["partialFingerprints"]["controlgate/v1"].as_str().unwrap().len(),
            32
        );
    }
}

/// Say so on the terminal even though the test harness captures `eprintln!`.
fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {why} (it ships with the development workspace, not with the crate)"
    );
}

#[test]
fn plan_findings_land_on_the_tf_block_of_modules_count_and_for_each() {
    let sarif = sarif_of(&["fixtures/demo/plan.json"]);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let at = |resource: &str| -> (String, u64, String, u64) {
        let r = results
            .iter()
            .find(|r| r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == resource)
            .unwrap_or_else(|| panic!("no result for {resource}"));
        let loc = &r["locations"][0]["physicalLocation"];
        let rel = &r["relatedLocations"][0]["physicalLocation"];
        (
            loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
            loc["region"]["startLine"].as_u64().unwrap(),
            rel["artifactLocation"]["uri"].as_str().unwrap().to_string(),
            rel["region"]["startLine"].as_u64().unwrap(),
        )
    };
    // Root module, a module's for_each instance, a module's count instance.
    assert_eq!(
        at("aws_cloudtrail.main"),
        (
            "fixtures/demo/main.tf".into(),
            11,
            "fixtures/demo/plan.json".into(),
            240
        )
    );
    assert_eq!(
        at("module.data.aws_s3_bucket.this[\"raw\"]").0,
        "fixtures/demo/modules/data/main.tf"
    );
    assert_eq!(at("module.data.aws_s3_bucket.this[\"raw\"]").1, 18);
    assert_eq!(
        at("module.web.aws_security_group.web[0]").0,
        "fixtures/demo/modules/web/main.tf"
    );
    assert_eq!(at("module.web.aws_security_group.web[0]").1, 1);
    assert_eq!(at("module.web.aws_security_group.web[0]").2, "fixtures/demo/plan.json");

    // Human output shows the .tf block and says where the resource is in the plan.
    let out = Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args(["check", "fixtures/demo/plan.json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("[fixtures/demo/modules/data/main.tf:1:1]"), "{human}");
    assert!(human.contains("resource \"aws_db_instance\" \"main\" {"), "{human}");
    assert!(human.contains("planned in fixtures/demo/plan.json:277"), "{human}");
}

#[test]
fn a_rule_with_more_than_20_tags_is_cut_with_a_warning_when_sarif_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (1..=19).map(|i| format!("AC-{i}")).collect();
    let control = format!(
        "id: TST-001
version: 1
title: Databases keep backups
intent: Production data can be restored.
severity: medium
scope:
  resourceTypes: [aws_db_instance]
evidenceSources: [terraform-plan]
exception:
  allowed: false
remediation:
  mode: iac-change
  hint: Set backup_retention_period to 7 or more.
frameworks:
  nist-800-53: [{}]
  soc2: [CC1.1, CC1.2, CC1.3]
",
        ids.join(", ")
    );
    let rule = "id: db-backup-retention-too-short
control: TST-001
title: Databases keep backups for 7 days
message: backup retention is shorter than 7 days
terraform:
  resourceTypes: [aws_db_instance]
  assert:
    path: $.backup_retention_period
    gte: 7
";
    let plan = serde_json::json!({
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {"resources": [
            {"address": "aws_db_instance.db", "mode": "managed", "type": "aws_db_instance", "name": "db",
             "values": {"backup_retention_period": 1}}
        ]}},
        "resource_changes": [
            {"address": "aws_db_instance.db", "mode": "managed", "type": "aws_db_instance", "name": "db",
             "change": {"actions": ["create"], "before": null, "after": {"backup_retention_period": 1}, "after_unknown": {}}}
        ],
    });
    for (path, text) in [
        ("pack/controls/TST-001.yaml", control),
        ("pack/rules/db-backup-retention-too-short.yaml", rule.to_string()),
        ("plan.json", plan.to_string()),
    ] {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let check = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_controlgate"))
            .args(["check", "--no-builtin", "--policies", "pack", "plan.json"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let warning = "warning: SARIF rule TST-001 carries 20 of its 25 tags and leaves out 5 framework ids: GitHub code scanning rejects more than 20 tags per rule\n";

    let out = check(&["--format", "sarif", "--sarif-file", "out.sarif"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches(warning).count(), 1, "one warning per run: {stderr}");
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tags = sarif["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["tags"]
        .as_array()
        .unwrap();
    assert_eq!(tags.len(), 20);
    assert_eq!(tags[19], "nist-800-53/AC-17", "framework ids are the ones left out");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
    // Standard output and `--sarif-file` get the same log.
    assert_eq!(std::fs::read(dir.path().join("out.sarif")).unwrap(), out.stdout);

    // Only SARIF cuts tags: no warning without it.
    let out = check(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("tags"));
    let out = check(&["--format", "json", "--sarif-file", "out.sarif"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains(warning));
}

/// The SARIF Multitool's validator (`npm ci --prefix scripts/node-tools`), on Linux x64 where its
/// package ships a binary. CI sets CONTROLGATE_REQUIRE_TOOLS so that a missing tool fails.
fn multitool() -> Option<std::path::PathBuf> {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts/node-tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    if cfg!(all(target_os = "linux", target_arch = "x86_64")) && bin.is_file() {
        return Some(bin);
    }
    assert!(
        std::env::var_os("CONTROLGATE_REQUIRE_TOOLS").is_none()
            || !cfg!(all(target_os = "linux", target_arch = "x86_64")),
        "the SARIF Multitool is required here: run `npm ci --prefix scripts/node-tools`"
    );
    skipped("the SARIF Multitool is not installed (npm ci --prefix scripts/node-tools)");
    None
}

/// The Multitool's findings on `sarif` with GitHub's rules and its own, at `levels`, as
/// `ruleId level: message arguments`. Its exit code is 0 whatever it finds, so its own SARIF
/// output is read instead.
fn multitool_findings(bin: &Path, sarif: &Value, levels: &str) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.sarif");
    let output = tmp.path().join("out.sarif");
    std::fs::write(&input, serde_json::to_vec_pretty(sarif).unwrap()).unwrap();
    let run = Command::new(bin)
        .args(["validate", "--rule-kind", "Gh;Sarif", "--level", levels, "--output"])
        .arg(&output)
        .arg(&input)
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&std::fs::read(&output).unwrap_or_default()).unwrap_or_else(|_| {
        panic!(
            "the Multitool wrote no log: {}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        )
    });
    log["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| format!("{} {}: {}", r["ruleId"], r["level"], r["message"]["arguments"]))
        .collect()
}

/// The SARIF of a repository whose files have spaces, `#`, `?`, `%` and non-ASCII letters in
/// their names: URIs are percent-encoded (RFC 3986), so no consumer cuts them.
fn sarif_of_awkward_names() -> Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = "my dir/stack #1 v?2 100% é.yaml";
    std::fs::create_dir_all(dir.path().join("my dir")).unwrap();
    std::fs::copy(root.join("fixtures/demo/template.yaml"), dir.path().join(name)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args(["check", "--format", "sarif", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "my%20dir/stack%20%231%20v%3F2%20100%25%20%C3%A9.yaml");
    sarif
}

#[test]
fn sarif_passes_the_sarif_multitool_with_githubs_rules() {
    let Some(bin) = multitool() else { return };
    let problems = multitool_findings(&bin, &sarif_of_awkward_names(), "Error;Warning");
    assert!(problems.is_empty(), "awkward file names:\n{}", problems.join("\n"));
    for args in [&["fixtures"][..], EXCEPTED_DEMO] {
        let sarif = sarif_of(args);
        let problems = multitool_findings(&bin, &sarif, "Error;Warning");
        assert!(problems.is_empty(), "{args:?}:\n{}", problems.join("\n"));
    }
    let problems = multitool_findings(&bin, &failed_sarif(), "Error;Warning");
    assert!(problems.is_empty(), "a failed run:\n{}", problems.join("\n"));
    // The validator is live: a result whose message has no text is one GitHub rejects.
    let mut broken = sarif_of(&["fixtures/demo"]);
    broken["runs"][0]["results"][0]["message"] = serde_json::json!({"id": "missing"});
    let problems = multitool_findings(&bin, &broken, "Error;Warning");
    assert!(problems.iter().any(|p| p.starts_with("\"GH1015\"")), "{problems:?}");
}

/// Outside a git repository, `%SRCROOT%` is the working directory; a file outside it is relative
/// to `%FSROOT%` (`file:///`), never a `../` chain.
#[test]
fn files_outside_the_working_directory_get_a_uri_base() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = dir.path().join("a/b");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::create_dir_all(dir.path().join("other dir")).unwrap();
    std::fs::copy(root.join("fixtures/demo/template.yaml"), work.join("in.yaml")).unwrap();
    std::fs::copy(
        root.join("fixtures/demo/template.yaml"),
        dir.path().join("other dir/stack #1.yaml"),
    )
    .unwrap();
    assert!(
        dir.path().ancestors().all(|d| !d.join(".git").exists()),
        "the test needs a directory outside any repository"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args(["check", "--format", "sarif", "in.yaml", "../../other dir/stack #1.yaml"])
        .current_dir(&work)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &sarif["runs"][0];
    let mut seen = std::collections::BTreeSet::new();
    for r in run["results"].as_array().unwrap() {
        let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        let uri = loc["uri"].as_str().unwrap();
        assert!(!uri.contains(".."), "{loc}");
        seen.insert((loc["uriBaseId"].as_str().unwrap().to_string(), uri.to_string()));
    }
    let work = work.canonicalize().unwrap();
    let outside = dir.path().canonicalize().unwrap().join("other dir/stack #1.yaml");
    let outside = outside
        .display()
        .to_string()
        .trim_start_matches('/')
        .replace(' ', "%20")
        .replace('#', "%23");
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        vec![
            ("%FSROOT%".to_string(), outside),
            ("%SRCROOT%".to_string(), "in.yaml".to_string())
        ]
    );
    let bases = &run["originalUriBaseIds"];
    assert_eq!(bases["%FSROOT%"]["uri"], "file:///");
    assert_eq!(
        bases["%SRCROOT%"]["uri"],
        format!("file://{}/", work.display().to_string().replace(' ', "%20"))
    );
    if let Some(bin) = multitool() {
        let problems = multitool_findings(&bin, &sarif, "Error;Warning");
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

/// `helpUri` links only to files that exist: a built-in control's file at the release tag, a
/// pack's control under its `helpBaseUrl`, or nothing.
#[test]
fn help_uris_point_at_files_that_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sarif = sarif_of(&["fixtures/demo"]);
    let prefix = format!("{}/blob/v{}/", env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_VERSION"));
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(!rules.is_empty());
    for r in rules {
        let uri = r["helpUri"].as_str().unwrap();
        let file = uri.strip_prefix(&prefix).unwrap_or_else(|| panic!("{uri}"));
        assert!(root.join(file).is_file(), "{uri}: no such file in the repository");
    }

    let dir = tempfile::tempdir().unwrap();
    let control = |id: &str, extra: &str| {
        format!(
            "id: {id}\nversion: 1\ntitle: Databases keep backups\nintent: Data can be restored.\nseverity: medium\nscope:\n  resourceTypes: [AWS::RDS::DBInstance]\nevidenceSources: [cloudformation-template]\nexception:\n  allowed: false\nremediation:\n  mode: iac-change\n  hint: Set it.\nframeworks:\n  nist-800-53: [CP-9]\n{extra}"
        )
    };
    let rule = |id: &str, control: &str| {
        format!(
            "id: {id}\ncontrol: {control}\ntitle: t\nmessage: m\ncloudformation:\n  resourceTypes: [AWS::RDS::DBInstance]\n  assert:\n    path: $.BackupRetentionPeriod\n    gte: 7\n"
        )
    };
    for (path, text) in [
        ("pack/controls/TST-001.yaml", control("TST-001", "")),
        ("pack/controls/data/TST-002.yaml", control("TST-002", "")),
        (
            "pack/controls/TST-003.yaml",
            control("TST-003", "helpUri: https://wiki.example.com/TST-003\n"),
        ),
        ("pack/rules/a.yaml", rule("rule-a", "TST-001")),
        ("pack/rules/b.yaml", rule("rule-b", "TST-002")),
        ("pack/rules/c.yaml", rule("rule-c", "TST-003")),
        (
            "t.yaml",
            "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: {}\n".into(),
        ),
    ] {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let links = || -> Vec<(String, Option<String>)> {
        let out = Command::new(env!("CARGO_BIN_EXE_controlgate"))
            .args([
                "check",
                "--format",
                "sarif",
                "--no-builtin",
                "--policies",
                "pack",
                "t.yaml",
            ])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
        sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["id"].as_str().unwrap().to_string(),
                    r["helpUri"].as_str().map(String::from),
                )
            })
            .collect()
    };
    // No base URL: no link of ours, only the control's own.
    assert_eq!(
        links(),
        vec![
            ("TST-001".into(), None),
            ("TST-002".into(), None),
            ("TST-003".into(), Some("https://wiki.example.com/TST-003".into()))
        ]
    );
    std::fs::write(
        dir.path().join("pack/pack.yaml"),
        "helpBaseUrl: https://git.example.com/org/policies/blob/v3/\n",
    )
    .unwrap();
    assert_eq!(
        links(),
        vec![
            (
                "TST-001".into(),
                Some("https://git.example.com/org/policies/blob/v3/controls/TST-001.yaml".into())
            ),
            (
                "TST-002".into(),
                Some("https://git.example.com/org/policies/blob/v3/controls/data/TST-002.yaml".into())
            ),
            ("TST-003".into(), Some("https://wiki.example.com/TST-003".into()))
        ]
    );
    // A base that is no web address, or an unknown key, is an error of the pack.
    for manifest in ["helpBaseUrl: docs/policies\n", "helpBaseURL: https://x.example.com\n"] {
        std::fs::write(dir.path().join("pack/pack.yaml"), manifest).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_controlgate"))
            .args(["check", "--no-builtin", "--policies", "pack", "t.yaml"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{manifest}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("pack/pack.yaml"), "{stderr}");
    }
}
