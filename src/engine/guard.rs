//! Guard-DSL rules (AWS CloudFormation Guard) through the `cfn-guard` crate.
//!
//! The crate's evaluator is private: the public route is its `validate` command in payload mode
//! with a structured JSON report, run on in-memory buffers. Every byte it writes lands in those
//! buffers, never on stdout or stderr. It never reads a file: the rule text is read once by the
//! catalog and the data is what controlgate's own loader produced.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::sync::Arc;

use cfn_guard::commands::Executable;
use cfn_guard::commands::validate::{OutputFormatType, ShowSummaryType};
use cfn_guard::utils::reader::{ReadBuffer, Reader};
use cfn_guard::utils::writer::{WriteBuffer, Writer};
use cfn_guard::{CommandBuilder, ValidateBuilder};
use serde_json::{Value, json};

use super::{CompiledRule, Neighbours, Truth, Verdict};
use crate::error::Located;
use crate::model::{InputFormat, Resource};

/// Deepest data handed to Guard. Its evaluator recurses without a bound (200,000 levels abort
/// the process, 2,000 take seconds); CloudFormation templates nest a few dozen levels.
pub const MAX_DEPTH: usize = 64;

/// The data text a group of Guard files may share (files × data length), see
/// [`GuardBatch::groups`].
const GROUP_BYTES: usize = 64 << 20;

/// The failures that name no resource shown on each resource; the rest are counted.
const MAX_UNPLACED_FACTS: usize = 5;

/// The longest Guard message kept whole, in characters.
const MAX_MESSAGE: usize = 600;

/// Cut every message longer than [`MAX_MESSAGE`]: cfn-guard quotes the value a check traversed
/// to, which may be the whole `Resources` section, and a finding repeats its messages on every
/// resource. Runs after [`redact`], so no secret is left half cut.
fn shorten(report: &mut Report) {
    let cut = |m: &mut String| {
        if let Some((at, _)) = m.char_indices().nth(MAX_MESSAGE) {
            let more = m[at..].chars().count();
            m.truncate(at);
            m.push_str(&format!("… ({more} characters more)"));
        }
    };
    for rule in report.values_mut() {
        rule.failures.values_mut().flatten().for_each(|f| cut(&mut f.message));
        rule.unplaced.iter_mut().for_each(cut);
    }
}

/// Each string of `list` once, first occurrences in order.
fn distinct(list: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    list.retain(|m| seen.insert(m.clone()));
}

/// cfn-guard's exit codes.
const PASS: i32 = 0;
const FAIL: i32 = 19;

/// How a Guard rule came out on a whole input, as cfn-guard itself counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    /// The rule's type filter or `when` guard selected nothing.
    Skip,
}

impl Status {
    /// The word cfn-guard's reports and test files use.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
        }
    }
}

/// One failed check of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The rule's custom message (`<< ... >>`) when written, else cfn-guard's own.
    pub message: String,
    /// Where in the resource the check failed, from its `/Resources/<id>` path on
    /// (`/Properties/VersioningConfiguration/Status`); empty at the resource itself.
    pub path: String,
    /// It fails on one reading of a scalar YAML 1.1 and 1.2 read differently, not the other:
    /// undecidable, as for native rules.
    pub two_ways: bool,
}

/// One rule's result on an input: its status and its failures placed on resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleReport {
    pub status: Status,
    /// By resource logical id (Terraform: address), in report order.
    pub failures: BTreeMap<String, Vec<Failure>>,
    /// Failures whose paths name no resource (a check on `Parameters`, a required resource
    /// missing): they count against every resource the rule is about.
    pub unplaced: Vec<String>,
}

/// Per Guard rule name.
pub type Report = BTreeMap<String, RuleReport>;

/// A `.guard` file, parsed once.
#[derive(Debug)]
pub struct GuardFile {
    file: String,
    text: String,
    /// The `rule NAME` names, in file order.
    names: Vec<String>,
}

impl GuardFile {
    /// Parse `text` (the content of `file`), reporting a syntax error at its 1-based line.
    pub fn compile(file: &str, text: &str) -> Result<GuardFile, Located> {
        let names = rule_names(text);
        if names.is_empty() {
            return Err(Located::new(file, 0, 0, "this Guard file names no rule").with_help(
                "write each check as a named rule (`rule S3_BUCKET_VERSIONING { ... }`): its name is the rule's permanent id",
            ));
        }
        // Parsing against empty data: a syntax error is exit code 5 with the message in the
        // error buffer; the crate has no other way to report it.
        let (code, _, err) = run(&[text], "{}", true).map_err(|e| Located::new(file, 0, 0, e))?;
        if code != PASS && code != FAIL {
            let (line, column) = position(&err);
            // `Parsing error handling rule file = RULES_STDIN[1], Error = Parser Error when
            // parsing `Parsing Error Error parsing file RULES_STDIN[1] at line 2 at column 17,
            // when handling expecting ..., fragment ...`: keep what it expected.
            let message = err
                .split(", when handling ")
                .nth(1)
                .and_then(|rest| rest.split(", fragment").next())
                .filter(|m| !m.trim().is_empty())
                .unwrap_or(err.trim())
                .to_string();
            return Err(
                Located::new(file, line, column, format!("Guard syntax error: {message}"))
                    .with_help("see https://docs.aws.amazon.com/cfn-guard/latest/ug/writing-rules.html"),
            );
        }
        Ok(GuardFile {
            file: file.to_string(),
            text: text.to_string(),
            names,
        })
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The names of the file's rules, in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Run every rule of the file once on `data` (a whole template, or a plan in the template
    /// shape), placing each failed check on the resource under `Resources` its paths name.
    /// Data deeper than [`MAX_DEPTH`] is an error, never handed to Guard.
    pub fn evaluate(&self, data: &Value) -> Result<Report, String> {
        if exceeds_depth(data, MAX_DEPTH) {
            return Err(too_deep(&self.file));
        }
        let text = serde_json::to_string(data).map_err(|e| e.to_string())?;
        let mut reports = evaluate_group(&[self], &text, &resource_ids(data))?;
        Ok(reports.pop().unwrap_or_default())
    }
}

fn too_deep(file: &str) -> String {
    format!("the input nests deeper than {MAX_DEPTH} levels, the most Guard rules ({file}) are evaluated on")
}

/// The logical ids under `Resources`, on which failures are placed.
fn resource_ids(data: &Value) -> Vec<&str> {
    data.get("Resources")
        .and_then(Value::as_object)
        .map(|r| r.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// One cfn-guard run of several files on the data `text`, so that Guard parses the data once
/// for all of them: each file's report, in order. The files' rule names must differ, since
/// cfn-guard reports rules by name.
fn evaluate_group(files: &[&GuardFile], text: &str, ids: &[&str]) -> Result<Vec<Report>, String> {
    let rules: Vec<&str> = files.iter().map(|f| f.text.as_str()).collect();
    let shown = || files.iter().map(|f| f.file.as_str()).collect::<Vec<_>>().join(", ");
    let (code, out, _) = run(&rules, text, false)?;
    if code != PASS && code != FAIL {
        return Err(format!("cfn-guard failed on {} (exit code {code})", shown()));
    }
    let names: Vec<String> = files.iter().flat_map(|f| f.names.iter().cloned()).collect();
    let mut all = parse_report(&out, &names, ids).map_err(|e| format!("{}: {e}", shown()))?;
    Ok(files
        .iter()
        .map(|f| f.names.iter().filter_map(|n| all.remove_entry(n)).collect())
        .collect())
}

/// The Guard files of one rule set (a registry mapping, a pack's file), evaluated together on
/// each input: a file's rules share one cfn-guard run, and one parse of the data, with the
/// other files of their group, and the groups run on every core.
#[derive(Debug)]
pub struct GuardBatch {
    files: Vec<Arc<GuardFile>>,
}

/// Each file's report on an input, in the batch's order: an error belongs to its file.
pub type BatchReports = Vec<Result<Arc<Report>, String>>;

impl GuardBatch {
    pub fn new(files: Vec<Arc<GuardFile>>) -> Arc<GuardBatch> {
        Arc::new(GuardBatch { files })
    }

    /// [`GuardFile::evaluate_loaded`] of every file of the batch, on data as controlgate's
    /// loader produced it. A group whose run fails is run again file by file, so that an error
    /// names its own file and spares the others.
    pub fn evaluate_loaded(&self, data: &Value) -> Vec<Result<Report, String>> {
        self.evaluate_on(data, rayon::current_num_threads())
    }

    fn evaluate_on(&self, data: &Value, threads: usize) -> Vec<Result<Report, String>> {
        if exceeds_depth(data, MAX_DEPTH) {
            return self.files.iter().map(|f| Err(too_deep(&f.file))).collect();
        }
        if !holds_readings(data) {
            return self.evaluate_reading(data, threads);
        }
        let yaml11 = self.evaluate_reading(&reading(data, 1), threads);
        let yaml12 = self.evaluate_reading(&reading(data, 0), threads);
        yaml11.into_iter().zip(yaml12).map(|(a, b)| Ok(merge(a?, b?))).collect()
    }

    fn evaluate_reading(&self, data: &Value, threads: usize) -> Vec<Result<Report, String>> {
        let text = match serde_json::to_string(data) {
            Ok(t) => t,
            Err(e) => return self.files.iter().map(|_| Err(e.to_string())).collect(),
        };
        let ids = resource_ids(data);
        let groups = self.groups(threads, text.len());
        let one = |group: &[usize]| -> Vec<Result<Report, String>> {
            let files: Vec<&GuardFile> = group.iter().map(|&i| &*self.files[i]).collect();
            match evaluate_group(&files, &text, &ids) {
                Ok(reports) => reports.into_iter().map(Ok).collect(),
                Err(_) if files.len() > 1 => files
                    .iter()
                    .map(|f| evaluate_group(&[f], &text, &ids).map(|mut r| r.pop().unwrap_or_default()))
                    .collect(),
                Err(e) => vec![Err(e)],
            }
        };
        // Plain threads rather than rayon: this runs inside a per-file memo that other rayon
        // workers wait on, and a rayon join here could steal a task that waits on it too.
        let threads = threads.min(groups.len()).max(1);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let mut done: Vec<(usize, Vec<Result<Report, String>>)> = if threads == 1 {
            groups.iter().enumerate().map(|(g, group)| (g, one(group))).collect()
        } else {
            std::thread::scope(|scope| {
                let workers: Vec<_> = (0..threads)
                    .map(|_| {
                        scope.spawn(|| {
                            let mut mine = Vec::new();
                            loop {
                                let g = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                let Some(group) = groups.get(g) else { break mine };
                                mine.push((g, one(group)));
                            }
                        })
                    })
                    .collect();
                workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect()
            })
        };
        done.sort_by_key(|(g, _)| *g);
        let mut out: Vec<Option<Result<Report, String>>> = self.files.iter().map(|_| None).collect();
        for (g, results) in done {
            for (&i, r) in groups[g].iter().zip(results) {
                out[i] = Some(r);
            }
        }
        // A worker that panicked leaves its groups unreported: an error, never a pass.
        out.into_iter()
            .zip(&self.files)
            .map(|(r, f)| r.unwrap_or_else(|| Err(format!("cfn-guard did not report on {}", f.file))))
            .collect()
    }

    /// The files in groups of consecutive files whose rule names differ, about four per thread
    /// so that the threads finish together. cfn-guard keeps a copy of the data for every file
    /// of a run until it reports, and its report quotes the values it compared, so a group's
    /// memory grows with its files times the data: [`GROUP_BYTES`] of data text per group, a
    /// file at a time on large inputs.
    fn groups(&self, threads: usize, data_len: usize) -> Vec<Vec<usize>> {
        let size = self
            .files
            .len()
            .div_ceil(4 * threads.max(1))
            .min(GROUP_BYTES / data_len.max(1))
            .max(1);
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut names: std::collections::HashSet<&str> = Default::default();
        for (i, f) in self.files.iter().enumerate() {
            let clash = f.names.iter().any(|n| names.contains(n.as_str()));
            match groups.last_mut() {
                Some(g) if g.len() < size && !clash => g.push(i),
                _ => {
                    names.clear();
                    groups.push(vec![i]);
                }
            }
            names.extend(f.names.iter().map(String::as_str));
        }
        groups
    }
}

impl GuardFile {
    /// [`GuardFile::evaluate`] on data as controlgate's loader produced it. A scalar YAML 1.1
    /// and YAML 1.2 read differently (`yes`: true in 1.1, the string in 1.2) is held as both
    /// readings; Guard is handed each reading in turn and a rule fails when it fails on either,
    /// as native rules do: a template's value never passes for want of knowing how it is read.
    pub fn evaluate_loaded(&self, data: &Value) -> Result<Report, String> {
        if !holds_readings(data) {
            return self.evaluate(data);
        }
        let yaml11 = self.evaluate(&reading(data, 1))?;
        let yaml12 = self.evaluate(&reading(data, 0))?;
        Ok(merge(yaml11, yaml12))
    }
}

/// Whether a value holds a two-readings scalar.
fn holds_readings(value: &Value) -> bool {
    match value {
        Value::Object(map) => crate::model::readings_of(value).is_some() || map.values().any(holds_readings),
        Value::Array(items) => items.iter().any(holds_readings),
        _ => false,
    }
}

/// `value` with each two-readings scalar replaced by its reading `which` (0: YAML 1.2, 1: 1.1).
fn reading(value: &Value, which: usize) -> Value {
    if let Some(readings) = crate::model::readings_of(value) {
        return readings.get(which).cloned().unwrap_or(Value::Null);
    }
    match value {
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), reading(v, which))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(|v| reading(v, which)).collect()),
        other => other.clone(),
    }
}

/// One report from the reports on each reading: a rule fails when it fails on either; a
/// failure at a path where only one reading fails is undecidable ([`Failure::two_ways`]).
fn merge(yaml11: Report, yaml12: Report) -> Report {
    let mut merged = yaml11;
    for (name, other) in yaml12 {
        let Some(rule) = merged.get_mut(&name) else {
            merged.insert(name, other);
            continue;
        };
        rule.status = match (rule.status, other.status) {
            (Status::Fail, _) | (_, Status::Fail) => Status::Fail,
            (Status::Pass, _) | (_, Status::Pass) => Status::Pass,
            _ => Status::Skip,
        };
        let mut ids: Vec<String> = rule.failures.keys().chain(other.failures.keys()).cloned().collect();
        ids.sort();
        ids.dedup();
        for id in ids {
            let theirs = other.failures.get(&id).map_or(&[][..], Vec::as_slice);
            let ours = rule.failures.entry(id).or_default();
            let our_paths: Vec<String> = ours.iter().map(|f| f.path.clone()).collect();
            for f in ours.iter_mut() {
                f.two_ways = !theirs.iter().any(|t| t.path == f.path);
            }
            for t in theirs.iter().filter(|t| !our_paths.contains(&t.path)) {
                ours.push(Failure {
                    two_ways: true,
                    ..t.clone()
                });
            }
        }
        let ours: std::collections::HashSet<String> = rule.unplaced.iter().cloned().collect();
        for m in other.unplaced {
            if !ours.contains(&m) {
                rule.unplaced.push(format!("{m} (as YAML 1.2 reads the template)"));
            }
        }
    }
    merged
}

/// The data a Guard rule sees for an input file: the template's sections, and under
/// `Resources` each resource as controlgate's loader read it (`Type`, `Properties`), with the
/// other attributes written in the template (`parts`). Other scanners' suppression entries in
/// `Metadata` (`guard`, `cfn_nag`, ...) are not handed over: only the exception registry
/// suppresses.
pub fn document(resources: &[Resource], parts: &crate::input::TemplateParts) -> Value {
    let mut top = parts.sections.clone();
    let mut declared = serde_json::Map::new();
    for r in resources {
        let mut resource = parts.attributes.get(&r.address).cloned().unwrap_or_default();
        resource.insert("Type".to_string(), json!(r.resource_type));
        let unwritten = parts.without_properties.contains(&r.address) && r.properties == json!({});
        if !unwritten {
            resource.insert("Properties".to_string(), r.properties.clone());
        }
        declared.insert(r.address.clone(), Value::Object(resource));
    }
    top.insert("Resources".to_string(), Value::Object(declared));
    Value::Object(top)
}

/// Replace every message that may show a sensitive value: cfn-guard's own messages quote the
/// values they compared, and a plan holds its secrets in clear text beside their marks. A
/// message is replaced when its check is at (or above) a value marked sensitive, or when it
/// holds any sensitive scalar of the file (a `NoEcho` parameter's default included).
fn redact(report: &mut Report, resources: &[Resource], sections: &serde_json::Map<String, Value>) {
    let mut secrets: Vec<String> = Vec::new();
    let mut add = |v: &Value| match v {
        Value::String(s) if !s.is_empty() => secrets.push(s.clone()),
        Value::Number(n) => secrets.push(n.to_string()),
        _ => {}
    };
    resources.iter().flat_map(|r| &r.sensitive_values).for_each(&mut add);
    for p in sections
        .get("Parameters")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.values())
    {
        let no_echo = p
            .get("NoEcho")
            .is_some_and(|n| n == &json!(true) || n == &json!("true"));
        if no_echo && let Some(d) = p.get("Default") {
            add(d);
        }
    }
    if secrets.is_empty() && resources.iter().all(|r| r.sensitive_paths.is_empty()) {
        return;
    }
    let shows_secret = |m: &str| secrets.iter().any(|s| m.contains(s.as_str()));
    let by_id: BTreeMap<&str, &Resource> = resources.iter().map(|r| (r.address.as_str(), r)).collect();
    for rule in report.values_mut() {
        for (id, failures) in rule.failures.iter_mut() {
            let resource = by_id.get(id.as_str());
            for f in failures.iter_mut() {
                let at = f.path.strip_prefix("/Properties").unwrap_or("");
                // At a sensitive value, inside one, or above one (a message may print the object).
                let sensitive_path = resource.is_some_and(|r| {
                    r.is_sensitive(at)
                        || r.sensitive_paths
                            .iter()
                            .any(|s| at.is_empty() || s.starts_with(&format!("{at}/")))
                });
                if sensitive_path || shows_secret(&f.message) {
                    f.message = format!(
                        "a Guard check fails at `{}`; the value is sensitive and not shown",
                        if f.path.is_empty() { "/" } else { &f.path }
                    );
                }
            }
        }
        for m in rule.unplaced.iter_mut() {
            if shows_secret(m) {
                *m = "a Guard check fails; the value is sensitive and not shown".to_string();
            }
        }
    }
}

/// One Guard rule of a file: the seam's compiled rule.
#[derive(Debug)]
pub struct GuardRule {
    pub file: Arc<GuardFile>,
    /// The rule set the file is evaluated with, and the file's place in it.
    pub batch: Arc<GuardBatch>,
    pub index: usize,
    pub name: String,
    /// The resource types the rule is about (its control's scope, or the types its file names):
    /// such a resource counts as evaluated, and passes when no failure is placed on it.
    pub types: Vec<String>,
}

impl GuardRule {
    /// A rule of a file evaluated on its own.
    pub fn alone(file: Arc<GuardFile>, name: &str, types: Vec<String>) -> GuardRule {
        GuardRule {
            batch: GuardBatch::new(vec![file.clone()]),
            file,
            index: 0,
            name: name.to_string(),
            types,
        }
    }

    /// The file's report on the input `resource` belongs to, computed once per input file
    /// with the rest of its batch.
    fn report(&self, resource: &Resource, neighbours: &dyn Neighbours) -> Result<Arc<Report>, String> {
        match neighbours.file() {
            Some(view) => {
                // The batch's address is its identity for as long as the catalog lives, which
                // outlasts the memo of one input file.
                let key = Arc::as_ptr(&self.batch) as *const () as usize;
                let reports = view.memo.get_or_compute(key, || -> Result<BatchReports, String> {
                    let parts = match resource.format {
                        // Read once per input file for all Guard files: key 0 is no file's address.
                        InputFormat::Cloudformation => view
                            .memo
                            .get_or_compute(0, || crate::input::template_parts_of(&resource.source))?,
                        InputFormat::TerraformPlan => Arc::new(crate::input::TemplateParts::default()),
                    };
                    let reports = self.batch.evaluate_loaded(&document(view.resources, &parts));
                    Ok(reports
                        .into_iter()
                        .map(|r| {
                            r.map(|mut report| {
                                redact(&mut report, view.resources, &parts.sections);
                                shorten(&mut report);
                                Arc::new(report)
                            })
                        })
                        .collect())
                })?;
                reports
                    .get(self.index)
                    .cloned()
                    .unwrap_or_else(|| Err(format!("no Guard report for {}", self.file.file)))
            }
            None => {
                let alone = std::slice::from_ref(resource);
                let mut report = self.file.evaluate_loaded(&document(alone, &Default::default()))?;
                redact(&mut report, alone, &Default::default());
                shorten(&mut report);
                Ok(Arc::new(report))
            }
        }
    }

    fn rule_report<'a>(&self, report: &'a Report) -> Result<&'a RuleReport, String> {
        report
            .get(&self.name)
            .ok_or_else(|| format!("the cfn-guard report of {} has no rule `{}`", self.file.file, self.name))
    }

    /// Whether unplaced failures count against `resource`: the resources of the rule's types in
    /// the file, or every resource when the file has none of them.
    fn takes_unplaced(&self, resource: &Resource, neighbours: &dyn Neighbours) -> bool {
        if self.types.contains(&resource.resource_type) {
            return true;
        }
        match neighbours.file() {
            // Looked up once per input file, not per resource: a large template with an
            // unplaced failure would otherwise cost its size squared. The rule's address is
            // its identity while the catalog lives, and no file's (key 0 is no address).
            Some(view) => view
                .memo
                .get_or_compute(self as *const GuardRule as usize, || {
                    Ok(!view.resources.iter().any(|r| self.types.contains(&r.resource_type)))
                })
                .map(|none_of_its_types| *none_of_its_types)
                .unwrap_or(true),
            None => true,
        }
    }
}

impl CompiledRule for GuardRule {
    fn applies(&self, resource: &Resource, neighbours: &dyn Neighbours) -> Result<bool, String> {
        let report = self.report(resource, neighbours)?;
        let rule = self.rule_report(&report)?;
        Ok(match rule.status {
            Status::Skip => false,
            _ if rule.failures.contains_key(&resource.address) => true,
            _ if !rule.unplaced.is_empty() && self.takes_unplaced(resource, neighbours) => true,
            _ => self.types.contains(&resource.resource_type),
        })
    }

    /// The failures placed on `resource`. A Terraform failure at a value known only after
    /// apply is unknown, not failed.
    fn evaluate(&self, resource: &Resource, neighbours: &dyn Neighbours) -> Result<Verdict, String> {
        let report = self.report(resource, neighbours)?;
        let rule = self.rule_report(&report)?;
        let placed = rule.failures.get(&resource.address).map_or(&[][..], Vec::as_slice);
        let unplaced: &[String] = if rule.unplaced.is_empty() || !self.takes_unplaced(resource, neighbours) {
            &[]
        } else {
            &rule.unplaced
        };
        if placed.is_empty() && unplaced.is_empty() {
            return Ok(Verdict::new(Truth::True, format!("Guard rule `{}` passes", self.name)));
        }
        let unknown_at = |path: &str| {
            path.strip_prefix("/Properties").is_some_and(|at| {
                resource
                    .unknown_paths
                    .iter()
                    .any(|u| at == u || at.strip_prefix(u.as_str()).is_some_and(|rest| rest.starts_with('/')))
            })
        };
        let undecided = |f: &Failure| f.two_ways || unknown_at(&f.path);
        let truth = if unplaced.is_empty() && placed.iter().all(undecided) {
            Truth::Unknown
        } else {
            Truth::False
        };
        let mut facts: Vec<String> = Vec::new();
        for f in placed {
            let fact = if unknown_at(&f.path) {
                format!("{} (the value is known only after apply)", f.message)
            } else if f.two_ways {
                format!(
                    "{}: the value at `{}` {}",
                    f.message,
                    f.path,
                    crate::model::READ_TWO_WAYS
                )
            } else {
                f.message.clone()
            };
            if !facts.contains(&fact) {
                facts.push(fact);
            }
        }
        // Every resource of the rule's types carries the unplaced failures: a few of them, and
        // how many more, or a large template would hold their number times its size.
        let shown: Vec<&String> = unplaced
            .iter()
            .filter(|m| !facts.contains(m))
            .take(MAX_UNPLACED_FACTS)
            .collect();
        let more = unplaced.len().saturating_sub(shown.len());
        facts.extend(shown.into_iter().cloned());
        if more > 0 && unplaced.len() > MAX_UNPLACED_FACTS {
            facts.push(format!(
                "and {more} more failures of Guard rule `{}` that name no resource",
                self.name
            ));
        }
        Ok(Verdict { truth, facts })
    }
}

/// Run cfn-guard's validate command on the rule texts `rules` and `data`: exit code, report,
/// error buffer.
fn run(rules: &[&str], data: &str, read_errors: bool) -> Result<(i32, String, String), String> {
    let payload = json!({ "rules": rules, "data": [data] }).to_string();
    let mut reader = Reader::new(ReadBuffer::Cursor(Cursor::new(payload.into_bytes())));
    let mut writer =
        Writer::new_with_err(WriteBuffer::Vec(Vec::new()), WriteBuffer::Vec(Vec::new())).map_err(|e| e.to_string())?;
    let command = ValidateBuilder::default()
        .payload(true)
        .structured(true)
        .output_format(OutputFormatType::JSON)
        .show_summary(vec![ShowSummaryType::None])
        .try_build()
        .map_err(|e| format!("cfn-guard: {e}"))?;
    let code = command
        .execute(&mut writer, &mut reader)
        .map_err(|e| format!("cfn-guard: {e}"))?;
    // The writer gives up one of its buffers: the error buffer when only it matters.
    if read_errors {
        Ok((
            code,
            String::new(),
            writer.err_to_stripped().map_err(|e| e.to_string())?,
        ))
    } else {
        Ok((code, writer.into_string().map_err(|e| e.to_string())?, String::new()))
    }
}

/// Parse cfn-guard's structured JSON report (a list with one file report) into a report per
/// rule of the file, placing failures on the resources `ids`. A rule the report does not place
/// is an error, never a pass.
fn parse_report(out: &str, names: &[String], ids: &[&str]) -> Result<Report, String> {
    let id_set: IdSet<'_> = ids.iter().copied().collect();
    let report = lean_report(out).map_err(|e| format!("unreadable cfn-guard report: {e}"))?;
    let file = report.get(0).ok_or("empty cfn-guard report")?;
    let listed = |key: &str, name: &str| {
        file.get(key)
            .and_then(Value::as_array)
            .is_some_and(|names| names.iter().any(|n| n.as_str() == Some(name)))
    };
    let mut failed: BTreeMap<String, RuleReport> = BTreeMap::new();
    for clause in file
        .get("not_compliant")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(rule) = clause.get("Rule") {
            let name = rule.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            let entry = failed.entry(name.clone()).or_insert_with(|| RuleReport {
                status: Status::Fail,
                failures: BTreeMap::new(),
                unplaced: Vec::new(),
            });
            let before = (entry.failures.len(), entry.unplaced.len());
            collect_failures(rule.get("checks").unwrap_or(&Value::Null), &id_set, entry);
            // A failed rule with no failed check in the report (a named rule it depends on
            // failed) still fails: never a pass for want of detail.
            if before == (entry.failures.len(), entry.unplaced.len()) && entry.failures.is_empty() {
                entry.unplaced.push(format!("Guard rule `{name}` fails"));
            }
        }
    }
    for rule in failed.values_mut() {
        distinct(&mut rule.unplaced);
    }
    let mut rules = Report::new();
    for name in names {
        let rule = if let Some(r) = failed.remove(name) {
            r
        } else {
            let status = if listed("compliant", name) {
                Status::Pass
            } else if listed("not_applicable", name) {
                Status::Skip
            } else {
                return Err(format!("the cfn-guard report does not place rule `{name}`"));
            };
            RuleReport {
                status,
                failures: BTreeMap::new(),
                unplaced: Vec::new(),
            }
        };
        rules.insert(name.clone(), rule);
    }
    Ok(rules)
}

/// cfn-guard's report as a `Value`, without the values it quotes: a `value` beside a `path` is
/// the data at that path (a whole resource, often), repeated for every check that looked at it,
/// and nothing here reads it. On a large template the report is many times the template.
fn lean_report(out: &str) -> serde_json::Result<Value> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

    struct Lean;

    impl<'de> DeserializeSeed<'de> for Lean {
        type Value = Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Lean {
        type Value = Value;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a cfn-guard report")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_string()))
        }
        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(v) = seq.next_element_seed(Lean)? {
                items.push(v);
            }
            Ok(Value::Array(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = serde_json::Map::new();
            while let Some(key) = map.next_key::<String>()? {
                if key == "value" && out.get("path").is_some_and(Value::is_string) {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                let v = map.next_value_seed(Lean)?;
                out.insert(key, v);
            }
            Ok(Value::Object(out))
        }
    }

    let mut de = serde_json::Deserializer::from_str(out);
    // The report nests as deep as the rules' clauses, not as the data: the recursion limit holds.
    let v = Lean.deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// The failed checks under a rule's report, each placed on the resources its paths name: a
/// check is a node with `messages` and `check`, and its `check` holds the paths it looked at.
fn collect_failures(node: &Value, ids: &IdSet<'_>, into: &mut RuleReport) {
    match node {
        Value::Object(map) => {
            // A clause's `check`, or a block's `unresolved` (`Properties { ... }` on a resource
            // without them): both hold the paths the failed check looked at.
            let check = map.get("check").or_else(|| map.get("unresolved"));
            if let (Some(m), Some(check)) = (map.get("messages").and_then(Value::as_object), check) {
                let message = [m.get("custom_message"), m.get("error_message")]
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::trim)
                    .find(|t| !t.is_empty())
                    .map(clean)
                    .unwrap_or_else(|| "a Guard check fails".to_string());
                let mut paths = Vec::new();
                collect_paths(check, &mut paths);
                let mut placed = false;
                for path in paths {
                    if let Some((id, rest)) = resource_of(path, ids) {
                        placed = true;
                        let failures = into.failures.entry(id.to_string()).or_default();
                        let failure = Failure {
                            message: message.clone(),
                            path: rest.to_string(),
                            two_ways: false,
                        };
                        if !failures.contains(&failure) {
                            failures.push(failure);
                        }
                    }
                }
                // Made distinct once the report is read: a check per resource may fail alike.
                if !placed {
                    into.unplaced.push(message);
                }
                return;
            }
            map.values().for_each(|v| collect_failures(v, ids, into));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_failures(v, ids, into)),
        _ => {}
    }
}

/// Every `path` string under a check.
/// The paths of the value a check judged. The `to` side of a comparison (what it was compared
/// with, which may be another resource's value) counts only when there is no other.
fn collect_paths<'a>(node: &'a Value, into: &mut Vec<&'a str>) {
    let mut compared_with = Vec::new();
    walk_paths(node, into, &mut compared_with);
    if into.is_empty() {
        *into = compared_with;
    }
}

fn walk_paths<'a>(node: &'a Value, into: &mut Vec<&'a str>, compared_with: &mut Vec<&'a str>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(p)) = map.get("path") {
                into.push(p);
            }
            for (k, v) in map {
                if k == "to" {
                    walk_paths(v, compared_with, &mut Vec::new());
                } else {
                    walk_paths(v, into, compared_with);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| walk_paths(v, into, compared_with)),
        _ => {}
    }
}

/// The resource a Guard path (`/Resources/<id>/Properties/...`) is in, and the rest of the path.
/// Guard joins keys with `/` unescaped, so the id is matched against the input's own ids, the
/// longest that fits.
fn resource_of<'a, 'p>(path: &'p str, ids: &IdSet<'a>) -> Option<(&'a str, &'p str)> {
    let under = path.strip_prefix("/Resources/")?;
    // Each prefix that ends where a segment ends, longest first: one lookup per segment rather
    // than a comparison with every id of a large template.
    let ends = under
        .match_indices('/')
        .map(|(i, _)| i)
        .chain(std::iter::once(under.len()));
    let mut ends: Vec<usize> = ends.collect();
    ends.reverse();
    ends.into_iter()
        .find_map(|end| ids.get(&under[..end]).map(|id| (*id, &under[end..])))
}

/// The logical ids (Terraform: addresses) of an input, for placing failures.
type IdSet<'a> = std::collections::HashSet<&'a str>;

/// The `rule NAME` names a Guard file declares, in order (`rule NAME when ... {` included).
pub fn rule_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix("rule ") {
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// The line and column of a cfn-guard parse error (`... at line 3 at column 7, ...`), both
/// 1-based as its parser counts them; 0 when it gives none.
fn position(err: &str) -> (usize, usize) {
    let number_after = |key: &str| -> Option<usize> {
        let at = err.find(key)? + key.len();
        err[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok()
    };
    (
        number_after(" at line ").unwrap_or(0),
        number_after(" at column ").unwrap_or(0),
    )
}

/// A cfn-guard message without the offsets it cites into the JSON text it was handed
/// (`[L:0,C:209]`), which point nowhere in the user's file.
fn clean(message: &str) -> String {
    static OFFSETS: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\[L:\d+,C:\d+\]").expect("valid regex"));
    // Custom messages span lines (`<< Violation: ...\n Fix: ... >>`); a finding's message is one.
    let message = OFFSETS
        .replace_all(message, "")
        .replace("Path= ", "")
        .replace("\\n", " ");
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `value` nests deeper than `limit` levels, found without recursion.
pub fn exceeds_depth(value: &Value, limit: usize) -> bool {
    let mut stack = vec![(value, 1usize)];
    while let Some((value, depth)) = stack.pop() {
        if depth > limit {
            return true;
        }
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests;
