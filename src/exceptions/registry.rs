//! The exception registry: YAML files with a top-level `exceptions:` list, parsed strictly and
//! validated against the catalog. An entry with any problem is invalid and suppresses nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::catalog::Catalog;
use crate::error::Located;
use crate::exceptions::roster::Roster;
use crate::exceptions::{address, identity};
use crate::yaml;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    exceptions: Vec<Spanned<EntrySpec>>,
}

/// An entry as written. Fields a valid exception needs are optional here so that their absence
/// is reported as a problem of that entry, at its line, with the entry's other problems.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct EntrySpec {
    id: Option<String>,
    control: Option<String>,
    scope: Option<ScopeSpec>,
    owner: Option<String>,
    reason: Option<String>,
    compensating_control: Option<String>,
    approval: Option<ApprovalSpec>,
    expires: Option<String>,
    review_cadence: Option<String>,
    evidence: Option<String>,
    status: Option<Status>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeSpec {
    #[serde(default)]
    resources: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    accounts: Vec<String>,
    #[serde(default)]
    regions: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApprovalSpec {
    approver: Option<String>,
    role: Option<String>,
    date: Option<String>,
}

/// Where an entry is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Requested,
    Approved,
    Revoked,
}

/// What an exception covers. A resource pattern is an exact Terraform address or CloudFormation
/// logical id, or `address[*]` for every instance of one `count`/`for_each` resource.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scope {
    pub resources: Vec<String>,
    pub paths: Vec<String>,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    #[serde(skip)]
    path_matchers: Vec<GlobMatcher>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Approval {
    pub approver: String,
    pub role: String,
    pub date: NaiveDate,
}

/// One registry entry, with everything wrong with it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exception {
    pub id: String,
    pub control: String,
    pub scope: Scope,
    pub owner: String,
    pub reason: String,
    pub compensating_control: String,
    pub approval: Option<Approval>,
    pub expires: Option<NaiveDate>,
    pub review_cadence: Option<String>,
    pub evidence: Option<String>,
    pub status: Status,
    /// Why the entry is invalid; empty when it is valid.
    pub problems: Vec<String>,
    /// Where the entry is written.
    #[serde(skip)]
    pub origin: Located,
}

impl Exception {
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }

    /// Whether the resource at `address`, declared in `file` (relative to the repository root), in `account`/`region` when known,
    /// is in scope. An account or region the scope names but the run does not know never matches.
    pub fn covers(&self, address: &str, file: &str, account: Option<&str>, region: Option<&str>) -> bool {
        let s = &self.scope;
        s.resources.iter().any(|p| resource_matches(p, address))
            && (s.path_matchers.is_empty() || s.path_matchers.iter().any(|g| g.is_match(file)))
            && (s.accounts.is_empty() || account.is_some_and(|a| s.accounts.iter().any(|x| x == a)))
            && (s.regions.is_empty() || region.is_some_and(|r| s.regions.iter().any(|x| x == r)))
    }

    /// The validation problems as located errors.
    pub fn errors(&self) -> Vec<Located> {
        self.problems
            .iter()
            .map(|p| Located {
                message: format!("exception {}: {p}", self.id),
                ..self.origin.clone()
            })
            .collect()
    }
}

/// See [`address`] for the two forms a resource pattern takes.
fn resource_matches(pattern: &str, address: &str) -> bool {
    address::matches(pattern, address)
}

/// The registry files under `path`: the file itself, or every `*.yaml`/`*.yml` (any case) in a
/// directory, symbolic links followed as for inputs (a loop is not walked twice). An entry that
/// is not a regular file is kept, for the read to refuse it.
pub fn files(path: &Path) -> Result<Vec<PathBuf>, Located> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        let what = if std::fs::symlink_metadata(path).is_ok() {
            format!("a symbolic link whose target cannot be read: {e}")
        } else {
            "no such exception registry file or directory".into()
        };
        Located::file(&shown, what)
    })?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(path).follow_links(true).sort_by_file_name() {
        match entry {
            Ok(e) if e.file_type().is_dir() => {}
            Ok(e) => {
                let ext = e
                    .path()
                    .extension()
                    .and_then(|x| x.to_str())
                    .map(str::to_ascii_lowercase);
                if matches!(ext.as_deref(), Some("yaml" | "yml")) {
                    out.push(e.into_path());
                }
            }
            // A link back to a directory being walked holds nothing new.
            Err(e) if e.loop_ancestor().is_some() => {}
            Err(e) => {
                return Err(Located::file(
                    e.path().map_or(shown.clone(), |p| p.display().to_string()),
                    format!("cannot read the exception registry: {e}"),
                ));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// A field that must say something: text made only of white space and invisible characters is
/// missing.
fn required(value: &Option<String>, name: &str, problems: &mut Vec<String>) -> String {
    match value.as_deref().map(str::trim) {
        Some(v) if !identity::is_blank(v) => v.to_string(),
        Some(v) if !v.is_empty() => {
            problems.push(format!(
                "`{name}` is made only of white space and invisible characters: it says nothing"
            ));
            String::new()
        }
        _ => {
            problems.push(format!("`{name}` is missing"));
            String::new()
        }
    }
}

/// The canonical form of the identity in `name`, or `None` with the problem recorded.
fn identity_of(value: &str, name: &str, problems: &mut Vec<String>) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    identity::canonical(value)
        .map_err(|why| problems.push(format!("`{name}`: {why}")))
        .ok()
}

/// Parse every registry file and validate each entry against `catalog`. A file that cannot be
/// parsed is an error; entries with problems are returned, marked invalid.
pub fn load(
    paths: &[PathBuf],
    catalog: &Catalog,
    today: NaiveDate,
    roster: Option<&Roster>,
) -> Result<Vec<Exception>, Vec<Located>> {
    let mut errors = Vec::new();
    let mut out: Vec<Exception> = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        let parsed = crate::input::read::read_text(path, &shown)
            .and_then(|text| parse_entries(&shown, &text, catalog, today, roster));
        match parsed {
            Ok(entries) => out.extend(entries),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    mark_duplicates(&mut out);
    Ok(out)
}

/// A registry given as text, named `file` in messages: what [`load`] gives for one file.
pub fn from_text(
    file: &str,
    text: &str,
    catalog: &Catalog,
    today: NaiveDate,
    roster: Option<&Roster>,
) -> Result<Vec<Exception>, Located> {
    let mut out = parse_entries(file, text, catalog, today, roster)?;
    mark_duplicates(&mut out);
    Ok(out)
}

/// The entries of one registry file, each validated.
fn parse_entries(
    file: &str,
    text: &str,
    catalog: &Catalog,
    today: NaiveDate,
    roster: Option<&Roster>,
) -> Result<Vec<Exception>, Located> {
    let parsed = yaml::from_str::<RegistryFile>(file, text)
        .map_err(|e| e.with_help("a registry is a YAML mapping with an `exceptions:` list; see the README"))?;
    Ok(parsed
        .exceptions
        .iter()
        .map(|e| validate(file, e, catalog, today, roster))
        .collect())
}

/// Ids are permanent references: a second entry with the same id, in any case or compatibility
/// form, is invalid.
fn mark_duplicates(out: &mut [Exception]) {
    let mut seen: BTreeMap<String, Located> = BTreeMap::new();
    for e in out {
        if e.id.is_empty() {
            continue;
        }
        match seen.get(&identity::fold(&e.id)) {
            Some(first) => e.problems.push(format!(
                "duplicates the id of the entry at {}:{}",
                first.file, first.line
            )),
            None => {
                seen.insert(identity::fold(&e.id), e.origin.clone());
            }
        }
    }
}

fn validate(
    file: &str,
    spec: &Spanned<EntrySpec>,
    catalog: &Catalog,
    today: NaiveDate,
    roster: Option<&Roster>,
) -> Exception {
    let (line, column) = yaml::position(spec);
    let s = &spec.value;
    let mut problems = Vec::new();
    let id = required(&s.id, "id", &mut problems);
    if let Some(c) = identity::invisible_in(&id) {
        problems.push(format!(
            "`id` holds the invisible character U+{:04X}: ids are permanent references, written in plain text",
            c as u32
        ));
    }
    let control_id = required(&s.control, "control", &mut problems);
    let owner = required(&s.owner, "owner", &mut problems);
    let owner_identity = identity_of(&owner, "owner", &mut problems);
    let reason = required(&s.reason, "reason", &mut problems);
    let compensating_control = required(&s.compensating_control, "compensatingControl", &mut problems);
    let status = s.status.unwrap_or_else(|| {
        problems.push("`status` is missing (requested, approved or revoked)".into());
        Status::Requested
    });

    let control = catalog.controls.get(&control_id);
    match control {
        None if !control_id.is_empty() => problems.push(format!("control {control_id} does not exist")),
        Some(c) if !c.exception.allowed => problems.push(format!("control {control_id} allows no exceptions")),
        _ => {}
    }

    let mut scope = Scope::default();
    match &s.scope {
        None => problems.push("`scope` is missing: name the resources the exception covers".into()),
        Some(sc) => {
            if sc.resources.is_empty() {
                problems.push("`scope.resources` is empty: an exception covers named resources".into());
            }
            for r in &sc.resources {
                if let Err(why) = address::check(r) {
                    problems.push(why);
                }
            }
            for p in &sc.paths {
                match Glob::new(p) {
                    Ok(g) => scope.path_matchers.push(g.compile_matcher()),
                    Err(e) => problems.push(format!("scope path `{p}` is not a valid glob: {e}")),
                }
            }
            scope.resources = sc.resources.clone();
            scope.paths = sc.paths.clone();
            scope.accounts = sc.accounts.clone();
            scope.regions = sc.regions.clone();
        }
    }

    let expires = match s.expires.as_deref() {
        None => {
            problems.push("`expires` is missing: every exception expires".into());
            None
        }
        Some(d) => parse_date(d).or_else(|| {
            problems.push(format!("`expires` is `{d}`, not a date (YYYY-MM-DD)"));
            None
        }),
    };

    let approval = match &s.approval {
        None => {
            if status == Status::Approved {
                problems.push("`approval` is missing on an approved exception".into());
            }
            None
        }
        Some(a) => {
            let approver = required(&a.approver, "approval.approver", &mut problems);
            let role = required(&a.role, "approval.role", &mut problems);
            let date = match a.date.as_deref() {
                None => {
                    problems.push("`approval.date` is missing".into());
                    None
                }
                Some(d) => parse_date(d).or_else(|| {
                    problems.push(format!("`approval.date` is `{d}`, not a date (YYYY-MM-DD)"));
                    None
                }),
            };
            // The same person under another spelling is the same person (see `identity`).
            let approver_identity = identity_of(&approver, "approval.approver", &mut problems);
            if approver_identity.is_some() && approver_identity == owner_identity {
                problems.push(format!(
                    "approved by its own owner `{owner}` (as `{approver}`): an approver must be someone else"
                ));
            }
            if let (Some(roster), Some(who)) = (roster, &approver_identity)
                && !role.is_empty()
            {
                problems.extend(roster.refuses(&role, who));
            }
            if let Some(wanted) = control.and_then(|c| c.exception.approval_role.as_deref())
                && !role.is_empty()
                && identity::fold(&role) != identity::fold(wanted)
            {
                problems.push(format!(
                    "approved by role `{role}`, but control {control_id} needs `{wanted}`"
                ));
            }
            if let Some(d) = date
                && d > today
            {
                problems.push(format!("approval date {d} is in the future"));
            }
            date.map(|date| Approval { approver, role, date })
        }
    };

    if let (Some(exp), Some(app)) = (expires, &approval) {
        let days = (exp - app.date).num_days();
        if days < 0 {
            problems.push(format!("expires {exp}, before its approval on {}", app.date));
        }
        if let Some(max) = control.and_then(|c| c.exception.max_duration_days)
            && days > i64::from(max)
        {
            problems.push(format!(
                "lasts {days} days from approval to expiry; control {control_id} allows at most {max}"
            ));
        }
    }

    Exception {
        id,
        control: control_id,
        scope,
        owner,
        reason,
        compensating_control,
        approval,
        expires,
        review_cadence: s.review_cadence.clone(),
        evidence: s.evidence.clone(),
        status,
        problems,
        origin: Located::new(file, line, column, String::new()),
    }
}

#[cfg(test)]
mod tests;
