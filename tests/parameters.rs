//! `check --parameters FILE` and the config file's `parameterFiles`: deploy-time values of
//! CloudFormation parameters, in each accepted form, decide verdicts both ways; values
//! CloudFormation would refuse are errors; NoEcho values never reach an output.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

mod common;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/parameters");

fn run(dir: &Path, args: &[&str]) -> Output {
    common::controlgate()
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// The fixtures' templates deploy to production: their change names a record, so CHG-001 holds
/// and the verdicts are the parameters' alone.
fn fixtures(args: &[&str]) -> Output {
    let mut all = vec!["--no-config", "--change-id", "CHG-1234"];
    all.extend_from_slice(args);
    run(Path::new(FIXTURES), &all)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(o), stderr(o)))
}

/// `(rule id, outcome)` of every finding.
fn outcomes(doc: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["ruleId"].as_str().unwrap().to_string(),
                f["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn outcome_of(doc: &Value, rule: &str) -> Option<String> {
    outcomes(doc).into_iter().find(|(r, _)| r == rule).map(|(_, o)| o)
}

#[test]
fn without_parameter_files_the_parameters_are_unknown_and_the_message_names_them() {
    let o = fixtures(&["--format", "json", "web.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(outcome_of(&doc, "rds-storage-unencrypted").as_deref(), Some("unknown"));
    assert_eq!(
        outcome_of(&doc, "security-group-open-admin-port").as_deref(),
        Some("unknown")
    );
    let text = doc["findings"].to_string();
    assert!(
        text.contains("pass --parameters with a value for EncryptStorage, or add AllowedValues to EncryptStorage"),
        "{text}"
    );
    assert!(text.contains("AdminCidr"), "the Fn::Sub variable is named: {text}");
    assert_eq!(doc["settings"]["parameterFiles"], serde_json::json!([]));
}

#[test]
fn each_form_of_safe_values_passes_the_template() {
    for file in ["prod.json", "prod.env", "prod-config.json", "prod-config.yaml"] {
        let o = fixtures(&["--format", "json", "--parameters", file, "web.yaml"]);
        assert_eq!(o.status.code(), Some(0), "{file}: {}\n{}", stdout(&o), stderr(&o));
        let doc = json(&o);
        assert!(outcomes(&doc).is_empty(), "{file}: {:?}", outcomes(&doc));
        let used = &doc["settings"]["parameterFiles"][0];
        assert_eq!(used["template"], "web.yaml", "{file}");
        assert_eq!(used["files"][0]["path"], file);
        assert_eq!(used["files"][0]["sha256"].as_str().unwrap().len(), 64);
    }
}

#[test]
fn open_values_fail_what_safe_values_pass() {
    // pass → fail by value alone: the same template, another file.
    let o = fixtures(&["--format", "json", "--parameters", "open.env", "web.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(outcome_of(&doc, "rds-storage-unencrypted").as_deref(), Some("fail"));
    assert_eq!(
        outcome_of(&doc, "security-group-open-admin-port").as_deref(),
        Some("fail")
    );
    let facts = doc["findings"].to_string();
    assert!(facts.contains(r#"is \"0.0.0.0/0\""#), "{facts}");
}

#[test]
fn a_provided_value_overrides_the_default_and_the_default_is_not_assumed() {
    // RetentionDays has Default 7; short-retention.env gives 1.
    let o = fixtures(&[
        "--format",
        "json",
        "--parameters",
        "partial.env",
        "--parameters",
        "short-retention.env",
        "web.yaml",
    ]);
    let doc = json(&o);
    assert_eq!(
        outcome_of(&doc, "rds-backup-retention-too-short").as_deref(),
        Some("fail"),
        "{}",
        stderr(&o)
    );
    // A key no file gives keeps the stack's deployed value on an update, not necessarily the
    // Default of 7: unknown, naming the parameter, as without files.
    let o = fixtures(&["--format", "json", "--parameters", "partial.env", "web.yaml"]);
    let doc = json(&o);
    assert_eq!(
        outcome_of(&doc, "rds-backup-retention-too-short").as_deref(),
        Some("unknown"),
        "{doc}"
    );
    let text = doc["findings"].to_string();
    assert!(
        text.contains("no parameter file gives it a value") && text.contains("RetentionDays"),
        "{text}"
    );
}

#[test]
fn use_previous_value_stays_unknown_with_the_reason() {
    let o = fixtures(&["--format", "json", "--parameters", "previous.json", "web.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(outcome_of(&doc, "rds-storage-unencrypted").as_deref(), Some("unknown"));
    let text = doc["findings"].to_string();
    assert!(text.contains("UsePreviousValue"), "{text}");
    assert!(
        text.contains("pass --parameters with a value for EncryptStorage"),
        "{text}"
    );
    // The other values of the file still count.
    assert_eq!(outcome_of(&doc, "security-group-open-admin-port"), None);
}

#[test]
fn a_parameter_without_default_or_value_stays_unknown_where_files_apply() {
    let o = fixtures(&["--format", "json", "--parameters", "partial.env", "web.yaml"]);
    let doc = json(&o);
    assert_eq!(outcome_of(&doc, "rds-storage-unencrypted").as_deref(), Some("unknown"));
    assert!(
        doc["findings"]
            .to_string()
            .contains("no parameter file gives it a value"),
        "{doc}"
    );
}

#[test]
fn two_files_giving_one_key_different_values_are_an_error() {
    let o = fixtures(&["--parameters", "prod.json", "--parameters", "open.env", "web.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("open.env") && err.contains("prod.json"), "{err}");
    assert!(err.contains("different value"), "{err}");
    // The same value twice is no conflict.
    let o = fixtures(&[
        "--parameters",
        "prod.json",
        "--parameters",
        "prod-config.json",
        "web.yaml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn values_cloudformation_would_refuse_are_located_errors() {
    let cases = [
        ("EncryptStorage=false\n", "not one of its AllowedValues", "strict.yaml"),
        ("AdminCidr=10.0.0.0/8 or 0.0.0.0/0\n", "AllowedPattern", "web.yaml"),
        ("RetentionDays=90\n", "MaxValue", "web.yaml"),
        ("RetentionDays=seven\n", "not a number", "web.yaml"),
        ("DbPassword=short\n", "MinLength", "web.yaml"),
        ("Unheard=1\n", "not declared by template", "web.yaml"),
    ];
    for (text, expected, template) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.env"), format!("# refused\n{text}")).unwrap();
        let p = dir.path().join("p.env");
        let o = fixtures(&["--parameters", p.to_str().unwrap(), template]);
        assert_eq!(o.status.code(), Some(2), "{text}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(expected), "{text}: {err}");
        assert!(err.contains("p.env:2"), "{text}: the error names the line: {err}");
    }
    // The undeclared key names the template.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.env"), "Unheard=1\n").unwrap();
    let o = fixtures(&["--parameters", dir.path().join("p.env").to_str().unwrap(), "web.yaml"]);
    assert!(stderr(&o).contains("web.yaml"), "{}", stderr(&o));
}

#[test]
fn a_refused_no_echo_value_is_not_shown_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.env"), "DbPassword=tiny\n").unwrap();
    let o = fixtures(&["--parameters", dir.path().join("p.env").to_str().unwrap(), "web.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("MinLength"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("tiny"), "{}", stderr(&o));
}

#[test]
fn an_unrecognised_shape_is_an_error_naming_the_forms() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("a.json", r#"{"EncryptStorage": "true"}"#),
        ("b.yaml", "- EncryptStorage\n- true\n"),
        ("c.txt", "EncryptStorage true\n"),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
        let o = fixtures(&["--parameters", dir.path().join(name).to_str().unwrap(), "web.yaml"]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(name), "{name}: {err}");
        assert!(
            err.contains("ParameterKey") && err.contains("K=V"),
            "{name}: the hint names the forms: {err}"
        );
    }
}

/// The NoEcho value, chosen to appear nowhere else: no output may contain it.
const SECRET: &str = "0000:0000:0000:0000:0000:0000:0000:0000/0";

#[test]
fn no_echo_values_are_masked_in_every_format() {
    for format in ["human", "json", "markdown", "sarif", "github", "junit", "gitlab"] {
        let o = fixtures(&["--format", format, "--parameters", "noecho-open.env", "noecho.yaml"]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{format}: the open range still fails\n{}",
            stderr(&o)
        );
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(!all.contains(SECRET), "{format} shows the NoEcho value:\n{all}");
        if format != "markdown" {
            assert!(all.contains("****"), "{format} shows the mask:\n{all}");
        }
    }
    // A NoEcho parameter judged on its AllowedValues is masked too.
    let o = fixtures(&["--format", "json", "noecho-ports.yaml"]);
    let text = json(&o)["findings"].to_string();
    assert!(text.contains("****"), "{text}");
    assert!(!text.contains("3389"), "{text}");
}

/// Two stacks, each with its own values, from the config file.
fn two_stacks(config_dir: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let web = std::fs::read_to_string(Path::new(FIXTURES).join("web.yaml")).unwrap();
    for stack in ["stacks/web", "stacks/api", "stacks/other"] {
        std::fs::create_dir_all(dir.path().join(stack)).unwrap();
        std::fs::write(dir.path().join(stack).join("template.yaml"), &web).unwrap();
    }
    let cfg = dir.path().join(config_dir);
    std::fs::create_dir_all(cfg.join("params")).unwrap();
    std::fs::copy(Path::new(FIXTURES).join("prod.json"), cfg.join("params/web.json")).unwrap();
    std::fs::copy(Path::new(FIXTURES).join("open.env"), cfg.join("params/api.env")).unwrap();
    let up = if config_dir == "." { "" } else { "../" };
    std::fs::write(
        cfg.join(".controlgate.yaml"),
        format!(
            "parameterFiles:\n  - templates: \"{up}stacks/web/*.yaml\"\n    files: [params/web.json]\n  - templates: \"{up}stacks/api/*.yaml\"\n    files: [params/api.env]\n"
        ),
    )
    .unwrap();
    dir
}

fn by_file(doc: &Value, rule: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["ruleId"] == rule)
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default().to_string(),
                f["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn config_globs_give_each_stack_its_own_values() {
    for (config_dir, args) in [(".", vec![]), ("ci", vec!["--config", "ci/.controlgate.yaml"])] {
        let dir = two_stacks(config_dir);
        let mut all = args.clone();
        all.extend(["--format", "json", "stacks"]);
        let o = run(dir.path(), &all);
        assert_eq!(o.status.code(), Some(1), "{config_dir}: {}", stderr(&o));
        let doc = json(&o);
        assert_eq!(
            by_file(&doc, "rds-storage-unencrypted"),
            vec![
                ("stacks/api/template.yaml".to_string(), "fail".to_string()),
                ("stacks/other/template.yaml".to_string(), "unknown".to_string()),
            ],
            "{config_dir}: web passes on its values, api fails on its own, other gets none"
        );
        let uses = doc["settings"]["parameterFiles"].as_array().unwrap();
        let pairs: Vec<(String, String)> = uses
            .iter()
            .map(|u| {
                (
                    u["template"].as_str().unwrap().into(),
                    u["files"][0]["path"].as_str().unwrap().into(),
                )
            })
            .collect();
        let prefix = if config_dir == "." { "" } else { "ci/" };
        assert!(
            pairs.contains(&("stacks/web/template.yaml".into(), format!("{prefix}params/web.json"))),
            "{pairs:?}"
        );
        assert!(
            pairs.contains(&("stacks/api/template.yaml".into(), format!("{prefix}params/api.env"))),
            "{pairs:?}"
        );
        assert_eq!(pairs.len(), 2, "{pairs:?}");
        // Markdown records them too.
        let mut md = args.clone();
        md.extend(["--format", "markdown", "stacks"]);
        let out = stdout(&run(dir.path(), &md));
        assert!(
            out.contains("### Parameter files") && out.contains("params/api.env"),
            "{out}"
        );
    }
}

#[test]
fn command_line_parameters_replace_the_config_files() {
    let dir = two_stacks(".");
    let prod = Path::new(FIXTURES).join("prod.json");
    let o = run(
        dir.path(),
        &["--format", "json", "--parameters", prod.to_str().unwrap(), "stacks"],
    );
    let doc = json(&o);
    assert!(by_file(&doc, "rds-storage-unencrypted").is_empty(), "{}", stderr(&o));
    assert_eq!(doc["settings"]["parameterFiles"].as_array().unwrap().len(), 3);
}

#[test]
fn an_unknown_key_in_a_parameter_files_entry_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.yaml"), "Resources: {}\n").unwrap();
    std::fs::write(
        dir.path().join(".controlgate.yaml"),
        "parameterFiles:\n  - templates: '*.yaml'\n    file: [p.env]\n",
    )
    .unwrap();
    let o = run(dir.path(), &["t.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains(".controlgate.yaml"), "{}", stderr(&o));
    assert!(stderr(&o).contains("file"), "{}", stderr(&o));
}

#[test]
fn a_missing_parameter_file_is_an_error() {
    let o = fixtures(&["--parameters", "nowhere.json", "web.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("nowhere.json"), "{}", stderr(&o));
}

#[test]
fn a_no_echo_tag_value_is_masked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.yaml"),
        "Parameters:\n  Env: {Type: String, NoEcho: true}\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      Tags:\n        - {Key: Environment, Value: !Ref Env}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("p.env"), "Env=zz-secret-env\n").unwrap();
    let o = run(
        dir.path(),
        &["--no-config", "--format", "json", "--parameters", "p.env", "t.yaml"],
    );
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(!all.contains("zz-secret-env"), "{all}");
    assert!(all.contains("****"), "{all}");
}
