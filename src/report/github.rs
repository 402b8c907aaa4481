//! GitHub Actions workflow commands: one annotation per finding, on the resource's line, for
//! pull requests of repositories without code scanning.

use std::io::Write;

use super::Report;
use crate::catalog::Severity;
use crate::finding::{Finding, Outcome};

/// Escape data (the message) as the runner expects.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a property value (file, title): data escaping plus `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `error` for what blocks at high severity, `warning` for the rest that blocks or is unknown,
/// `notice` for what does not block (excepted, or below `--fail-on`).
fn command(report: &Report<'_>, f: &Finding) -> &'static str {
    if !report.blocks(f) {
        "notice"
    } else if f.outcome == Outcome::Fail && f.severity >= Severity::High {
        "error"
    } else {
        "warning"
    }
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    for f in &report.evaluation.findings {
        let what = match f.outcome {
            Outcome::Fail => f.message.clone(),
            Outcome::Unknown => "cannot be checked before deployment".to_string(),
        };
        let mut message = format!("{}: {what}", f.resource);
        if !f.facts.is_empty() {
            message.push_str(&format!(" ({})", f.facts.join("; ")));
        }
        if let Some(note) = &f.exception {
            message.push_str(&format!(". {}", note.describe()));
        }
        let title = format!("{} [{}] {}", f.control_id, f.severity.as_str(), f.rule_id);
        writeln!(
            out,
            "::{} file={},line={},col={},title={}::{}",
            command(report, f),
            escape_property(&f.file),
            f.location.line.max(1),
            f.location.column.max(1),
            escape_property(&title),
            escape_data(&message)
        )?;
    }
    writeln!(out, "::notice title=controlgate::{}", escape_data(&report.summary()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_as_the_runner_reads_them() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
