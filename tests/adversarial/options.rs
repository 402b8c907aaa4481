//! Options as a pull request author would use them to get a pass: a repository config that
//! soft-fails or skips, patterns that skip every file, ids of a pack of their own, and
//! environment variables with invalid or empty values.

use std::time::Duration;

use super::{Case, Run, run_limited};

/// An SSH port open to the internet, untagged: it fails NET-001 (critical) and TAG-001 (medium),
/// and nothing else.
const TEMPLATE: &str = "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n";

fn case() -> Case {
    let case = Case::new();
    case.write("infra/t.yaml", TEMPLATE);
    case
}

fn with_env(case: &Case, args: &[&str], envs: &[(&str, &str)]) -> Run {
    run_limited(case.dir.path(), args, Duration::from_secs(60), 4 * 1024 * 1024, envs)
}

#[test]
fn soft_fail_in_the_repository_config_is_refused_in_every_spelling() {
    let case = case();
    for text in [
        "softFail: true\n",
        "softFail: false\n",
        "softFail: 'yes'\n",
        "softfail: true\n",
        "soft-fail: true\n",
        "soft_fail: true\n",
        "SoftFail: true\n",
    ] {
        case.write(".controlgate.yaml", text);
        let run = case.run(&["check", "infra"]);
        run.assert_code(2, text);
        assert!(run.stderr.contains(".controlgate.yaml"), "{text}: {}", run.stderr);
    }
    case.write(".controlgate.yaml", "softFail: true\n");
    // Named by --config or CONTROLGATE_CONFIG, it is refused too.
    with_env(
        &case,
        &["check", "infra"],
        &[("CONTROLGATE_CONFIG", ".controlgate.yaml")],
    )
    .assert_code(2, "CONTROLGATE_CONFIG");
    case.run(&["check", "--config", ".controlgate.yaml", "infra"])
        .assert_code(2, "--config");
}

/// A config that skips the two controls the template fails lets the gate pass without
/// `--require-builtin`, and says so in every output with the config file as the source; with
/// `--require-builtin` (the GitHub Action's default) it is refused; `--no-config` ignores it.
#[test]
fn a_config_that_skips_checks_is_visible_and_refused_under_require_builtin() {
    let case = case();
    case.write(".controlgate.yaml", "skipCheck: [NET-001, TAG-001]\n");
    let json = case.run(&["check", "--format", "json", "infra"]);
    json.assert_code(0, "the skipped controls were the only failures");
    let doc = json.json();
    let skip = doc["settings"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["setting"] == "skipCheck")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(
        (&skip["source"], &skip["weakens"]),
        (&".controlgate.yaml".into(), &true.into())
    );
    let rules = doc["settings"]["skipped"]["rules"].as_array().unwrap();
    assert!(!rules.is_empty() && rules.iter().all(|r| r["source"] == ".controlgate.yaml"));
    assert!(
        json.stderr
            .contains("warning: a setting weakens the gate: skipCheck: NET-001, TAG-001 (from .controlgate.yaml)")
    );

    let sarif = case.run(&["check", "--format", "sarif", "infra"]).json();
    let notes = sarif["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"]["text"].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("skipCheck: NET-001, TAG-001 (from .controlgate.yaml)")),
        "{notes:#?}"
    );
    let md = case.run(&["check", "--format", "markdown", "infra"]).stdout;
    assert!(md.contains("| skipCheck | <code>NET-001, TAG-001</code> |"), "{md}");
    assert!(md.contains("<code>.controlgate.yaml</code>"), "{md}");
    let gh = case.run(&["check", "--format", "github", "infra"]).stdout;
    assert!(
        gh.lines()
            .any(|l| l.starts_with("::warning") && l.contains("skipCheck: NET-001, TAG-001 (from .controlgate.yaml)")),
        "{gh}"
    );
    let junit = case.run(&["check", "--format", "junit", "infra"]).stdout;
    assert!(
        junit.contains("skipCheck: NET-001, TAG-001 (from .controlgate.yaml)"),
        "{junit}"
    );

    let refused = case.run(&["check", "--require-builtin", "infra"]);
    refused.assert_code(2, "--require-builtin");
    assert!(
        refused
            .stderr
            .contains(".controlgate.yaml: `skipCheck: NET-001, TAG-001` leaves rules or files unchecked"),
        "{}",
        refused.stderr
    );
    case.run(&["check", "--no-config", "infra"])
        .assert_code(1, "without the config");
    // The CI job's own selection still applies under --require-builtin.
    case.run(&[
        "check",
        "--no-config",
        "--require-builtin",
        "--skip-check",
        "NET-001,TAG-001",
        "infra",
    ])
    .assert_code(0, "the job's --skip-check");
}

/// `check:` and `skipPath:` in the config are refused under --require-builtin like `skipCheck:`,
/// each naming the file; an id of the author's own pack selected by the config is too.
#[test]
fn a_config_that_narrows_the_run_is_refused_under_require_builtin() {
    let case = case();
    case.write("examples/t.yaml", TEMPLATE);
    // A pack whose one rule every security group passes.
    case.write(
        "pack/controls/ORG-001.yaml",
        "id: ORG-001\nversion: 1\ntitle: Security groups have a description\nintent: Documentation.\nseverity: low\nscope:\n  resourceTypes: [AWS::EC2::SecurityGroup]\nevidenceSources: [cloudformation-template]\nexception:\n  allowed: false\nremediation:\n  mode: manual\n  hint: Describe it.\nframeworks:\n  nist-800-53: [CM-8]\n",
    );
    case.write(
        "pack/rules/org-sg-description.yaml",
        "id: org-sg-description\ncontrol: ORG-001\ntitle: Security groups have a description\nmessage: no description\nparameters:\n  tags: [Owner]\ncloudformation:\n  resourceTypes: [AWS::EC2::SecurityGroup]\n  assert:\n    tagsExist: {parameter: tags}\n",
    );
    for (text, setting) in [
        ("check: [NET-002]\n", "check"),
        ("policies: [pack]\ncheck: [ORG-001]\n", "check"),
        ("skipPath: ['infra/**']\n", "skipPath"),
    ] {
        case.write(".controlgate.yaml", text);
        let without = case.run(&["check", "--format", "json", "."]);
        assert!(
            without.json()["settings"]["changed"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["setting"] == setting && c["source"] == ".controlgate.yaml" && c["weakens"] == true),
            "{text}: {without:#?}"
        );
        let run = case.run(&["check", "--require-builtin", "."]);
        run.assert_code(2, text);
        assert!(
            run.stderr.contains(&format!(".controlgate.yaml: `{setting}: ")),
            "{text}: {}",
            run.stderr
        );
    }
}

/// A pattern that matches every file leaves nothing to check: an error, never a pass with zero
/// files; `--allow-empty` passes it only with the skipped files on the record.
#[test]
fn a_skip_path_that_matches_every_file_is_an_error() {
    let case = case();
    for pattern in ["**", "*", "**/*", "infra", "[i]nfra", "infra,x"] {
        let run = case.run(&["check", "--skip-path", pattern, "--format", "json", "."]);
        run.assert_code(2, pattern);
        assert!(
            run.stderr.contains("(--skip-path left out 1 file)"),
            "{pattern}: {}",
            run.stderr
        );
        assert_eq!(run.json()["gate"]["decision"], "error", "{pattern}");
    }
    // Patterns are split on commas like ids, so a `{a,b}` alternation is two broken patterns:
    // an error, never a pattern that silently matches something else.
    let run = case.run(&["check", "--skip-path", "{infra,x}/**", "."]);
    run.assert_code(2, "{infra,x}/**");
    assert!(
        run.stderr.contains("invalid --skip-path pattern `{infra`"),
        "{}",
        run.stderr
    );
    case.write(".controlgate.yaml", "skipPath: ['**']\n");
    case.run(&["check", "."]).assert_code(2, "from the config");
    std::fs::remove_file(case.path(".controlgate.yaml")).unwrap();
    with_env(&case, &["check", "."], &[("CONTROLGATE_SKIP_PATH", "**")]).assert_code(2, "from the environment");
    // With --allow-empty it passes, saying what it skipped.
    let run = case.run(&["check", "--allow-empty", "--skip-path", "**", "--format", "json", "."]);
    run.assert_code(0, "--allow-empty");
    assert_eq!(run.json()["settings"]["skipped"]["files"][0]["file"], "infra/t.yaml");
    assert!(
        run.stderr.contains("0 resources in 0 files; skipped 1 file"),
        "{}",
        run.stderr
    );
    // A pattern that cannot match (empty, outside the repository) skips nothing and says so.
    for pattern in ["", "../**", "/**"] {
        let run = case.run(&["check", "--skip-path", pattern, "."]);
        run.assert_not_pass(pattern);
    }
}

/// `--check` and `--skip-check` that leave nothing evaluated, or name what is not loaded or not
/// evaluated, are errors, never a run that checks nothing.
#[test]
fn selections_that_evaluate_nothing_are_errors() {
    let case = case();
    let controls = super::run_in(case.dir.path(), &["controls", "--format", "json"]).json();
    let all: Vec<String> = controls["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let run = case.run(&["check", "--skip-check", &all.join(","), "--soft-fail", "infra"]);
    run.assert_code(2, "every control skipped");
    assert!(run.stderr.contains("leave no rule to evaluate"), "{}", run.stderr);
    for id in [
        "ORG-001",                             // a pack that is not loaded
        "net-001",                             // another letter case
        "NET\u{2011}001",                      // a non-breaking hyphen
        "s3-encryption-configuration-not-kms", // deprecated: never evaluated
    ] {
        let run = case.run(&["check", "--check", id, "infra"]);
        run.assert_code(2, id);
    }
    case.run(&["check", "--skip-check", "net-001", "infra"])
        .assert_code(2, "a mistyped skip");
}

/// An invalid value in a variable is exit 2 with a message naming the variable (clap's own
/// message names only the option; a path's error names only the path).
#[test]
fn an_invalid_environment_value_is_an_error_naming_the_variable() {
    let case = case();
    for (var, value) in [
        ("CONTROLGATE_FAIL_ON", "none"),
        ("CONTROLGATE_UNKNOWN", "pass"),
        ("CONTROLGATE_FORMAT", "xml"),
        ("CONTROLGATE_SOFT_FAIL", "maybe"),
        ("CONTROLGATE_CHECK", "NOPE-001"),
        ("CONTROLGATE_SKIP_CHECK", "NOPE-001"),
        ("CONTROLGATE_SKIP_PATH", "["),
        ("CONTROLGATE_CONFIG", "missing.yaml"),
        ("CONTROLGATE_POLICIES", "missing-pack"),
        ("CONTROLGATE_EXCEPTIONS", "missing.yaml"),
    ] {
        let run = with_env(&case, &["check", "infra"], &[(var, value)]);
        run.assert_code(2, &format!("{var}={value}"));
        assert!(
            run.stderr
                .contains(&format!("note: set in the environment: {var}={value}")),
            "{var}={value}: {}",
            run.stderr
        );
    }
}

/// An empty or blank variable is unset (what CI sets for an input nobody gave): it selects,
/// skips and softens nothing.
#[test]
fn empty_variables_change_nothing() {
    let case = case();
    let plain = case.run(&["check", "--format", "json", "infra"]);
    plain.assert_code(1, "the template fails");
    let findings = plain.json()["findings"].clone();
    for (var, value) in [
        ("CONTROLGATE_SKIP_CHECK", ""),
        ("CONTROLGATE_SKIP_CHECK", "  "),
        ("CONTROLGATE_SKIP_CHECK", ","),
        ("CONTROLGATE_CHECK", ""),
        ("CONTROLGATE_SKIP_PATH", ""),
        ("CONTROLGATE_SOFT_FAIL", ""),
        ("CONTROLGATE_SOFT_FAIL", "false"),
        ("CONTROLGATE_SOFT_FAIL", "0"),
        ("CONTROLGATE_FAIL_ON", ""),
        ("CONTROLGATE_UNKNOWN", " "),
    ] {
        let run = with_env(&case, &["check", "--format", "json", "infra"], &[(var, value)]);
        run.assert_code(1, &format!("{var}={value:?}"));
        let doc = run.json();
        assert_eq!(doc["findings"], findings, "{var}={value:?}");
        assert_eq!(doc["settings"]["changed"], serde_json::json!([]), "{var}={value:?}");
    }
}
