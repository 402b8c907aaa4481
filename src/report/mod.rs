//! Reporters: one per output format, all reading the same [`Report`].

pub mod catalog;
pub mod control_catalog;
pub mod escape;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod inventory;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod policytest;
pub mod rule_doc;
pub mod sarif;

use std::io::Write;

use crate::catalog::{Catalog, Severity};
use crate::evaluate::Evaluation;
use crate::exceptions::Entry;
use crate::exceptions::JudgedDay;
use crate::finding::{Finding, Outcome};
use crate::gate::{Changed, Decision, Verdict};
use crate::selection::Skips;
use crate::text::plural;

pub use crate::gate::UnknownPolicy;

/// Everything a reporter may show about a run.
pub struct Report<'a> {
    pub catalog: &'a Catalog,
    pub evaluation: &'a Evaluation,
    /// The exception inventory of the run.
    pub exceptions: &'a [Entry],
    /// Files that held resources.
    pub files: usize,
    /// The gate's decision, made once for the run: printers tell it, none computes it.
    pub gate: &'a Decision,
    /// Settings that differ from the defaults, weakening ones first: every format records them.
    pub changed: &'a [Changed],
    /// Rules and files the run left out: every format lists them.
    pub skips: &'a Skips,
    /// The CloudFormation parameter files applied, by template: they change verdicts.
    pub parameters: &'a [crate::parameters::ParameterUse],
    /// The day exceptions were judged on, and where it came from.
    pub day: Option<&'a JudgedDay>,
    pub sarif: SarifOptions,
}

/// What SARIF does with excepted findings. GitHub code scanning ignores `suppressions` and
/// opens an alert for a suppressed result like any other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SarifExcepted {
    /// Kept, with a `suppressions` entry (accepted, with the exception's justification).
    #[default]
    Suppress,
    /// Left out, so code scanning opens no alert for them.
    Omit,
}

/// SARIF settings of a run.
#[derive(Debug, Clone, Default)]
pub struct SarifOptions {
    /// `runAutomationDetails.id`: `category/` (or `category/run-id`), so several SARIF files of
    /// one commit (one per stack) do not replace each other's alerts.
    pub category: Option<String>,
    pub excepted: SarifExcepted,
    /// URIs are made relative to this directory (the repository root) and given the base
    /// `%SRCROOT%`, which `originalUriBaseIds` maps to it; without it they stay relative to the
    /// working directory.
    pub repo_root: Option<std::path::PathBuf>,
    /// The working directory the findings' paths are relative to.
    pub cwd: std::path::PathBuf,
}

impl Report<'_> {
    /// Whether this finding blocks the gate.
    pub fn blocks(&self, f: &Finding) -> bool {
        self.gate.policy.blocks(f)
    }

    pub fn blocking(&self) -> usize {
        self.gate.blocking
    }

    /// The settings that let through what the defaults would stop.
    pub fn weakened(&self) -> impl Iterator<Item = &Changed> {
        self.changed.iter().filter(|c| c.weakens)
    }

    /// Whether the run failed: every format then says so first.
    pub fn failed(&self) -> bool {
        self.gate.verdict == Verdict::Error
    }

    /// `3 failed (2 high, 1 medium), 1 unknown, 2 excepted, 12 passed; 8 resources in 2 files;
    /// gate: blocked by 4 findings`.
    pub fn summary(&self) -> String {
        let findings = &self.evaluation.findings;
        let open: Vec<&Finding> = findings.iter().filter(|f| !f.is_excepted()).collect();
        let failed: Vec<&&Finding> = open.iter().filter(|f| f.outcome == Outcome::Fail).collect();
        let unknown = open.len() - failed.len();
        let excepted = findings.len() - open.len();
        let passed: usize = self.evaluation.counts.values().map(|c| c.passed).sum();
        let by_severity: Vec<String> = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low]
            .iter()
            .filter_map(|s| {
                let n = failed.iter().filter(|f| f.severity == *s).count();
                (n > 0).then(|| format!("{n} {}", s.as_str()))
            })
            .collect();
        let by_severity = if by_severity.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_severity.join(", "))
        };
        let excepted = if excepted > 0 {
            format!(", {excepted} excepted")
        } else {
            String::new()
        };
        let gate = self.gate.headline();
        let skipped = self
            .skips
            .counts()
            .map(|c| format!("; skipped {c}"))
            .unwrap_or_default();
        format!(
            "{} failed{by_severity}, {unknown} unknown{excepted}, {passed} passed; {} resource{} in {} file{}{skipped}; {gate}",
            failed.len(),
            self.evaluation.resources,
            plural(self.evaluation.resources),
            self.files,
            plural(self.files),
        )
    }
}

/// An output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// Diagnostics for people, pointing at the line of each resource.
    #[default]
    Human,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// Findings and per-control counts, for scripts.
    Json,
    /// A Markdown summary for a pull request or a CI job summary.
    Markdown,
    /// GitHub Actions workflow commands (`::error file=…,line=…::`): annotations without
    /// code scanning.
    Github,
    /// JUnit XML test report (GitLab, Jenkins, Azure DevOps): a suite per control, a case per
    /// evaluated rule and resource.
    Junit,
    /// GitLab Code Quality report (`artifacts:reports:codequality`).
    Gitlab,
}

/// Write `report` in `format`.
pub fn write(format: Format, report: &Report<'_>, out: &mut dyn Write, style: human::Style) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(report, out, style),
        Format::Sarif => sarif::write(report, out),
        Format::Json => json::write(report, out),
        Format::Markdown => markdown::write(report, out),
        Format::Github => github::write(report, out),
        Format::Junit => junit::write(report, out),
        Format::Gitlab => gitlab::write(report, out),
    }
}
