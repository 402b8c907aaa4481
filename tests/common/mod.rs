//! Fixtures shared by the integration test crates.

use std::path::Path;

/// A directory with the demo's failing template and a plan saved by a wrapper that printed a
/// line before its JSON: an input error, so the run fails with exit 2.
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
