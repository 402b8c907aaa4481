//! `controlgate test` results: a line per rule (with its problems), or JSON.

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
        let doc: Vec<serde_json::Value> = results
            .iter()
            .map(
                |r| serde_json::json!({"rule": r.rule, "cases": r.cases, "passed": r.passed(), "problems": r.problems}),
            )
            .collect();
        text = serde_json::to_string_pretty(&serde_json::json!({ "rules": doc })).unwrap_or_default() + "\n";
    }
    text
}
