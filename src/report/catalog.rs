//! The catalog as the listing commands show it: `controls` (a table or JSON) and `explain`.

use std::io::Write;

use crate::catalog::{self, Catalog};
use crate::report::{Format, escape};

/// Write the catalog: a table of controls and their rules, or JSON.
pub fn list_controls(catalog: &Catalog, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    if format == Format::Human {
        for c in catalog.controls.values() {
            let (id, title) = (escape::line(&c.id), escape::line(&c.title));
            writeln!(out, "{id:<11} {:<8} {title}", c.severity.as_str())?;
            for r in catalog.rules.iter().filter(|r| r.control == c.id) {
                let formats: Vec<&str> = [
                    r.terraform.as_ref().map(|_| "terraform"),
                    r.cloudformation.as_ref().map(|_| "cloudformation"),
                ]
                .into_iter()
                .flatten()
                .collect();
                let id = escape::line(&r.id);
                match &r.deprecated {
                    Some(why) => writeln!(out, "            {id} (deprecated: {})", escape::line(why))?,
                    None => writeln!(out, "            {id} ({})", formats.join(", "))?,
                }
            }
        }
        return Ok(());
    }
    let controls: Vec<serde_json::Value> = catalog
        .controls
        .values()
        .map(|c| {
            let mut v = serde_json::to_value(c).unwrap_or_default();
            let rules: Vec<&str> = catalog
                .rules
                .iter()
                .filter(|r| r.control == c.id)
                .map(|r| r.id.as_str())
                .collect();
            if let Some(o) = v.as_object_mut() {
                o.insert("rules".into(), serde_json::json!(rules));
            }
            v
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "controls": controls }))?;
    writeln!(out)
}

/// A control (or the control of a rule), with its rules, mappings, exception policy and
/// remediation: `None` when `id` names neither.
pub fn explain(catalog: &Catalog, id: &str, format: Format) -> Option<String> {
    let rule = catalog.rules.iter().find(|r| r.id == id);
    let control = catalog.controls.get(rule.map_or(id, |r| r.control.as_str()))?;
    let rules: Vec<&catalog::Rule> = catalog.rules.iter().filter(|r| r.control == control.id).collect();
    if format != Format::Human {
        let mut v = serde_json::to_value(control).unwrap_or_default();
        let rules: Vec<serde_json::Value> = rules
            .iter()
            .map(|r| {
                let t: serde_json::Map<String, serde_json::Value> =
                    targets(r).into_iter().map(|(k, v)| (k.to_string(), serde_json::json!(v))).collect();
                let mut rule = serde_json::json!({"id": r.id, "title": r.title, "message": r.message, "description": r.description, "targets": t, "parameters": r.parameters, "deprecated": r.deprecated, "why": r.why, "examples": r.examples});
                if let (Some(text), Some(o)) = (&r.guard_text, rule.as_object_mut()) {
                    o.insert(
                        "guard".into(),
                        serde_json::json!({"file": r.origin.file, "line": r.origin.line, "text": text}),
                    );
                }
                rule
            })
            .collect();
        if let Some(o) = v.as_object_mut() {
            o.insert("rules".into(), serde_json::json!(rules));
        }
        return Some(format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default()));
    }
    Some(escape::terminal(&explain_text(control, rule, &rules)))
}

/// The formats a rule targets, with their resource types.
fn targets(r: &catalog::Rule) -> Vec<(&'static str, Vec<String>)> {
    [("terraform", &r.terraform), ("cloudformation", &r.cloudformation)]
        .into_iter()
        .filter_map(|(name, t)| t.as_ref().map(|t| (name, t.resource_types.clone())))
        .collect()
}

/// `explain` for people (before escaping for the terminal).
fn explain_text(control: &catalog::Control, rule: Option<&catalog::Rule>, rules: &[&catalog::Rule]) -> String {
    let indent = |text: &str, by: &str| {
        text.trim_end()
            .lines()
            .map(|l| format!("{by}{l}\n"))
            .collect::<String>()
    };
    let mut out = String::new();
    if let Some(r) = rule {
        out.push_str(&format!("rule {} enforces control {}\n\n", r.id, control.id));
    }
    out.push_str(&format!(
        "{} · {} (version {})\n",
        control.id, control.title, control.version
    ));
    out.push_str(&format!("severity: {}\n", control.severity.as_str()));
    out.push_str(&format!("intent:\n{}", indent(&control.intent, "  ")));
    let envs = if control.scope.environments.is_empty() {
        "all".to_string()
    } else {
        control.scope.environments.join(", ")
    };
    out.push_str(&format!("environments: {envs}\n"));
    out.push_str(&format!("evidence: {}\n", control.evidence_sources.join(", ")));
    out.push_str("frameworks:\n");
    for (f, ids) in &control.frameworks {
        out.push_str(&format!("  {f}: {}\n", ids.join(", ")));
    }
    let e = &control.exception;
    out.push_str(&match (e.allowed, e.max_duration_days, &e.approval_role) {
        (true, Some(d), Some(role)) => format!("exceptions: allowed for at most {d} days, approved by {role}\n"),
        (true, Some(d), None) => format!("exceptions: allowed for at most {d} days\n"),
        (true, None, Some(role)) => format!("exceptions: allowed, approved by {role}\n"),
        (true, None, None) => "exceptions: allowed\n".to_string(),
        (false, _, _) => "exceptions: not allowed\n".to_string(),
    });
    out.push_str("rules:\n");
    for r in rules {
        out.push_str(&format!("  {} — {}\n", r.id, r.title));
        if let Some(why) = &r.deprecated {
            out.push_str(&format!("    deprecated, not evaluated: {why}\n"));
        }
        out.push_str(&format!("    fails when: {}\n", r.message));
        if let Some(why) = &r.why {
            out.push_str(&format!("    why: {}\n", why.trim()));
        }
        match &r.guard_text {
            Some(text) => {
                let on: Vec<&str> = [
                    r.cloudformation.as_ref().map(|_| "CloudFormation templates"),
                    r.terraform.as_ref().map(|_| "Terraform plans"),
                ]
                .into_iter()
                .flatten()
                .collect();
                out.push_str(&format!(
                    "    guard: {}:{} (on {})\n",
                    r.origin.file,
                    r.origin.line,
                    on.join(" and ")
                ));
                // The text of the rule asked about; a control's listing stays short.
                if rule.is_some_and(|asked| asked.id == r.id) || rules.len() == 1 {
                    out.push_str(&indent(text, "      "));
                }
            }
            None => {
                for (name, types) in targets(r) {
                    out.push_str(&format!("    {name}: {}\n", types.join(", ")));
                }
            }
        }
        for (name, value) in &r.parameters {
            out.push_str(&format!("    parameter {name} = {value}\n"));
        }
    }
    // The examples of the rule asked about; a control's listing stays short.
    if let Some(r) = rule {
        for (name, example) in [
            ("Terraform", &r.examples.terraform),
            ("CloudFormation", &r.examples.cloudformation),
        ] {
            if let Some(e) = example {
                out.push_str(&format!("example ({name}):\n  fails:\n{}", indent(&e.fail, "    ")));
                out.push_str(&format!(
                    "  {}:\n{}",
                    e.use_instead("use instead"),
                    indent(&e.pass, "    ")
                ));
            }
        }
    }
    let rem = &control.remediation;
    out.push_str(&format!(
        "remediation ({}):\n{}",
        if rem.mode == catalog::control::RemediationMode::Manual {
            "manual"
        } else {
            "iac-change"
        },
        indent(&rem.hint, "  ")
    ));
    for (name, snippet) in [("Terraform", &rem.terraform), ("CloudFormation", &rem.cloudformation)] {
        if let Some(s) = snippet {
            out.push_str(&format!("  {name}:\n{}", indent(s, "    ")));
        }
    }
    out
}
