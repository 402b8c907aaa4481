//! SARIF 2.1.0 for GitHub code scanning: one SARIF rule per control, one result per finding.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, RunAutomationDetails,
    Sarif, Suppression, Tool, ToolComponent,
};

use super::{Report, SarifExcepted, SarifOptions};
use crate::catalog::{Control, Severity};
use crate::exceptions::ExceptionNote;
use crate::finding::{Finding, Outcome};

/// The key of our entry in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "controlgate/v1";
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low => ResultLevel::Note,
    }
}

/// Where a control is documented: its own `helpUri`, else its file in the repository.
pub fn help_uri(control: &Control) -> String {
    control.help_uri.clone().unwrap_or_else(|| {
        format!(
            "{}/blob/main/policies/controls/{}.yaml",
            env!("CARGO_PKG_REPOSITORY"),
            control.id
        )
    })
}

fn descriptor(control: &Control) -> ReportingDescriptor {
    let mut tags = vec![control.id.clone(), "security".to_string(), "compliance".to_string()];
    for (framework, ids) in &control.frameworks {
        tags.extend(ids.iter().map(|id| format!("{framework}/{id}")));
    }
    // GitHub keeps at most 20 tags per rule.
    tags.truncate(20);
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        json!(control.severity.security_severity()),
    );
    props.insert("precision".to_string(), json!("high"));
    props.insert("severity".to_string(), json!(control.severity.as_str()));
    props.insert("frameworks".to_string(), json!(control.frameworks));
    let r = &control.remediation;
    let mapping: Vec<String> = control
        .frameworks
        .iter()
        .map(|(f, ids)| format!("{f}: {}", ids.join(", ")))
        .collect();
    let mut text = format!("{}\n\nRemediation: {}", control.intent.trim(), r.hint.trim());
    let mut markdown = format!(
        "**{}** ({}, severity {})\n\n{}\n\n### Remediation\n\n{}",
        control.title,
        control.id,
        control.severity.as_str(),
        control.intent.trim(),
        r.hint.trim()
    );
    for (name, lang, snippet) in [
        ("Terraform", "hcl", &r.terraform),
        ("CloudFormation", "yaml", &r.cloudformation),
    ] {
        if let Some(snippet) = snippet {
            text.push_str(&format!("\n\n{name}:\n{}", snippet.trim_end()));
            markdown.push_str(&format!("\n\n{name}:\n\n```{lang}\n{}\n```", snippet.trim_end()));
        }
    }
    text.push_str(&format!("\n\nFrameworks: {}", mapping.join("; ")));
    markdown.push_str("\n\n### Frameworks\n\n");
    markdown.push_str(
        &control
            .frameworks
            .iter()
            .map(|(f, ids)| format!("- {f}: {}", ids.join(", ")))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    ReportingDescriptor::builder()
        .id(control.id.clone())
        .name(control.title.clone())
        .short_description(MultiformatMessageString::builder().text(control.title.clone()).build())
        .full_description(
            MultiformatMessageString::builder()
                .text(control.intent.trim().to_string())
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(text)
                .markdown(markdown)
                .build(),
        )
        .help_uri(help_uri(control))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(control.severity).to_string()))
                .build(),
        )
        .properties(PropertyBag::builder().tags(tags).additional_properties(props).build())
        .build()
}

/// The base of URIs relative to the repository root.
const SRCROOT: &str = "%SRCROOT%";

/// An artifact location for a path relative to the working directory.
fn artifact(file: &str, options: &SarifOptions) -> ArtifactLocation {
    match &options.repo_root {
        Some(root) => ArtifactLocation::builder()
            .uri(crate::input::display_path(&options.cwd.join(file), root))
            .uri_base_id(SRCROOT)
            .build(),
        None => ArtifactLocation::builder().uri(file.to_string()).build(),
    }
}

/// A file (relative to the working directory) and a position in it.
fn physical(file: &str, at: &crate::model::Location, options: &SarifOptions) -> PhysicalLocation {
    PhysicalLocation::builder()
        .artifact_location(artifact(file, options))
        .region(
            Region::builder()
                .start_line(at.line.max(1) as i64)
                .start_column(at.column.max(1) as i64)
                .build(),
        )
        .build()
}

fn result(f: &Finding, rule_index: usize, options: &SarifOptions) -> SarifResult {
    let detail = if f.facts.is_empty() {
        String::new()
    } else {
        format!(": {}", f.facts.join("; "))
    };
    let mut text = match f.outcome {
        Outcome::Fail => format!(
            "{} ({}) {}{detail} [{}]",
            f.resource, f.resource_type, f.message, f.rule_id
        ),
        Outcome::Unknown => format!(
            "{} ({}) cannot be checked before deployment{detail} [{}]",
            f.resource, f.resource_type, f.rule_id
        ),
    };
    for note in f.exception.iter().map(|n| n.describe()).chain(f.notes.iter().cloned()) {
        text.push_str(&format!(". {note}"));
    }
    let level = match f.outcome {
        Outcome::Fail => level(f.severity),
        Outcome::Unknown => ResultLevel::Warning,
    };
    let location = Location::builder()
        .physical_location(physical(&f.file, &f.location, options))
        .logical_locations(vec![
            LogicalLocation::builder()
                .fully_qualified_name(f.resource.clone())
                .name(f.resource.clone())
                .kind("resource")
                .build(),
        ])
        .build();
    let mut props = BTreeMap::new();
    props.insert("ruleId".to_string(), json!(f.rule_id));
    props.insert("outcome".to_string(), json!(f.outcome));
    props.insert("severity".to_string(), json!(f.severity.as_str()));
    props.insert("resourceType".to_string(), json!(f.resource_type));
    props.insert("inputFormat".to_string(), json!(f.format.as_str()));
    if let Some(a) = f.action {
        props.insert("plannedAction".to_string(), json!(a));
    }
    if let Some(e) = &f.environment {
        props.insert("environment".to_string(), json!(e));
    }
    if let Some(note) = &f.exception {
        props.insert("exception".to_string(), json!(note));
    }
    let related: Vec<Location> = f
        .related
        .iter()
        .map(|r| {
            Location::builder()
                .id(1)
                .physical_location(physical(&r.file, &r.location, options))
                .message(Message::builder().text(format!("{} in the plan", f.resource)).build())
                .build()
        })
        .collect();
    let result = SarifResult::builder()
        .related_locations(related)
        .rule_id(f.control_id.clone())
        .rule_index(rule_index as i64)
        .level(level)
        .message(Message::builder().text(text).build())
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([(FINGERPRINT_KEY.to_string(), f.fingerprint.clone())]))
        .properties(PropertyBag::builder().additional_properties(props).build());
    match f.exception.as_ref().filter(|n| n.excepts()) {
        Some(note) => result.suppressions(vec![suppression(note)]).build(),
        None => result.build(),
    }
}

/// An excepted finding's registry exception, as SARIF records an accepted external suppression.
fn suppression(note: &ExceptionNote) -> Suppression {
    let mut props = BTreeMap::new();
    props.insert("exceptionId".to_string(), json!(note.id));
    props.insert("owner".to_string(), json!(note.owner));
    if let Some(a) = &note.approver {
        props.insert("approver".to_string(), json!(a));
    }
    if let Some(e) = note.expires {
        props.insert("expires".to_string(), json!(e.to_string()));
    }
    Suppression::builder()
        .kind(json!("external"))
        .status(json!("accepted"))
        .justification(note.reason.clone())
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build()
}

/// The SARIF log of a report.
/// GitHub code scanning rejects a run with more results than this.
pub const MAX_RESULTS: usize = 25_000;

/// The findings a SARIF log carries: excepted ones left out when asked, and at most
/// [`MAX_RESULTS`], the most severe first (blocking before not, then in report order). Also
/// returns how many were left out for the cap.
pub fn selected<'a>(report: &'a Report<'_>) -> (Vec<&'a Finding>, usize) {
    let mut chosen: Vec<&Finding> = report
        .evaluation
        .findings
        .iter()
        .filter(|f| !(report.sarif.excepted == SarifExcepted::Omit && f.is_excepted()))
        .collect();
    let dropped = chosen.len().saturating_sub(MAX_RESULTS);
    if dropped > 0 {
        // Stable sort: equal findings keep the report's order, so the output stays deterministic.
        chosen.sort_by_key(|f| (!report.blocks(f), std::cmp::Reverse(f.severity)));
        chosen.truncate(MAX_RESULTS);
    }
    (chosen, dropped)
}

pub fn log(report: &Report<'_>) -> Sarif {
    let controls: Vec<&Control> = report.catalog.controls.values().collect();
    let index: BTreeMap<&str, usize> = controls.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    let results: Vec<SarifResult> = selected(report)
        .0
        .into_iter()
        .map(|f| result(f, index.get(f.control_id.as_str()).copied().unwrap_or(0), &report.sarif))
        .collect();
    let driver = ToolComponent::builder()
        .name("controlgate")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_REPOSITORY"))
        .rules(controls.iter().map(|c| descriptor(c)).collect::<Vec<_>>())
        .build();
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .build();
    if let Some(root) = &report.sarif.repo_root {
        let uri = format!("file://{}/", root.display().to_string().trim_end_matches('/')).replace(' ', "%20");
        run.original_uri_base_ids = Some(BTreeMap::from([(
            SRCROOT.to_string(),
            ArtifactLocation::builder().uri(uri).build(),
        )]));
    }
    if let Some(c) = &report.sarif.category {
        // GitHub reads the category up to the last `/`.
        let id = if c.contains('/') { c.clone() } else { format!("{c}/") };
        run.automation_details = Some(RunAutomationDetails::builder().id(id).build());
    }
    Sarif::builder()
        .schema(SCHEMA)
        .version(Value::String("2.1.0".into()))
        .runs(vec![run])
        .build()
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(report))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::catalog::Catalog;
    use crate::evaluate::Evaluation;
    use crate::report::{SarifOptions, UnknownPolicy};

    fn finding(i: usize, severity: Severity) -> Finding {
        Finding::sample("TST-001", &format!("aws_x.y[{i}]"), severity)
    }

    #[test]
    fn results_are_capped_below_githubs_limit_keeping_the_most_severe() {
        let catalog = Catalog::default();
        let mut findings: Vec<Finding> = (0..MAX_RESULTS + 10).map(|i| finding(i, Severity::Low)).collect();
        findings.push(finding(999_999, Severity::Critical));
        let evaluation = Evaluation {
            findings,
            ..Default::default()
        };
        let report = Report {
            catalog: &catalog,
            evaluation: &evaluation,
            exceptions: &[],
            files: 1,
            fail_on: Severity::Low,
            unknown: UnknownPolicy::Fail,
            sarif: SarifOptions::default(),
        };
        let (chosen, dropped) = selected(&report);
        assert_eq!((chosen.len(), dropped), (MAX_RESULTS, 11));
        assert_eq!(chosen[0].resource, "aws_x.y[999999]", "the critical one comes first");
        // Below the cap nothing is reordered or dropped.
        let small = Evaluation {
            findings: (0..3).map(|i| finding(i, Severity::Low)).collect(),
            ..Default::default()
        };
        let report = Report {
            evaluation: &small,
            ..report
        };
        let (chosen, dropped) = selected(&report);
        assert_eq!((chosen.len(), dropped), (3, 0));
    }
}
