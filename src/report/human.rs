//! Diagnostics for people: each finding points at its resource's line, with the control, its
//! severity and the remediation hint; a one-line summary closes the report.

use std::fmt;
use std::io::Write;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, SourceCode, SourceSpan, SpanContents,
};

use super::Report;
use crate::catalog::Severity;
use crate::exceptions::Entry;
use crate::finding::{Finding, Outcome};
use crate::model::SourceFile;

/// A file's text shared with the resources, so rendering copies nothing.
struct Shared(Arc<SourceFile>);

impl SourceCode for Shared {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.0.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.0.display.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// Longer lines (minified JSON) are not excerpted: the location is given in words instead.
const MAX_LINE: usize = 400;

struct FindingDiagnostic {
    title: String,
    code: String,
    severity: miette::Severity,
    help: String,
    label: String,
    span: SourceSpan,
    /// `None` when the resource's line is too long to show (minified JSON).
    source: Option<Shared>,
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

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
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
    let control = report.catalog.controls.get(&f.control_id);
    let title = control.map_or(f.control_id.as_str(), |c| c.title.as_str());
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
    let text = &f.source.text;
    let offset = f.location.offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let showable = line_end - line_start <= MAX_LINE;
    let mut title = format!(
        "{}: {what}\n[{}] {title} · rule {}{blocking}",
        f.resource,
        f.severity.as_str(),
        f.rule_id
    );
    if !showable {
        title.push_str(&format!(
            "\nat {}:{}:{}: {label}",
            f.file, f.location.line, f.location.column
        ));
    }
    if let Some(r) = &f.related {
        title.push_str(&format!("\nplanned in {}:{}", r.file, r.location.line));
    }
    if let Some(note) = &f.exception {
        title.push_str(&format!("\n{}", note.describe()));
        if note.excepts() {
            severity = miette::Severity::Advice;
        }
    }
    for note in &f.notes {
        title.push_str(&format!("\n{note}"));
    }
    FindingDiagnostic {
        title,
        code: f.control_id.clone(),
        severity,
        help: control.map_or_else(String::new, |c| {
            let r = &c.remediation;
            match r.snippet(f.format) {
                Some(snippet) => format!("{}\n\n{}", r.hint.trim(), snippet.trim_end()),
                None => r.hint.trim().to_string(),
            }
        }),
        label,
        span: SourceSpan::new(offset.into(), f.location.length.max(1)),
        source: showable.then(|| Shared(Arc::clone(&f.source))),
    }
}

pub fn write(report: &Report<'_>, out: &mut dyn Write, color: bool) -> std::io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(120);
    for f in &report.evaluation.findings {
        let mut rendered = String::new();
        handler
            .render_report(&mut rendered, &diagnostic(report, f))
            .map_err(std::io::Error::other)?;
        writeln!(out, "{}", rendered.trim_end())?;
        writeln!(out)?;
    }
    if !report.exceptions.is_empty() {
        writeln!(out, "exceptions: {}", inventory_line(report.exceptions))?;
    }
    writeln!(out, "controlgate: {}", report.summary())
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
