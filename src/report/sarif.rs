//! SARIF 2.1.0 for GitHub code scanning: one SARIF rule per control, one result per finding.

use std::collections::BTreeMap;
use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, ReportingDescriptorReference,
    Result as SarifResult, ResultLevel, Run, RunAutomationDetails, Sarif, Suppression, Tool, ToolComponent,
};

use super::{Report, SarifExcepted, SarifOptions};
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

/// GitHub code scanning rejects a run with more results than this.
pub const MAX_RESULTS: usize = 25_000;

/// The most a SARIF log may weigh gzip-compressed, in bytes. GitHub code scanning rejects an
/// upload over 10 MB gzip-compressed; we read that as 10,000,000 bytes, the smaller sense, and
/// stop 1,000,000 short of it because what GitHub measures is not exactly what we measure (the
/// log as written, compressed by flate2 at the default level). `github/codeql-action/upload-sarif`
/// parses the log, adds a `primaryLocationLineHash` fingerprint to every result without one (all
/// of ours: about 13 bytes each compressed, some 330 kB for [`MAX_RESULTS`] results), serializes
/// it again without indentation (which saves about as much) and compresses it with zlib, whose
/// output differs slightly from flate2's.
pub const MAX_GZIP_BYTES: usize = 9_000_000;

/// The priority of a finding in a capped log: blocking before not, then the most severe first.
/// Sorting by it is stable, so equal findings keep the report's order.
fn priority(report: &Report<'_>, f: &Finding) -> (bool, std::cmp::Reverse<Severity>) {
    (!report.blocks(f), std::cmp::Reverse(f.severity))
}

/// The findings a SARIF log may carry: excepted ones left out when asked, and at most
/// [`MAX_RESULTS`], the most severe first (blocking before not, then in report order). Also
/// returns how many were left out for the cap. Below the cap the report's order is kept.
fn selected<'a>(report: &'a Report<'_>) -> (Vec<&'a Finding>, usize) {
    let mut chosen: Vec<&Finding> = report
        .evaluation
        .findings
        .iter()
        .filter(|f| !(report.sarif.excepted == SarifExcepted::Omit && f.is_excepted()))
        .collect();
    let dropped = chosen.len().saturating_sub(MAX_RESULTS);
    if dropped > 0 {
        chosen.sort_by_key(|f| priority(report, f));
        chosen.truncate(MAX_RESULTS);
    }
    (chosen, dropped)
}

/// The SARIF log of a report, serialized and fitted to GitHub code scanning's limits, with what
/// fitting it left out. Built once per run: [`write`] writes it and `check` warns about its caps.
#[derive(Debug)]
pub struct SarifLog {
    /// The log as written: pretty JSON and a newline.
    pub bytes: Vec<u8>,
    /// How many findings the log carries.
    pub results: usize,
    /// Findings left out for [`MAX_RESULTS`].
    pub over_count: usize,
    /// Findings left out (besides those of `over_count`) so that the log gzip-compresses to at
    /// most [`MAX_GZIP_BYTES`].
    pub over_size: usize,
    /// The gzip-compressed size of the log, when it was measured: only a log whose size alone
    /// does not prove it fits is compressed.
    pub gzip_bytes: Option<usize>,
    /// The gzip-compressed size of the log with every finding the count cap kept, when that was
    /// over the limit and `over_size` findings had to go.
    pub gzip_bytes_uncapped: Option<usize>,
    /// Controls whose rule carries [`MAX_TAGS`] tags and leaves out some framework ids, with how
    /// many it leaves out.
    pub tags_left_out: Vec<(String, usize)>,
    /// The gzip limit the log was fitted to: [`MAX_GZIP_BYTES`] but in tests.
    limit: usize,
}

/// The log serialized as [`write`] writes it.
fn serialize(sarif: &Sarif) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(sarif).expect("a SARIF log serializes");
    bytes.push(b'\n');
    bytes
}

/// Counts the bytes written to it.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The size of `bytes` gzip-compressed at the default level, as `upload-sarif` compresses them.
fn gzip_len(bytes: &[u8]) -> usize {
    let mut gz = GzEncoder::new(Counter(0), Compression::default());
    gz.write_all(bytes).expect("counting cannot fail");
    gz.finish().expect("counting cannot fail").0
}

/// Whether `len` bytes gzip-compress to at most `limit` bytes whatever they hold, so need not be
/// compressed to know. Deflate stores a block it cannot shrink, at a cost of 5 bytes per block
/// (of up to 64 KiB), and gzip adds 18 bytes of header and trailer: zlib's `deflateBound` puts the
/// worst case at about `len + len / 3000 + 25`. `len / 1024 + 64` leaves ample room.
fn surely_fits(len: usize, limit: usize) -> bool {
    len.saturating_add(len / 1024 + 64) <= limit
}

/// The log with the first `count` of `results`, serialized, and its gzip-compressed size.
/// `results` is whole again on return.
fn measure(sarif: &mut Sarif, results: &mut Vec<SarifResult>, count: usize) -> (Vec<u8>, usize) {
    let rest = results.split_off(count);
    sarif.runs[0].results = Some(std::mem::take(results));
    let bytes = serialize(sarif);
    *results = sarif.runs[0].results.take().unwrap_or_default();
    results.extend(rest);
    let gzip = gzip_len(&bytes);
    (bytes, gzip)
}

impl SarifLog {
    /// The SARIF log of `report`, within GitHub code scanning's limits.
    pub fn build(report: &Report<'_>) -> SarifLog {
        SarifLog::within(report, MAX_GZIP_BYTES)
    }

    /// The SARIF log of `report`, gzip-compressing to at most `limit` bytes if it can: when the
    /// whole log does not, the least severe findings (by [`priority`]) are left out, as few as
    /// a binary search over their number finds, so the log is compressed about log2(results)
    /// times rather than once per finding left out.
    fn within(report: &Report<'_>, limit: usize) -> SarifLog {
        let (chosen, over_count) = selected(report);
        let controls: Vec<&Control> = report.catalog.controls.values().collect();
        let index: BTreeMap<&str, usize> = controls.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
        let mut tags_left_out = Vec::new();
        let rules: Vec<ReportingDescriptor> = controls
            .iter()
            .map(|c| {
                let (mut rule, left_out) = descriptor(c);
                mark_skipped(&mut rule, report, c);
                if left_out > 0 {
                    tags_left_out.push((c.id.clone(), left_out));
                }
                rule
            })
            .collect();
        let results: Vec<SarifResult> = chosen
            .iter()
            .map(|f| result(f, index.get(f.control_id.as_str()).copied().unwrap_or(0), &report.sarif))
            .collect();
        let all = results.len();
        let mut sarif = skeleton(report, rules);
        sarif.runs[0].results = Some(results);
        let bytes = serialize(&sarif);
        let mut log = SarifLog {
            bytes,
            results: all,
            over_count,
            over_size: 0,
            gzip_bytes: None,
            gzip_bytes_uncapped: None,
            tags_left_out,
            limit,
        };
        if surely_fits(log.bytes.len(), limit) {
            return log;
        }
        let gzip = gzip_len(&log.bytes);
        log.gzip_bytes = Some(gzip);
        if gzip <= limit {
            return log;
        }
        log.gzip_bytes_uncapped = Some(gzip);

        // The most severe first (a no-op when `selected` already sorted them), then the largest
        // count that fits. `fits` holds the log of `lo` results (none yet for 0), which fits;
        // `hi` results do not fit.
        let mut ranked: Vec<(&Finding, SarifResult)> = chosen
            .into_iter()
            .zip(sarif.runs[0].results.take().unwrap_or_default())
            .collect();
        ranked.sort_by_key(|(f, _)| priority(report, f));
        let mut results: Vec<SarifResult> = ranked.into_iter().map(|(_, r)| r).collect();
        let (mut lo, mut hi) = (0, all);
        let mut fits = None;
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let (bytes, gzip) = measure(&mut sarif, &mut results, mid);
            if gzip <= limit {
                lo = mid;
                fits = Some((bytes, gzip));
            } else {
                hi = mid;
            }
        }
        // With no findings the log may still not fit (a catalog of thousands of controls): it is
        // written all the same, and `warnings` says the upload will be rejected.
        let (bytes, gzip) = fits.unwrap_or_else(|| measure(&mut sarif, &mut results, 0));
        log.bytes = bytes;
        log.gzip_bytes = Some(gzip);
        log.results = lo;
        log.over_size = all - lo;
        log
    }

    /// Write the log.
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(&self.bytes)
    }

    /// What the caps left out, one warning each (without a `warning: ` prefix).
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.over_count > 0 {
            warnings.push(format!(
                "SARIF carries the {MAX_RESULTS} most severe findings and leaves out {}: GitHub code scanning rejects more than {MAX_RESULTS} results per run",
                self.over_count
            ));
        }
        if let Some(uncapped) = self.gzip_bytes_uncapped {
            let limit = format!(
                "GitHub code scanning rejects uploads over 10 MB (controlgate stops at {})",
                megabytes(self.limit)
            );
            let gzip = self.gzip_bytes.unwrap_or(uncapped);
            warnings.push(if gzip > self.limit {
                format!(
                    "SARIF leaves out all {} findings and is still {} gzip-compressed: {limit}; the upload will be rejected",
                    self.over_size,
                    megabytes(gzip)
                )
            } else {
                format!(
                    "SARIF carries the {} most severe findings and leaves out {}{}: with them it would be {} gzip-compressed, and {limit}",
                    self.results,
                    self.over_size,
                    if self.over_count > 0 { " more" } else { "" },
                    megabytes(uncapped)
                )
            });
        }
        for (control, left_out) in &self.tags_left_out {
            warnings.push(format!(
                "SARIF rule {control} carries {MAX_TAGS} of its {} tags and leaves out {left_out} framework id{}: GitHub code scanning rejects more than {MAX_TAGS} tags per rule",
                MAX_TAGS + left_out,
                crate::text::plural(*left_out)
            ));
        }
        warnings
    }
}

/// `9.46 MB`: rounded up to two decimals, so that a size just over a limit does not read as the
/// limit.
fn megabytes(bytes: usize) -> String {
    format!("{:.2} MB", (bytes as f64 / 1e4).ceil() / 100.0)
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

#[cfg(test)]
mod tests {

    use super::*;
    use crate::catalog::Catalog;
    use crate::evaluate::Evaluation;
    use crate::gate::{Decision, Policy, UnknownPolicy};
    use crate::report::SarifOptions;

    /// A passing run that blocks on everything (tests here judge findings, not the verdict).
    static PASS: Decision = Decision {
        verdict: Verdict::Pass,
        policy: Policy {
            fail_on: Severity::Low,
            unknown: UnknownPolicy::Fail,
        },
        blocking: 0,
        errors: Vec::new(),
        soft_fail: false,
    };

    static NO_SKIPS: crate::selection::Skips = crate::selection::Skips {
        rules: Vec::new(),
        files: Vec::new(),
        patterns: Vec::new(),
    };

    fn finding(i: usize, severity: Severity) -> Finding {
        Finding::sample("TST-001", &format!("aws_x.y[{i}]"), severity)
    }

    fn report_of<'a>(catalog: &'a Catalog, evaluation: &'a Evaluation) -> Report<'a> {
        Report {
            catalog,
            evaluation,
            exceptions: &[],
            files: 1,
            gate: &PASS,
            changed: &[],
            skips: &NO_SKIPS,
            parameters: &[],
            day: None,
            sarif: SarifOptions::default(),
        }
    }

    fn evaluation(findings: Vec<Finding>) -> Evaluation {
        Evaluation {
            findings,
            ..Default::default()
        }
    }

    /// The resources of a log's results, in order.
    fn resources(bytes: &[u8]) -> Vec<String> {
        let log: Value = serde_json::from_slice(bytes).unwrap();
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["locations"][0]["logicalLocations"][0]["name"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    /// `len` characters that deflate cannot shrink much, different for each `seed`.
    fn noise(seed: u64, len: usize) -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..len)
            .map(|_| {
                // xorshift64
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                CHARS[(x % CHARS.len() as u64) as usize] as char
            })
            .collect()
    }

    #[test]
    fn results_are_capped_below_githubs_limit_keeping_the_most_severe() {
        let catalog = Catalog::default();
        let mut findings: Vec<Finding> = (0..MAX_RESULTS + 10).map(|i| finding(i, Severity::Low)).collect();
        findings.push(finding(999_999, Severity::Critical));
        let evaluation = evaluation(findings);
        let report = report_of(&catalog, &evaluation);
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

    /// 120 low findings, then a critical, a high and a medium one, and an excepted-by-nothing
    /// medium that does not block: the report's order puts the most severe last.
    fn mixed() -> Vec<Finding> {
        let mut findings: Vec<Finding> = (0..120).map(|i| finding(i, Severity::Low)).collect();
        findings.push(finding(200, Severity::Critical));
        findings.push(finding(201, Severity::High));
        findings.push(finding(202, Severity::Medium));
        findings.push(finding(203, Severity::High));
        findings
    }

    #[test]
    fn a_log_over_the_gzip_limit_keeps_the_most_severe_findings_that_fit() {
        let catalog = Catalog::default();
        let evaluation = evaluation(mixed());
        let report = report_of(&catalog, &evaluation);
        let whole = SarifLog::within(&report, usize::MAX);
        let whole_gzip = gzip_len(&whole.bytes);
        let limit = 2_000;
        assert!(
            whole_gzip > 2 * limit,
            "the test needs a log well over the limit: {whole_gzip}"
        );

        let log = SarifLog::within(&report, limit);
        let gzip = gzip_len(&log.bytes);
        assert!(gzip <= limit, "{gzip} bytes gzip-compressed, over {limit}");
        assert_eq!(log.gzip_bytes, Some(gzip));
        assert_eq!(log.gzip_bytes_uncapped, Some(whole_gzip));
        assert_eq!(log.over_count, 0);
        assert!(log.results >= 4 && log.over_size > 0, "{log:?}");
        assert_eq!(log.results + log.over_size, 124);
        let kept = resources(&log.bytes);
        assert_eq!(kept.len(), log.results);
        // Blocking and most severe first (stable: the two highs keep their order), then the lows
        // in the report's order.
        assert_eq!(
            kept[..5],
            [
                "aws_x.y[200]",
                "aws_x.y[201]",
                "aws_x.y[203]",
                "aws_x.y[202]",
                "aws_x.y[0]"
            ]
        );
        let lows: Vec<String> = (0..log.results - 4).map(|i| format!("aws_x.y[{i}]")).collect();
        assert_eq!(kept[4..], lows[..]);

        // As many as fit: one more finding, in the same order, does not.
        let by_index = |i: usize| {
            let resource = format!("aws_x.y[{i}]");
            evaluation
                .findings
                .iter()
                .find(|f| f.resource == resource)
                .unwrap()
                .clone()
        };
        let one_more = self::evaluation(
            [200, 201, 203, 202]
                .into_iter()
                .chain(0..=log.results - 4)
                .map(by_index)
                .collect(),
        );
        let one_more = SarifLog::within(&report_of(&catalog, &one_more), usize::MAX);
        assert_eq!(resources(&one_more.bytes)[..log.results], kept[..]);
        assert!(gzip_len(&one_more.bytes) > limit);

        // Deterministic, and written as built.
        assert_eq!(SarifLog::within(&report, limit).bytes, log.bytes);
        let mut written = Vec::new();
        log.write(&mut written).unwrap();
        assert_eq!(written, log.bytes);
        assert!(written.ends_with(b"}\n"));

        assert_eq!(
            log.warnings(),
            [format!(
                "SARIF carries the {} most severe findings and leaves out {}: with them it would be {} gzip-compressed, and GitHub code scanning rejects uploads over 10 MB (controlgate stops at 0.01 MB)",
                log.results,
                log.over_size,
                megabytes(whole_gzip)
            )]
        );
    }

    #[test]
    fn a_log_that_cannot_fit_leaves_out_every_finding_and_says_so() {
        let catalog = Catalog::default();
        let evaluation = evaluation(mixed());
        let report = report_of(&catalog, &evaluation);
        let log = SarifLog::within(&report, 100);
        assert_eq!((log.results, log.over_size), (0, 124));
        assert!(resources(&log.bytes).is_empty());
        let gzip = gzip_len(&log.bytes);
        assert_eq!(log.gzip_bytes, Some(gzip));
        assert!(gzip > 100);
        assert_eq!(
            log.warnings(),
            [format!(
                "SARIF leaves out all 124 findings and is still {} gzip-compressed: GitHub code scanning rejects uploads over 10 MB (controlgate stops at 0.01 MB); the upload will be rejected",
                megabytes(gzip)
            )]
        );
    }

    #[test]
    fn below_the_gzip_limit_nothing_is_left_out_or_reordered() {
        let catalog = Catalog::default();
        let evaluation = evaluation(mixed());
        let report = report_of(&catalog, &evaluation);
        let order: Vec<String> = evaluation.findings.iter().map(|f| f.resource.clone()).collect();
        let whole = SarifLog::within(&report, usize::MAX);
        let gzip = gzip_len(&whole.bytes);
        let raw = whole.bytes.len();
        assert!(gzip * 2 < raw);

        // Small enough not to need compressing: not compressed.
        let log = SarifLog::within(&report, raw + raw / 1024 + 64);
        assert_eq!((log.results, log.over_size, log.gzip_bytes), (124, 0, None));
        assert_eq!(resources(&log.bytes), order);
        // Too large for that but within the limit compressed: compressed, nothing left out.
        for limit in [raw, gzip] {
            let log = SarifLog::within(&report, limit);
            assert_eq!(
                (log.results, log.over_size, log.gzip_bytes),
                (124, 0, Some(gzip)),
                "limit {limit}"
            );
            assert_eq!(log.bytes, whole.bytes);
            assert!(log.warnings().is_empty());
        }
        // One byte less and the least severe finding goes.
        let log = SarifLog::within(&report, gzip - 1);
        assert_eq!((log.results, log.over_size), (123, 1));
        assert!(!resources(&log.bytes).contains(&"aws_x.y[119]".to_string()));
        // With the real limit, this small log is not even compressed.
        let log = SarifLog::build(&report);
        assert_eq!((log.results, log.over_size, log.gzip_bytes), (124, 0, None));
        // `write` writes what `SarifLog` built.
        let mut written = Vec::new();
        write(&report, &mut written).unwrap();
        assert_eq!(written, whole.bytes);
    }

    #[test]
    fn warnings_name_each_cap_that_applied() {
        let log = SarifLog {
            bytes: Vec::new(),
            results: 20_000,
            over_count: 11,
            over_size: 5_000,
            gzip_bytes: Some(8_999_990),
            gzip_bytes_uncapped: Some(11_234_567),
            tags_left_out: vec![("ABC-001".to_string(), 2), ("ABC-002".to_string(), 1)],
            limit: MAX_GZIP_BYTES,
        };
        assert_eq!(
            log.warnings(),
            [
                "SARIF carries the 25000 most severe findings and leaves out 11: GitHub code scanning rejects more than 25000 results per run",
                "SARIF carries the 20000 most severe findings and leaves out 5000 more: with them it would be 11.24 MB gzip-compressed, and GitHub code scanning rejects uploads over 10 MB (controlgate stops at 9.00 MB)",
                "SARIF rule ABC-001 carries 20 of its 22 tags and leaves out 2 framework ids: GitHub code scanning rejects more than 20 tags per rule",
                "SARIF rule ABC-002 carries 20 of its 21 tags and leaves out 1 framework id: GitHub code scanning rejects more than 20 tags per rule",
            ]
        );
        let log = SarifLog {
            results: 24_000,
            over_count: 0,
            over_size: 1_000,
            gzip_bytes: Some(8_950_000),
            gzip_bytes_uncapped: Some(9_004_000),
            tags_left_out: Vec::new(),
            ..log
        };
        assert_eq!(
            log.warnings(),
            [
                "SARIF carries the 24000 most severe findings and leaves out 1000: with them it would be 9.01 MB gzip-compressed, and GitHub code scanning rejects uploads over 10 MB (controlgate stops at 9.00 MB)"
            ]
        );
    }

    #[test]
    fn the_real_limit_caps_a_log_of_incompressible_findings() {
        let catalog = Catalog::default();
        // Four findings of 3.5 MB each, about 2.6 MB each gzip-compressed: three fit in 9 MB.
        let findings: Vec<Finding> = (0..4)
            .map(|i| {
                let mut f = finding(i, if i == 3 { Severity::High } else { Severity::Low });
                f.facts = vec![noise(i as u64, 3_500_000)];
                f
            })
            .collect();
        let evaluation = evaluation(findings);
        let report = report_of(&catalog, &evaluation);
        let log = SarifLog::build(&report);
        let gzip = gzip_len(&log.bytes);
        assert!(gzip <= MAX_GZIP_BYTES, "{gzip}");
        assert!(log.gzip_bytes_uncapped.unwrap() > MAX_GZIP_BYTES);
        assert_eq!(resources(&log.bytes), ["aws_x.y[3]", "aws_x.y[0]", "aws_x.y[1]"]);
        assert_eq!(log.over_size, 1);
    }

    #[test]
    fn rules_with_more_than_20_tags_are_cut_and_say_so() {
        let text = "id: TST-001\nversion: 1\ntitle: t\nintent: i\nseverity: low\nscope:\n  resourceTypes: [aws_s3_bucket]\nevidenceSources: [terraform-plan]\nexception:\n  allowed: false\nremediation:\n  mode: iac-change\n  hint: h\nframeworks:\n  nist-800-53: [A-1, A-2, A-3, A-4, A-5, A-6, A-7, A-8, A-9, A-10, A-11, A-12, A-13, A-14, A-15, A-16, A-17, A-18, A-19, A-20, A-21]\n";
        let control = crate::catalog::control::parse("TST-001.yaml", text).unwrap();
        let mut catalog = Catalog::default();
        catalog.controls.insert(control.id.clone(), control);
        let evaluation = evaluation(vec![finding(0, Severity::Low)]);
        let log = SarifLog::build(&report_of(&catalog, &evaluation));
        assert_eq!(log.tags_left_out, [("TST-001".to_string(), 4)]);
        let sarif: Value = serde_json::from_slice(&log.bytes).unwrap();
        let tags = sarif["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["tags"]
            .as_array()
            .unwrap();
        assert_eq!(tags.len(), MAX_TAGS);
        assert_eq!(tags[..3], ["TST-001", "security", "compliance"]);
        assert_eq!(tags[19], "nist-800-53/A-17");
        assert_eq!(
            log.warnings(),
            [
                "SARIF rule TST-001 carries 20 of its 24 tags and leaves out 4 framework ids: GitHub code scanning rejects more than 20 tags per rule"
            ]
        );
        // At 20 tags nothing is cut.
        let text = text.replace(", A-18, A-19, A-20, A-21", "");
        let control = crate::catalog::control::parse("TST-001.yaml", &text).unwrap();
        catalog.controls.insert(control.id.clone(), control);
        let log = SarifLog::build(&report_of(&catalog, &evaluation));
        assert!(log.tags_left_out.is_empty() && log.warnings().is_empty());
    }
}
