//! JSON for scripts: the gate's decision and the run's errors, findings, per-control counts.

use std::collections::HashMap;
use std::io::Write;

use serde::Serialize;
use serde_json::{Value, json};

use super::Report;
use crate::finding::Finding;
use crate::gate::Verdict;

/// The document, in the order its keys are written. The findings are serialized straight from
/// the run rather than through a `Value` each: on a large plan they are most of the output.
#[derive(Serialize)]
struct Document<'a> {
    tool: Value,
    gate: Value,
    errors: Value,
    settings: Value,
    summary: Value,
    controls: Vec<Value>,
    findings: Findings<'a>,
    exceptions: Value,
}

struct Findings<'a>(&'a Report<'a>);

#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    blocking: bool,
}

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        s.collect_seq(report.evaluation.findings.iter().map(|f| Shown {
            finding: f,
            blocking: report.blocks(f),
        }))
    }
}

fn document<'a>(report: &'a Report<'a>) -> Document<'a> {
    let mut excepted: HashMap<&str, usize> = HashMap::new();
    for f in report.evaluation.findings.iter().filter(|f| f.is_excepted()) {
        *excepted.entry(f.control_id.as_str()).or_default() += 1;
    }
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
                "excepted": excepted.get(c.id.as_str()).copied().unwrap_or(0),
                // Rules of the control that `--check` / `--skip-check` left out.
                "skippedRules": skipped,
            })
        })
        .collect();
    Document {
        tool: json!({"name": "controlgate", "version": env!("CARGO_PKG_VERSION")}),
        gate: json!({
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
        }),
        errors: json!(report.gate.errors),
        settings: json!({
            "judgedDay": report.day.map(|d| d.day),
            "judgedDaySource": report.day.map(|d| d.source),
            "weakening": report.weakened().count(),
            "changed": report.changed,
            // What `--check`, `--skip-check` and `--skip-path` left out.
            "skipped": report.skips,
            // CloudFormation parameter files and the templates each was applied to.
            "parameterFiles": report.parameters,
        }),
        summary: json!({
            "files": report.files,
            "resources": report.evaluation.resources,
            "findings": report.evaluation.findings.len(),
            "excepted": excepted.values().sum::<usize>(),
        }),
        controls,
        findings: Findings(report),
        exceptions: json!(report.exceptions),
    }
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(report))?;
    writeln!(out)
}
