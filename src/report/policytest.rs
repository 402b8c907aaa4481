//! `controlgate test` results: a line per rule (with its problems), or JSON.

#[cfg(feature = "guard")]
use crate::engine::guard::Status;
#[cfg(feature = "guard")]
use crate::guardtest::{GuardTests, by_design_reason};
use crate::policytest::RuleResult;
use crate::report::Format;
use crate::text::plural;

/// The results of a pack's tests as `format` shows them.
pub fn results(results: &[RuleResult], format: Format) -> String {
    let failed = results.iter().filter(|r| !r.passed()).count();
    let mut text = String::new();
    if format == Format::Human {
        for r in results {
            text.push_str(&format!(
                "{} {} ({} case{})\n",
                if r.passed() { "ok  " } else { "FAIL" },
                r.rule,
                r.cases,
                plural(r.cases)
            ));
            for p in &r.problems {
                text.push_str(&format!("       {p}\n"));
            }
        }
        text.push_str(&format!("rules: {} passed, {failed} failed\n", results.len() - failed));
    } else {
        let doc: Vec<serde_json::Value> = results.iter().map(rule_json).collect();
        text = serde_json::to_string_pretty(&serde_json::json!({ "rules": doc })).unwrap_or_default() + "\n";
    }
    text
}

fn rule_json(r: &RuleResult) -> serde_json::Value {
    serde_json::json!({"rule": r.rule, "cases": r.cases, "passed": r.passed(), "problems": r.problems})
}

/// The results of cfn-guard test files (`controlgate test --guard-tests`, or a pack's), as
/// `format` shows them; `rules` are a pack's rule results shown before them.
#[cfg(feature = "guard")]
pub fn with_guard_tests(rules: Option<&[RuleResult]>, tests: &GuardTests, format: Format) -> String {
    if format == Format::Human {
        let mut text = rules.map(|r| results(r, format)).unwrap_or_default();
        for f in &tests.files {
            let status = if f.error.is_some() {
                "ERROR"
            } else if f.failed() > 0 {
                "FAIL"
            } else {
                "ok  "
            };
            let mut counts = vec![format!("{} passed", f.passed())];
            if f.by_design() > 0 {
                counts.push(format!("{} by design", f.by_design()));
            }
            if f.failed() > 0 {
                counts.push(format!("{} failed", f.failed()));
            }
            text.push_str(&format!(
                "{status} {} ({} case{}: {})\n",
                f.test_file,
                f.cases.len(),
                plural(f.cases.len()),
                counts.join(", ")
            ));
            if let Some(e) = &f.error {
                text.push_str(&format!("       {e}\n"));
                if let Some(help) = &e.help {
                    text.push_str(&format!("       help: {help}\n"));
                }
            }
            for c in &f.cases {
                for check in c.checks.iter().filter(|k| !k.matched()) {
                    let actual = check.actual.map_or("no such rule in the Guard file", Status::as_str);
                    let head = format!(
                        "       case `{}` (line {}): {} expected {}, got {actual}",
                        c.name,
                        c.line,
                        check.rule,
                        check.expected.as_str()
                    );
                    match check.by_design {
                        Some(key) => text.push_str(&format!("{head}: {}\n", by_design_reason(key))),
                        None => {
                            text.push_str(&format!("{head}\n"));
                            for m in &check.messages {
                                text.push_str(&format!("         Guard: {m}\n"));
                            }
                        }
                    }
                }
            }
        }
        for p in &tests.placeholders {
            text.push_str(&format!("note: {p}: a placeholder Guard file with no rule, skipped\n"));
        }
        for n in &tests.notes {
            text.push_str(&format!("note: {n}\n"));
        }
        let t = totals(tests);
        text.push_str(&format!(
            "guard test files: {} ({} error{}), cases: {}, passed {}, by design {}, failed {}\n",
            t.files,
            t.errors,
            plural(t.errors),
            t.cases,
            t.passed,
            t.by_design,
            t.failed
        ));
        text
    } else {
        let files: Vec<serde_json::Value> = tests
            .files
            .iter()
            .map(|f| {
                let cases: Vec<serde_json::Value> = f
                    .cases
                    .iter()
                    .map(|c| {
                        let checks: Vec<serde_json::Value> = c
                            .checks
                            .iter()
                            .map(|k| {
                                serde_json::json!({
                                    "rule": k.rule,
                                    "expected": k.expected.as_str(),
                                    "actual": k.actual.map(Status::as_str),
                                    "passed": k.matched(),
                                    "byDesign": k.by_design.map(by_design_reason),
                                    "messages": if k.matched() { Vec::new() } else { k.messages.clone() },
                                })
                            })
                            .collect();
                        serde_json::json!({
                            "name": c.name,
                            "line": c.line,
                            "result": if c.failed() { "failed" } else if c.by_design() { "byDesign" } else { "passed" },
                            "checks": checks,
                        })
                    })
                    .collect();
                serde_json::json!({
                    "testFile": f.test_file,
                    "guardFile": f.guard_file,
                    "cases": f.cases.len(),
                    "passed": f.passed(),
                    "byDesign": f.by_design(),
                    "failed": f.failed(),
                    "error": f.error.as_ref().map(ToString::to_string),
                    "results": cases,
                })
            })
            .collect();
        let t = totals(tests);
        let guard = serde_json::json!({
            "files": files,
            "placeholders": tests.placeholders,
            "notes": tests.notes,
            "totals": {"files": t.files, "errors": t.errors, "cases": t.cases, "passed": t.passed, "byDesign": t.by_design, "failed": t.failed},
        });
        let mut doc = serde_json::Map::new();
        if let Some(rules) = rules {
            let rules: Vec<serde_json::Value> = rules.iter().map(rule_json).collect();
            doc.insert("rules".to_string(), serde_json::Value::Array(rules));
        }
        doc.insert("guardTests".to_string(), guard);
        serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
    }
}

#[cfg(feature = "guard")]
struct Totals {
    files: usize,
    errors: usize,
    cases: usize,
    passed: usize,
    by_design: usize,
    failed: usize,
}

#[cfg(feature = "guard")]
fn totals(tests: &GuardTests) -> Totals {
    Totals {
        files: tests.files.len(),
        errors: tests.errors().len(),
        cases: tests.cases(),
        passed: tests.files.iter().map(|f| f.passed()).sum(),
        by_design: tests.files.iter().map(|f| f.by_design()).sum(),
        failed: tests.failed(),
    }
}
