//! A Markdown summary for a pull request comment or a CI job summary: the verdict, totals per
//! severity, failing controls with their resources and remediation, undecidable findings,
//! excepted findings with their expiry, and exceptions about to expire.

use std::collections::BTreeMap;
use std::io::Write;

use super::{Report, escape};
use crate::catalog::Severity;
use crate::exceptions::State;
use crate::finding::{Finding, Outcome};
use crate::gate::Verdict;
use crate::text::plural;

/// Untrusted text in a cell, a heading or a list item.
fn cell(s: &str) -> String {
    escape::markdown(s)
}

fn place(f: &Finding) -> String {
    escape::markdown_code(&format!("{}:{}", f.file, f.location.line))
}

fn findings_table(out: &mut dyn Write, findings: &[&Finding]) -> std::io::Result<()> {
    writeln!(out, "| resource | where | what |")?;
    writeln!(out, "| --- | --- | --- |")?;
    for f in findings {
        let what = if f.facts.is_empty() {
            f.message.clone()
        } else {
            f.facts.join("; ")
        };
        writeln!(
            out,
            "| {} | {} | {} |",
            escape::markdown_code(&f.resource),
            place(f),
            cell(&what)
        )?;
    }
    Ok(())
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let findings = &report.evaluation.findings;
    match report.gate.verdict {
        Verdict::Error => {
            // The errors first: what was found below is not the whole story.
            let n = report.gate.errors.len();
            writeln!(
                out,
                "## controlgate: error: the run failed with {n} error{}\n",
                plural(n)
            )?;
            writeln!(
                out,
                "The run could not read or judge everything, so it shows nothing about whether the change is allowed. Fix these and run again:\n"
            )?;
            for e in &report.gate.errors {
                writeln!(
                    out,
                    "- **{} error** at {}: {}",
                    e.kind,
                    escape::markdown_code(&e.position()),
                    cell(&e.message)
                )?;
                if let Some(help) = &e.help {
                    writeln!(out, "  help: {}", cell(help))?;
                }
            }
        }
        Verdict::Blocked => {
            let n = report.blocking();
            let soft = if report.gate.soft_fail {
                " (soft-fail: the job does not fail)"
            } else {
                ""
            };
            writeln!(out, "## controlgate: blocked by {n} finding{}{soft}", plural(n))?;
        }
        Verdict::Pass => writeln!(out, "## controlgate: the gate passes")?,
    }
    writeln!(out)?;
    let weakened: Vec<_> = report.weakened().collect();
    if !weakened.is_empty() {
        writeln!(out, "### Settings that weaken the gate\n")?;
        writeln!(
            out,
            "These let through what the defaults would stop; review them with the change.\n"
        )?;
        writeln!(out, "| setting | value | default | from | effect |")?;
        writeln!(out, "| --- | --- | --- | --- | --- |")?;
        for c in weakened {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&c.setting),
                escape::markdown_code(&c.value),
                cell(&c.default),
                escape::markdown_code(&c.source),
                cell(&c.effect)
            )?;
        }
        writeln!(out)?;
    }
    skipped(report, out)?;
    parameter_files(report, out)?;
    writeln!(out, "{}", report.summary())?;
    writeln!(out)?;
    if let Some(day) = report.day {
        writeln!(out, "Exceptions judged as on {} ({}).\n", day.day, day.source)?;
    }

    writeln!(out, "| severity | failed | unknown | excepted |")?;
    writeln!(out, "| --- | ---: | ---: | ---: |")?;
    for s in [Severity::Critical, Severity::High, Severity::Medium, Severity::Low] {
        let of = |pred: &dyn Fn(&Finding) -> bool| findings.iter().filter(|f| f.severity == s && pred(f)).count();
        let failed = of(&|f| !f.is_excepted() && f.outcome == Outcome::Fail);
        let unknown = of(&|f| !f.is_excepted() && f.outcome == Outcome::Unknown);
        let excepted = of(&|f| f.is_excepted());
        writeln!(out, "| {} | {failed} | {unknown} | {excepted} |", s.as_str())?;
    }

    // Failing findings by control, most severe first.
    let mut by_control: BTreeMap<(std::cmp::Reverse<Severity>, &str), Vec<&Finding>> = BTreeMap::new();
    for f in findings
        .iter()
        .filter(|f| !f.is_excepted() && f.outcome == Outcome::Fail)
    {
        by_control
            .entry((std::cmp::Reverse(f.severity), f.control_id.as_str()))
            .or_default()
            .push(f);
    }
    if !by_control.is_empty() {
        writeln!(out, "\n### Failing controls")?;
        for ((severity, id), list) in &by_control {
            let control = report.catalog.controls.get(*id);
            let title = control.map_or("", |c| c.title.as_str());
            writeln!(out, "\n#### {} · {} ({})\n", cell(id), cell(title), severity.0.as_str())?;
            findings_table(out, list)?;
            if let Some(c) = control {
                writeln!(out, "\n**Remediation:** {}", cell(c.remediation.hint.trim()))?;
            }
        }
    }

    let unknown: Vec<&Finding> = findings
        .iter()
        .filter(|f| !f.is_excepted() && f.outcome == Outcome::Unknown)
        .collect();
    if !unknown.is_empty() {
        writeln!(out, "\n### Cannot be checked before deployment\n")?;
        writeln!(
            out,
            "Values known only after apply, or set at deploy time, decide these.\n"
        )?;
        findings_table(out, &unknown)?;
    }

    let excepted: Vec<&Finding> = findings.iter().filter(|f| f.is_excepted()).collect();
    if !excepted.is_empty() {
        writeln!(out, "\n### Excepted findings\n")?;
        writeln!(out, "| resource | control | exception | owner | expires |")?;
        writeln!(out, "| --- | --- | --- | --- | --- |")?;
        for f in excepted {
            if let Some(n) = &f.exception {
                let expires = n.expires.map(|d| d.to_string()).unwrap_or_default();
                let left = n.days_left.map(|d| format!(" ({d} days left)")).unwrap_or_default();
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {expires}{left} |",
                    escape::markdown_code(&f.resource),
                    cell(&f.control_id),
                    cell(&n.id),
                    cell(&n.owner)
                )?;
            }
        }
    }

    let soon: Vec<_> = report
        .exceptions
        .iter()
        .filter(|e| e.note.state == State::ExpiringSoon)
        .collect();
    if !soon.is_empty() {
        writeln!(out, "\n### Exceptions expiring soon\n")?;
        writeln!(out, "| exception | control | owner | expires | days left |")?;
        writeln!(out, "| --- | --- | --- | --- | ---: |")?;
        for e in soon {
            let n = &e.note;
            let expires = n.expires.map(|d| d.to_string()).unwrap_or_default();
            writeln!(
                out,
                "| {} | {} | {} | {expires} | {} |",
                cell(&n.id),
                cell(&e.control),
                cell(&n.owner),
                n.days_left.unwrap_or(0)
            )?;
        }
    }
    Ok(())
}

/// The CloudFormation parameter files the run applied, by template.
fn parameter_files(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    if report.parameters.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n### Parameter files\n")?;
    writeln!(out, "| template | parameter file | SHA-256 | from |")?;
    writeln!(out, "| --- | --- | --- | --- |")?;
    for u in report.parameters {
        for f in &u.files {
            writeln!(
                out,
                "| {} | {} | `{}` | {} |",
                cell(&u.template),
                cell(&f.path),
                &f.sha256,
                cell(&f.source)
            )?;
        }
    }
    Ok(())
}

/// Rows listed of a skipped table; the JSON and SARIF documents list them all.
const SHOWN: usize = 50;

/// The rules and files the run left out, after the weakening settings that left them out.
fn skipped(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let skips = report.skips;
    if !skips.rules.is_empty() {
        writeln!(
            out,
            "### Skipped rules
"
        )?;
        writeln!(
            out,
            "These rules were not evaluated: nothing below says whether resources comply with them.
"
        )?;
        writeln!(out, "| control | rule | skipped by | from |")?;
        writeln!(out, "| --- | --- | --- | --- |")?;
        for r in skips.rules.iter().take(SHOWN) {
            let by = match r.setting {
                "check" => format!("not selected by --check {}", r.by),
                _ => format!("--skip-check {}", r.by),
            };
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(&r.control),
                escape::markdown_code(&r.rule),
                cell(&by),
                escape::markdown_code(&r.source)
            )?;
        }
        if skips.rules.len() > SHOWN {
            writeln!(
                out,
                "\n{} more rules skipped (the JSON report lists them all).",
                skips.rules.len() - SHOWN
            )?;
        }
        writeln!(out)?;
    }
    if !skips.patterns.is_empty() {
        writeln!(
            out,
            "### Skipped files
"
        )?;
        writeln!(out, "| pattern | from | files not read |")?;
        writeln!(out, "| --- | --- | ---: |")?;
        for p in &skips.patterns {
            writeln!(
                out,
                "| {} | {} | {} |",
                escape::markdown_code(&p.pattern),
                escape::markdown_code(&p.source),
                p.files
            )?;
        }
        writeln!(out)?;
        for f in skips.files.iter().take(SHOWN) {
            writeln!(
                out,
                "- {} (by {})",
                escape::markdown_code(&f.file),
                escape::markdown_code(&f.pattern)
            )?;
        }
        if skips.files.len() > SHOWN {
            writeln!(out, "- and {} more", skips.files.len() - SHOWN)?;
        }
        if !skips.files.is_empty() {
            writeln!(out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_stay_on_one_line_and_keep_their_pipes() {
        assert_eq!(cell("a|b\nc"), "a\\|b\\\\nc");
    }
}
