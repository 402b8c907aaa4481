//! The run pipeline of `check`: load the catalog, the registry and the inputs; evaluate; apply
//! the exceptions; let the gate decide; write every document. Each step is its stage's module;
//! this one only orders them.

use std::io::Write;
use std::path::Path;

use crate::catalog::Catalog;
use crate::config::{InvalidPolicy, Settings};
use crate::error::Error;
use crate::evaluate::Evaluation;
use crate::report::{Format, Report};
use crate::{catalog, change, evaluate, evidence, exceptions, gate, input, parameters, report, selection, text};

/// What a `check` run decided, and the errors behind an `error` verdict (for standard error).
#[derive(Debug)]
pub struct Outcome {
    pub verdict: gate::Verdict,
    /// The gate's exit code for that verdict (`--soft-fail` included): `main` returns it.
    pub exit_code: u8,
    pub errors: Vec<Error>,
}

/// The metrics of `settings`' catalog and registry; fixtures from the policy tests found (the
/// built-in pack's in `policies/tests` of the working directory, a pack's in `PACK/tests`, or all
/// in `tests`), noncompliance from `runs` when records were read.
pub fn metrics(
    settings: &Settings,
    tests: Option<&Path>,
    runs: Option<&[evidence::store::Record]>,
) -> Result<serde_json::Value, Vec<Error>> {
    let catalog = load_catalog(settings)?;
    let registry = load_exceptions(settings, &catalog)?;
    let inventory = exceptions::inventory(&registry, &settings.clock, None);
    let builtin_tests = settings.cwd.join(crate::policytest::BUILTIN_TESTS);
    let dir_of = |r: &catalog::Rule| -> Option<std::path::PathBuf> {
        if let Some(t) = tests {
            return Some(t.join(&r.id));
        }
        if r.origin.file.starts_with(catalog::BUILTIN_PREFIX) {
            return builtin_tests.is_dir().then(|| builtin_tests.join(&r.id));
        }
        settings.packs.iter().find_map(|p| match p {
            catalog::PackSource::Dir(d) if r.origin.file.starts_with(&d.display().to_string()) => {
                Some(d.join("tests")).filter(|t| t.is_dir()).map(|t| t.join(&r.id))
            }
            _ => None,
        })
    };
    let results: Vec<crate::policytest::RuleResult> = catalog
        .rules
        .iter()
        .filter(|r| r.deprecated.is_none())
        .filter_map(|r| dir_of(r).map(|d| crate::policytest::test_rule(&catalog, r, &d)))
        .collect();
    let found = tests.is_some() || !results.is_empty();
    Ok(evidence::metrics::metrics(&evidence::metrics::Sources {
        catalog: &catalog,
        tests: found.then_some(results.as_slice()),
        exceptions: &inventory,
        clock: settings.clock,
        runs,
    }))
}

/// Load the catalog of a run.
pub fn load_catalog(settings: &Settings) -> Result<Catalog, Vec<Error>> {
    catalog::load_with(&settings.packs, &settings.parameters, &settings.config_file)
        .map_err(|errs| errs.into_iter().map(Error::Policy).collect())
}

/// Load the exception registry of a run (none when no registry is configured). Entries with
/// problems are returned too, marked invalid; only a registry that cannot be read or parsed is
/// an error here.
pub fn load_exceptions(settings: &Settings, catalog: &Catalog) -> Result<Vec<exceptions::Exception>, Vec<Error>> {
    let Some(path) = &settings.exceptions else {
        return Ok(Vec::new());
    };
    let files = exceptions::registry::files(path).map_err(|e| vec![Error::Exception(e)])?;
    let roster = match &settings.approvers {
        Some(p) => Some(
            exceptions::roster::Roster::load(p)
                .map_err(|errs| errs.into_iter().map(Error::Exception).collect::<Vec<_>>())?,
        ),
        None => None,
    };
    exceptions::registry::load(&files, catalog, settings.clock.today, roster.as_ref())
        .map_err(|errs| errs.into_iter().map(Error::Exception).collect())
}

/// Everything a check produced, before it is written anywhere.
#[derive(Default)]
pub struct Run {
    pub catalog: Catalog,
    pub evaluation: Evaluation,
    /// The exception inventory, with how often each exception excepted a finding.
    pub inventory: Vec<exceptions::Entry>,
    /// Files that held resources.
    pub files: usize,
    /// The files as loaded, with their resources: held until the run is dropped, so that a
    /// process that exits after the run can leave freeing them to its exit
    /// ([`crate::config::Settings::leave_to_exit`]).
    pub loaded: Vec<input::LoadedFile>,
    /// Notes and warnings for standard error.
    pub messages: Vec<String>,
    /// What makes the run exit 2. Every file is still checked and every error kept.
    pub errors: Vec<Error>,
    /// Rules and files the run left out (`--check`, `--skip-check`, `--skip-path`).
    pub skips: selection::Skips,
    /// The parameter files applied to each CloudFormation template.
    pub parameters: Vec<parameters::ParameterUse>,
    /// The files judged, with what the change does to each resource (the run record's subjects).
    pub inputs: Vec<evidence::InputFile>,
    /// The policy, exception and roster files read, with their digests.
    pub policy_files: Vec<catalog::PolicyDigest>,
    /// The exception registry as read.
    pub registry: Vec<exceptions::Exception>,
    /// The change context, with the change record the change names.
    pub context: Option<change::Context>,
}

/// Load the catalog, the registry and the inputs; evaluate; apply the exceptions. Only an
/// invalid catalog stops before the inputs are read.
pub fn run(settings: &Settings) -> Result<Run, Vec<Error>> {
    let mut catalog = load_catalog(settings)?;
    let mut policy_files = catalog.files.clone();
    policy_files.extend(registry_digests(settings));
    let mut messages = Vec::new();
    // An unreadable registry fails the run, but the report is still written: nothing is excepted.
    let mut errors: Vec<Error> = Vec::new();
    let registry = load_exceptions(settings, &catalog).unwrap_or_else(|e| {
        errors.extend(e);
        Vec::new()
    });
    for problem in registry.iter().flat_map(exceptions::Exception::errors) {
        match settings.invalid_exceptions {
            InvalidPolicy::Fail => errors.push(Error::Exception(problem)),
            InvalidPolicy::Warn => messages.push(format!("warning: {problem} (invalid: it excepts nothing)")),
        }
    }

    // After the registry is read against the whole catalog: an exception for a skipped control
    // is still valid, only unused. An id that names nothing fails the run, and every rule is
    // then evaluated.
    let mut skips = selection::Skips::default();
    match settings.selection.apply(&mut catalog) {
        Ok(rules) => skips.rules = rules,
        Err(e) => errors.extend(e.into_iter().map(Error::Config)),
    }

    // Verdict-deciding paths are relative to the repository root (the one SARIF URIs use).
    let root = settings.sarif.repo_root.as_ref().unwrap_or(&settings.cwd);
    let root = &root.canonicalize().unwrap_or_else(|_| root.clone());
    let exclusions = input::Exclusions {
        patterns: &settings.skip_paths,
        named: settings.skip_other_files,
    };
    let mut found = input::walk_skipping(&settings.paths, &settings.cwd, Some(root), &exclusions);
    skips.files = std::mem::take(&mut found.excluded);
    for p in &settings.skip_paths {
        let files = skips
            .files
            .iter()
            .filter(|f| f.pattern == p.glob && f.source == p.source)
            .count();
        if files == 0 {
            messages.push(format!(
                "warning: --skip-path `{}` (from {}) matches no file: check the pattern (it is matched against paths relative to the repository root)",
                p.glob, p.source
            ));
        }
        skips.patterns.push(selection::PatternCount {
            pattern: p.glob.clone(),
            source: p.source.clone(),
            files,
        });
    }
    for (file, glob) in &found.named_matches {
        messages.push(format!(
            "note: {file} matches --skip-path `{glob}` but is checked: it is named on the command line (--skip-other-files applies the patterns to named files too)"
        ));
    }
    if settings.skip_other_files {
        found.candidates.iter_mut().for_each(|c| c.named = false);
    }
    let places = input::Places {
        cwd: &settings.cwd,
        root,
        source_roots: &settings.source_roots,
    };
    let mut loaded = input::load_all_in(&found.candidates, &places);
    // Parameter files change verdicts: one that cannot be read fails the run, and the templates
    // are then judged without any.
    let mut parameter_uses = Vec::new();
    match parameters::load_sources(&settings.parameter_sources, &settings.cwd) {
        Ok(sources) => {
            let (uses, errs) = parameters::apply(&sources, &mut loaded.files, &settings.cwd);
            parameter_uses = uses;
            errors.extend(errs.into_iter().map(Error::Input));
        }
        Err(errs) => errors.extend(errs.into_iter().map(Error::Input)),
    }
    // Nothing to check and nothing else wrong: without this, a wrong path would pass the gate.
    let nothing = loaded.files.is_empty() && loaded.errors.is_empty() && found.errors.is_empty();
    if nothing && !settings.allow_empty && !settings.skip_other_files {
        let mut e = input::nothing_found(&settings.paths, &settings.cwd);
        if !skips.files.is_empty() {
            e.message.push_str(&format!(
                " (--skip-path left out {} file{})",
                skips.files.len(),
                text::plural(skips.files.len())
            ));
        }
        found.errors.push(e);
    }
    errors.extend(found.errors.into_iter().chain(loaded.errors).map(Error::Input));
    loaded.skipped.splice(0..0, found.skipped);
    messages.extend(catalog.notes.iter().map(|n| format!("note: {n}")));
    messages.extend(loaded.notes.iter().map(|n| format!("note: {n}")));
    for s in &loaded.skipped {
        if s.unparseable {
            messages.push(format!("note: skipped {}: {}", s.file, s.reason));
        } else if settings.verbose {
            messages.push(format!("skipped {}: {}", s.file, s.reason));
        }
    }
    let quiet_skips = loaded.skipped.iter().filter(|s| !s.unparseable).count();
    if quiet_skips > 0 && !settings.verbose {
        messages.push(format!(
            "note: skipped {quiet_skips} JSON/YAML file(s) that are neither plans nor templates (--verbose lists them)"
        ));
    }

    messages.extend(input::cloudformation::foreach::notes(&loaded.files));
    messages.extend(settings.change.warnings.iter().map(|w| format!("warning: {w}")));
    // The tag is read only when nothing of higher precedence names the record.
    let tagged = match &settings.change.tag {
        Some(tag)
            if settings.change.given.is_none()
                && settings
                    .change
                    .detected
                    .as_ref()
                    .and_then(change::pull_request_record)
                    .is_none() =>
        {
            let (record, warnings) = change::tag_record(
                tag,
                loaded.files.iter().flat_map(|f| f.resources.iter().chain(&f.deleted)),
            );
            messages.extend(warnings.into_iter().map(|w| format!("warning: {w}")));
            record
        }
        _ => None,
    };
    let context = change::record(settings.change.detected.clone(), settings.change.given.clone(), tagged);
    let change_record = context
        .as_ref()
        .and_then(|c| c.change_record.as_ref())
        .map(|r| r.id.as_str());
    let inputs = loaded
        .files
        .iter()
        .map(|f| evidence::InputFile {
            name: f.source.repo_path.clone(),
            sha256: f.sha256.clone(),
            format: f.format,
            resources: f
                .resources
                .iter()
                .chain(&f.deleted)
                .map(|r| evidence::ResourceChange {
                    address: r.address.clone(),
                    resource_type: r.resource_type.clone(),
                    action: r.action,
                    environment: settings.environments.resolve(r),
                    region: r.region.clone().or_else(|| settings.region.clone()),
                })
                .collect(),
        })
        .collect();
    // Only JUnit shows the passing pairs, one test case each.
    let passes = settings.format == Format::Junit;
    let mut evaluation =
        evaluate::evaluate_recording(&catalog, &loaded.files, &settings.environments, change_record, passes);
    errors.extend(evaluation.errors.iter().cloned().map(Error::Evaluation));
    for f in evaluation.findings.iter_mut().filter(|f| f.region.is_none()) {
        f.region.clone_from(&settings.region);
    }
    let uses = exceptions::apply(
        &mut evaluation.findings,
        &registry,
        &settings.clock,
        settings.account.as_deref(),
    );
    for f in evaluation.findings.iter_mut().filter(|f| !f.inline.is_empty()) {
        f.notes = exceptions::inline::judge(f, &f.inline, &registry, &settings.clock);
    }
    let inventory = exceptions::inventory(&registry, &settings.clock, Some(&uses));
    messages.extend(
        exceptions::warnings(&inventory)
            .into_iter()
            .map(|w| format!("warning: {w}")),
    );
    Ok(Run {
        catalog,
        evaluation,
        inventory,
        files: loaded.files.len(),
        loaded: loaded.files,
        messages,
        errors,
        skips,
        parameters: parameter_uses,
        inputs,
        policy_files,
        registry,
        context,
    })
}

/// The digests of the exception registry's files and of the approver roster, named by their
/// place in the registry folder (or by file name), so that the names do not depend on where the
/// repository is. A file that cannot be read is left out: loading it fails the run.
fn registry_digests(settings: &Settings) -> Vec<catalog::PolicyDigest> {
    let mut out = Vec::new();
    let mut add = |role: &str, root: &Path, file: &Path| {
        if let Ok(bytes) = input::read::read(file) {
            out.push(catalog::PolicyDigest {
                role: role.into(),
                name: catalog::name_in(root, file),
                sha256: text::sha256_hex(&bytes),
            });
        }
    };
    if let Some(path) = &settings.exceptions {
        for file in exceptions::registry::files(path).unwrap_or_default() {
            add("exceptions", path, &file);
        }
    }
    if let Some(path) = &settings.approvers {
        add("approvers", path, path);
    }
    out
}

/// Run `check`: write the chosen document to `stdout` (or `--output`) and the extra documents;
/// notes, warnings and the summary of machine formats go to `stderr`.
pub fn check(settings: &Settings, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Outcome {
    let started = now();
    // A catalog that cannot be loaded still gets every document written, each saying the run
    // failed: a missing document could be mistaken for a clean one, or an older one kept.
    let (run, errors) = match run(settings) {
        Ok(mut r) => {
            let errors = std::mem::take(&mut r.errors);
            (r, errors)
        }
        Err(errors) => (Run::default(), errors),
    };
    let outcome = write_run(settings, &run, errors, &started, stdout, stderr);
    if settings.leave_to_exit {
        // Freeing the resources of a large plan costs a tenth of the run; the exit frees them.
        std::mem::forget(run);
    }
    outcome
}

/// The time, for the run record: RFC 3339 in UTC, to the millisecond.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Write every document of a run that failed before it could check anything (an invalid
/// configuration), each saying so.
pub fn report_failure(
    settings: &Settings,
    errors: Vec<Error>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Outcome {
    write_run(settings, &Run::default(), errors, &now(), stdout, stderr)
}

/// Decide the gate once and write every document of the run.
fn write_run(
    settings: &Settings,
    run: &Run,
    mut errors: Vec<Error>,
    started: &str,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Outcome {
    // `--quiet` keeps the warnings: they say what may let a change through.
    for m in run
        .messages
        .iter()
        .filter(|m| !settings.quiet || m.starts_with("warning:"))
    {
        let _ = writeln!(stderr, "{}", report::escape::line(m));
    }
    for c in settings.changed.iter().filter(|c| c.weakens) {
        let _ = writeln!(
            stderr,
            "warning: a setting weakens the gate: {}",
            report::escape::line(&c.describe())
        );
    }
    for line in run.skips.lines() {
        let _ = writeln!(stderr, "warning: {}", report::escape::line(&line));
    }
    let policy = gate::Policy {
        fail_on: settings.fail_on,
        unknown: settings.unknown,
    };
    let decision = gate::Decision::new(policy, &run.evaluation.findings, &errors).soft_fail(settings.soft_fail);
    let report = report_of(settings, run, &decision);
    // Built once for every SARIF document of the run: fitting it to GitHub code scanning's limits
    // may serialize and compress it several times.
    let sarif = (settings.format == Format::Sarif || settings.sarif_file.is_some())
        .then(|| report::sarif::SarifLog::build(&report));
    for warning in sarif.iter().flat_map(report::sarif::SarifLog::warnings) {
        let _ = writeln!(stderr, "warning: {}", report::escape::line(&warning));
    }
    let sarif = sarif.as_ref();
    let main_result = match &settings.output {
        Some(path) => write_file(path, settings.format, &report, sarif, settings.quiet),
        None => match write_stdout(settings, &report, sarif, stdout) {
            // The reader closed the pipe (`| head`): it wanted no more, and the run's verdict
            // stands. The extra documents are still written.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            result => result.map_err(|source| Error::Output {
                path: "standard output".into(),
                source,
            }),
        },
    };
    errors.extend(main_result.err());
    for (path, format) in [
        (&settings.sarif_file, Format::Sarif),
        (&settings.json_file, Format::Json),
    ] {
        if let Some(p) = path {
            errors.extend(write_file(p, format, &report, sarif, false).err());
        }
    }
    if settings.format != Format::Human || settings.output.is_some() {
        let _ = writeln!(stderr, "controlgate: {}", report.summary());
    }
    // A document that could not be written fails the run too, though the others were written
    // before it was known.
    let verdict = |errors: &[Error]| decision.after_output(!errors.is_empty()).0;
    // After the other documents, whose failed writes fail the run it records; before the step
    // outputs, which must tell a failed write of the record too.
    if let Some(path) = &settings.evidence {
        let times = Times {
            started: started.to_string(),
            finished: now(),
        };
        // A run that stopped before reading its inputs still records the CI's context.
        let context = run
            .context
            .clone()
            .or_else(|| change::record(settings.change.detected.clone(), settings.change.given.clone(), None));
        let context = serde_json::to_value(context).unwrap_or_default();
        let record = record(settings, run, &report, &errors, context, &times);
        errors.extend(write_json(path, &record).err());
    }
    // Written last, so its verdict is the run's, failed writes of the other documents included.
    if let Some(path) = &settings.github_output {
        let lines = format!(
            "findings={}\nblocking={}\nverdict={}\n",
            run.evaluation.findings.len(),
            decision.blocking,
            verdict(&errors).as_str()
        );
        errors.extend(append(path, &lines).err());
    }
    let (verdict, exit_code) = decision.after_output(!errors.is_empty());
    Outcome {
        verdict,
        exit_code,
        errors,
    }
}

/// Evaluate the files at hand with `settings` and compare the record that gives with `recorded`
/// (its context and times kept). Also the errors of the new evaluation, for standard error.
pub fn verify_evidence(
    settings: &Settings,
    name: &str,
    recorded: &serde_json::Value,
) -> (evidence::verify::Verification, Vec<Error>) {
    let (run, errors) = match run(settings) {
        Ok(mut r) => {
            let errors = std::mem::take(&mut r.errors);
            (r, errors)
        }
        Err(errors) => (Run::default(), errors),
    };
    let policy = gate::Policy {
        fail_on: settings.fail_on,
        unknown: settings.unknown,
    };
    let decision = gate::Decision::new(policy, &run.evaluation.findings, &errors).soft_fail(settings.soft_fail);
    let report = report_of(settings, &run, &decision);
    let at = |k: &str| {
        recorded
            .pointer(&format!("/predicate/{k}"))
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let times = Times {
        started: at("startedAt"),
        finished: at("finishedAt"),
    };
    let context = recorded.pointer("/predicate/context").cloned().unwrap_or_default();
    let actual = record(settings, &run, &report, &errors, context, &times);
    (evidence::verify::compare(name, recorded, &actual), errors)
}

/// The reader's view of a run, with the gate's decision.
fn report_of<'a>(settings: &'a Settings, run: &'a Run, decision: &'a gate::Decision) -> Report<'a> {
    Report {
        catalog: &run.catalog,
        evaluation: &run.evaluation,
        exceptions: &run.inventory,
        files: run.files,
        gate: decision,
        changed: &settings.changed,
        skips: &run.skips,
        parameters: &run.parameters,
        day: Some(&settings.day),
        sarif: settings.sarif.clone(),
    }
}

/// When a run started and ended (RFC 3339, UTC): the only parts of a record that differ
/// between two runs on the same files.
pub struct Times {
    pub started: String,
    pub finished: String,
}

/// The run record of `run`, decided with `errors` (a failed write of another document included).
fn record(
    settings: &Settings,
    run: &Run,
    report: &Report<'_>,
    errors: &[Error],
    context: serde_json::Value,
    times: &Times,
) -> serde_json::Value {
    let (verdict, exit_code) = report.gate.after_output(!errors.is_empty());
    let run_errors: Vec<gate::RunError> = errors.iter().map(gate::RunError::of).collect();
    evidence::statement(&evidence::RecordFacts {
        report,
        inputs: &run.inputs,
        policy_files: &run.policy_files,
        registry: &run.registry,
        registry_root: settings.exceptions.as_deref(),
        account: settings.account.as_deref(),
        region: settings.region.as_deref(),
        context,
        metrics: evidence::metrics::metrics(&evidence::metrics::Sources {
            catalog: &run.catalog,
            tests: None,
            exceptions: &run.inventory,
            clock: settings.clock,
            runs: None,
        }),
        verdict,
        exit_code,
        errors: &run_errors,
        started_at: &times.started,
        finished_at: &times.finished,
    })
}

/// Append `text` to the file at `path` (GitHub's output files are shared by every writer of a step).
fn append(path: &Path, text: &str) -> Result<(), Error> {
    let err = |source| Error::Output {
        path: path.display().to_string(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(err)?;
    file.write_all(text.as_bytes()).map_err(err)?;
    file.flush().map_err(err)
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), Error> {
    let err = |source| Error::Output {
        path: path.display().to_string(),
        source,
    };
    let mut text = serde_json::to_string_pretty(value).map_err(|e| err(e.into()))?;
    text.push('\n');
    std::fs::write(path, text).map_err(err)
}

/// Write `report` in `format`; SARIF as the log `check` built, when it built one.
fn write_as(
    format: Format,
    report: &Report<'_>,
    sarif: Option<&report::sarif::SarifLog>,
    out: &mut dyn Write,
    style: report::human::Style,
) -> std::io::Result<()> {
    match (format, sarif) {
        (Format::Sarif, Some(log)) => log.write(out),
        _ => report::write(format, report, out, style),
    }
}

/// Buffered: standard output is line-buffered, and a large document has a million lines.
fn write_stdout(
    settings: &Settings,
    report: &Report<'_>,
    sarif: Option<&report::sarif::SarifLog>,
    stdout: &mut dyn Write,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut *stdout);
    write_as(settings.format, report, sarif, &mut out, settings.style())?;
    out.into_inner().map_err(std::io::IntoInnerError::into_error)?.flush()
}

fn write_file(
    path: &Path,
    format: Format,
    report: &Report<'_>,
    sarif: Option<&report::sarif::SarifLog>,
    quiet: bool,
) -> Result<(), Error> {
    let shown = path.display().to_string();
    let err = |source| Error::Output {
        path: shown.clone(),
        source,
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(err)?);
    // A file gets no colors; `--quiet` still applies to it.
    let style = report::human::Style { color: false, quiet };
    write_as(format, report, sarif, &mut file, style).map_err(err)?;
    file.flush().map_err(err)
}
