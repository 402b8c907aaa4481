//! Which files a `--skip-path` pattern leaves out of a walk: the patterns, compiled, and the
//! files they left out. Data of discovery, kept here so reading inputs needs nothing above it.

use globset::{Glob, GlobMatcher};
use serde::Serialize;

use crate::error::Located;

/// A `--skip-path` glob, compiled, and where it came from.
#[derive(Debug, Clone)]
pub struct SkipPath {
    pub glob: String,
    pub source: String,
    matcher: GlobMatcher,
}

impl SkipPath {
    /// Compile `glob` (globset syntax, as environment path patterns: `*` also matches `/`).
    pub fn new(glob: &str, source: &str) -> Result<SkipPath, Located> {
        let g = Glob::new(glob).map_err(|e| {
            Located::file(
                source,
                format!("invalid --skip-path pattern `{}`: {e}", glob.escape_debug()),
            )
            .with_help("a glob relative to the repository root, e.g. `examples/**` or `**/testdata`")
        })?;
        Ok(SkipPath {
            glob: glob.to_string(),
            source: source.to_string(),
            matcher: g.compile_matcher(),
        })
    }

    /// Whether the pattern matches `path` (repository-relative, `/`-separated) or one of the
    /// directories it is in: `vendor` skips `vendor/a/plan.json`.
    pub fn matches(&self, path: &str) -> bool {
        let mut at = path;
        loop {
            if !at.is_empty() && self.matcher.is_match(at) {
                return true;
            }
            match at.rfind('/') {
                Some(i) => at = &at[..i],
                None => return false,
            }
        }
    }
}

/// A file a `--skip-path` pattern left out of the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedFile {
    pub file: String,
    pub pattern: String,
    pub source: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_matches_a_path_or_a_directory_it_is_in() {
        let p = SkipPath::new("vendor", "command line").unwrap();
        assert!(p.matches("vendor/a/plan.json"));
        assert!(p.matches("vendor"));
        assert!(!p.matches("vendored/plan.json"));
        assert!(!p.matches("src/vendor.json"));
        let p = SkipPath::new("**/testdata", "x").unwrap();
        assert!(p.matches("a/b/testdata/t.yaml"));
        assert!(SkipPath::new("[", "x").is_err());
    }
}
