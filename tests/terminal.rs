//! Human output in a terminal: a few lines per finding and each remediation once, `--quiet`,
//! colors (`--color`, NO_COLOR, TERM=dumb), standard input (`check -`) and a reader that closes
//! the pipe early.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod common;

fn controlgate() -> Command {
    let mut c = common::controlgate();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("TERM");
    c
}

fn run(args: &[&str], envs: &[(&str, &str)]) -> Output {
    controlgate()
        .arg("check")
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .unwrap()
}

/// `check ARGS` with `input` on standard input.
fn run_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = controlgate()
        .arg("check")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // Written from a thread: a large input would otherwise fill the pipe while the child writes.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Lines of the findings (up to the first remediation heading), and the finding count.
fn findings_part(out: &str) -> (usize, usize) {
    let lines: Vec<&str> = out.lines().collect();
    let end = lines
        .iter()
        .position(|l| !l.starts_with(' ') && l.contains(" · ") && l.contains(" finding"))
        .expect("a remediation section");
    let findings = lines[..end]
        .iter()
        .filter(|l| l.starts_with("  × ") || l.starts_with("  ⚠ "))
        .count();
    (end, findings)
}

#[test]
fn each_finding_takes_a_few_lines_and_each_remediation_shows_once() {
    let o = run(&["fixtures/demo"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let (lines, findings) = findings_part(&out);
    assert_eq!(findings, 24, "{out}");
    assert!(lines <= findings * 9, "{lines} lines for {findings} findings:\n{out}");
    // The whole report, remediations included, within 20 lines a finding (39 when every finding
    // repeated its remediation).
    assert!(out.lines().count() <= findings * 20, "{}", out.lines().count());
    // Each finding shows its resource's whole line, and the header its line and column.
    assert!(
        out.contains("╭─[fixtures/demo/template.yaml:39:3]\n 39 │   OrdersDatabase:\n"),
        "{out}"
    );
    // One remediation per control with findings, after the findings.
    for control in ["BCK-001", "DP-ENC-002", "TAG-001", "NET-001"] {
        let heading = format!("\n{control} · ");
        assert_eq!(out.matches(&heading).count(), 1, "{control}:\n{out}");
    }
    // The hint of a control appears once although three findings are of it.
    assert_eq!(out.matches("Give every S3 bucket a").count(), 1, "{out}");
    // Only the snippets for the findings' resource types: DP-ENC-002's findings are on buckets,
    // so the listener and ElastiCache snippets are left out.
    assert!(out.contains("resource \"aws_s3_bucket_policy\""), "{out}");
    assert!(
        !out.contains("aws_lb_listener") && !out.contains("ReplicationGroup"),
        "{out}"
    );
    // BCK-001's findings are on DB instances: no DynamoDB or AWS Backup snippet.
    assert!(
        !out.contains("aws_dynamodb_table") && !out.contains("BackupPlanRule"),
        "{out}"
    );
}

#[test]
fn quiet_prints_only_the_summary_and_warnings() {
    let o = run(&["fixtures/demo", "--quiet", "--today", "2026-03-01"], &[]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("controlgate: 23 failed"), "{out}");
    // A setting that weakens the gate is still said.
    assert!(
        stderr(&o).contains("warning: a setting weakens the gate"),
        "{}",
        stderr(&o)
    );
    // Notes are not.
    let o = run(&["policies/tests/rds-storage-unencrypted", "-q"], &[]);
    assert!(!stderr(&o).contains("note:"), "{}", stderr(&o));
    let o = run(&["policies/tests/rds-storage-unencrypted"], &[]);
    assert!(stderr(&o).contains("note:"), "the note -q hides: {}", stderr(&o));
    // A failed run still says why.
    let o = run(&["no/such/dir", "-q"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("the run failed"), "{}", stdout(&o));
    assert!(stderr(&o).contains("error: "), "{}", stderr(&o));
}

#[test]
fn colors_follow_the_flag_no_color_and_term() {
    let escape = |o: &Output| o.stdout.contains(&0x1b);
    assert!(escape(&run(&["fixtures/demo", "--color", "always"], &[])));
    assert!(escape(&run(
        &["fixtures/demo", "--color", "always"],
        &[("NO_COLOR", "1")]
    )));
    assert!(!escape(&run(&["fixtures/demo", "--color", "never"], &[])));
    // Auto: a pipe is not a terminal.
    assert!(!escape(&run(&["fixtures/demo"], &[])));
    assert!(!escape(&run(
        &["fixtures/demo", "--color", "auto"],
        &[("TERM", "dumb")]
    )));
}

#[test]
fn standard_input_is_read_as_stdin_and_detected_by_content() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let template = std::fs::read(root.join("fixtures/demo/template.yaml")).unwrap();
    let o = run_with_stdin(&["-", "--format", "json"], &template);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["summary"]["files"], 1);
    assert!(!doc["findings"].as_array().unwrap().is_empty());
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["file"] == "<stdin>" && f["format"] == "cloudformation"),
        "{doc}"
    );
    // A plan, with a file beside it: both checked, standard input once however often named.
    let plan = std::fs::read(root.join("fixtures/demo/plan.json")).unwrap();
    let o = run_with_stdin(&["-", "fixtures/demo/template.yaml", "-", "--format", "json"], &plan);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["summary"]["files"], 2, "{doc}");
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["format"] == "terraform-plan"),
        "{doc}"
    );
    // Bounded as files are.
    let o = run_with_stdin(&["-", "--max-file-size", "1K"], &plan);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("<stdin>: more than the size limit of 1 KiB"),
        "{}",
        stderr(&o)
    );
    // Nothing, or not a plan or template: an error, never a pass.
    for input in [&b""[..], b"{}", b"hello: world\n"] {
        let o = run_with_stdin(&["-"], input);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("error: input error: <stdin>: "), "{}", stderr(&o));
    }
}

/// `controlgate check ... | head -1`: the reader leaves after one line; the run ends without a
/// "Broken pipe" error and exits with the gate's verdict.
#[test]
fn a_closed_pipe_ends_quietly_with_the_verdict() {
    for format in ["human", "sarif", "junit", "gitlab"] {
        let mut child = controlgate()
            .arg("check")
            // Output far larger than a pipe's buffer, so writes fail once the reader is gone.
            .args(["fixtures", "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        out.read_exact(&mut first).unwrap();
        drop(out);
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{format}: {}", stderr(&o));
        assert!(
            !stderr(&o).to_lowercase().contains("broken pipe"),
            "{format}: {}",
            stderr(&o)
        );
        assert!(!stderr(&o).contains("error"), "{format}: {}", stderr(&o));
    }
    // The listing commands too.
    let mut child = controlgate()
        .arg("controls")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}
