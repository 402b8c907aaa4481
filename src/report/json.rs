//! JSON for scripts: the gate's decision and the run's errors, findings, per-control counts.

use std::io::Write;

use serde_json::json;

use super::Report;
use crate::gate::Verdict;

pub fn document(report: &Report<'_>) -> serde_json::Value {
    let controls: Vec<serde_json::Value> = report
        .catalog
        .controls
        .values()
        .map(|c| {
            let counts = report.evaluation.counts.get(&c.id).cloned().unwrap_or_default();
            let skipped = report.skips.rules_of(&c.id);
            json!({
                "id": c.id,
                "title": c.title,
                "severity": c.severity,
                "evaluated": counts.evaluated,
                "passed": counts.passed,
                "failed": counts.failed,
                "unknown": counts.unknown,
                "excepted": report.evaluation.findings.iter().filter(|f| f.control_id == c.id && f.is_excepted()).count(),
                // Rules of the control that `--check` / `--skip-check` left out.
                "skippedRules": skipped,
            })
        })
        .collect();
    let findings: Vec<serde_json::Value> = report
        .evaluation
        .findings
        .iter()
        .map(|f| {
            let mut v = serde_json::to_value(f).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("blocking".into(), json!(report.blocks(f)));
            }
            v
        })
        .collect();
    json!({
        "tool": {"name": "controlgate", "version": env!("CARGO_PKG_VERSION")},
        "gate": {
            "decision": report.gate.verdict,
            // Anything but a pass keeps the change out: an error run is not a pass.
            "blocked": report.gate.verdict != Verdict::Pass,
            "blockingFindings": report.blocking(),
            "failOn": report.gate.policy.fail_on,
            "unknown": report.gate.policy.unknown,
            "reasons": report.gate.reasons(),
            // `--soft-fail` changes the exit code, never the decision.
            "softFail": report.gate.soft_fail,
            "exitCode": report.gate.exit_code(),
        },
        "errors": report.gate.errors,
        "settings": {
            "judgedDay": report.day.map(|d| d.day),
            "judgedDaySource": report.day.map(|d| d.source),
            "weakening": report.weakened().count(),
            "changed": report.changed,
            // What `--check`, `--skip-check` and `--skip-path` left out.
            "skipped": report.skips,
            // CloudFormation parameter files and the templates each was applied to.
            "parameterFiles": report.parameters,
        },
        "summary": {
            "files": report.files,
            "resources": report.evaluation.resources,
            "findings": report.evaluation.findings.len(),
            "excepted": report.evaluation.findings.iter().filter(|f| f.is_excepted()).count(),
        },
        "controls": controls,
        "findings": findings,
        "exceptions": report.exceptions,
    })
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(report))?;
    writeln!(out)
}
