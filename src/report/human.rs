//! Diagnostics for people: each finding points at its resource's line, with the control, its
//! severity and the remediation hint; a one-line summary closes the report.

use std::fmt;
use std::io::Write;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, SourceCode, SourceSpan, SpanContents,
};
use rayon::prelude::*;

use super::{Report, escape};
use crate::catalog::Severity;
use crate::exceptions::Entry;
use crate::finding::{Finding, Outcome};
use crate::model::{InputFormat, Secrets, SourceFile};

/// A finding's file, shared with the resources so rendering copies nothing, and the 0-based line
/// of the finding's span, so the excerpt is cut around the span without counting lines from the
/// top of the file: counting them per finding is quadratic on a large plan.
struct Excerpt {
    file: Arc<SourceFile>,
    line: usize,
    /// The lines around the span with the file's sensitive values redacted, and the file offset
    /// their start stands for; `None` when none is near (the file's own text is excerpted).
    redacted: Option<(String, usize)>,
}

/// Lines on each side of a span that are redacted: more than any excerpt shows.
const REDACTED_LINES: usize = 8;

impl Excerpt {
    /// The excerpt around `span` of `file`, whose span starts on 0-based `line`.
    fn new(file: &Arc<SourceFile>, line: usize, span: &SourceSpan, secrets: &Secrets) -> Excerpt {
        let text = file.text.as_bytes();
        let at = span.offset().min(text.len());
        let redacted = (!secrets.is_empty()).then(|| {
            let (mut from, mut to) = (line_start(text, at), line_end(text, (at + span.len()).min(text.len())));
            for _ in 0..REDACTED_LINES {
                from = if from > 0 { line_start(text, from - 1) } else { 0 };
                to = if to < text.len() { line_end(text, to + 1) } else { to };
            }
            let window = &file.text[from..(to + 1).min(text.len())];
            let keep = at - from..(at - from + span.len()).min(window.len());
            // `"(sensitive)"` moves what follows; near the top of the file it may not fit in
            // front of the span, and a mask of the same length is shown instead.
            match secrets.redact(window, keep.clone(), false) {
                Some((t, shifted)) if shifted <= at => Some((t, at - shifted)),
                Some(_) => secrets.redact(window, keep, true).map(|(t, _)| (t, from)),
                None => None,
            }
        });
        Excerpt {
            file: Arc::clone(file),
            line,
            redacted: redacted.flatten(),
        }
    }
}

/// Where the line holding byte `at` starts.
fn line_start(text: &[u8], at: usize) -> usize {
    text[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
}

/// Where the line holding byte `at` ends (its newline, or the end of the text).
fn line_end(text: &[u8], at: usize) -> usize {
    text[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| at + i)
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (whole, base) = match &self.redacted {
            Some((t, base)) => (t.as_str(), *base),
            None => (self.file.text.as_str(), 0),
        };
        let text = whole.as_bytes();
        let at = span.offset().checked_sub(base).ok_or(MietteError::OutOfBounds)?;
        if at > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        // Without context miette would show the span's own text only, not its line: the
        // span's whole lines are given instead, with the span's column (which miette prints in
        // the header).
        if before == 0 && after == 0 {
            let from = line_start(text, at);
            let to = line_end(text, (at + span.len()).min(text.len()));
            let data = &whole[from..to];
            return Ok(Box::new(miette::MietteSpanContents::new_named(
                escape::line(&self.file.display),
                data.as_bytes(),
                SourceSpan::new((from + base).into(), to - from),
                self.line,
                whole[from..at].chars().count(),
                data.matches('\n').count() + 1,
            )));
        }
        // A window of whole lines, two more on each side than miette is asked for (it reads one
        // line past the end of its context), excerpted by miette itself; its positions are then
        // moved back into the file.
        let mut from = line_start(text, at);
        let mut above = 0;
        while above <= before + 1 && from > 0 {
            from = line_start(text, from - 1);
            above += 1;
        }
        let mut to = line_end(text, (at + span.len()).min(text.len()));
        let mut below = 0;
        while below <= after + 1 && to < text.len() {
            to = line_end(text, to + 1);
            below += 1;
        }
        let window = &whole[from..(to + 1).min(text.len())];
        let inner = window.read_span(&SourceSpan::new((at - from).into(), span.len()), before, after)?;
        let first_line = self.line.saturating_sub(above);
        Ok(Box::new(miette::MietteSpanContents::new_named(
            escape::line(&self.file.display),
            inner.data(),
            SourceSpan::new((inner.span().offset() + from + base).into(), inner.span().len()),
            inner.line() + first_line,
            inner.column(),
            inner.line_count() + first_line,
        )))
    }
}

/// Whether `text` holds a character a terminal would act on rather than show (line ends and
/// tabs aside).
fn has_control(text: &str) -> bool {
    text.chars()
        .any(|c| !matches!(c, '\n' | '\r' | '\t') && escape::is_hidden(c))
}

/// Longer lines (minified JSON) are not excerpted: the location is given in words instead.
const MAX_LINE: usize = 400;

struct FindingDiagnostic {
    title: String,
    severity: miette::Severity,
    label: String,
    span: SourceSpan,
    /// `None` when the resource's line is too long to show (minified JSON).
    source: Option<Excerpt>,
}

impl fmt::Debug for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}

impl fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}

impl std::error::Error for FindingDiagnostic {}

// The control id is in the title and the remediation is printed once per control after the
// findings (`remediations`): neither is repeated on every finding.
impl Diagnostic for FindingDiagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.label.clone()),
            self.span,
        ))))
    }
}

fn diagnostic(report: &Report<'_>, f: &Finding) -> FindingDiagnostic {
    let blocking = if report.blocks(f) || f.is_excepted() {
        ""
    } else {
        " (does not block)"
    };
    let (what, mut severity) = match f.outcome {
        Outcome::Fail => (
            f.message.clone(),
            match f.severity {
                Severity::Critical | Severity::High => miette::Severity::Error,
                Severity::Medium => miette::Severity::Warning,
                Severity::Low => miette::Severity::Advice,
            },
        ),
        Outcome::Unknown => (
            "cannot be checked before deployment".to_string(),
            miette::Severity::Warning,
        ),
    };
    let label = if f.facts.is_empty() {
        f.rule_id.clone()
    } else {
        f.facts.join("; ")
    };
    // Only the bytes near the offset are searched: a minified file is one long line.
    let text = f.source.text.as_bytes();
    let offset = f.location.offset.min(text.len());
    let (lo, hi) = (
        offset.saturating_sub(MAX_LINE + 1),
        (offset + MAX_LINE + 1).min(text.len()),
    );
    let start = text[lo..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|i| lo + i + 1)
        .or((lo == 0).then_some(0));
    let end = text[offset..hi]
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| offset + i)
        .or((hi == text.len()).then_some(text.len()));
    // A window holding control characters (an escape sequence written into a template) is not
    // excerpted either: miette would send it to the terminal as it is.
    let showable = matches!((start, end), (Some(s), Some(e)) if e - s <= MAX_LINE
        && !has_control(&f.source.text[line_start(text, s.saturating_sub(1))..line_end(text, (e + 1).min(text.len()))]));
    // The title's lines are ours; each piece in them is escaped to one line, so a name cannot
    // start a line of its own.
    let mut title = format!(
        "{}: {}\n[{}] {} · rule {}",
        escape::line(&f.resource),
        escape::line(&what),
        f.severity.as_str(),
        escape::line(&f.control_id),
        escape::line(&f.rule_id)
    );
    if let Some(r) = &f.related {
        title.push_str(&format!(" · planned in {}:{}", escape::line(&r.file), r.location.line));
    }
    title.push_str(blocking);
    if !showable {
        title.push_str(&format!(
            "\nat {}:{}:{}: {}",
            escape::line(&f.file),
            f.location.line,
            f.location.column,
            escape::line(&label)
        ));
    }
    if let Some(note) = &f.exception {
        title.push_str(&format!("\n{}", escape::line(&note.describe())));
        if note.excepts() {
            severity = miette::Severity::Advice;
        }
    }
    for note in &f.notes {
        title.push_str(&format!("\n{}", escape::line(note)));
    }
    let span = SourceSpan::new(offset.into(), f.location.length.max(1));
    FindingDiagnostic {
        title,
        severity,
        label: escape::line(&label),
        source: showable.then(|| Excerpt::new(&f.source, f.location.line.saturating_sub(1), &span, &f.secrets)),
        span,
    }
}

/// How human output is printed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// ANSI colors (`--color`, `NO_COLOR`, `TERM=dumb`).
    pub color: bool,
    /// Only the run's failure and the summary: no findings, no remediation (`--quiet`).
    pub quiet: bool,
}

/// Terminal width the diagnostics are wrapped to.
const WIDTH: usize = 120;

pub fn write(report: &Report<'_>, out: &mut dyn Write, style: Style) -> std::io::Result<()> {
    if !style.quiet {
        let theme = if style.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        // The resource's line only: the label says what is wrong with it.
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_links(false)
            .with_context_lines(0)
            .with_width(WIDTH);
        // Rendering (wrapping, excerpts) is most of the cost of a large report: findings are
        // rendered on every core, a chunk at a time, and written in their order.
        for chunk in report.evaluation.findings.chunks(1024) {
            let rendered: Vec<Result<String, fmt::Error>> = chunk
                .par_iter()
                .map(|f| {
                    let mut rendered = String::new();
                    handler.render_report(&mut rendered, &diagnostic(report, f))?;
                    Ok(rendered)
                })
                .collect();
            for r in rendered {
                writeln!(out, "{}", r.map_err(std::io::Error::other)?.trim_end())?;
                writeln!(out)?;
            }
        }
        write_remediations(report, out)?;
    }
    if !report.exceptions.is_empty() {
        writeln!(out, "exceptions: {}", inventory_line(report.exceptions))?;
    }
    if report.failed() {
        writeln!(out, "the run failed; nothing it found shows the change is allowed:")?;
        for reason in report.gate.reasons() {
            writeln!(out, "  - {}", escape::line(&reason))?;
        }
    }
    writeln!(out, "controlgate: {}", report.summary())
}

/// The remediation of every control with findings, once, in the catalog's order: the hint and,
/// per input format, the snippet blocks for the resource types the findings are on.
fn write_remediations(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let indent = |text: &str, by: &str| -> String {
        text.lines()
            .map(|l| {
                if l.is_empty() {
                    "\n".to_string()
                } else {
                    format!("{by}{l}\n")
                }
            })
            .collect()
    };
    for control in report.catalog.controls.values() {
        let findings: Vec<&Finding> = report
            .evaluation
            .findings
            .iter()
            .filter(|f| f.control_id == control.id)
            .collect();
        if findings.is_empty() {
            continue;
        }
        let r = &control.remediation;
        writeln!(
            out,
            "{} · {}: {} finding{}",
            escape::line(&control.id),
            escape::line(&control.title),
            findings.len(),
            crate::text::plural(findings.len())
        )?;
        let hint = textwrap::fill(&escape::line(r.hint.trim()), textwrap::Options::new(WIDTH - 2));
        write!(out, "{}", indent(&hint, "  "))?;
        for (format, name) in [
            (InputFormat::TerraformPlan, "Terraform"),
            (InputFormat::Cloudformation, "CloudFormation"),
        ] {
            let mut types: Vec<&str> = findings
                .iter()
                .filter(|f| f.format == format)
                .map(|f| f.resource_type.as_str())
                .collect();
            types.sort_unstable();
            types.dedup();
            if types.is_empty() {
                continue;
            }
            if let Some(snippet) = r.snippet_for(format, &types, &control.scope.resource_types) {
                writeln!(out, "  {name} ({}):", escape::line(&types.join(", ")))?;
                write!(out, "{}", indent(&escape::terminal(&snippet), "    "))?;
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

/// `2 active, 1 expiring soon, 1 expired, 1 invalid, 1 unused` (states that occur).
fn inventory_line(entries: &[Entry]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for e in entries {
        let s = e.shown_state();
        match counts.iter_mut().find(|(k, _)| *k == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    counts.sort();
    counts
        .iter()
        .map(|(s, n)| format!("{n} {}", s.replace('-', " ")))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Location;

    /// The excerpt cut around the span is the one miette takes from the whole file.
    #[test]
    fn excerpts_match_miettes_own_over_the_whole_file() {
        let text: String = (1..=40)
            .map(|i| match i % 4 {
                0 => format!("line {i}\r\n"),
                1 => "\n".to_string(),
                _ => format!("  \"key{i}\": \"välue {i}\",\n"),
            })
            .collect();
        let file = Arc::new(SourceFile {
            path: "f.json".into(),
            display: "f.json".into(),
            repo_path: "f.json".into(),
            text: text.clone(),
        });
        let mut checked = 0;
        for offset in (0..text.len()).filter(|&o| text.is_char_boundary(o)).step_by(7) {
            let at = Location::from_offset(&text, offset, 3);
            let excerpt = Excerpt {
                file: Arc::clone(&file),
                line: at.line - 1,
                redacted: None,
            };
            for (len, before, after) in [(3, 1, 1), (1, 3, 2), (20, 2, 5)] {
                let span = SourceSpan::new(offset.into(), len.min(text.len() - offset));
                let whole = text.as_str().read_span(&span, before, after).unwrap();
                let cut = excerpt.read_span(&span, before, after).unwrap();
                assert_eq!(cut.data(), whole.data(), "offset {offset} {len} {before} {after}");
                assert_eq!(cut.span(), whole.span());
                assert_eq!(
                    (cut.line(), cut.column()),
                    (whole.line(), whole.column()),
                    "offset {offset}"
                );
                assert_eq!(cut.line_count(), whole.line_count());
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked}");
        // Without context: the span's whole line, where miette's own excerpt would show the span.
        let offset = text.find("key6").unwrap();
        let at = Location::from_offset(&text, offset, 4);
        let excerpt = Excerpt {
            file: Arc::clone(&file),
            line: at.line - 1,
            redacted: None,
        };
        let cut = excerpt.read_span(&SourceSpan::new(offset.into(), 4), 0, 0).unwrap();
        assert_eq!(std::str::from_utf8(cut.data()).unwrap(), "  \"key6\": \"välue 6\",");
        assert_eq!((cut.line(), cut.column()), (at.line - 1, 3));
        let out_of_bounds = SourceSpan::new((text.len() + 1).into(), 1);
        assert!(
            Excerpt {
                file,
                line: 0,
                redacted: None
            }
            .read_span(&out_of_bounds, 0, 0)
            .is_err()
        );
    }

    /// Excerpts redact the file's sensitive values and still point at the span.
    #[test]
    fn excerpts_redact_sensitive_values_around_the_span() {
        let secrets = Secrets::new([serde_json::json!("hunter2"), serde_json::json!(5432)].iter());
        let lines = [
            "{\"a\": \"hunter2\", \"b\": 1}",
            "{\"address\": \"aws_db_instance.x\", \"change\": {\"after\": {\"password\": \"hunter2\", \"port\": 5432}}}",
            "{\"c\": \"hunter2\"}",
        ];
        // The span on the first line (growth in front of it cannot be shifted) and further down.
        for top in [0, 1, 30] {
            let text = "\n".repeat(top) + &lines.join("\n") + "\n";
            let file = Arc::new(SourceFile {
                path: "plan.json".into(),
                display: "plan.json".into(),
                repo_path: "plan.json".into(),
                text: text.clone(),
            });
            for needle in ["\"address\"", "\"a\"", "\"c\""] {
                let offset = text.find(needle).unwrap();
                let at = Location::from_offset(&text, offset, needle.len());
                let span = SourceSpan::new(offset.into(), needle.len());
                let excerpt = Excerpt::new(&file, at.line - 1, &span, &secrets);
                assert!(excerpt.redacted.is_some());
                let cut = excerpt.read_span(&span, 1, 1).unwrap();
                let data = std::str::from_utf8(cut.data()).unwrap();
                assert!(
                    !data.contains("hunter2") && !data.contains("5432"),
                    "{top} {needle}: {data}"
                );
                assert!(data.contains("sensitive") || data.contains("*******"), "{data}");
                let label = span.offset() - cut.span().offset();
                assert!(data[label..].starts_with(needle), "{top} {needle}: {data} at {label}");
                let whole = text.as_str().read_span(&span, 1, 1).unwrap();
                assert_eq!(
                    (cut.line(), cut.line_count()),
                    (whole.line(), whole.line_count()),
                    "{top} {needle}"
                );
            }
            // No secrets: the file's own text.
            let span = SourceSpan::new(text.find("\"address\"").unwrap().into(), 9);
            assert!(Excerpt::new(&file, 0, &span, &Secrets::default()).redacted.is_none());
        }
    }
}
