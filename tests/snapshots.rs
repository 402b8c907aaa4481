//! What users see, pinned: human, JSON, SARIF, JUnit and GitLab output of the demo inputs with the built-in pack.

use std::process::Command;

use serde_json::Value;

fn run(format: &str) -> String {
    run_with(format, &[])
}

fn run_with(format: &str, extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args(["check", "--format", format, "fixtures/demo"])
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The version changes with every release; the snapshot should not.
fn without_version(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if (k == "version" || k == "semanticVersion") && x == env!("CARGO_PKG_VERSION") {
                        *x = Value::String("[version]".into());
                    } else if k == "judgedDay" && x == &system_date() {
                        *x = Value::String("[the system date]".into());
                    } else if k == "originalUriBaseIds" {
                        // The checkout's absolute path differs from machine to machine.
                        *x = Value::String("[repository root]".into());
                    } else {
                        walk(x);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

/// The day the run judges exceptions on, without `--today`.
fn system_date() -> String {
    chrono::Utc::now().date_naive().to_string()
}

/// What a run says of the system date changes every day; the snapshot should not.
fn without_system_date(text: String) -> String {
    let today = chrono::Utc::now().date_naive();
    let days = (today - chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()).num_days();
    text.replace(
        &format!("the system date \\({today}, UTC\\)"),
        "the system date \\([the system date], UTC\\)",
    )
    .replace(
        &format!("2026-11-25, {days} days before"),
        "2026-11-25, [n] days before",
    )
}

#[test]
fn human_output() {
    insta::assert_snapshot!(run("human"));
}

#[test]
fn json_output() {
    let v: Value = serde_json::from_str(&run("json")).unwrap();
    insta::assert_json_snapshot!(without_version(v));
}

#[test]
fn sarif_output() {
    let v: Value = serde_json::from_str(&run("sarif")).unwrap();
    insta::assert_json_snapshot!(without_version(v));
}

#[test]
fn junit_output() {
    insta::assert_snapshot!(run("junit"));
}

#[test]
fn gitlab_output() {
    let v: Value = serde_json::from_str(&run("gitlab")).unwrap();
    insta::assert_json_snapshot!(v);
}

#[test]
fn human_output_with_exceptions_and_inline_suppressions() {
    insta::assert_snapshot!(without_system_date(run_with(
        "human",
        &[
            "fixtures/exceptions/inline.yaml",
            "--exceptions",
            "fixtures/exceptions/valid.yaml",
            "--today",
            "2026-11-25"
        ]
    )));
}

#[test]
fn markdown_summary_with_exceptions() {
    insta::assert_snapshot!(without_system_date(run_with(
        "markdown",
        &[
            "--exceptions",
            "fixtures/exceptions/valid.yaml",
            "--today",
            "2026-11-25"
        ]
    )));
}
