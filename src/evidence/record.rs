//! The run record: an in-toto Statement v1 (`_type`, `subject`, `predicateType`, `predicate`)
//! whose subjects are the files the run judged, so that `cosign attest-blob` can sign it and any
//! in-toto tool can read it. docs/evidence.md describes every field.

use serde::Serialize;
use serde_json::{Value, json};

use crate::catalog::PolicyDigest;
use crate::exceptions::Exception;
use crate::finding::Outcome;
use crate::gate::{RunError, Verdict};
use crate::model::{InputFormat, PlannedAction};
use crate::report::Report;

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The predicate's type; its version changes only with an incompatible layout.
pub const PREDICATE_TYPE: &str = "https://controlgate.dev/evidence/run/v1";
/// The subject that names the policy bundle: every record has it, so a statement always has the
/// subject in-toto requires, and records can be found by the policies they ran.
pub const POLICY_SUBJECT: &str = "controlgate:policy-bundle";

/// One input file the run judged.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputFile {
    /// Relative to the repository root, `/`-separated.
    pub name: String,
    pub sha256: String,
    pub format: InputFormat,
    pub resources: Vec<ResourceChange>,
}

/// What the change does to one resource.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceChange {
    pub address: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Terraform's planned action; a template has none (it declares every resource it deploys).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<PlannedAction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// Everything a record is made of beyond the report every format reads.
pub struct RecordFacts<'a> {
    pub report: &'a Report<'a>,
    pub inputs: &'a [InputFile],
    /// Policy and exception files, with their digests.
    pub policy_files: &'a [PolicyDigest],
    pub registry: &'a [Exception],
    /// The registry file or folder given, which exception files are named within.
    pub registry_root: Option<&'a std::path::Path>,
    pub account: Option<&'a str>,
    pub region: Option<&'a str>,
    /// The change's context (CI, commit, pull request, actor, change id), as detected.
    pub context: Value,
    /// The compliance metrics of the run's catalog and registry (`controlgate metrics`,
    /// without fixtures or records).
    pub metrics: Value,
    /// The run's final verdict and exit code, failed writes of other documents included.
    pub verdict: Verdict,
    pub exit_code: u8,
    pub errors: &'a [RunError],
    /// RFC 3339, UTC.
    pub started_at: &'a str,
    pub finished_at: &'a str,
}

/// The run record of `facts`.
pub fn statement(facts: &RecordFacts<'_>) -> Value {
    let report = facts.report;
    let mut subject: Vec<Value> = facts
        .inputs
        .iter()
        .map(|f| json!({"name": f.name, "digest": {"sha256": f.sha256}}))
        .collect();
    for uses in report.parameters {
        for p in &uses.files {
            let s = json!({"name": p.path, "digest": {"sha256": p.sha256}});
            if !subject.contains(&s) {
                subject.push(s);
            }
        }
    }
    let bundle = super::bundle_digest(facts.policy_files);
    subject.push(json!({"name": POLICY_SUBJECT, "digest": {"sha256": bundle}}));
    json!({
        "_type": STATEMENT_TYPE,
        "subject": subject,
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "tool": {"name": "controlgate", "version": env!("CARGO_PKG_VERSION")},
            "policy": {
                "digest": {"sha256": bundle},
                "files": sorted(facts.policy_files),
            },
            "settings": settings(facts),
            "inputs": facts.inputs.iter().map(|f| json!({
                "name": f.name,
                "format": f.format,
                "resources": f.resources.len(),
            })).collect::<Vec<_>>(),
            "changes": changes(facts.inputs),
            "controls": controls(report),
            "findings": findings(report),
            "exceptions": exceptions(facts),
            "decision": {
                "verdict": facts.verdict,
                "exitCode": facts.exit_code,
                "blockingFindings": report.blocking(),
                "reasons": report.gate.reasons(),
                "errors": facts.errors,
            },
            "context": facts.context,
            "metrics": facts.metrics,
            "startedAt": facts.started_at,
            "finishedAt": facts.finished_at,
        }
    })
}

fn sorted(files: &[PolicyDigest]) -> Vec<&PolicyDigest> {
    let mut v: Vec<&PolicyDigest> = files.iter().collect();
    v.sort();
    v.dedup();
    v
}

fn settings(facts: &RecordFacts<'_>) -> Value {
    let report = facts.report;
    json!({
        "judgedDay": report.day.map(|d| d.day),
        "judgedDaySource": report.day.map(|d| d.source),
        "failOn": report.gate.policy.fail_on,
        "unknown": report.gate.policy.unknown,
        "softFail": report.gate.soft_fail,
        "account": facts.account,
        "region": facts.region,
        // Every setting that differs from the default; `weakens` marks those that let more through.
        "weakening": report.weakened().count(),
        "changed": report.changed,
        "skipped": report.skips,
        "parameterFiles": report.parameters,
    })
}

/// Every resource of every input with what the change does to it, by file.
fn changes(inputs: &[InputFile]) -> Value {
    let mut actions: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for r in inputs.iter().flat_map(|f| &f.resources) {
        let a = r.action.map_or("declared", action_name);
        *actions.entry(a).or_default() += 1;
    }
    json!({
        "byAction": actions,
        "resources": inputs.iter().flat_map(|f| f.resources.iter().map(move |r| {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("file".into(), json!(f.name));
            }
            v
        })).collect::<Vec<_>>(),
    })
}

fn action_name(a: PlannedAction) -> &'static str {
    match a {
        PlannedAction::Create => "create",
        PlannedAction::Update => "update",
        PlannedAction::Replace => "replace",
        PlannedAction::Delete => "delete",
        PlannedAction::NoOp => "no-op",
        PlannedAction::Read => "read",
        PlannedAction::Forget => "forget",
        PlannedAction::Other => "other",
    }
}

fn controls(report: &Report<'_>) -> Vec<Value> {
    report
        .catalog
        .controls
        .values()
        .map(|c| {
            let counts = report.evaluation.counts.get(&c.id).cloned().unwrap_or_default();
            let of = |pred: &dyn Fn(&crate::finding::Finding) -> bool| {
                report
                    .evaluation
                    .findings
                    .iter()
                    .filter(|f| f.control_id == c.id && pred(f))
                    .count()
            };
            json!({
                "id": c.id,
                "version": c.version,
                "title": c.title,
                "severity": c.severity,
                "frameworks": c.frameworks,
                "rules": report.catalog.rules.iter().filter(|r| r.control == c.id).map(|r| r.id.as_str()).collect::<Vec<_>>(),
                "evaluated": counts.evaluated,
                "passed": counts.passed,
                "failed": counts.failed,
                "unknown": counts.unknown,
                "excepted": of(&|f| f.is_excepted()),
                "blocking": of(&|f| report.blocks(f)),
                "skippedRules": report.skips.rules_of(&c.id),
            })
        })
        .collect()
}

fn findings(report: &Report<'_>) -> Vec<Value> {
    report
        .evaluation
        .findings
        .iter()
        .map(|f| {
            json!({
                "control": f.control_id,
                "rule": f.rule_id,
                "severity": f.severity,
                "outcome": match f.outcome { Outcome::Fail => "fail", Outcome::Unknown => "unknown" },
                "resource": f.resource,
                "type": f.resource_type,
                // Repository-relative, as the subjects: the input, and where the finding is
                // reported (the `.tf` block when found).
                "file": f.anchor_source.repo_path,
                "reportedAt": {"file": f.source.repo_path, "line": f.location.line},
                "region": f.region,
                "environment": f.environment,
                "fingerprint": f.fingerprint,
                "blocking": report.blocks(f),
                "exception": f.exception.as_ref().filter(|e| e.excepts()).map(|e| e.id.as_str()),
            })
        })
        .collect()
}

/// Every registry entry with how the run used it; entries that excepted a finding first.
fn exceptions(facts: &RecordFacts<'_>) -> Vec<Value> {
    facts
        .report
        .exceptions
        .iter()
        .map(|entry| {
            let full = facts
                .registry
                .iter()
                .find(|e| e.id == entry.note.id && e.control == entry.control);
            json!({
                "id": entry.note.id,
                "control": entry.control,
                "state": entry.shown_state(),
                "applied": entry.uses.unwrap_or(0),
                "owner": entry.note.owner,
                "approver": entry.note.approver,
                "approved": full.and_then(|e| e.approval.as_ref()).map(|a| a.date),
                "expires": entry.note.expires,
                "reason": entry.note.reason,
                "compensatingControl": full.map(|e| e.compensating_control.as_str()),
                "evidence": full.and_then(|e| e.evidence.as_deref()),
                "scope": full.map(|e| &e.scope),
                "problems": entry.note.problems,
                "file": facts.registry_root.map_or_else(
                    || entry.file.clone(),
                    |root| crate::catalog::name_in(root, std::path::Path::new(&entry.file)),
                ),
                "line": entry.line,
            })
        })
        .collect()
}
