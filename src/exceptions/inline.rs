//! Inline suppressions (`Metadata` of other scanners, `# checkov:skip=...` comments) are not
//! exceptions: nobody approved them and they never expire. They are found, reported, and ignored
//! unless they name a registered, valid exception, which then applies through the registry.

use serde_json::Value;

use super::{Clock, Exception};
use crate::finding::Finding;
use crate::model::InlineSuppression;

/// `Metadata` keys by which scanners' users skip checks in CloudFormation.
const METADATA_KEYS: &[&str] = &[
    "controlgate",
    "checkov",
    "cfn_nag",
    "cfn-lint",
    "guard",
    "trivy",
    "kics",
];
/// Comment markers that skip checks.
const COMMENT_MARKERS: &[&str] = &[
    "controlgate:",
    "checkov:skip",
    "cfn_nag",
    "cfn-lint",
    "nosec",
    "tfsec:ignore",
    "trivy:ignore",
    "kics-scan",
];

/// The exception ids an inline suppression names (`EXC-2026-014`).
pub trait NamesExceptions {
    fn exception_ids(&self) -> Vec<&str>;
}

impl NamesExceptions for InlineSuppression {
    fn exception_ids(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = self.text.as_str();
        while let Some(i) = rest.find("EXC-") {
            let id_len = rest[i + 4..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .unwrap_or(rest.len() - i - 4);
            let id = rest[i..i + 4 + id_len].trim_end_matches('-');
            if id.len() > 4 {
                out.push(id);
            }
            rest = &rest[i + 4 + id_len..];
        }
        out
    }
}

/// A marker's text as messages quote it.
fn shorten(s: &str) -> String {
    crate::text::shorten(s.trim(), 123)
}

/// Suppression attempts in a resource's `Metadata`.
pub fn from_metadata(metadata: Option<&Value>) -> Vec<InlineSuppression> {
    let Some(Value::Object(m)) = metadata else {
        return Vec::new();
    };
    METADATA_KEYS
        .iter()
        .filter_map(|k| {
            m.get(*k).map(|v| InlineSuppression {
                source: format!("Metadata.{k}"),
                text: shorten(&v.to_string()),
            })
        })
        .collect()
}

/// Suppression attempts in YAML comments on lines `first..=last` (1-based) of `text`.
pub fn from_comments(text: &str, first: usize, last: usize) -> Vec<InlineSuppression> {
    let lines = text
        .lines()
        .skip(first.saturating_sub(1))
        .take(last.saturating_sub(first) + 1);
    from_comment_lines(lines, first)
}

/// Suppression attempts in YAML comments on `lines`, the first of which is line `first`
/// (1-based). A caller that checks many ranges of one file slices them out itself: walking the
/// file from its start for each range is quadratic in its size.
pub fn from_comment_lines<'a>(lines: impl IntoIterator<Item = &'a str>, first: usize) -> Vec<InlineSuppression> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| (i + first.max(1) - 1, line))
        .filter_map(|(i, line)| {
            let comment = comment_of(line)?;
            let lower = comment.to_ascii_lowercase();
            COMMENT_MARKERS
                .iter()
                .any(|m| lower.contains(m))
                .then(|| InlineSuppression {
                    source: format!("comment at line {}", i + 1),
                    text: shorten(comment),
                })
        })
        .collect()
}

/// The comment of a YAML line: from a `#` at the start or after a space, outside quotes.
fn comment_of(line: &str) -> Option<&str> {
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev.is_whitespace() => return Some(&line[i + 1..]),
            _ => {}
        }
        prev = c;
    }
    None
}

/// What each inline suppression on a finding's resource amounts to, in words.
pub fn judge(
    finding: &Finding,
    suppressions: &[InlineSuppression],
    exceptions: &[Exception],
    clock: &Clock,
) -> Vec<String> {
    suppressions
        .iter()
        .map(|s| {
            let ids = s.exception_ids();
            if ids.is_empty() {
                return format!(
                    "inline suppression ignored ({}): only a registered, approved exception suppresses a finding",
                    s.source
                );
            }
            let verdicts: Vec<String> = ids
                .iter()
                .map(|id| match exceptions.iter().find(|e| e.id == *id) {
                    None => format!("{id} is not in the exception registry: ignored"),
                    Some(e) if !clock.state(e).suppresses() => {
                        format!("{id} is {}: ignored", clock.state(e).as_str())
                    }
                    Some(e) if e.control != finding.control_id => {
                        format!("{id} is for control {}: ignored here", e.control)
                    }
                    Some(_) => {
                        format!("{id} is a registered exception: the registry decides whether it covers this resource")
                    }
                })
                .collect();
            format!("inline reference ({}): {}", s.source, verdicts.join("; "))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata_of_scanners_is_found() {
        let found = from_metadata(Some(
            &json!({"cfn_nag": {"rules_to_suppress": [{"id": "W1"}]}, "aws:cdk:path": "x"}),
        ));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].source, "Metadata.cfn_nag");
        assert!(from_metadata(Some(&json!({"aws:cdk:path": "x"}))).is_empty());
        assert!(from_metadata(None).is_empty());
    }

    #[test]
    fn comments_with_skip_markers_are_found_outside_quotes() {
        let text =
            "A:\n  # checkov:skip=CKV_AWS_18: logs\n  B: 'x # nosec'\n  C: 1 # controlgate:exception EXC-2026-001\n";
        let found = from_comments(text, 1, 4);
        let lines: Vec<&str> = found.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(lines, vec!["comment at line 2", "comment at line 4"]);
        assert_eq!(found[1].exception_ids(), vec!["EXC-2026-001"]);
        assert!(
            from_comments(text, 3, 3).is_empty(),
            "a # inside quotes is not a comment"
        );
    }

    #[test]
    fn exception_ids_are_read_from_text() {
        let s = InlineSuppression {
            source: String::new(),
            text: "skip: [EXC-1, \"EXC-2026-014\"], EXC-".into(),
        };
        assert_eq!(s.exception_ids(), vec!["EXC-1", "EXC-2026-014"]);
    }
}
