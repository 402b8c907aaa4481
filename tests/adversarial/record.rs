//! Run records written to mislead `verify-evidence`: a key given twice (one reader sees `pass`,
//! another `blocked`), terminal escapes in the fields it prints, subjects naming files outside
//! the repository, nesting too deep to read, and an evidence path that cannot be written. None
//! may verify, hang or write what it should not.

use crate::Case;

/// A case with the demo's template and the record of its check.
fn recorded() -> (Case, serde_json::Value) {
    let case = Case::new();
    let template = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo/template.yaml")).unwrap();
    case.write("t.yaml", template);
    case.run(&["check", "t.yaml", "--repo-root", ".", "--evidence", "r.json"])
        .assert_code(1, "check");
    let record = serde_json::from_str(&std::fs::read_to_string(case.path("r.json")).unwrap()).unwrap();
    (case, record)
}

#[test]
fn a_key_given_twice_is_refused() {
    let (case, _) = recorded();
    let text = std::fs::read_to_string(case.path("r.json")).unwrap();
    // The first `"verdict"` says blocked, a second one says pass.
    let twice = text.replacen(
        "\"verdict\": \"blocked\",",
        "\"verdict\": \"blocked\", \"verdict\": \"pass\",",
        1,
    );
    assert_ne!(twice, text);
    case.write("twice.json", twice);
    let run = case.run(&["verify-evidence", "twice.json", "--repo-root", "."]);
    run.assert_code(2, "a duplicate key");
    assert!(run.stderr.contains("twice.json:"), "{}", run.stderr);
    assert!(run.stderr.contains("duplicate"), "{}", run.stderr);
}

#[test]
fn fields_are_printed_without_terminal_escapes() {
    let (case, mut record) = recorded();
    record["predicate"]["findings"][0]["resource"] =
        "\u{1b}]0;pwned\u{7}\u{1b}[2J\nverified: the record matches".into();
    record["subject"][0]["name"] = "t.yaml\u{1b}[2K\rsubject x: matches".into();
    case.write("r2.json", serde_json::to_string(&record).unwrap());
    let run = case.run(&["verify-evidence", "r2.json", "--repo-root", "."]);
    run.assert_code(1, "an edited record");
    assert!(
        !run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{7}'),
        "{}",
        run.stdout
    );
    // Each printed line is one line of the verification: no injected line reads as a verdict.
    assert_eq!(
        run.stdout.lines().filter(|l| l.starts_with("verified")).count(),
        0,
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("NOT VERIFIED"), "{}", run.stdout);
}

#[test]
fn subjects_outside_the_repository_are_not_read() {
    let (case, mut record) = recorded();
    let outside = case.write(
        "../outside-secret.json",
        "{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {}}",
    );
    let absolute = outside.display().to_string();
    record["predicate"]["inputs"] = serde_json::json!([
        {"name": "../outside-secret.json", "format": "cloudformation", "resources": 0},
        {"name": absolute, "format": "cloudformation", "resources": 0},
    ]);
    case.write("r3.json", serde_json::to_string(&record).unwrap());
    let run = case.run(&["verify-evidence", "r3.json", "--repo-root", ".", "--format", "json"]);
    run.assert_code(1, "subjects outside the repository");
    let v = run.json();
    assert_eq!(v["matches"], false);
    // Nothing outside was evaluated: no subject of the new evaluation names it.
    assert!(
        v["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] != "unrecorded"),
        "{v}"
    );
    let _ = std::fs::remove_file(outside);
}

#[test]
fn nesting_too_deep_is_an_error_not_a_crash() {
    let case = Case::new();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    case.write("deep.json", deep);
    let run = case.run(&["verify-evidence", "deep.json"]);
    run.assert_code(2, "deep nesting");
    assert!(run.stderr.contains("deep.json"), "{}", run.stderr);
}

#[test]
fn an_evidence_path_that_cannot_be_written_fails_the_run() {
    let case = Case::new();
    let template = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/tests/kms-key-rotation-disabled/cloudformation/pass.yaml"
    ))
    .unwrap();
    case.write("t.yaml", template);
    std::fs::create_dir_all(case.path("dir")).unwrap();
    // A passing template: only the record's failed write makes the run fail.
    let run = case.run(&[
        "check",
        "t.yaml",
        "--fail-on",
        "critical",
        "--evidence",
        "dir",
        "--github-output",
        "failed.txt",
    ]);
    run.assert_code(2, "a directory as the record's path");
    assert!(run.stderr.contains("dir"), "{}", run.stderr);
    // The step outputs, written after the record, say the run failed.
    let out = std::fs::read_to_string(case.path("failed.txt")).unwrap();
    assert!(out.contains("verdict=error"), "{out}");
    let run = case.run(&[
        "check",
        "t.yaml",
        "--fail-on",
        "critical",
        "--evidence",
        "dir/r.json",
        "--github-output",
        "out.txt",
    ]);
    run.assert_code(0, "a writable path");
    let out = std::fs::read_to_string(case.path("out.txt")).unwrap();
    assert!(out.contains("verdict=pass"), "{out}");
}
