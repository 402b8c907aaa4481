//! The policy bundle digest: one SHA-256 for the set of policy files a run loaded.

use crate::catalog::PolicyDigest;

/// SHA-256 over the loaded policy files in a canonical order: one line `ROLE NAME SHA256` per
/// file, sorted, each ended by a newline. The same set of files (same roles, names and
/// contents) gives the same digest whatever the order they were read in or the working
/// directory; a changed, added or removed file changes it.
pub fn bundle_digest(files: &[PolicyDigest]) -> String {
    let mut lines: Vec<String> = files
        .iter()
        .map(|f| format!("{} {} {}\n", f.role, f.name, f.sha256))
        .collect();
    lines.sort();
    lines.dedup();
    crate::text::sha256_hex(lines.concat().as_bytes())
}

/// `record` without what differs between two runs on the same files: the start and end times.
pub fn normalized(record: &serde_json::Value) -> serde_json::Value {
    let mut r = record.clone();
    if let Some(p) = r.get_mut("predicate").and_then(|p| p.as_object_mut()) {
        p.remove("startedAt");
        p.remove("finishedAt");
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(role: &str, name: &str, text: &str) -> PolicyDigest {
        PolicyDigest::new(role, name.into(), text)
    }

    #[test]
    fn the_order_files_were_read_in_does_not_change_the_digest() {
        let a = file("control", "p/controls/A.yaml", "id: A");
        let b = file("rule", "p/rules/b.yaml", "id: b");
        assert_eq!(bundle_digest(&[a.clone(), b.clone()]), bundle_digest(&[b, a]));
    }

    #[test]
    fn a_changed_added_or_renamed_file_changes_the_digest() {
        let a = file("control", "p/controls/A.yaml", "id: A");
        let base = bundle_digest(std::slice::from_ref(&a));
        assert_ne!(base, bundle_digest(&[file("control", "p/controls/A.yaml", "id: B")]));
        assert_ne!(base, bundle_digest(&[file("control", "p/controls/B.yaml", "id: A")]));
        assert_ne!(base, bundle_digest(&[file("rule", "p/controls/A.yaml", "id: A")]));
        assert_ne!(base, bundle_digest(&[a, file("rule", "p/rules/b.yaml", "x")]));
    }

    #[test]
    fn the_digest_is_sha256_of_the_documented_lines() {
        let a = file("control", "p/controls/A.yaml", "id: A");
        let line = format!("control p/controls/A.yaml {}\n", crate::text::sha256_hex(b"id: A"));
        assert_eq!(bundle_digest(&[a]), crate::text::sha256_hex(line.as_bytes()));
    }
}
