//! Attempts to skip checks written in a template itself (`Metadata` entries of other scanners,
//! `# checkov:skip=...` comments), found as the template is read. Judging them is not input work: the
//! exception layer does it (`exceptions::inline`).

use serde_json::Value;

pub use crate::model::InlineSuppression;

/// `Metadata` keys by which scanners' users skip checks in CloudFormation.
const METADATA_KEYS: &[&str] = &[
    "controlgate",
    "checkov",
    "cfn_nag",
    "cfn-nag",
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

/// A marker's text as messages quote it.
fn shorten(s: &str) -> String {
    crate::text::shorten(s.trim(), 123)
}

/// A resource's `Metadata` without the entries by which scanners' users skip checks: what a
/// policy engine may read of it, since only the exception registry suppresses.
pub fn without_markers(metadata: &serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    metadata
        .iter()
        .filter(|(k, _)| !METADATA_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
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
        assert_eq!(found[1].text, "controlgate:exception EXC-2026-001");
        assert!(
            from_comments(text, 3, 3).is_empty(),
            "a # inside quotes is not a comment"
        );
    }
}
