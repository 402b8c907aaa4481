//! `evidence query`: the runs of a records folder that match filters, as a table or JSON.
//!
//! Filters are ANDed; the values of one filter given several times are ORed. A result row is one
//! run: when it started, its decision, the change (repository, commit), its inputs, the counts of
//! the controls filtered on, and the record (file and SHA-256).

use std::str::FromStr;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde_json::{Value, json};

use super::store::{Record, Verdict};
use crate::report::escape;

/// A `--since` or `--until` value: a day (UTC) or an RFC 3339 time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Day(NaiveDate),
    Instant(DateTime<Utc>),
}

impl FromStr for When {
    type Err = String;

    fn from_str(s: &str) -> Result<When, String> {
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(When::Day(d));
        }
        DateTime::parse_from_rfc3339(s)
            .map(|t| When::Instant(t.with_timezone(&Utc)))
            .map_err(|_| format!("`{s}` is neither a date (2026-03-31) nor an RFC 3339 time (2026-03-31T12:00:00Z)"))
    }
}

impl When {
    fn start_of_day(d: NaiveDate) -> DateTime<Utc> {
        d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
    }

    /// Whether `t` is at or after this bound (a day: from its first instant).
    pub fn not_after(self, t: DateTime<Utc>) -> bool {
        match self {
            When::Day(d) => t >= When::start_of_day(d),
            When::Instant(i) => t >= i,
        }
    }

    /// Whether `t` is at or before this bound (a day: up to its last instant).
    pub fn not_before(self, t: DateTime<Utc>) -> bool {
        match self {
            When::Day(d) => d
                .checked_add_days(Days::new(1))
                .is_none_or(|next| t < When::start_of_day(next)),
            When::Instant(i) => t <= i,
        }
    }

    /// Whether no instant is both at or after `self` (a `--since`) and at or before `until`.
    pub fn after(self, until: When) -> bool {
        let start = match self {
            When::Day(d) => When::start_of_day(d),
            When::Instant(i) => i,
        };
        !until.not_before(start)
    }

    /// As given: `2026-03-31` or the time in RFC 3339.
    pub fn show(self) -> String {
        match self {
            When::Day(d) => d.to_string(),
            When::Instant(i) => i.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        }
    }
}

/// The filters of `evidence query`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub controls: Vec<String>,
    /// Resource addresses (or logical ids); `*` matches any run of characters.
    pub resources: Vec<String>,
    pub exceptions: Vec<String>,
    pub decisions: Vec<Verdict>,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub repositories: Vec<String>,
    pub since: Option<When>,
    pub until: Option<When>,
}

impl Filter {
    pub fn matches(&self, r: &Record) -> bool {
        let p = r.predicate();
        let any = |values: &[String], test: &dyn Fn(&str) -> bool| values.is_empty() || values.iter().any(|v| test(v));
        self.since.is_none_or(|s| s.not_after(r.started))
            && self.until.is_none_or(|u| u.not_before(r.started))
            && (self.decisions.is_empty() || self.decisions.contains(&p.decision.verdict))
            && any(&self.controls, &|c| r.control(c).is_some_and(|c| c.operated()))
            && any(&self.repositories, &|repo| r.repository() == Some(repo))
            && any(&self.accounts, &|a| p.settings.account.as_deref() == Some(a))
            && any(&self.regions, &|region| {
                p.settings.region.as_deref() == Some(region)
                    || p.changes.resources.iter().any(|x| x.region.as_deref() == Some(region))
                    || p.findings.iter().any(|f| f.region.as_deref() == Some(region))
            })
            && any(&self.exceptions, &|id| applied(r, id))
            && any(&self.resources, &|pattern| {
                p.changes.resources.iter().any(|x| wildcard(pattern, &x.address))
                    || p.findings.iter().any(|f| wildcard(pattern, &f.resource))
            })
    }
}

/// Whether the run applied exception `id` (it excepted a finding).
pub fn applied(r: &Record, id: &str) -> bool {
    let p = r.predicate();
    p.exceptions.iter().any(|e| e.id == id && e.applied > 0)
        || p.findings.iter().any(|f| f.exception.as_deref() == Some(id))
}

/// `text` matches `pattern`, where `*` stands for any run of characters and nothing else is
/// special (addresses hold `[`, `]`, `"` and `.`, which glob syntaxes would read).
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// One run as the JSON of `evidence query` and `evidence package` shows it.
pub fn run_json(r: &Record, controls: &[String]) -> Value {
    let p = r.predicate();
    let ctx = p.context.clone().unwrap_or_default();
    let digest_of = |name: &str| {
        r.statement
            .subject
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.digest.sha256.as_str())
    };
    let mut exceptions: Vec<&str> = p
        .exceptions
        .iter()
        .filter(|e| e.applied > 0)
        .map(|e| e.id.as_str())
        .chain(p.findings.iter().filter_map(|f| f.exception.as_deref()))
        .collect();
    exceptions.sort_unstable();
    exceptions.dedup();
    json!({
        "startedAt": p.started_at,
        "finishedAt": p.finished_at,
        "decision": p.decision.verdict,
        "exitCode": p.decision.exit_code,
        "blockingFindings": p.decision.blocking_findings,
        "repository": ctx.repository,
        "commit": ctx.commit,
        "branch": ctx.branch,
        "pullRequest": ctx.pull_request.as_ref().and_then(|pr| pr.number),
        "workflowRun": ctx.workflow_run.as_ref().and_then(|w| w.url.as_deref().or(w.id.as_deref())),
        "actor": ctx.actor,
        "changeRecord": ctx.change_record,
        "account": p.settings.account,
        "region": p.settings.region,
        "policyDigest": p.policy.digest.sha256,
        "inputs": p.inputs.iter().map(|i| json!({"name": i.name, "format": i.format, "sha256": digest_of(&i.name)})).collect::<Vec<_>>(),
        "controls": controls.iter().filter_map(|c| r.control(c)).map(|c| json!({
            "id": c.id,
            "version": c.version,
            "evaluated": c.evaluated,
            "passed": c.passed,
            "failed": c.failed,
            "unknown": c.unknown,
            "excepted": c.excepted,
            "blocking": c.blocking,
        })).collect::<Vec<_>>(),
        "exceptionsApplied": exceptions,
        "record": {"file": r.file, "line": r.line, "sha256": r.sha256},
    })
}

/// The JSON document of `evidence query`.
pub fn json(total: usize, rows: &[&Record], filter: &Filter) -> String {
    let v = json!({
        "records": total,
        "matched": rows.len(),
        "runs": rows.iter().map(|r| run_json(r, &filter.controls)).collect::<Vec<_>>(),
    });
    let mut t = serde_json::to_string_pretty(&v).unwrap_or_default();
    t.push('\n');
    t
}

/// The table of `evidence query`: one line per run, every field from a record escaped.
pub fn human(rows: &[&Record], filter: &Filter) -> String {
    let mut header = vec!["STARTED", "DECISION", "REPOSITORY", "COMMIT"];
    let titles: Vec<String> = filter.controls.iter().map(|c| format!("{c} F/X")).collect();
    header.extend(titles.iter().map(String::as_str));
    header.extend(["INPUTS", "RECORD", "SHA256"]);
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|h| (*h).to_string()).collect()];
    for r in rows {
        let p = r.predicate();
        let mut row = vec![
            p.started_at.clone(),
            p.decision.verdict.as_str().to_string(),
            r.repository().unwrap_or("-").to_string(),
            r.commit().map_or("-".to_string(), |c| c.chars().take(12).collect()),
        ];
        for c in &filter.controls {
            row.push(
                r.control(c)
                    .map_or("-".into(), |c| format!("{}/{}", c.failed, c.excepted)),
            );
        }
        row.push(match p.inputs.as_slice() {
            [] => "-".into(),
            [one] => one.name.clone(),
            [first, rest @ ..] => format!("{} +{}", first.name, rest.len()),
        });
        row.push(r.place());
        row.push(r.sha256.chars().take(12).collect());
        table.push(row.iter().map(|c| escape::line(c)).collect());
    }
    layout(&table)
}

/// Columns padded to their widest cell, two spaces apart.
pub fn layout(table: &[Vec<String>]) -> String {
    let columns = table.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            table
                .iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in table {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_matches_any_run_of_characters_and_nothing_else_is_special() {
        assert!(wildcard("aws_s3_bucket.logs", "aws_s3_bucket.logs"));
        assert!(!wildcard("aws_s3_bucket.log", "aws_s3_bucket.logs"));
        assert!(wildcard("module.data.*", "module.data.aws_s3_bucket.this[\"raw\"]"));
        assert!(wildcard("*[\"raw\"]", "module.data.aws_s3_bucket.this[\"raw\"]"));
        assert!(wildcard("*.aws_db_*.main", "module.data.aws_db_instance.main"));
        assert!(!wildcard("*.aws_db_*.main", "module.data.aws_db_instance.other"));
        assert!(!wildcard("ab*ba", "aba"), "the two ends do not overlap");
        assert!(wildcard("[0]", "[0]"));
        assert!(!wildcard("a[0]", "a0"));
    }

    #[test]
    fn a_day_bound_covers_the_whole_day() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let since: When = "2026-01-01".parse().unwrap();
        let until: When = "2026-03-31".parse().unwrap();
        assert!(since.not_after(t("2026-01-01T00:00:00Z")));
        assert!(!since.not_after(t("2025-12-31T23:59:59.999Z")));
        assert!(until.not_before(t("2026-03-31T23:59:59.999Z")));
        assert!(!until.not_before(t("2026-04-01T00:00:00Z")));
        let at: When = "2026-03-31T12:00:00+02:00".parse().unwrap();
        assert!(at.not_before(t("2026-03-31T10:00:00Z")), "a time is inclusive");
        assert!(!at.not_before(t("2026-03-31T10:00:00.001Z")));
        assert!("31/03/2026".parse::<When>().is_err());
        assert!(!since.after(until));
        assert!(!since.after("2026-01-01".parse().unwrap()), "one day");
        assert!(until.after(since));
        assert!(at.after("2026-03-31T09:59:59Z".parse().unwrap()));
    }
}
