//! Compliance metrics (`controlgate metrics`, and `predicate.metrics` of a run record): control
//! coverage, exceptions by control and severity with their age, exceptions expiring soon, and
//! noncompliance by control over a folder of run records with its trend by month.
//!
//! The JSON value is the one source: the Markdown is rendered from it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::catalog::{Catalog, Rule, Severity};
use crate::exceptions::{Clock, Entry};
use crate::model::InputFormat;
use crate::policytest::RuleResult;
use crate::report::escape;

use super::store::Record;

/// Everything the metrics are computed from.
pub struct Sources<'a> {
    pub catalog: &'a Catalog,
    /// The pack's policy tests, when they were found and run.
    pub tests: Option<&'a [RuleResult]>,
    pub exceptions: &'a [Entry],
    pub clock: Clock,
    /// Run records read, when a folder of them was given.
    pub runs: Option<&'a [Record]>,
}

/// The metrics as JSON.
pub fn metrics(s: &Sources<'_>) -> Value {
    let mut v = json!({
        "judgedDay": s.clock.today,
        "coverage": coverage(s.catalog, s.tests),
        "exceptions": exceptions(s),
    });
    if let (Some(runs), Some(o)) = (s.runs, v.as_object_mut()) {
        o.insert("noncompliance".into(), noncompliance(s.catalog, runs));
    }
    v
}

fn coverage(catalog: &Catalog, tests: Option<&[RuleResult]>) -> Value {
    let tested = |r: &Rule, f: InputFormat| {
        tests.map(|t| t.iter().any(|x| x.rule == r.id && x.passed() && x.tested.contains(&f)))
    };
    let per_format = |rules: &[&Rule], f: InputFormat| {
        let of: Vec<&&Rule> = rules.iter().filter(|r| r.target(f).is_some()).collect();
        json!({
            "rules": of.len(),
            "native": of.iter().filter(|r| r.engine() == "native").count(),
            "guard": of.iter().filter(|r| r.engine() == "guard").count(),
            "withFixtures": tests.map(|_| of.iter().filter(|r| tested(r, f) == Some(true)).count()),
        })
    };
    let mut controls = Vec::new();
    let (mut with_rules, mut both, mut fixtured) = (0, 0, 0);
    for c in catalog.controls.values() {
        let rules: Vec<&Rule> = catalog
            .rules
            .iter()
            .filter(|r| r.control == c.id && r.deprecated.is_none())
            .collect();
        let tf = per_format(&rules, InputFormat::TerraformPlan);
        let cfn = per_format(&rules, InputFormat::Cloudformation);
        // Every format every rule checks has a passing and a failing fixture, and the tests pass.
        let all_fixtured = tests.map(|_| {
            !rules.is_empty()
                && rules.iter().all(|r| {
                    [InputFormat::TerraformPlan, InputFormat::Cloudformation]
                        .into_iter()
                        .filter(|f| r.target(*f).is_some())
                        .all(|f| tested(r, f) == Some(true))
                })
        });
        with_rules += usize::from(!rules.is_empty());
        both += usize::from(tf["rules"].as_u64() > Some(0) && cfn["rules"].as_u64() > Some(0));
        fixtured += usize::from(all_fixtured == Some(true));
        controls.push(json!({
            "id": c.id,
            "severity": c.severity,
            "rules": rules.len(),
            "terraform": tf,
            "cloudformation": cfn,
            "fixtures": all_fixtured,
        }));
    }
    json!({
        "controls": catalog.controls.len(),
        "withRules": with_rules,
        "withRulesForBothFormats": both,
        "fullyTested": tests.map(|_| fixtured),
        "fixturesKnown": tests.is_some(),
        "byControl": controls,
    })
}

fn exceptions(s: &Sources<'_>) -> Value {
    let severity_of = |control: &str| s.catalog.controls.get(control).map(|c| c.severity);
    let mut by_control: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for e in s.exceptions {
        by_control.entry(e.control.as_str()).or_default().push(e);
    }
    let state = |e: &Entry| e.note.state.as_str();
    let in_force = |e: &&&Entry| matches!(state(e), "active" | "expiring-soon");
    let rows: Vec<Value> = by_control
        .iter()
        .map(|(control, entries)| {
            let ages: Vec<i64> = entries.iter().filter(in_force).filter_map(|e| e.age_days).collect();
            json!({
                "control": control,
                "severity": severity_of(control),
                "total": entries.len(),
                "inForce": entries.iter().filter(in_force).count(),
                "expiringSoon": entries.iter().filter(|e| state(e) == "expiring-soon").count(),
                "expired": entries.iter().filter(|e| state(e) == "expired").count(),
                "other": entries.iter().filter(|e| !matches!(state(e), "active" | "expiring-soon" | "expired")).count(),
                "oldestDays": ages.iter().max(),
                "meanAgeDays": (!ages.is_empty()).then(|| ages.iter().sum::<i64>() / ages.len() as i64),
            })
        })
        .collect();
    let mut by_severity: BTreeMap<&str, usize> = BTreeMap::new();
    for sev in [Severity::Critical, Severity::High, Severity::Medium, Severity::Low] {
        let n = s
            .exceptions
            .iter()
            .filter(|e| matches!(state(e), "active" | "expiring-soon") && severity_of(&e.control) == Some(sev))
            .count();
        by_severity.insert(sev.as_str(), n);
    }
    let mut expiring: Vec<&Entry> = s.exceptions.iter().filter(|e| state(e) == "expiring-soon").collect();
    expiring.sort_by(|a, b| (a.note.days_left, &a.note.id).cmp(&(b.note.days_left, &b.note.id)));
    json!({
        "total": s.exceptions.len(),
        "inForce": s.exceptions.iter().filter(|e| matches!(state(e), "active" | "expiring-soon")).count(),
        "warningDays": s.clock.warn_days,
        "inForceBySeverity": by_severity,
        "byControl": rows,
        "expiringSoon": expiring.iter().map(|e| json!({
            "id": e.note.id,
            "control": e.control,
            "owner": e.note.owner,
            "expires": e.note.expires,
            "daysLeft": e.note.days_left,
            "ageDays": e.age_days,
        })).collect::<Vec<_>>(),
    })
}

fn noncompliance(catalog: &Catalog, runs: &[Record]) -> Value {
    let mut sorted: Vec<&Record> = runs.iter().collect();
    sorted.sort_by_key(|r| r.started);
    #[derive(Default)]
    struct Tally {
        runs: usize,
        runs_failing: usize,
        failed: u64,
        excepted: u64,
        unknown: u64,
        latest: Option<(String, u64)>,
    }
    let mut by_control: BTreeMap<String, Tally> = BTreeMap::new();
    // month → (runs, blocked, failed by control)
    let mut months: BTreeMap<String, (usize, usize, BTreeMap<String, u64>)> = BTreeMap::new();
    for run in &sorted {
        let m = months.entry(run.started.format("%Y-%m").to_string()).or_default();
        m.0 += 1;
        m.1 += usize::from(run.predicate().decision.verdict.as_str() == "blocked");
        for c in run.predicate().controls.iter().filter(|c| c.evaluated > 0) {
            let t = by_control.entry(c.id.clone()).or_default();
            t.runs += 1;
            t.runs_failing += usize::from(c.failed > 0);
            t.failed += c.failed;
            t.excepted += c.excepted;
            t.unknown += c.unknown;
            t.latest = Some((run.predicate().started_at.clone(), c.failed));
            if c.failed > 0 {
                *m.2.entry(c.id.clone()).or_default() += c.failed;
            }
        }
    }
    let controls: Vec<Value> = by_control
        .iter()
        .map(|(id, t)| {
            json!({
                "control": id,
                "severity": catalog.controls.get(id).map(|c| c.severity),
                "runs": t.runs,
                "runsWithFailures": t.runs_failing,
                "failed": t.failed,
                "excepted": t.excepted,
                "unknown": t.unknown,
                "latestRun": t.latest.as_ref().map(|l| &l.0),
                "failedInLatestRun": t.latest.as_ref().map(|l| l.1),
            })
        })
        .collect();
    let trend: Vec<Value> = months
        .iter()
        .map(|(month, (runs, blocked, failed))| {
            json!({
                "month": month,
                "runs": runs,
                "blocked": blocked,
                "failed": failed.values().sum::<u64>(),
                "failedByControl": failed,
            })
        })
        .collect();
    json!({
        "runs": sorted.len(),
        "from": sorted.first().map(|r| &r.predicate().started_at),
        "to": sorted.last().map(|r| &r.predicate().started_at),
        "byControl": controls,
        "trend": trend,
    })
}

/// The metrics as Markdown.
pub fn markdown(v: &Value) -> String {
    let mut out = String::new();
    let s = |v: &Value| match v {
        Value::Null => "—".to_string(),
        Value::String(s) => escape::markdown(s),
        other => escape::markdown(&other.to_string()),
    };
    let _ = writeln!(out, "# Compliance metrics\n\nJudged on {}.\n", s(&v["judgedDay"]));
    let c = &v["coverage"];
    let _ = writeln!(out, "## Control coverage\n");
    let _ = writeln!(
        out,
        "{} controls: {} with rules in force, {} with rules for both Terraform plans and CloudFormation templates{}.\n",
        c["controls"],
        c["withRules"],
        c["withRulesForBothFormats"],
        if c["fixturesKnown"] == true {
            format!(
                ", {} with a passing and a failing fixture, tests passing, for every format each rule checks",
                c["fullyTested"]
            )
        } else {
            "; fixtures not known (no policy tests were run)".to_string()
        }
    );
    let _ = writeln!(
        out,
        "| Control | Severity | Rules | Terraform (native, guard, with fixtures) | CloudFormation (native, guard, with fixtures) | Fully tested |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    let fmt = |f: &Value| {
        format!(
            "{} ({}, {}, {})",
            f["rules"],
            f["native"],
            f["guard"],
            s(&f["withFixtures"])
        )
    };
    for row in c["byControl"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            s(&row["id"]),
            s(&row["severity"]),
            row["rules"],
            fmt(&row["terraform"]),
            fmt(&row["cloudformation"]),
            match &row["fixtures"] {
                Value::Bool(true) => "yes",
                Value::Bool(false) => "no",
                _ => "—",
            }
        );
    }
    let e = &v["exceptions"];
    let _ = writeln!(out, "\n## Exceptions\n");
    let sev = &e["inForceBySeverity"];
    let _ = writeln!(
        out,
        "{} exceptions, {} in force: {} critical, {} high, {} medium, {} low (by their control's severity).\n",
        e["total"], e["inForce"], sev["critical"], sev["high"], sev["medium"], sev["low"]
    );
    if e["byControl"].as_array().is_some_and(|a| !a.is_empty()) {
        let _ = writeln!(
            out,
            "| Control | Severity | Exceptions | In force | Expiring soon | Expired | Requested, revoked or invalid | Oldest in force (days) | Mean age (days) |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|");
        for r in e["byControl"].as_array().into_iter().flatten() {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                s(&r["control"]),
                s(&r["severity"]),
                r["total"],
                r["inForce"],
                r["expiringSoon"],
                r["expired"],
                r["other"],
                s(&r["oldestDays"]),
                s(&r["meanAgeDays"])
            );
        }
    }
    let _ = writeln!(out, "\n### Expiring within {} days\n", e["warningDays"]);
    match e["expiringSoon"].as_array() {
        Some(list) if !list.is_empty() => {
            let _ = writeln!(
                out,
                "| Exception | Control | Owner | Expires | Days left | Age (days) |"
            );
            let _ = writeln!(out, "|---|---|---|---|---|---|");
            for x in list {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    s(&x["id"]),
                    s(&x["control"]),
                    s(&x["owner"]),
                    s(&x["expires"]),
                    s(&x["daysLeft"]),
                    s(&x["ageDays"])
                );
            }
        }
        _ => {
            let _ = writeln!(out, "None.");
        }
    }
    let n = &v["noncompliance"];
    if n.is_null() {
        let _ = writeln!(out, "\n## Noncompliance\n\nNo run records were read (`--records DIR`).");
        return out;
    }
    let _ = writeln!(
        out,
        "\n## Noncompliance\n\nFrom {} run record{}, {} to {}.\n",
        n["runs"],
        crate::text::plural(n["runs"].as_u64().unwrap_or(0) as usize),
        s(&n["from"]),
        s(&n["to"])
    );
    let _ = writeln!(
        out,
        "| Control | Severity | Runs | Runs with failures | Failed resources | Excepted | Unknown | Failed in the latest run |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for r in n["byControl"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            s(&r["control"]),
            s(&r["severity"]),
            r["runs"],
            r["runsWithFailures"],
            r["failed"],
            r["excepted"],
            r["unknown"],
            s(&r["failedInLatestRun"])
        );
    }
    let _ = writeln!(out, "\n### Trend by month\n");
    let _ = writeln!(out, "| Month | Runs | Blocked | Failed resources | By control |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for m in n["trend"].as_array().into_iter().flatten() {
        let by: Vec<String> = m["failedByControl"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| format!("{} {v}", escape::markdown(k)))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            s(&m["month"]),
            m["runs"],
            m["blocked"],
            m["failed"],
            by.join(", ")
        );
    }
    out
}
