//! JSON Pointers (RFC 6901): how resources, findings and locations name a place in a document.
//! One home for escaping, so `~` and `/` in a key read back as the key everywhere.

use std::fmt::Write as _;

/// A key as one pointer segment: `~` → `~0`, `/` → `~1` (in that order, so `~1` in a key stays
/// itself).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// A pointer segment as the key it names: `~1` → `/`, `~0` → `~` (in that order, so `~01` reads
/// back as `~1`).
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The segments of `pointer` (`/a/b~1c` → `a`, `b/c`); the root `""` has none.
pub fn segments(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer.split('/').skip(1).map(unescape)
}

/// `/a/0/b` → `a[0].b`, the way people write Terraform and CloudFormation paths.
pub fn display(pointer: &str) -> String {
    let mut out = String::new();
    for seg in segments(pointer) {
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            let _ = write!(out, "[{seg}]");
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_reads_back_as_the_key() {
        for key in ["plain", "a/b", "a~b", "~1", "~01", "/~/", ""] {
            assert_eq!(unescape(&escape(key)), key, "{key}");
        }
        assert_eq!(escape("a~/b"), "a~0~1b");
        assert_eq!(unescape("~01"), "~1");
    }

    #[test]
    fn segments_and_display() {
        assert_eq!(segments("/a/b~1c/0").collect::<Vec<_>>(), ["a", "b/c", "0"]);
        assert_eq!(segments("").count(), 0);
        assert_eq!(display("/ingress/0/cidr_blocks"), "ingress[0].cidr_blocks");
        assert_eq!(display("/Tags/x~1y"), "Tags.x/y");
    }
}
