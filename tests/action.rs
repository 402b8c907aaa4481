//! The GitHub Action's script in a simulated GitHub environment: job summary, step outputs and
//! SARIF are written where the runner expects them.

use std::process::Command;

#[test]
fn action_script_writes_summary_outputs_and_sarif() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = tmp.path().join("summary.md");
    let output = tmp.path().join("output.txt");
    let sarif = tmp.path().join("results.sarif");
    let status = Command::new("bash")
        .arg("github-action/run.sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CONTROLGATE", env!("CARGO_BIN_EXE_controlgate"))
        .env("INPUT_PATHS", "fixtures/demo")
        .env("INPUT_FAIL_ON", "low")
        .env("INPUT_SARIF_FILE", &sarif)
        .env("INPUT_CATEGORY", "demo")
        .env("INPUT_SUMMARY", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env("RUNNER_TEMP", tmp.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "findings block the step");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("## controlgate: blocked by"), "{md}");
    assert!(md.contains("### Failing controls"), "{md}");
    let outputs = std::fs::read_to_string(&output).unwrap();
    let findings: usize = outputs
        .lines()
        .find_map(|l| l.strip_prefix("findings="))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no findings output: {outputs}"));
    assert!(findings > 5, "{outputs}");
    assert!(
        outputs.contains(&format!("sarif-file={}", sarif.display())),
        "{outputs}"
    );
    assert!(outputs.contains("exit-code=1"), "{outputs}");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(doc["runs"][0]["automationDetails"]["id"], "demo/");
}

#[test]
fn action_script_passes_when_nothing_blocks() {
    let tmp = tempfile::tempdir().unwrap();
    let status = Command::new("bash")
        .arg("github-action/run.sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CONTROLGATE", env!("CARGO_BIN_EXE_controlgate"))
        .env(
            "INPUT_PATHS",
            "fixtures/rules/kms-key-rotation-disabled/cloudformation/pass.yaml",
        )
        .env("INPUT_FAIL_ON", "critical")
        .env("INPUT_SARIF_FILE", tmp.path().join("r.sarif"))
        .env("GITHUB_STEP_SUMMARY", tmp.path().join("s.md"))
        .env("GITHUB_OUTPUT", tmp.path().join("o.txt"))
        .env("RUNNER_TEMP", tmp.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let md = std::fs::read_to_string(tmp.path().join("s.md")).unwrap();
    assert!(md.starts_with("## controlgate: the gate passes"), "{md}");
}
