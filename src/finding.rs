//! Findings: one per failing (or undecidable) resource and rule.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::catalog::Severity;
use crate::model::{Anchor, InlineSuppression, InputFormat, Location, PlannedAction, Secrets, SourceFile};

/// Why a finding exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The resource does not meet the rule.
    Fail,
    /// The rule cannot be decided before deployment: a value is known only after apply or set by
    /// an intrinsic function. Whether this blocks the gate is `--unknown`'s choice.
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub control_id: String,
    pub rule_id: String,
    pub severity: Severity,
    pub outcome: Outcome,
    /// Terraform address or CloudFormation logical id.
    pub resource: String,
    pub resource_type: String,
    pub format: InputFormat,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<PlannedAction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Relative to the working directory, `/`-separated.
    pub file: String,
    pub location: Location,
    /// Terraform findings reported at the `.tf` block: where the resource is in the plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Related>,
    /// The rule's message and the observations behind it.
    pub message: String,
    pub facts: Vec<String>,
    /// Stable across runs and machines: control, rule, file and resource, not line numbers.
    pub fingerprint: String,
    /// The registry exception that excepts this finding, or that covers it but does not apply
    /// (expired, invalid, requested, revoked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<ExceptionNote>,
    /// What the inline suppressions beside the resource amount to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Inline suppressions beside the resource, judged once the registry is loaded.
    #[serde(skip)]
    pub inline: Vec<InlineSuppression>,
    #[serde(skip)]
    pub source: Arc<SourceFile>,
    /// Where the resource is in its input, before resolution, and that input.
    #[serde(skip)]
    pub anchor: Anchor,
    #[serde(skip)]
    pub anchor_source: Arc<SourceFile>,
    /// The sensitive values of the resource's input file, which excerpts of it redact.
    #[serde(skip)]
    pub secrets: Arc<Secrets>,
}

/// A second place of a finding: the plan entry of a resource reported at its `.tf` block.
#[derive(Debug, Clone, Serialize)]
pub struct Related {
    pub file: String,
    pub location: Location,
}

impl Finding {
    /// Whether an active exception excepts it.
    pub fn is_excepted(&self) -> bool {
        self.exception.as_ref().is_some_and(ExceptionNote::excepts)
    }

    pub fn sort_key(&self) -> (&str, usize, usize, &str, &str, &str) {
        (
            &self.file,
            self.location.line,
            self.location.column,
            &self.resource,
            &self.control_id,
            &self.rule_id,
        )
    }
}

/// An exception's state on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExceptionState {
    Active,
    /// Active, and expiring within the warning window.
    ExpiringSoon,
    Expired,
    Invalid,
    Requested,
    Revoked,
}

impl ExceptionState {
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionState::Active => "active",
            ExceptionState::ExpiringSoon => "expiring-soon",
            ExceptionState::Expired => "expired",
            ExceptionState::Invalid => "invalid",
            ExceptionState::Requested => "requested",
            ExceptionState::Revoked => "revoked",
        }
    }

    /// Whether an exception in this state suppresses findings.
    pub fn suppresses(self) -> bool {
        matches!(self, ExceptionState::Active | ExceptionState::ExpiringSoon)
    }
}

/// What an exception did, or failed to do, for a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionNote {
    pub id: String,
    /// The exception's state: only `active` and `expiring-soon` except the finding.
    pub state: ExceptionState,
    pub owner: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
    pub reason: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

impl ExceptionNote {
    pub fn excepts(&self) -> bool {
        self.state.suppresses()
    }

    /// One line for people: `excepted by EXC-1 (owner a, 12 days left)` or why not.
    pub fn describe(&self) -> String {
        match self.state {
            ExceptionState::Active | ExceptionState::ExpiringSoon => format!(
                "excepted by {} (owner {}, {} day{} left)",
                self.id,
                self.owner,
                self.days_left.unwrap_or(0),
                crate::text::plural(self.days_left.unwrap_or(0))
            ),
            ExceptionState::Expired => format!(
                "exception {} expired on {}: it no longer applies",
                self.id,
                self.expires.map(|d| d.to_string()).unwrap_or_default()
            ),
            ExceptionState::Invalid => format!(
                "exception {} is invalid and applies to nothing: {}",
                self.id,
                self.problems.join("; ")
            ),
            ExceptionState::Requested => format!(
                "exception {} is requested, not approved: it does not apply yet",
                self.id
            ),
            ExceptionState::Revoked => format!("exception {} was revoked", self.id),
        }
    }
}

#[cfg(test)]
impl Finding {
    /// A failing finding of `control` on `resource` in `plan.json`, for tests of later stages.
    pub(crate) fn sample(control: &str, resource: &str, severity: Severity) -> Finding {
        let empty = || {
            Arc::new(SourceFile {
                path: std::path::PathBuf::new(),
                display: String::new(),
                repo_path: "plan.json".into(),
                text: String::new(),
            })
        };
        Finding {
            control_id: control.into(),
            rule_id: "rule".into(),
            severity,
            outcome: Outcome::Fail,
            resource: resource.into(),
            resource_type: "aws_db_instance".into(),
            format: InputFormat::TerraformPlan,
            action: None,
            environment: None,
            region: None,
            file: "plan.json".into(),
            location: Location {
                line: 1,
                column: 1,
                offset: 0,
                length: 0,
            },
            related: None,
            message: "m".into(),
            facts: Vec::new(),
            fingerprint: fingerprint(control, "rule", "plan.json", resource),
            exception: None,
            notes: Vec::new(),
            inline: Vec::new(),
            source: empty(),
            anchor: Anchor::JsonPointer(String::new()),
            anchor_source: empty(),
            secrets: Arc::default(),
        }
    }
}

/// The fingerprint of a finding's identity.
pub fn fingerprint(control: &str, rule: &str, file: &str, resource: &str) -> String {
    let mut h = Sha256::new();
    for part in [control, rule, file, resource] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        let a = fingerprint("BCK-001", "r", "plan.json", "aws_db_instance.main");
        assert_eq!(a, fingerprint("BCK-001", "r", "plan.json", "aws_db_instance.main"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, fingerprint("BCK-001", "r", "plan.json", "aws_db_instance.other"));
        // Parts are delimited: moving a character between parts changes the fingerprint.
        assert_ne!(fingerprint("a", "bc", "f", "r"), fingerprint("ab", "c", "f", "r"));
    }
}
