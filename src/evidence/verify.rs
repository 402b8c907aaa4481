//! Whether a kept run record matches the files at hand: each subject's digest, the policy
//! bundle's digest, and every other field against a new evaluation of the same files with the
//! same settings on the recorded day.

use serde::Serialize;
use serde_json::{Value, json};

use super::record::{PREDICATE_TYPE, STATEMENT_TYPE};
use crate::error::Located;

/// The most field differences listed; the count is always whole.
const SHOWN: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubjectStatus {
    /// The file's digest is the recorded one.
    Match,
    /// The file differs from the one the run judged.
    Changed,
    /// The record names it, but it was not evaluated now (not found, or not given).
    Missing,
    /// Evaluated now, but the record does not name it.
    Unrecorded,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubjectCheck {
    pub name: String,
    pub status: SubjectStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyCheck {
    pub matches: bool,
    pub recorded: Option<String>,
    pub actual: Option<String>,
    /// `changed`, `added` (loaded now, not recorded) or `removed` (recorded, not loaded now),
    /// with the file's role and name.
    pub files: Vec<Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldDiff {
    /// A JSON pointer into the record.
    pub pointer: String,
    pub recorded: Value,
    pub actual: Value,
}

/// The result of verifying one record.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub record: String,
    pub matches: bool,
    pub subjects: Vec<SubjectCheck>,
    pub policy: PolicyCheck,
    /// Fields that differ from the new evaluation (all but the subjects, the policy bundle, the
    /// context and the times), at most [`SHOWN`] of them.
    pub fields: Vec<FieldDiff>,
    pub differing_fields: usize,
}

/// Parse a run record; anything but a controlgate in-toto Statement is an error at its line.
pub fn parse(file: &str, text: &str) -> Result<Value, Located> {
    // A key given twice is refused: readers disagree on which of the two values counts, so a
    // record could say `blocked` to one and `pass` to another.
    let value: Value = crate::input::json::parse(text).map_err(|e| {
        Located::new(
            file,
            e.line,
            e.column,
            format!("not a run record: invalid JSON: {}", e.message),
        )
        .with_help("a run record is the JSON file `controlgate check --evidence FILE` writes")
    })?;
    let field = |name: &str| value.get(name).and_then(Value::as_str);
    if field("_type") != Some(STATEMENT_TYPE) || field("predicateType") != Some(PREDICATE_TYPE) {
        return Err(Located::file(
            file,
            format!("not a controlgate run record: `_type` must be {STATEMENT_TYPE} and `predicateType` {PREDICATE_TYPE}"),
        )
        .with_help("a signed bundle (DSSE envelope) holds the record base64-encoded in `payload`: verify the signature with cosign, then pass the decoded statement"));
    }
    if !value.get("subject").is_some_and(Value::is_array) || !value.get("predicate").is_some_and(Value::is_object) {
        return Err(Located::file(
            file,
            "not a run record: `subject` must be a list and `predicate` an object",
        ));
    }
    Ok(value)
}

/// The day the recorded run judged exceptions on.
pub fn judged_day(record: &Value) -> Option<chrono::NaiveDate> {
    record
        .pointer("/predicate/settings/judgedDay")
        .and_then(Value::as_str)
        .and_then(|d| d.parse().ok())
}

/// Compare `recorded` with `actual`, the record of a new evaluation of the files at hand.
pub fn compare(name: &str, recorded: &Value, actual: &Value) -> Verification {
    let subjects = subjects(recorded, actual);
    let policy = policy(recorded, actual);
    let mut fields = Vec::new();
    // `--today` is compared by its value; a run on the system clock has none, and its
    // verification judges on the recorded day by passing it.
    let today = today_of(recorded).is_some();
    diff(
        "",
        &comparable(recorded, today),
        &comparable(actual, today),
        &mut fields,
    );
    // A run on the system clock judged on the day it started: a record saying otherwise was
    // edited (a verification judges on the recorded day, so nothing else would show it).
    let source = recorded
        .pointer("/predicate/settings/judgedDaySource")
        .and_then(Value::as_str);
    let started = recorded
        .pointer("/predicate/startedAt")
        .and_then(Value::as_str)
        .and_then(|t| t.get(..10));
    let day = recorded.pointer("/predicate/settings/judgedDay");
    if !today && source != Some("--today") && day.and_then(Value::as_str) != started {
        fields.push(FieldDiff {
            pointer: "/predicate/settings/judgedDay".into(),
            recorded: day.cloned().unwrap_or_default(),
            actual: json!(started),
        });
    }
    let differing = fields.len();
    fields.truncate(SHOWN);
    let matches = policy.matches && differing == 0 && subjects.iter().all(|s| s.status == SubjectStatus::Match);
    Verification {
        record: name.to_string(),
        matches,
        subjects,
        policy,
        fields,
        differing_fields: differing,
    }
}

fn digests(record: &Value) -> Vec<(String, String)> {
    record
        .get("subject")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
                s.pointer("/digest/sha256")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

fn subjects(recorded: &Value, actual: &Value) -> Vec<SubjectCheck> {
    let (rec, now) = (digests(recorded), digests(actual));
    let mut out: Vec<SubjectCheck> = rec
        .iter()
        .map(|(name, digest)| {
            let found = now.iter().find(|(n, _)| n == name).map(|(_, d)| d.clone());
            SubjectCheck {
                name: name.clone(),
                status: match &found {
                    None => SubjectStatus::Missing,
                    Some(d) if d == digest => SubjectStatus::Match,
                    Some(_) => SubjectStatus::Changed,
                },
                recorded: Some(digest.clone()),
                actual: found,
            }
        })
        .collect();
    out.extend(
        now.iter()
            .filter(|(n, _)| !rec.iter().any(|(r, _)| r == n))
            .map(|(name, digest)| SubjectCheck {
                name: name.clone(),
                status: SubjectStatus::Unrecorded,
                recorded: None,
                actual: Some(digest.clone()),
            }),
    );
    out
}

fn policy(recorded: &Value, actual: &Value) -> PolicyCheck {
    let digest = |r: &Value| {
        r.pointer("/predicate/policy/digest/sha256")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let files = |r: &Value| -> Vec<(String, String, String)> {
        r.pointer("/predicate/policy/files")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|f| {
                let s = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
                (s("role"), s("name"), s("sha256"))
            })
            .collect()
    };
    let (rec, now) = (files(recorded), files(actual));
    let mut changes = Vec::new();
    for (role, name, sha) in &rec {
        match now.iter().find(|(r, n, _)| r == role && n == name) {
            None => changes.push(json!({"change": "removed", "role": role, "name": name})),
            Some((_, _, s)) if s != sha => {
                changes.push(json!({"change": "changed", "role": role, "name": name, "recorded": sha, "actual": s}));
            }
            Some(_) => {}
        }
    }
    for (role, name, _) in now
        .iter()
        .filter(|(r, n, _)| !rec.iter().any(|(a, b, _)| a == r && b == n))
    {
        changes.push(json!({"change": "added", "role": role, "name": name}));
    }
    let (recorded, actual) = (digest(recorded), digest(actual));
    // The bundle digest is recomputed from the recorded list too: a list edited to match
    // changed files, with the old digest kept, does not match.
    let listed = crate::evidence::bundle_digest(
        &rec.iter()
            .map(|(role, name, sha256)| crate::catalog::PolicyDigest {
                role: role.clone(),
                name: name.clone(),
                sha256: sha256.clone(),
            })
            .collect::<Vec<_>>(),
    );
    PolicyCheck {
        matches: recorded.is_some() && recorded == actual && changes.is_empty() && recorded.as_deref() == Some(&listed),
        recorded,
        actual,
        files: changes,
    }
}

/// What of a record a new evaluation must reproduce: all but the subjects and the policy
/// (compared on their own), the context (the CI's, at the time) and the times. The `today`
/// setting names the system date of its run, and the day's source differs when a verification
/// judges on the recorded day: the judged day itself is compared.
fn today_of(record: &Value) -> Option<&Value> {
    record
        .pointer("/predicate/settings/changed")?
        .as_array()?
        .iter()
        .find(|c| c.get("setting").and_then(Value::as_str) == Some("today"))
}

fn comparable(record: &Value, keep_today: bool) -> Value {
    let mut p = record.get("predicate").cloned().unwrap_or(Value::Null);
    if let Some(o) = p.as_object_mut() {
        for k in ["startedAt", "finishedAt", "context", "policy"] {
            o.remove(k);
        }
    }
    if let Some(s) = p.get_mut("settings").and_then(Value::as_object_mut) {
        s.remove("judgedDaySource");
        if let Some(Value::Array(changed)) = s.get_mut("changed") {
            let is_today = |c: &Value| c.get("setting").and_then(Value::as_str) == Some("today");
            let today = changed
                .iter()
                .find(|c| is_today(c))
                .map(|c| json!({"setting": "today", "value": c.get("value"), "source": c.get("source")}));
            changed.retain(|c| !is_today(c));
            if let Some(t) = today.filter(|_| keep_today) {
                changed.push(t);
            }
            let weakening = changed
                .iter()
                .filter(|c| c.get("weakens").and_then(Value::as_bool) == Some(true))
                .count();
            s.insert("weakening".into(), json!(weakening));
        }
    }
    let mut out = serde_json::Map::new();
    for k in ["_type", "predicateType"] {
        out.insert(k.into(), record.get(k).cloned().unwrap_or(Value::Null));
    }
    out.insert("predicate".into(), p);
    Value::Object(out)
}

fn diff(at: &str, a: &Value, b: &Value, out: &mut Vec<FieldDiff>) {
    let key = |k: &str| format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                diff(&key(k), v, y.get(k).unwrap_or(&Value::Null), out);
            }
            for (k, v) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                diff(&key(k), &Value::Null, v, out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                diff(&format!("{at}/{i}"), v, w, out);
            }
        }
        _ if a != b => out.push(FieldDiff {
            pointer: at.to_string(),
            recorded: a.clone(),
            actual: b.clone(),
        }),
        _ => {}
    }
}

/// The verification for people, a line each.
pub fn human(v: &Verification) -> String {
    let short = |d: &Option<String>| d.as_deref().map_or("-".to_string(), |d| d.chars().take(12).collect());
    let mut out = format!("run record {}\n", v.record);
    for s in &v.subjects {
        let line = match s.status {
            SubjectStatus::Match => format!("  subject {}: matches (sha256 {})", s.name, short(&s.recorded)),
            SubjectStatus::Changed => format!(
                "  subject {}: CHANGED (recorded sha256 {}, the file has {})",
                s.name,
                short(&s.recorded),
                short(&s.actual)
            ),
            SubjectStatus::Missing => format!(
                "  subject {}: MISSING (recorded sha256 {}; not found or not given)",
                s.name,
                short(&s.recorded)
            ),
            SubjectStatus::Unrecorded => format!("  input {}: NOT IN THE RECORD (sha256 {})", s.name, short(&s.actual)),
        };
        out.push_str(&crate::report::escape::line(&line));
        out.push('\n');
    }
    if v.policy.matches {
        out.push_str(&format!(
            "  policy bundle: matches (sha256 {})\n",
            short(&v.policy.recorded)
        ));
    } else {
        out.push_str(&format!(
            "  policy bundle: DIFFERS (recorded sha256 {}, loaded now {})\n",
            short(&v.policy.recorded),
            short(&v.policy.actual)
        ));
        for f in &v.policy.files {
            let s = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or_default();
            out.push_str(&crate::report::escape::line(&format!(
                "    {} {} {}",
                s("change"),
                s("role"),
                s("name")
            )));
            out.push('\n');
        }
    }
    if v.differing_fields == 0 {
        out.push_str("  record fields: a new evaluation of the files gives the same record\n");
    } else {
        out.push_str(&format!(
            "  record fields: {} differ from a new evaluation of the files\n",
            v.differing_fields
        ));
        for f in &v.fields {
            let line = format!("    {}: recorded {}, evaluated {}", f.pointer, f.recorded, f.actual);
            out.push_str(&crate::report::escape::line(&crate::text::shorten(&line, 300)));
            out.push('\n');
        }
    }
    out.push_str(if v.matches {
        "verified: the record matches the files at hand\n"
    } else {
        "NOT VERIFIED: the record does not match the files at hand\n"
    });
    out
}
