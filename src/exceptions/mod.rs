//! Governed exceptions: a registry of approved, expiring risk acceptances. An active, valid
//! exception whose scope covers a finding turns it into an *excepted* finding, which does not
//! block and stays visible in every output. Expired, invalid, requested and revoked entries
//! suppress nothing; the findings they would have covered say so.

pub mod address;
pub mod identity;
pub mod inline;
pub mod registry;
pub mod roster;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

pub use registry::{Exception, Status};

use crate::finding::Finding;
pub use crate::finding::{ExceptionNote, ExceptionState as State};

/// How dates are judged: the day of the run and the warning window before expiry.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub today: NaiveDate,
    pub warn_days: i64,
}

impl Clock {
    /// Days from today to the expiry (0 on the last day, negative once expired).
    pub fn days_left(&self, e: &Exception) -> Option<i64> {
        e.expires.map(|d| (d - self.today).num_days())
    }

    /// Days since approval.
    pub fn age(&self, e: &Exception) -> Option<i64> {
        e.approval.as_ref().map(|a| (self.today - a.date).num_days())
    }

    pub fn state(&self, e: &Exception) -> State {
        if !e.is_valid() {
            return State::Invalid;
        }
        match e.status {
            Status::Requested => State::Requested,
            Status::Revoked => State::Revoked,
            Status::Approved => match self.days_left(e) {
                Some(d) if d < 0 => State::Expired,
                Some(d) if d <= self.warn_days => State::ExpiringSoon,
                _ => State::Active,
            },
        }
    }
}

impl ExceptionNote {
    /// What `e` amounts to on the clock's day.
    pub fn of(e: &Exception, clock: &Clock) -> ExceptionNote {
        ExceptionNote {
            id: e.id.clone(),
            state: clock.state(e),
            owner: e.owner.clone(),
            approver: e.approval.as_ref().map(|a| a.approver.clone()),
            expires: e.expires,
            days_left: clock.days_left(e),
            reason: e.reason.clone(),
            problems: e.problems.clone(),
        }
    }
}

/// The day a run judges exceptions on, where it came from, and the system's UTC date.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JudgedDay {
    pub day: NaiveDate,
    /// `--today` or `system clock (UTC)`.
    pub source: &'static str,
    #[serde(skip)]
    pub system: NaiveDate,
}

/// Apply the registry to findings; returns how many findings each exception excepted.
///
/// Of several entries covering a finding, an active one excepts it (the latest expiry first,
/// then the smallest id); otherwise the finding notes the most telling one that did not apply.
pub fn apply(
    findings: &mut [Finding],
    exceptions: &[Exception],
    clock: &Clock,
    account: Option<&str>,
) -> BTreeMap<String, usize> {
    let mut used: BTreeMap<String, usize> = exceptions.iter().map(|e| (e.id.clone(), 0)).collect();
    for f in findings.iter_mut() {
        let mut candidates: Vec<(&Exception, State)> = exceptions
            .iter()
            .filter(|e| {
                e.control == f.control_id && e.covers(&f.resource, &f.source.repo_path, account, f.region.as_deref())
            })
            .map(|e| (e, clock.state(e)))
            .collect();
        // Active first; among them the latest expiry; then expired, invalid, requested, revoked.
        candidates.sort_by(|(a, sa), (b, sb)| {
            let rank = |s: State| match s {
                State::Active | State::ExpiringSoon => 0,
                State::Expired => 1,
                State::Invalid => 2,
                State::Requested => 3,
                State::Revoked => 4,
            };
            rank(*sa)
                .cmp(&rank(*sb))
                .then(b.expires.cmp(&a.expires))
                .then(a.id.cmp(&b.id))
        });
        let Some((e, state)) = candidates.first() else { continue };
        if state.suppresses() {
            *used.entry(e.id.clone()).or_default() += 1;
        }
        f.exception = Some(ExceptionNote::of(e, clock));
    }
    used
}

#[cfg(test)]
mod tests;

/// One line of the exception inventory an auditor asks for.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    #[serde(flatten)]
    pub note: ExceptionNote,
    /// Valid and in force, yet it excepted nothing in this run: a stale exception. Only known
    /// when the run checked inputs.
    pub unused: bool,
    pub control: String,
    /// Days since approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_days: Option<i64>,
    /// Findings it excepted in this run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uses: Option<usize>,
    pub file: String,
    pub line: usize,
}

impl Entry {
    /// The state as the inventory shows it: `unused` for an exception in force that excepted
    /// nothing.
    pub fn shown_state(&self) -> &'static str {
        if self.unused {
            "unused"
        } else {
            self.note.state.as_str()
        }
    }
}

/// The inventory of `exceptions`, sorted by id; `uses` from a run when there was one.
pub fn inventory(exceptions: &[Exception], clock: &Clock, uses: Option<&BTreeMap<String, usize>>) -> Vec<Entry> {
    let mut out: Vec<Entry> = exceptions
        .iter()
        .map(|e| {
            let note = ExceptionNote::of(e, clock);
            let used = uses.map(|u| u.get(&e.id).copied().unwrap_or(0));
            Entry {
                unused: note.state.suppresses() && used == Some(0),
                note,
                control: e.control.clone(),
                age_days: clock.age(e),
                uses: used,
                file: e.origin.file.clone(),
                line: e.origin.line,
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.note.id, &a.file, a.line).cmp(&(&b.note.id, &b.file, b.line)));
    out
}

/// The warnings a run owes about its registry: exceptions about to expire, and stale ones.
pub fn warnings(entries: &[Entry]) -> Vec<String> {
    let mut out = Vec::new();
    for e in entries {
        let n = &e.note;
        if n.state == State::ExpiringSoon {
            let d = n.days_left.unwrap_or(0);
            out.push(format!(
                "exception {} ({}, owner {}) expires in {d} day{} on {}: renew or retire it",
                n.id,
                e.control,
                n.owner,
                if d == 1 { "" } else { "s" },
                n.expires.map(|x| x.to_string()).unwrap_or_default()
            ));
        }
        if e.unused {
            out.push(format!(
                "exception {} ({}, owner {}) matched no finding in this run: it is unused, retire it if it is stale",
                n.id, e.control, n.owner
            ));
        }
    }
    out
}
