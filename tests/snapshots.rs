//! What users see, pinned: human, JSON, SARIF, JUnit and GitLab output of the demo inputs with the built-in pack.

use serde_json::Value;

mod common;

fn run(format: &str) -> String {
    run_with(format, &[])
}

fn run_with(format: &str, extra: &[&str]) -> String {
    let out = common::controlgate()
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

/// The run record of the demo, its times and the system date replaced; no CI variable reaches it.
#[test]
fn evidence_record() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("record.json");
    let mut cmd = common::controlgate();
    for (k, _) in std::env::vars() {
        if k.starts_with("GITHUB_")
            || k.starts_with("CI_")
            || k.starts_with("CONTROLGATE_")
            || ["CI", "GITLAB_CI"].contains(&k.as_str())
        {
            cmd.env_remove(k);
        }
    }
    let out = cmd
        .args([
            "check",
            "fixtures/demo",
            "--exceptions",
            "fixtures/exceptions/valid.yaml",
            "--today",
            "2026-12-20",
            "--evidence",
        ])
        .arg(&record)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    for k in ["startedAt", "finishedAt"] {
        let t = v["predicate"][k].as_str().unwrap().to_string();
        assert!(chrono::DateTime::parse_from_rfc3339(&t).is_ok(), "{k}: {t}");
        v["predicate"][k] = Value::String(format!("[{k}]"));
    }
    for c in v["predicate"]["settings"]["changed"].as_array_mut().unwrap() {
        if c["setting"] == "today" {
            c["default"] = "[the system date]".into();
            c["weakens"] = "[depends on the system date]".into();
            c["effect"] = "[depends on the system date]".into();
        }
    }
    // Policy digests change with every edit of the pack; tests/evidence.rs recomputes them.
    for f in v["predicate"]["policy"]["files"].as_array_mut().unwrap() {
        f["sha256"] = "[sha256]".into();
    }
    v["predicate"]["policy"]["digest"]["sha256"] = "[bundle]".into();
    let last = v["subject"].as_array().unwrap().len() - 1;
    v["subject"][last]["digest"]["sha256"] = "[bundle]".into();
    insta::assert_json_snapshot!(without_version(v));
}
