//! Inline suppressions (`Metadata` of other scanners, `# checkov:skip=...` comments) are not
//! exceptions: nobody approved them and they never expire. They are found when the input is read
//! ([`crate::input::suppressions`]), reported, and ignored unless they name a registered, valid
//! exception, which then applies through the registry.

use super::{Clock, Exception};
use crate::finding::Finding;
use crate::input::suppressions::InlineSuppression;

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

    #[test]
    fn exception_ids_are_read_from_comments_found_in_the_input() {
        let found = crate::input::suppressions::from_comments("A: 1 # controlgate:exception EXC-2026-001\n", 1, 1);
        assert_eq!(found[0].exception_ids(), vec!["EXC-2026-001"]);
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
