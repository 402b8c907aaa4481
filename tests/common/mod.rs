//! Fixtures shared by the integration test crates.

use std::path::Path;

/// The binary, without the variables of the CI the tests run on (`GITHUB_*`, `GITLAB_*`, `CI`,
/// `CI_*`, `CONTROLGATE_*`): the change context is detected from them, and a test must see on a
/// CI what it sees on a laptop.
#[allow(dead_code)]
pub fn controlgate() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_controlgate"));
    for (name, _) in std::env::vars_os() {
        let n = name.to_string_lossy();
        let ci = n == "CI"
            || ["GITHUB_", "GITLAB_", "CI_", "CONTROLGATE_"]
                .iter()
                .any(|p| n.starts_with(p));
        // The tool requirement is the test harness's, not the run's.
        if ci && n != "CONTROLGATE_REQUIRE_TOOLS" {
            c.env_remove(&name);
        }
    }
    c
}

/// A directory with the demo's failing template and a plan saved by a wrapper that printed a
/// line before its JSON: an input error, so the run fails with exit 2.
#[allow(dead_code)]
pub fn failed_inputs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("fixtures/demo/template.yaml"),
        dir.path().join("template.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("plan.json"),
        "Acquiring state lock...\n{\"format_version\": \"1.2\", \"resource_changes\": []}\n",
    )
    .unwrap();
    dir
}
