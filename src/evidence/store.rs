//! A folder of run records, read for `evidence query` and `evidence package`: every `*.json`
//! file (one record) and `*.jsonl` file (one record per line, the layout of records kept at
//! organisation scale) under it.
//!
//! A record is read into a typed view of the fields the queries use, not kept as a whole JSON
//! value, so ten thousand records take little memory. Reading fails closed: a file that is not
//! valid JSON, or a controlgate record missing a field, is an error naming the file (and the line
//! of a `.jsonl` file). A valid JSON document of another kind (a SARIF log, another in-toto
//! predicate) is an error too, unless `skip_other_files`, which passes over it with a note: a
//! folder of CI artifacts may hold other JSON, but an evidence folder that silently drops a
//! file could hide the very run an auditor asks about.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::record::{PREDICATE_TYPE, STATEMENT_TYPE};
use crate::error::Located;
pub use crate::gate::Verdict;

/// The records of a folder, in a fixed order: by `startedAt`, then by the record's digest, then
/// by file and line.
#[derive(Debug, Default)]
pub struct Store {
    /// The records kept (those the caller asked for).
    pub records: Vec<Record>,
    /// Every record read, kept or not.
    pub read: usize,
    /// Files (or lines) passed over, each with why: documents of another kind under
    /// `skip_other_files`, and symbolic links, which are not followed.
    pub skipped: Vec<String>,
}

/// One run record, by where it was read and the SHA-256 of its bytes as stored.
#[derive(Debug, Clone)]
pub struct Record {
    /// Relative to the folder read, `/`-separated.
    pub file: String,
    /// The line of a `.jsonl` file (1-based).
    pub line: Option<usize>,
    /// SHA-256 of the record's bytes: the whole `.json` file, or the line of a `.jsonl` file
    /// without its newline.
    pub sha256: String,
    pub started: DateTime<Utc>,
    pub statement: Statement,
}

impl Record {
    /// `file` or `file:line`.
    pub fn place(&self) -> String {
        match self.line {
            Some(l) => format!("{}:{l}", self.file),
            None => self.file.clone(),
        }
    }

    pub fn predicate(&self) -> &Predicate {
        &self.statement.predicate
    }

    /// The repository of the change, when the record's context names one.
    pub fn repository(&self) -> Option<&str> {
        self.predicate().context.as_ref().and_then(|c| c.repository.as_deref())
    }

    pub fn commit(&self) -> Option<&str> {
        self.predicate().context.as_ref().and_then(|c| c.commit.as_deref())
    }

    pub fn control(&self, id: &str) -> Option<&ControlCounts> {
        self.predicate().controls.iter().find(|c| c.id == id)
    }
}

// The typed view of a record: the fields the queries read, as docs/evidence.md describes them.
// Fields left out are not read; a field given twice is refused (serde's derive does so).

#[derive(Debug, Clone, Deserialize)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub kind: String,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub subject: Vec<Subject>,
    pub predicate: Predicate,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Subject {
    pub name: String,
    pub digest: Sha256Digest,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Sha256Digest {
    pub sha256: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Predicate {
    pub policy: Policy,
    pub settings: Settings,
    pub inputs: Vec<Input>,
    pub changes: Changes,
    pub controls: Vec<ControlCounts>,
    pub findings: Vec<Finding>,
    pub exceptions: Vec<ExceptionUse>,
    pub decision: Decision,
    pub context: Option<Context>,
    pub started_at: String,
    pub finished_at: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Policy {
    pub digest: Sha256Digest,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub account: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Input {
    pub name: String,
    pub format: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Changes {
    pub resources: Vec<Resource>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Resource {
    pub address: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub region: Option<String>,
    pub file: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlCounts {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub severity: String,
    pub rules: Vec<String>,
    pub evaluated: u64,
    pub passed: u64,
    pub failed: u64,
    pub unknown: u64,
    pub excepted: u64,
    pub blocking: u64,
    #[serde(default)]
    pub skipped_rules: Vec<String>,
}

impl ControlCounts {
    /// Whether the run evaluated the control: it was in the catalog and not every rule of it
    /// was skipped (`--check`, `--skip-check`).
    pub fn operated(&self) -> bool {
        self.rules.is_empty() || self.rules.iter().any(|r| !self.skipped_rules.contains(r))
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Finding {
    pub control: String,
    pub rule: String,
    pub severity: String,
    pub outcome: String,
    pub resource: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub file: String,
    pub region: Option<String>,
    pub fingerprint: String,
    pub blocking: bool,
    pub exception: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionUse {
    pub id: String,
    pub control: String,
    pub state: String,
    pub applied: u64,
    pub owner: Option<String>,
    pub approver: Option<String>,
    pub approved: Option<String>,
    pub expires: Option<String>,
    pub reason: Option<String>,
    pub compensating_control: Option<String>,
    pub evidence: Option<String>,
}

impl ExceptionUse {
    /// In force in the run: it excepted a finding, or it could have.
    pub fn in_force(&self) -> bool {
        self.applied > 0 || self.state == "active" || self.state == "expiring-soon"
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub verdict: Verdict,
    pub exit_code: i64,
    pub blocking_findings: u64,
}

/// The change's context; every key may be absent or null.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Context {
    #[serde(default)]
    pub ci: Option<String>,
    #[serde(default)]
    pub repository: Option<String>,
    #[serde(default)]
    pub commit: Option<String>,
    #[serde(default)]
    pub branch: Option<String>,
    #[serde(default)]
    pub pull_request: Option<PullRequest>,
    #[serde(default)]
    pub workflow_run: Option<WorkflowRun>,
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(default)]
    pub change_record: Option<ChangeRecord>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct WorkflowRun {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// The change record a run named (CHG-001): its id and where it came from.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ChangeRecord {
    pub id: String,
    pub source: String,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PullRequest {
    #[serde(default)]
    pub number: Option<i64>,
    #[serde(default)]
    pub url: Option<String>,
}

/// Just enough of a document to tell a record from JSON of another kind.
#[derive(Deserialize)]
struct Head {
    #[serde(rename = "_type", default)]
    kind: Option<serde_json::Value>,
    #[serde(rename = "predicateType", default)]
    predicate_type: Option<serde_json::Value>,
}

/// What a document turned out to be.
enum Read {
    Record(Box<Statement>),
    /// Valid JSON of another kind: what it is, for the note.
    Other(String),
}

/// Read every record under `dir`, keeping those `keep` accepts: a query holds only its matches,
/// however many records the folder has. Every record is still read and checked.
pub fn load(
    dir: &Path,
    skip_other_files: bool,
    keep: &(dyn Fn(&Record) -> bool + Sync),
) -> Result<Store, Vec<Located>> {
    let shown_dir = dir.display().to_string();
    let meta = std::fs::metadata(dir).map_err(|e| {
        vec![Located::file(
            &shown_dir,
            format!("cannot read the records folder: {e}"),
        )]
    })?;
    let mut skipped = Vec::new();
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut errors = Vec::new();
    if meta.is_file() {
        // One file of records named on its own.
        files.push((dir.to_path_buf(), shown_dir.clone()));
    } else {
        // Links are not followed: a link out of the folder would read files nobody put there,
        // and a loop would never end.
        for entry in walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let at = e.path().map_or(shown_dir.clone(), |p| p.display().to_string());
                    errors.push(Located::file(at, format!("cannot read: {e}")));
                    continue;
                }
            };
            let rel = relative(dir, entry.path());
            let is_record_file = matches!(
                entry.path().extension().and_then(|e| e.to_str()),
                Some("json" | "jsonl")
            );
            if entry.path_is_symlink() {
                if is_record_file || entry.depth() > 0 {
                    skipped.push(format!("{rel}: a symbolic link, not followed"));
                }
                continue;
            }
            // A FIFO or a device named like a record is read, and refused as not a regular file.
            if !entry.file_type().is_dir() && is_record_file {
                files.push((entry.path().to_path_buf(), rel));
            }
        }
    }
    let read: Vec<FileRead> = files
        .par_iter()
        .map(|(path, rel)| read_file(path, rel, skip_other_files, keep))
        .collect();
    let mut records = Vec::new();
    let mut total = 0;
    for r in read {
        match r {
            Ok((mut rs, n, notes)) => {
                total += n;
                records.append(&mut rs);
                skipped.extend(notes);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    records.sort_by(|a, b| (a.started, &a.sha256, &a.file, a.line).cmp(&(b.started, &b.sha256, &b.file, b.line)));
    Ok(Store {
        records,
        read: total,
        skipped,
    })
}

/// `path` relative to `dir`, `/`-separated.
fn relative(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.is_empty() {
        path.display().to_string()
    } else {
        parts.join("/")
    }
}

/// A file's kept records, how many it held, and the notes of what was passed over.
type FileRead = Result<(Vec<Record>, usize, Vec<String>), Vec<Located>>;

fn read_file(path: &Path, rel: &str, skip_other_files: bool, keep: &(dyn Fn(&Record) -> bool + Sync)) -> FileRead {
    let bytes = crate::input::read::read(path).map_err(|e| vec![e.located(rel)])?;
    let jsonl = path.extension().is_some_and(|e| e == "jsonl");
    let mut records = Vec::new();
    let mut count = 0;
    let mut notes = Vec::new();
    let mut errors = Vec::new();
    let mut one = |doc: &[u8], line: Option<usize>| {
        let place = line.map_or_else(|| rel.to_string(), |l| format!("{rel}:{l}"));
        match parse(doc) {
            Ok(Read::Record(statement)) => match started(&statement) {
                Ok(started) => {
                    count += 1;
                    let r = Record {
                        file: rel.to_string(),
                        line,
                        sha256: crate::text::sha256_hex(doc),
                        started,
                        statement: *statement,
                    };
                    if keep(&r) {
                        records.push(r);
                    }
                }
                Err(message) => errors.push(located(rel, line, message)),
            },
            Ok(Read::Other(what)) if skip_other_files => notes.push(format!("{place}: {what}, skipped")),
            Ok(Read::Other(what)) => errors.push(
                located(rel, line, format!("not a controlgate run record: {what}")).with_help(
                    "remove it from the folder, or pass --skip-other-files to pass over JSON that is not a run record",
                ),
            ),
            Err((message, at)) => errors.push(located(rel, line.or(at), message)),
        }
    };
    if jsonl {
        for (i, doc) in bytes.split(|b| *b == b'\n').enumerate() {
            let doc = doc.strip_suffix(b"\r").unwrap_or(doc);
            if doc.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            one(doc, Some(i + 1));
        }
    } else {
        one(&bytes, None);
    }
    if errors.is_empty() {
        Ok((records, count, notes))
    } else {
        Err(errors)
    }
}

fn located(file: &str, line: Option<usize>, message: String) -> Located {
    Located::new(file, line.unwrap_or(0), 0, message)
}

/// A record, another kind of document, or why it cannot be read (with the line, for a `.json`
/// file).
fn parse(doc: &[u8]) -> Result<Read, (String, Option<usize>)> {
    let full = serde_json::from_slice::<Statement>(doc);
    let err = match full {
        Ok(s) if s.kind == STATEMENT_TYPE && s.predicate_type == PREDICATE_TYPE => {
            return Ok(Read::Record(Box::new(s)));
        }
        Ok(s) => return Ok(Read::Other(other(Some(&s.kind), Some(&s.predicate_type)))),
        Err(e) => e,
    };
    // Only when the typed reading failed: is it JSON at all, a record with a field wrong, or
    // another document?
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(doc) {
        return Err((format!("invalid JSON: {}", strip_position(&e)), line_of(&e)));
    }
    match serde_json::from_slice::<Head>(doc) {
        Ok(h) => {
            let kind = h.kind.as_ref().and_then(serde_json::Value::as_str);
            let predicate = h.predicate_type.as_ref().and_then(serde_json::Value::as_str);
            if kind == Some(STATEMENT_TYPE) && predicate == Some(PREDICATE_TYPE) {
                Err((format!("invalid run record: {}", strip_position(&err)), line_of(&err)))
            } else {
                Ok(Read::Other(other(kind, predicate)))
            }
        }
        // Valid JSON, but not an object.
        Err(_) => Ok(Read::Other("JSON that is not an object".into())),
    }
}

fn line_of(e: &serde_json::Error) -> Option<usize> {
    (e.line() > 0).then_some(e.line())
}

fn strip_position(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    msg.rfind(" at line ").map_or(msg.clone(), |i| msg[..i].to_string())
}

fn other(kind: Option<&str>, predicate: Option<&str>) -> String {
    match (kind, predicate) {
        (Some(STATEMENT_TYPE), Some(p)) => format!("an in-toto statement of predicate type `{}`", p.escape_debug()),
        (Some(k), _) => format!("a document of `_type` `{}`", k.escape_debug()),
        _ => "JSON without `_type` and `predicateType`".to_string(),
    }
}

fn started(s: &Statement) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(&s.predicate.started_at)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!(
                "invalid run record: `predicate.startedAt` `{}` is not an RFC 3339 time: {e}",
                s.predicate.started_at.escape_debug()
            )
        })
}
