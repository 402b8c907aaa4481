//! SARIF 2.1.0 for GitHub code scanning: one SARIF rule per control, one result per finding.
//! This module builds the log; [`limits`] fits it to what code scanning accepts.

mod limits;

pub use limits::{MAX_GZIP_BYTES, MAX_RESULTS, SarifLog};

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, ReportingDescriptorReference,
    Result as SarifResult, ResultLevel, Run, RunAutomationDetails, Sarif, Suppression, Tool, ToolComponent,
};

use super::{Report, SarifOptions};
use crate::catalog::{Control, Severity};
use crate::exceptions::ExceptionNote;
use crate::finding::{Finding, Outcome};
use crate::gate::Verdict;
use crate::paths::uri_path;

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

/// Where a control is documented: its own `helpUri` (or its pack's published file, from the
/// pack's `helpBaseUrl`), else, for a built-in control, its file in this project's repository
/// at this version's release tag (`main` moves on). A pack's control has no link of ours, even
/// when it takes a built-in control's id: the link would document another control.
pub fn help_uri(control: &Control) -> Option<String> {
    control.help_uri.clone().or_else(|| {
        let file = control.origin.file.strip_prefix(crate::catalog::BUILTIN_PREFIX)?;
        Some(format!(
            "{}/blob/v{}/{}",
            env!("CARGO_PKG_REPOSITORY"),
            env!("CARGO_PKG_VERSION"),
            uri_path(file)
        ))
    })
}

/// GitHub code scanning rejects a rule with more tags than this.
pub const MAX_TAGS: usize = 20;

/// A control's rule and how many of its tags it leaves out for [`MAX_TAGS`]: its id, `security`
/// and `compliance` come first, so only framework ids are ever left out.
fn descriptor(control: &Control) -> (ReportingDescriptor, usize) {
    let mut tags = vec![control.id.clone(), "security".to_string(), "compliance".to_string()];
    for (framework, ids) in &control.frameworks {
        tags.extend(ids.iter().map(|id| format!("{framework}/{id}")));
    }
    let left_out = tags.len().saturating_sub(MAX_TAGS);
    tags.truncate(MAX_TAGS);
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        json!(security_severity(control.severity)),
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
    let mut descriptor = ReportingDescriptor::builder()
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
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(control.severity).to_string()))
                .build(),
        )
        .properties(PropertyBag::builder().tags(tags).additional_properties(props).build())
        .build();
    descriptor.help_uri = help_uri(control);
    (descriptor, left_out)
}

/// A control whose rules the run skipped keeps its descriptor, saying which rules were not
/// evaluated (`skippedRules`) and whether that is all it has (`skipped`): a consumer can tell a
/// control with no results because nothing failed from one that was not checked.
fn mark_skipped(descriptor: &mut ReportingDescriptor, report: &Report<'_>, control: &Control) {
    let skipped = report.skips.rules_of(&control.id);
    if skipped.is_empty() {
        return;
    }
    let all = !report
        .catalog
        .rules
        .iter()
        .any(|r| r.control == control.id && r.deprecated.is_none());
    if let Some(props) = descriptor.properties.as_mut() {
        props
            .additional_properties
            .insert("skippedRules".into(), json!(skipped));
        props.additional_properties.insert("skipped".into(), json!(all));
    }
}

/// The base of URIs relative to the repository root.
const SRCROOT: &str = "%SRCROOT%";

/// The base of files outside the repository root: the file system's root (`file:///`).
const FSROOT: &str = "%FSROOT%";

/// The directory `%SRCROOT%` stands for: the repository root, or the working directory outside
/// a repository.
fn source_root(options: &SarifOptions) -> &std::path::Path {
    options.repo_root.as_deref().unwrap_or(&options.cwd)
}

/// `file` (relative to the working directory) as a path from the file system's root, `.` and
/// `..` resolved, `/`-separated, without the leading `/`.
fn from_fs_root(file: &str, options: &SarifOptions) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in options.cwd.join(file).components() {
        match c {
            std::path::Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            std::path::Component::Prefix(p) => parts.push(p.as_os_str().to_string_lossy().replace('\\', "/")),
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::RootDir | std::path::Component::CurDir => {}
        }
    }
    parts.join("/")
}

/// `file` relative to the source root, or `None` when it is outside it (`../…`).
fn under_source_root(file: &str, options: &SarifOptions) -> Option<String> {
    let relative = crate::paths::display_path(&options.cwd.join(file), source_root(options));
    let outside = relative == ".." || relative.starts_with("../") || std::path::Path::new(&relative).is_absolute();
    (!outside).then_some(relative)
}

/// An artifact location for a path relative to the working directory: relative to `%SRCROOT%`,
/// or, for a file outside it, to `%FSROOT%` (never a chain of `../`, which consumers resolve
/// differently or refuse).
fn artifact(file: &str, options: &SarifOptions) -> ArtifactLocation {
    match under_source_root(file, options) {
        Some(relative) => ArtifactLocation::builder()
            .uri(uri_path(&relative))
            .uri_base_id(SRCROOT)
            .build(),
        None => ArtifactLocation::builder()
            .uri(uri_path(&from_fs_root(file, options)))
            .uri_base_id(FSROOT)
            .build(),
    }
}

/// The score GitHub code scanning reads from `properties.security-severity`: its bands are
/// critical above 9.0, high from 7.0, medium from 4.0, low below.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Low => "3.0",
        Severity::Medium => "5.5",
        Severity::High => "8.0",
        Severity::Critical => "9.5",
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

/// How the run went. A failed run says so (`executionSuccessful: false`) with one notification
/// per error, so the log never reads as a clean scan: its results are what could be judged, not
/// all there was. (The Action uploads no SARIF from a failed run: code scanning would close the
/// open alerts of whatever could not be read.)
fn invocation(report: &Report<'_>) -> Invocation {
    let notifications: Vec<Notification> = report
        .gate
        .errors
        .iter()
        .map(|e| {
            let mut text = format!("{} error: {}: {}", e.kind, e.position(), e.message);
            if let Some(help) = &e.help {
                text.push_str(&format!(" (help: {help})"));
            }
            let mut n = Notification::builder()
                .message(Message::builder().text(text).build())
                .level(json!("error"))
                .build();
            // Only a file the run read is a location; `command line` and the like are not.
            if !e.file.is_empty() && report.sarif.cwd.join(&e.file).is_file() {
                let at = crate::model::Location {
                    line: e.line,
                    column: e.column,
                    offset: 0,
                    length: 0,
                };
                n.locations = Some(vec![
                    Location::builder()
                        .physical_location(physical(&e.file, &at, &report.sarif))
                        .build(),
                ]);
            }
            n
        })
        .collect();
    let mut invocation = Invocation::builder()
        .execution_successful(report.gate.verdict != Verdict::Error)
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    // The settings behind the results, and a warning for each that weakens the gate.
    let weakening: Vec<Notification> = report
        .weakened()
        .map(|c| {
            Notification::builder()
                .message(
                    Message::builder()
                        .text(format!("a setting weakens the gate: {}", c.describe()))
                        .build(),
                )
                .level(json!("warning"))
                .build()
        })
        .collect();
    let mut weakening = weakening;
    weakening.extend(skip_notifications(report));
    if !weakening.is_empty() {
        invocation.tool_configuration_notifications = Some(weakening);
    }
    let mut props = BTreeMap::new();
    if let Some(day) = report.day {
        props.insert("judgedDay".to_string(), json!(day.day));
        props.insert("judgedDaySource".to_string(), json!(day.source));
    }
    props.insert("settingsChanged".to_string(), json!(report.changed));
    if !report.skips.is_empty() || !report.skips.patterns.is_empty() {
        props.insert("skippedRules".to_string(), json!(report.skips.rules));
        props.insert("skippedFiles".to_string(), json!(report.skips.files));
        props.insert("skipPatterns".to_string(), json!(report.skips.patterns));
    }
    if report.gate.soft_fail {
        // Soft-fail hides the decision from the exit code: the log says it instead.
        props.insert("softFail".to_string(), json!(true));
        props.insert("exitCode".to_string(), json!(report.gate.exit_code()));
        props.insert("decision".to_string(), json!(report.gate.verdict.as_str()));
        props.insert("gate".to_string(), json!(report.gate.headline()));
    }
    invocation.properties = Some(PropertyBag::builder().additional_properties(props).build());
    invocation
}

/// One warning per skipped rule, tied to its control's descriptor, and one per `--skip-path`
/// pattern. Code scanning closes the open alerts of a category that an upload no longer
/// reports: uploaded to the category of a full run, a skipped rule's alerts close as if fixed.
fn skip_notifications(report: &Report<'_>) -> Vec<Notification> {
    let index: BTreeMap<&str, usize> = report
        .catalog
        .controls
        .keys()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let warning = |text: String| {
        Notification::builder()
            .message(Message::builder().text(text).build())
            .level(json!("warning"))
            .build()
    };
    let mut out: Vec<Notification> = report
        .skips
        .rules
        .iter()
        .map(|r| {
            let mut n = warning(format!(
                "rule skipped, not evaluated: {}; this log has no results for it, so code scanning closes its open alerts in this category",
                r.describe()
            ));
            let mut reference = ReportingDescriptorReference::builder().id(r.control.clone()).build();
            reference.index = index.get(r.control.as_str()).map(|&i| i as i64);
            n.associated_rule = Some(reference);
            n
        })
        .collect();
    for p in &report.skips.patterns {
        out.push(warning(format!(
            "--skip-path `{}` (from {}) left out {} file{}: they were not read",
            p.pattern,
            p.source,
            p.files,
            crate::text::plural(p.files)
        )));
    }
    out
}

/// The log without results.
fn skeleton(report: &Report<'_>, rules: Vec<ReportingDescriptor>) -> Sarif {
    let driver = ToolComponent::builder()
        .name("controlgate")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_REPOSITORY"))
        .rules(rules)
        .build();
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .invocations(vec![invocation(report)])
        .results(Vec::new())
        .column_kind(json!("unicodeCodePoints"))
        .build();
    let root = source_root(&report.sarif).display().to_string().replace('\\', "/");
    let root = root.trim_end_matches('/');
    let slash = if root.starts_with('/') { "" } else { "/" };
    let mut bases = BTreeMap::from([(
        SRCROOT.to_string(),
        ArtifactLocation::builder()
            .uri(format!("file://{slash}{}/", uri_path(root)))
            .build(),
    )]);
    let files = report
        .evaluation
        .findings
        .iter()
        .flat_map(|f| std::iter::once(&f.file).chain(f.related.as_ref().map(|r| &r.file)))
        .chain(report.gate.errors.iter().map(|e| &e.file).filter(|f| !f.is_empty()));
    if files.into_iter().any(|f| under_source_root(f, &report.sarif).is_none()) {
        bases.insert(FSROOT.to_string(), ArtifactLocation::builder().uri("file:///").build());
    }
    run.original_uri_base_ids = Some(bases);
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

/// Write the SARIF log of `report`, fitted to GitHub code scanning's limits.
pub fn write(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    SarifLog::build(report).write(out)
}
