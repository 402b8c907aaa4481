//! JSON for scripts: findings, per-control counts and the gate's decision.

use std::io::Write;

use serde_json::json;

use super::Report;

pub fn document(report: &Report<'_>) -> serde_json::Value {
    let controls: Vec<serde_json::Value> = report
        .catalog
        .controls
        .values()
        .map(|c| {
            let counts = report.evaluation.counts.get(&c.id).cloned().unwrap_or_default();
            json!({
                "id": c.id,
                "title": c.title,
                "severity": c.severity,
                "evaluated": counts.evaluated,
                "passed": counts.passed,
                "failed": counts.failed,
                "unknown": counts.unknown,
                "excepted": report.evaluation.findings.iter().filter(|f| f.control_id == c.id && f.is_excepted()).count(),
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
            "blocked": report.blocking() > 0,
            "blockingFindings": report.blocking(),
            "failOn": report.fail_on,
            "unknown": report.unknown,
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
