//! GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array of issues, each
//! with a description, a check name, a fingerprint, a severity and a location, as GitLab's parser
//! reads it (<https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format>).
//! GitLab shows the issues in the merge request widget and diff; it has no notion of a failed
//! run, so a run's errors are issues too, of the highest severity.

use std::io::Write;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Report, escape};
use crate::catalog::Severity;
use crate::finding::{Finding, Outcome};

/// GitLab's scale (`info`, `minor`, `major`, `critical`, `blocker`) for a finding: the control's
/// severity one step up the scale when the finding blocks, `info` when it does not (excepted,
/// below `--fail-on`, or undecidable and let through by `--unknown`).
fn severity(report: &Report<'_>, f: &Finding) -> &'static str {
    if !report.blocks(f) {
        return "info";
    }
    match f.severity {
        Severity::Low => "minor",
        Severity::Medium => "major",
        Severity::High => "critical",
        Severity::Critical => "blocker",
    }
}

/// A stable fingerprint of parts that are not a finding's (run errors, settings).
fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn issue(
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &str,
    path: &str,
    line: usize,
) -> Value {
    json!({
        "type": "issue",
        "description": description,
        "check_name": check_name,
        "fingerprint": fingerprint,
        "severity": severity,
        "location": {"path": path, "lines": {"begin": line.max(1)}},
    })
}

pub fn document(report: &Report<'_>) -> Value {
    let mut issues: Vec<Value> = Vec::new();
    // The run's errors first: a report GitLab shows as a few issues must not read as clean.
    for e in &report.gate.errors {
        let path = if e.file.is_empty() { "." } else { e.file.as_str() };
        issues.push(issue(
            escape::line(&format!(
                "controlgate run failed ({}): {} error: {}: {}",
                report.gate.headline(),
                e.kind,
                e.position(),
                e.message
            )),
            format!("controlgate/{}-error", e.kind),
            fingerprint(&["error", e.kind, &e.file, &e.message]),
            "blocker",
            path,
            e.line,
        ));
    }
    // Code Quality has no verdict: a soft-failed run says it was blocked, so the widget's
    // issues do not read as advice the job accepted.
    if report.gate.soft_fail && report.gate.verdict == crate::gate::Verdict::Blocked {
        issues.push(issue(
            escape::line(&format!("controlgate: {}", report.gate.headline())),
            "controlgate/soft-fail".into(),
            fingerprint(&["soft-fail"]),
            "info",
            ".",
            1,
        ));
    }
    for c in report.weakened() {
        let path = if c.source == "command line" {
            "."
        } else {
            c.source.as_str()
        };
        issues.push(issue(
            escape::line(&format!("a setting weakens the gate: {}", c.describe())),
            "controlgate/weakening-setting".into(),
            fingerprint(&["setting", &c.setting, &c.value, &c.source]),
            "info",
            path,
            1,
        ));
    }
    for f in &report.evaluation.findings {
        let what = match f.outcome {
            Outcome::Fail => f.message.clone(),
            Outcome::Unknown => "cannot be checked before deployment".to_string(),
        };
        let mut description = format!("{} [{}] {}: {what}", f.control_id, f.severity.as_str(), f.resource);
        if !f.facts.is_empty() {
            description.push_str(&format!(" ({})", f.facts.join("; ")));
        }
        if let Some(note) = &f.exception {
            description.push_str(&format!(". {}", note.describe()));
        } else if !report.blocks(f) {
            description.push_str(". Does not block the gate");
        }
        issues.push(issue(
            escape::line(&description),
            format!("{}/{}", f.control_id, f.rule_id),
            f.fingerprint.clone(),
            severity(report, f),
            // Relative to the repository root, as GitLab links it.
            &f.source.repo_path,
            f.location.line,
        ));
    }
    Value::Array(issues)
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(report))?;
    writeln!(out)
}
