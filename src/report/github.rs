//! GitHub Actions workflow commands: one annotation per finding, on the resource's line, for
//! pull requests of repositories without code scanning.

use std::io::Write;

use super::Report;
use super::escape::{workflow_data, workflow_property};
use crate::catalog::Severity;
use crate::finding::{Finding, Outcome};
use crate::gate::Verdict;

/// `error` for what blocks at high severity, `warning` for the rest that blocks or is unknown,
/// `notice` for what does not block (excepted, or below `--fail-on`).
fn command(report: &Report<'_>, f: &Finding) -> &'static str {
    if !report.blocks(f) {
        "notice"
    } else if f.outcome == Outcome::Fail && f.severity >= Severity::High {
        "error"
    } else {
        "warning"
    }
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    // The errors first, each an error annotation: the run failed, whatever follows.
    for e in &report.gate.errors {
        let mut place = String::new();
        if !e.file.is_empty() {
            place.push_str(&format!("file={},", workflow_property(&e.file)));
            if e.line > 0 {
                place.push_str(&format!("line={},", e.line));
                if e.column > 0 {
                    place.push_str(&format!("col={},", e.column));
                }
            }
        }
        let mut message = e.message.clone();
        if let Some(help) = &e.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        writeln!(
            out,
            "::error {place}title={}::{}",
            workflow_property(&format!("controlgate {} error", e.kind)),
            workflow_data(&message)
        )?;
    }
    for c in report.weakened() {
        writeln!(
            out,
            "::warning title={}::{}",
            workflow_property("controlgate: a setting weakens the gate"),
            workflow_data(&c.describe())
        )?;
    }
    for line in report.skips.lines() {
        writeln!(
            out,
            "::warning title={}::{}",
            workflow_property("controlgate: skipped, not checked"),
            workflow_data(&line)
        )?;
    }
    for f in &report.evaluation.findings {
        let what = match f.outcome {
            Outcome::Fail => f.message.clone(),
            Outcome::Unknown => "cannot be checked before deployment".to_string(),
        };
        let mut message = format!("{}: {what}", f.resource);
        if !f.facts.is_empty() {
            message.push_str(&format!(" ({})", f.facts.join("; ")));
        }
        if let Some(note) = &f.exception {
            message.push_str(&format!(". {}", note.describe()));
        }
        let title = format!("{} [{}] {}", f.control_id, f.severity.as_str(), f.rule_id);
        writeln!(
            out,
            "::{} file={},line={},col={},title={}::{}",
            command(report, f),
            workflow_property(&f.file),
            f.location.line.max(1),
            f.location.column.max(1),
            workflow_property(&title),
            workflow_data(&message)
        )?;
    }
    let level = match report.gate.verdict {
        Verdict::Pass => "notice",
        // The job goes on: a warning, which the summary says is a soft-failed block.
        Verdict::Blocked if report.gate.soft_fail => "warning",
        Verdict::Blocked | Verdict::Error => "error",
    };
    writeln!(out, "::{level} title=controlgate::{}", workflow_data(&report.summary()))
}
