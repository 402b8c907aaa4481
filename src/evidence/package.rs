//! `evidence package`: the audit package of one control for a period, from a records folder and
//! the catalog. The control as the catalog describes it; its implementation (its rules, and the
//! rule sets and policy bundles the runs recorded); the evidence (every run of the period that
//! evaluated it); the exceptions in force; the noncompliance found and how it ended.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::query::{When, run_json};
use super::store::{Finding, Record, Verdict};
use crate::catalog::{Catalog, Control, Rule};
use crate::report::escape;

/// The period of a package; both ends inclusive (a day covers the whole day, UTC).
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub since: When,
    pub until: When,
}

/// How a noncompliant finding ended, as the records of the period show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    /// A later run of the same repository evaluated the resource and did not fail it.
    Remediated,
    /// Its last occurrence was excepted and no later run shows it remediated.
    Excepted,
    /// Still failing at its last occurrence, with no later run showing otherwise.
    Open,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Remediated => "remediated",
            Status::Excepted => "excepted",
            Status::Open => "open",
        }
    }
}

/// A place in time: when a run started and which record says so.
fn seen(r: &Record) -> Value {
    json!({"at": r.predicate().started_at, "record": r.sha256})
}

/// Whether run `r` is evidence of control `id` in `period`: it started in the period and
/// evaluated the control.
pub fn evaluated_in(r: &Record, id: &str, period: Period) -> bool {
    period.since.not_after(r.started)
        && period.until.not_before(r.started)
        && r.control(id).is_some_and(|c| c.operated())
}

/// The package as JSON: the document `--format json` prints, and what the Markdown is written
/// from.
pub fn build(catalog: &Catalog, control: &Control, records: &[Record], period: Period) -> Value {
    let runs: Vec<&Record> = records
        .iter()
        .filter(|r| evaluated_in(r, &control.id, period))
        .collect();
    let id = control.id.as_str();
    let rules: Vec<&Rule> = catalog.rules.iter().filter(|r| r.control == id).collect();
    json!({
        "control": {
            "id": control.id,
            "version": control.version,
            "title": control.title,
            "intent": control.intent,
            "severity": control.severity,
            "scope": control.scope,
            "frameworks": control.frameworks,
            "exceptionPolicy": control.exception,
        },
        "period": {"since": period.since.show(), "until": period.until.show()},
        "implementation": {
            "rules": rules.iter().map(|r| json!({
                "id": r.id,
                "title": r.title,
                "engine": if r.guard_text.is_some() { "guard" } else { "native" },
                "formats": formats(r),
                "deprecated": r.deprecated,
            })).collect::<Vec<_>>(),
            "recordedRuleSets": rule_sets(&runs, id),
            "policyBundles": bundles(&runs),
        },
        "evidence": {
            "runs": runs.len(),
            "byDecision": by_decision(&runs),
            "list": runs.iter().map(|r| {
                let mut v = run_json(r, std::slice::from_ref(&control.id));
                if let Some(o) = v.as_object_mut() {
                    o.insert("subjects".into(), json!(r.statement.subject));
                }
                v
            }).collect::<Vec<_>>(),
        },
        "exceptions": exceptions(&runs, id),
        "noncompliance": noncompliance(&runs, id),
    })
}

fn formats(r: &Rule) -> Vec<&'static str> {
    [
        r.terraform.as_ref().map(|_| "terraform"),
        r.cloudformation.as_ref().map(|_| "cloudformation"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn by_decision(runs: &[&Record]) -> Value {
    let count = |v: Verdict| runs.iter().filter(|r| r.predicate().decision.verdict == v).count();
    json!({"pass": count(Verdict::Pass), "blocked": count(Verdict::Blocked), "error": count(Verdict::Error)})
}

/// The control's version and rules as the runs recorded them, each with when it was first and
/// last seen: a rule set changed within the period shows as two entries.
fn rule_sets(runs: &[&Record], id: &str) -> Vec<Value> {
    type RuleSet = (u32, Vec<String>);
    let mut sets: Vec<(RuleSet, Vec<&Record>)> = Vec::new();
    for r in runs {
        let Some(c) = r.control(id) else { continue };
        let key = (c.version, c.rules.clone());
        match sets.iter_mut().find(|(k, _)| *k == key) {
            Some((_, rs)) => rs.push(r),
            None => sets.push((key, vec![r])),
        }
    }
    sets.iter()
        .map(|((version, rules), rs)| {
            json!({"version": version, "rules": rules, "runs": rs.len(), "firstSeen": seen(rs[0]), "lastSeen": seen(rs[rs.len() - 1])})
        })
        .collect()
}

/// The policy bundle digests of the runs, in the order first seen.
fn bundles(runs: &[&Record]) -> Vec<Value> {
    let mut seen_bundles: Vec<(&str, Vec<&Record>)> = Vec::new();
    for r in runs {
        let d = r.predicate().policy.digest.sha256.as_str();
        match seen_bundles.iter_mut().find(|(k, _)| *k == d) {
            Some((_, rs)) => rs.push(r),
            None => seen_bundles.push((d, vec![r])),
        }
    }
    seen_bundles
        .iter()
        .map(|(d, rs)| json!({"sha256": d, "runs": rs.len(), "firstSeen": seen(rs[0]), "lastSeen": seen(rs[rs.len() - 1])}))
        .collect()
}

/// The control's exceptions in force in the period's runs: applied, or active when a run read
/// the registry. Fields as last seen; `applied` sums the findings excepted.
fn exceptions(runs: &[&Record], id: &str) -> Vec<Value> {
    let mut by_id: BTreeMap<&str, (Value, u64, usize, &Record, &Record)> = BTreeMap::new();
    for r in runs {
        for e in r
            .predicate()
            .exceptions
            .iter()
            .filter(|e| e.control == id && e.in_force())
        {
            let fields = json!({
                "id": e.id,
                "state": e.state,
                "owner": e.owner,
                "approver": e.approver,
                "approved": e.approved,
                "expires": e.expires,
                "reason": e.reason,
                "compensatingControl": e.compensating_control,
                "evidence": e.evidence,
            });
            let entry = by_id.entry(e.id.as_str()).or_insert((Value::Null, 0, 0, r, r));
            entry.0 = fields;
            entry.1 += e.applied;
            entry.2 += usize::from(e.applied > 0);
            entry.4 = r;
        }
    }
    by_id
        .into_values()
        .map(|(mut fields, applied, runs_applied, first, last)| {
            if let Some(o) = fields.as_object_mut() {
                o.insert("applied".into(), json!(applied));
                o.insert("runsApplied".into(), json!(runs_applied));
                o.insert("firstSeen".into(), seen(first));
                o.insert("lastSeen".into(), seen(last));
            }
            fields
        })
        .collect()
}

/// Every failed finding of the control in the period, grouped by repository and fingerprint
/// (control, rule, file and resource), with how it ended.
fn noncompliance(runs: &[&Record], id: &str) -> Vec<Value> {
    struct Group<'a> {
        finding: &'a Finding,
        repository: Option<&'a str>,
        first: &'a Record,
        last: &'a Record,
        last_index: usize,
        occurrences: usize,
        excepted_by: Option<&'a str>,
    }
    let mut groups: BTreeMap<(Option<&str>, &str), Group> = BTreeMap::new();
    for (i, r) in runs.iter().enumerate() {
        for f in r
            .predicate()
            .findings
            .iter()
            .filter(|f| f.control == id && f.outcome == "fail")
        {
            let g = groups.entry((r.repository(), f.fingerprint.as_str())).or_insert(Group {
                finding: f,
                repository: r.repository(),
                first: r,
                last: r,
                last_index: i,
                occurrences: 0,
                excepted_by: None,
            });
            g.finding = f;
            g.last = r;
            g.last_index = i;
            g.occurrences += 1;
            g.excepted_by = f.exception.as_deref();
        }
    }
    let mut out: Vec<(Status, &str, Value)> = groups
        .values()
        .map(|g| {
            let f = g.finding;
            // A later run of the same repository that evaluated the control on the resource
            // (the same file and address) and did not fail it.
            let fixed = runs[g.last_index + 1..].iter().find(|r| {
                r.repository() == g.repository
                    && r.predicate()
                        .changes
                        .resources
                        .iter()
                        .any(|x| x.address == f.resource && x.file == f.file)
                    && !r
                        .predicate()
                        .findings
                        .iter()
                        .any(|x| x.fingerprint == f.fingerprint && x.outcome == "fail")
            });
            let status = match (fixed, g.excepted_by) {
                (Some(_), _) => Status::Remediated,
                (None, Some(_)) => Status::Excepted,
                (None, None) => Status::Open,
            };
            let v = json!({
                "status": status.as_str(),
                "repository": g.repository,
                "rule": f.rule,
                "resource": f.resource,
                "type": f.resource_type,
                "file": f.file,
                "severity": f.severity,
                "fingerprint": f.fingerprint,
                "occurrences": g.occurrences,
                "firstSeen": seen(g.first),
                "lastSeen": seen(g.last),
                "remediatedIn": fixed.map(|r| seen(r)),
                "exception": if fixed.is_none() { g.excepted_by } else { None },
            });
            (status, g.first.predicate().started_at.as_str(), v)
        })
        .collect();
    // Open first, then excepted, then remediated; within each, by first seen.
    out.sort_by(|a, b| (b.0, a.1).cmp(&(a.0, b.1)));
    out.into_iter().map(|(_, _, v)| v).collect()
}

/// The package as JSON text.
pub fn json_text(package: &Value) -> String {
    let mut t = serde_json::to_string_pretty(package).unwrap_or_default();
    t.push('\n');
    t
}

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn n(v: &Value, pointer: &str) -> u64 {
    v.pointer(pointer).and_then(Value::as_u64).unwrap_or(0)
}

/// `text` as Markdown text, `-` when empty or null.
fn md(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "-".into(),
        Some(Value::String(t)) if t.is_empty() => "-".into(),
        Some(Value::String(t)) => escape::markdown(t),
        Some(other) => escape::markdown(&other.to_string()),
    }
}

fn code(v: Option<&Value>) -> String {
    match v.and_then(Value::as_str) {
        Some(t) if !t.is_empty() => escape::markdown_code(t),
        _ => "-".into(),
    }
}

fn short(v: Option<&Value>) -> String {
    match v.and_then(Value::as_str) {
        Some(t) if !t.is_empty() => escape::markdown_code(&t.chars().take(12).collect::<String>()),
        _ => "-".into(),
    }
}

/// The package as Markdown, every value from a record or a pack escaped.
pub fn markdown(p: &Value) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let c = &p["control"];
    let _ = writeln!(o, "# Audit package: {} {}\n", code(c.get("id")), md(c.get("title")));
    let _ = writeln!(
        o,
        "Period: {} to {} (both included, UTC).\n",
        md(p.pointer("/period/since")),
        md(p.pointer("/period/until"))
    );
    let _ = writeln!(o, "## Control\n");
    let _ = writeln!(o, "| | |\n|---|---|");
    let _ = writeln!(o, "| id | {} |", code(c.get("id")));
    let _ = writeln!(o, "| version | {} |", md(c.get("version")));
    let _ = writeln!(o, "| severity | {} |", md(c.get("severity")));
    let _ = writeln!(o, "| intent | {} |", md(c.get("intent")));
    let types: Vec<String> = c
        .pointer("/scope/resourceTypes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| code(Some(t)))
        .collect();
    let envs: Vec<String> = c
        .pointer("/scope/environments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| md(Some(t)))
        .collect();
    let _ = writeln!(
        o,
        "| scope: resource types | {} |",
        if types.is_empty() { "-".into() } else { types.join(", ") }
    );
    let _ = writeln!(
        o,
        "| scope: environments | {} |",
        if envs.is_empty() {
            "every environment".into()
        } else {
            envs.join(", ")
        }
    );
    if let Some(fw) = c.get("frameworks").and_then(Value::as_object) {
        for (name, ids) in fw {
            let ids: Vec<String> = ids.as_array().into_iter().flatten().map(|i| md(Some(i))).collect();
            let _ = writeln!(o, "| {} | {} |", escape::markdown(name), ids.join(", "));
        }
    }
    let _ = writeln!(o, "\n## Implementation\n");
    let _ = writeln!(
        o,
        "Rules in the catalog today:\n\n| rule | engine | formats | title |\n|---|---|---|---|"
    );
    for r in p
        .pointer("/implementation/rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let formats: Vec<&str> = r["formats"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            code(r.get("id")),
            md(r.get("engine")),
            formats.join(", "),
            md(r.get("title"))
        );
    }
    let _ = writeln!(
        o,
        "\nRule sets the runs recorded:\n\n| version | rules | runs | first seen | last seen |\n|---|---|---|---|---|"
    );
    for r in p
        .pointer("/implementation/recordedRuleSets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let rules: Vec<String> = r["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| code(Some(x)))
            .collect();
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            md(r.get("version")),
            rules.join(", "),
            n(r, "/runs"),
            md(r.pointer("/firstSeen/at")),
            md(r.pointer("/lastSeen/at"))
        );
    }
    let _ = writeln!(
        o,
        "\nPolicy bundles the runs recorded:\n\n| policy bundle sha256 | runs | first seen | last seen |\n|---|---|---|---|"
    );
    for b in p
        .pointer("/implementation/policyBundles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            code(b.get("sha256")),
            n(b, "/runs"),
            md(b.pointer("/firstSeen/at")),
            md(b.pointer("/lastSeen/at"))
        );
    }
    let _ = writeln!(
        o,
        "\n## Evidence\n\n{} run{} evaluated the control: {} passed, {} blocked, {} failed with an error.\n",
        n(p, "/evidence/runs"),
        crate::text::plural(n(p, "/evidence/runs")),
        n(p, "/evidence/byDecision/pass"),
        n(p, "/evidence/byDecision/blocked"),
        n(p, "/evidence/byDecision/error")
    );
    let _ = writeln!(
        o,
        "| started | decision | repository | commit | PR | change record | evaluated | failed | excepted | inputs | record sha256 |\n|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for r in p
        .pointer("/evidence/list")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let inputs: Vec<String> = r["inputs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| format!("{} {}", code(i.get("name")), short(i.get("sha256"))))
            .collect();
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            md(r.get("startedAt")),
            md(r.get("decision")),
            code(r.get("repository")),
            short(r.get("commit")),
            md(r.get("pullRequest")),
            code(r.pointer("/changeRecord/id")),
            n(r, "/controls/0/evaluated"),
            n(r, "/controls/0/failed"),
            n(r, "/controls/0/excepted"),
            if inputs.is_empty() {
                "-".into()
            } else {
                inputs.join("<br>")
            },
            code(r.pointer("/record/sha256"))
        );
    }
    let _ = writeln!(o, "\n## Exceptions in force\n");
    let exceptions = p["exceptions"].as_array().map_or(&[][..], Vec::as_slice);
    if exceptions.is_empty() {
        let _ = writeln!(o, "None.");
    } else {
        let _ = writeln!(
            o,
            "| id | state | applied | owner | approver | approved | expires | reason | compensating control | evidence |\n|---|---|---|---|---|---|---|---|---|---|"
        );
        for e in exceptions {
            let _ = writeln!(
                o,
                "| {} | {} | {} in {} runs | {} | {} | {} | {} | {} | {} | {} |",
                code(e.get("id")),
                md(e.get("state")),
                n(e, "/applied"),
                n(e, "/runsApplied"),
                md(e.get("owner")),
                md(e.get("approver")),
                md(e.get("approved")),
                md(e.get("expires")),
                md(e.get("reason")),
                md(e.get("compensatingControl")),
                md(e.get("evidence"))
            );
        }
    }
    let _ = writeln!(o, "\n## Noncompliance found\n");
    let found = p["noncompliance"].as_array().map_or(&[][..], Vec::as_slice);
    if found.is_empty() {
        let _ = writeln!(o, "None: no run of the period failed the control.");
    } else {
        let count = |st: &str| found.iter().filter(|f| s(f, "/status") == st).count();
        let _ = writeln!(
            o,
            "{} findings: {} open, {} excepted, {} remediated.\n",
            found.len(),
            count("open"),
            count("excepted"),
            count("remediated")
        );
        let _ = writeln!(
            o,
            "| status | repository | resource | rule | file | severity | first seen | last seen | occurrences | ended |\n|---|---|---|---|---|---|---|---|---|---|"
        );
        for f in found {
            let ended = match s(f, "/status") {
                "remediated" => format!("passed {}", md(f.pointer("/remediatedIn/at"))),
                "excepted" => format!("excepted by {}", code(f.get("exception"))),
                _ => "still failing".into(),
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                md(f.get("status")),
                code(f.get("repository")),
                code(f.get("resource")),
                code(f.get("rule")),
                code(f.get("file")),
                md(f.get("severity")),
                md(f.pointer("/firstSeen/at")),
                md(f.pointer("/lastSeen/at")),
                n(f, "/occurrences"),
                ended
            );
        }
    }
    o
}
