//! Diagnostics for people: each finding points at its resource's line, with the control, its
//! severity and the remediation hint; a one-line summary closes the report.

use std::fmt;
use std::io::Write;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, SourceCode,
    SourceSpan, SpanContents,
};

use super::Report;
use crate::catalog::Severity;
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

struct FindingDiagnostic {
    title: String,
    code: String,
    severity: miette::Severity,
    help: String,
    label: String,
    span: SourceSpan,
    source: Shared,
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
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.label.clone()),
            self.span,
        ))))
    }
}

fn diagnostic(report: &Report<'_>, f: &Finding) -> FindingDiagnostic {
    let control = report.catalog.controls.get(&f.control_id);
    let title = control.map_or(f.control_id.as_str(), |c| c.title.as_str());
    let blocking = if report.blocks(f) {
        ""
    } else {
        " (does not block)"
    };
    let (what, severity) = match f.outcome {
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
    FindingDiagnostic {
        title: format!(
            "[{}] {} ({}): {what}{blocking}\n{} — {title} [{}]",
            f.severity.as_str(),
            f.resource,
            f.resource_type,
            f.control_id,
            f.rule_id
        ),
        code: f.control_id.clone(),
        severity,
        help: control.map_or_else(String::new, |c| c.remediation.hint.trim().to_string()),
        label,
        span: SourceSpan::new(f.location.offset.into(), f.location.length.max(1)),
        source: Shared(Arc::clone(&f.source)),
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
        .with_width(100);
    for f in &report.evaluation.findings {
        let mut rendered = String::new();
        handler
            .render_report(&mut rendered, &diagnostic(report, f))
            .map_err(std::io::Error::other)?;
        writeln!(out, "{}", rendered.trim_end())?;
        writeln!(out)?;
    }
    writeln!(out, "controlgate: {}", report.summary())
}
