//! A rule's documentation page (`docs/rules/<rule-id>.md`): what it checks, why, its control and
//! a failing and a passing example per format, rendered from the rule file so that the page
//! cannot drift from the rule (`tests/rules.rs` fails on a stale page).

use crate::catalog::{Control, Rule};

/// The Markdown page of `rule`, which enforces `control`.
pub fn markdown(rule: &Rule, control: &Control) -> String {
    let mut out = format!("# `{}`\n\n", rule.id);
    out.push_str(
        "<!-- Generated from policies/rules/ by `UPDATE_DOCS=1 cargo test --test rules`; do not edit. -->\n\n",
    );
    out.push_str(&format!("**{}**\n\n", rule.title));
    if let Some(d) = &rule.deprecated {
        out.push_str(&format!("Retired, not evaluated: {d}\n\n"));
    }
    out.push_str(&format!(
        "Enforces control `{}` ({}, severity {}).\n\n",
        control.id,
        control.title,
        control.severity.as_str()
    ));
    out.push_str(&format!("Fails when: {}.\n\n", rule.message));
    if let Some(why) = &rule.why {
        out.push_str(&format!("## Why\n\n{}\n\n", why.trim()));
    }
    if let Some(d) = &rule.description {
        out.push_str(&format!("## What it checks\n\n{}\n\n", d.trim()));
    }
    for (name, target) in [("Terraform", &rule.terraform), ("CloudFormation", &rule.cloudformation)] {
        if let Some(t) = target {
            out.push_str(&format!("- {name}: `{}`\n", t.resource_types.join("`, `")));
        }
    }
    out.push('\n');
    for (name, lang, example) in [
        ("Terraform", "hcl", &rule.examples.terraform),
        ("CloudFormation", "yaml", &rule.examples.cloudformation),
    ] {
        if let Some(e) = example {
            out.push_str(&format!(
                "## Example ({name})\n\nFails:\n\n```{lang}\n{}\n```\n\n",
                e.fail.trim_end()
            ));
            out.push_str(&format!(
                "{}:\n\n```{lang}\n{}\n```\n\n",
                e.use_instead("Use instead"),
                e.pass.trim_end()
            ));
        }
    }
    out.push_str(&format!(
        "Tests: `policies/tests/{}/`. Control: `controlgate explain {}`.\n",
        rule.id, control.id
    ));
    out
}
