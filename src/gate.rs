//! The gate's decision, computed once per run: `pass`, `blocked` or `error`, with its reasons.
//! Every printer reads it and none computes it, so no format can tell a different story: a run
//! that had an error never reads as a pass anywhere.

use serde::Serialize;

use crate::catalog::Severity;
use crate::error::Error;
use crate::finding::{Finding, Outcome};
use crate::text::plural;

/// Whether undecidable findings block the gate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownPolicy {
    /// An unknown outcome blocks like a failure (the default: fail closed).
    #[default]
    Fail,
    /// An unknown outcome is reported but does not block.
    Warn,
}

/// What blocks: the lowest blocking severity and what unknown outcomes do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub fail_on: Severity,
    pub unknown: UnknownPolicy,
}

impl Default for Policy {
    /// Everything blocks: the lowest severity, and unknown outcomes.
    fn default() -> Policy {
        Policy {
            fail_on: Severity::Low,
            unknown: UnknownPolicy::Fail,
        }
    }
}

impl Policy {
    /// Whether this finding blocks the gate.
    pub fn blocks(&self, f: &Finding) -> bool {
        !f.is_excepted()
            && f.severity >= self.fail_on
            && (f.outcome == Outcome::Fail || self.unknown == UnknownPolicy::Fail)
    }
}

/// The three values of the gate. An error outranks findings: a run that could not read or judge
/// everything has not shown that the change is allowed, whatever it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Blocked,
    Error,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Blocked => "blocked",
            Verdict::Error => "error",
        }
    }

    /// The exit code: 0 pass, 1 blocked, 2 error.
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Pass => 0,
            Verdict::Blocked => 1,
            Verdict::Error => 2,
        }
    }
}

/// One error of the run, as every format reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunError {
    /// `input`, `policy`, `config`, `exceptions`, `evaluation` or `output`.
    pub kind: &'static str,
    pub file: String,
    /// 1-based; 0 when the error concerns the whole file.
    pub line: usize,
    pub column: usize,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl RunError {
    pub fn of(e: &Error) -> RunError {
        let kind = match e {
            Error::Input(_) => "input",
            Error::Policy(_) => "policy",
            Error::Config(_) => "config",
            Error::Exception(_) => "exceptions",
            Error::Evaluation(_) => "evaluation",
            Error::Output { .. } => "output",
        };
        match (e, e.located()) {
            (_, Some(l)) => RunError {
                kind,
                file: l.file.clone(),
                line: l.line,
                column: l.column,
                message: l.message.clone(),
                help: l.help.clone(),
            },
            (Error::Output { path, source }, None) => RunError {
                kind,
                file: path.clone(),
                line: 0,
                column: 0,
                message: format!("cannot write: {source}"),
                help: None,
            },
            (_, None) => RunError {
                kind,
                file: String::new(),
                line: 0,
                column: 0,
                message: e.to_string(),
                help: None,
            },
        }
    }

    /// `file:line:column` (as much of it as is known).
    pub fn position(&self) -> String {
        match (self.line, self.column) {
            (0, _) => self.file.clone(),
            (l, 0) => format!("{}:{l}", self.file),
            (l, c) => format!("{}:{l}:{c}", self.file),
        }
    }
}

/// The decision of one run.
#[derive(Debug, Clone)]
pub struct Decision {
    pub verdict: Verdict,
    pub policy: Policy,
    /// Findings that block (counted even on an error run).
    pub blocking: usize,
    /// What made the run fail, in the order it was found.
    pub errors: Vec<RunError>,
    /// `--soft-fail`: a blocked gate exits 0. The verdict still says `blocked`; an error still
    /// exits 2 (a run that could not judge everything must not read as a green job).
    pub soft_fail: bool,
}

impl Decision {
    pub fn new(policy: Policy, findings: &[Finding], errors: &[Error]) -> Decision {
        let blocking = findings.iter().filter(|f| policy.blocks(f)).count();
        let verdict = if !errors.is_empty() {
            Verdict::Error
        } else if blocking > 0 {
            Verdict::Blocked
        } else {
            Verdict::Pass
        };
        Decision {
            verdict,
            policy,
            blocking,
            errors: errors.iter().map(RunError::of).collect(),
            soft_fail: false,
        }
    }

    /// This decision, exiting 0 when blocked if `on`.
    pub fn soft_fail(mut self, on: bool) -> Decision {
        self.soft_fail = on;
        self
    }

    /// The exit code: 0 pass, 1 blocked (0 with soft-fail), 2 error.
    pub fn exit_code(&self) -> u8 {
        match self.verdict {
            Verdict::Blocked if self.soft_fail => 0,
            v => v.exit_code(),
        }
    }

    /// The verdict and exit code once the documents are written: a document that could not be
    /// written makes the run an error, whatever was decided before.
    pub fn after_output(&self, write_failed: bool) -> (Verdict, u8) {
        if write_failed {
            (Verdict::Error, Verdict::Error.exit_code())
        } else {
            (self.verdict, self.exit_code())
        }
    }

    /// Why the gate decided as it did, one reason a line: the errors (at most a few, then a
    /// count), then the blocking findings.
    pub fn reasons(&self) -> Vec<String> {
        const SHOWN: usize = 3;
        let mut reasons: Vec<String> = self
            .errors
            .iter()
            .take(SHOWN)
            .map(|e| format!("{} error: {}: {}", e.kind, e.position(), e.message))
            .collect();
        if self.errors.len() > SHOWN {
            reasons.push(format!("{} more errors", self.errors.len() - SHOWN));
        }
        if self.blocking > 0 {
            reasons.push(format!("{} blocking finding{}", self.blocking, plural(self.blocking)));
        }
        reasons
    }

    /// `gate: pass`, `gate: blocked by 3 findings`, or `gate: error: the run failed with 2 errors`.
    pub fn headline(&self) -> String {
        match self.verdict {
            Verdict::Pass => "gate: pass".to_string(),
            Verdict::Blocked if self.soft_fail => format!(
                "gate: blocked by {} finding{} (soft-fail: exit 0)",
                self.blocking,
                plural(self.blocking)
            ),
            Verdict::Blocked => format!("gate: blocked by {} finding{}", self.blocking, plural(self.blocking)),
            Verdict::Error => format!(
                "gate: error: the run failed with {} error{} and proves nothing about the change",
                self.errors.len(),
                plural(self.errors.len())
            ),
        }
    }
}

/// An effective setting that differs from the default, where it came from, and whether it lets
/// through what the defaults would stop. The author of a change can edit the repository's config
/// file: every output records these, so a weakened gate is impossible to miss in review.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Changed {
    pub setting: String,
    pub value: String,
    pub default: String,
    /// The config file, `command line`, or the environment variable (`CONTROLGATE_SOFT_FAIL`).
    pub source: String,
    pub weakens: bool,
    /// What it does to the gate.
    pub effect: String,
}

impl Changed {
    /// `unknown: warn (config .controlgate.yaml): findings that ...`
    pub fn describe(&self) -> String {
        format!(
            "{}: {} (from {}): {}",
            self.setting, self.value, self.source, self.effect
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Located;

    fn finding(outcome: Outcome, severity: Severity) -> Finding {
        let mut f = Finding::sample("TST-001", "aws_s3_bucket.logs", severity);
        f.outcome = outcome;
        f
    }

    #[test]
    fn an_error_outranks_findings_and_no_findings() {
        let policy = Policy::default();
        let error = [Error::Input(Located::new("plan.json", 1, 1, "not JSON"))];
        assert_eq!(Decision::new(policy, &[], &error).verdict, Verdict::Error);
        let failing = [finding(Outcome::Fail, Severity::High)];
        let d = Decision::new(policy, &failing, &error);
        assert_eq!((d.verdict, d.blocking), (Verdict::Error, 1));
        assert_eq!(d.errors[0].position(), "plan.json:1:1");
        assert_eq!(d.reasons()[0], "input error: plan.json:1:1: not JSON");
        assert!(d.headline().contains("failed with 1 error "), "{}", d.headline());
        assert_eq!(Decision::new(policy, &failing, &[]).verdict, Verdict::Blocked);
        // Soft-fail changes the exit code of a blocked gate only.
        let soft = Decision::new(policy, &failing, &[]).soft_fail(true);
        assert_eq!((soft.verdict, soft.exit_code()), (Verdict::Blocked, 0));
        assert!(soft.headline().ends_with("(soft-fail: exit 0)"), "{}", soft.headline());
        assert_eq!(Decision::new(policy, &failing, &error).soft_fail(true).exit_code(), 2);
        assert_eq!(Decision::new(policy, &failing, &[]).exit_code(), 1);
        assert_eq!(Decision::new(policy, &[], &[]).verdict, Verdict::Pass);
    }

    #[test]
    fn the_policy_decides_what_blocks() {
        let unknown = [finding(Outcome::Unknown, Severity::Medium)];
        let warn = Policy {
            unknown: UnknownPolicy::Warn,
            ..Policy::default()
        };
        assert_eq!(
            Decision::new(Policy::default(), &unknown, &[]).verdict,
            Verdict::Blocked
        );
        assert_eq!(Decision::new(warn, &unknown, &[]).verdict, Verdict::Pass);
        let high_only = Policy {
            fail_on: Severity::High,
            ..Policy::default()
        };
        assert_eq!(Decision::new(high_only, &unknown, &[]).verdict, Verdict::Pass);
        let reasons = Decision::new(Policy::default(), &unknown, &[]).reasons();
        assert_eq!(reasons, ["1 blocking finding"]);
    }

    #[test]
    fn many_errors_are_counted_not_all_listed_in_the_reasons() {
        let errors: Vec<Error> = (1..=5)
            .map(|i| Error::Input(Located::new(format!("f{i}.json"), i, 0, "bad")))
            .collect();
        let d = Decision::new(Policy::default(), &[], &errors);
        assert_eq!(d.errors.len(), 5);
        assert_eq!(d.reasons().len(), 4);
        assert_eq!(d.reasons()[3], "2 more errors");
    }
}
