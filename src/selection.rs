//! Which rules a run evaluates and which files it reads: `--check` / `--skip-check` by control or
//! rule id, `--skip-path` by glob. Everything left out is kept on the record as skipped, and
//! every output lists it: a skip is a weakening, never silent.

use std::collections::BTreeSet;

use globset::{Glob, GlobMatcher};
use serde::Serialize;

use crate::catalog::Catalog;
use crate::error::Located;

/// A control or rule id as given, and where it came from (`command line`,
/// `CONTROLGATE_SKIP_CHECK`, the config file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenId {
    pub id: String,
    pub source: String,
}

/// The `--check` and `--skip-check` ids of a run. An empty `check` means every rule.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub check: Vec<GivenId>,
    pub skip: Vec<GivenId>,
}

/// A rule the run does not evaluate, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedRule {
    pub rule: String,
    pub control: String,
    /// `check` (the rule is not among the `--check` ids) or `skipCheck`.
    pub setting: &'static str,
    /// The id that left it out (for `check`, every `--check` id, comma-separated).
    pub by: String,
    pub source: String,
}

impl SkippedRule {
    /// `DP-ENC-001/rds-storage-unencrypted (--skip-check DP-ENC-001, from command line)`
    pub fn describe(&self) -> String {
        let how = match self.setting {
            "check" => format!("not selected by --check {}", self.by),
            _ => format!("--skip-check {}", self.by),
        };
        format!("{}/{} ({how}, from {})", self.control, self.rule, self.source)
    }
}

/// Ids are split on commas (Checkov's lists), trimmed, and empty items dropped: an empty
/// environment variable (what CI systems set for an unset input) selects and skips nothing.
pub fn split_ids(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.check.is_empty() && self.skip.is_empty()
    }

    /// Remove the rules the selection leaves out from `catalog` (controls stay, so every report
    /// still describes them) and return them. An id that names no control or rule, a `--check`
    /// id that selects no rule that is evaluated, and a selection that leaves nothing to evaluate
    /// are errors: the catalog is then left whole, so the run reports everything and fails.
    pub fn apply(&self, catalog: &mut Catalog) -> Result<Vec<SkippedRule>, Vec<Located>> {
        if self.is_empty() {
            return Ok(Vec::new());
        }
        let mut errors = Vec::new();
        // The rules each id names (a control names all of its rules), `None` for an unknown id.
        let resolve = |given: &GivenId, flag: &str, errors: &mut Vec<Located>| -> Option<BTreeSet<String>> {
            let rules: BTreeSet<String> = catalog
                .rules
                .iter()
                .filter(|r| r.id == given.id || r.control == given.id)
                .map(|r| r.id.clone())
                .collect();
            if rules.is_empty() && !catalog.controls.contains_key(&given.id) {
                let help = match suggest(&given.id, catalog) {
                    Some(s) => format!("did you mean `{s}`? `controlgate controls` lists the controls and their rules"),
                    None => "`controlgate controls` lists the controls and their rules".to_string(),
                };
                errors.push(
                    Located::file(
                        &given.source,
                        format!("{flag} `{}` names no control or rule", given.id.escape_debug()),
                    )
                    .with_help(help),
                );
                return None;
            }
            Some(rules)
        };
        let evaluated = |id: &String| catalog.rules.iter().any(|r| &r.id == id && r.deprecated.is_none());
        let mut selected: Option<BTreeSet<String>> = None;
        for given in &self.check {
            let Some(rules) = resolve(given, "--check", &mut errors) else {
                continue;
            };
            if !rules.iter().any(evaluated) {
                errors.push(
                    Located::file(
                        &given.source,
                        format!(
                            "--check `{}` selects no rule that is evaluated: the control has no rules, or only deprecated ones",
                            given.id.escape_debug()
                        ),
                    )
                    .with_help("a gate that evaluates nothing proves nothing: name a control or rule that `controlgate controls` lists with rules"),
                );
            }
            selected.get_or_insert_with(BTreeSet::new).extend(rules);
        }
        let mut skipped_by: Vec<(String, &GivenId)> = Vec::new();
        for given in &self.skip {
            for rule in resolve(given, "--skip-check", &mut errors).unwrap_or_default() {
                skipped_by.push((rule, given));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let check_ids = self.check.iter().map(|g| g.id.as_str()).collect::<Vec<_>>().join(",");
        let check_source = self.check.first().map(|g| g.source.clone()).unwrap_or_default();
        // Per rule of the catalog, why it is left out (`None`: it is evaluated).
        let decisions: Vec<Option<SkippedRule>> = catalog
            .rules
            .iter()
            .map(|rule| {
                let (setting, by, source) = if selected.as_ref().is_some_and(|s| !s.contains(&rule.id)) {
                    ("check", check_ids.clone(), check_source.clone())
                } else {
                    let (_, g) = skipped_by.iter().find(|(r, _)| *r == rule.id)?;
                    ("skipCheck", g.id.clone(), g.source.clone())
                };
                Some(SkippedRule {
                    rule: rule.id.clone(),
                    control: rule.control.clone(),
                    setting,
                    by,
                    source,
                })
            })
            .collect();
        let left = catalog
            .rules
            .iter()
            .zip(&decisions)
            .filter(|(r, d)| d.is_none() && r.deprecated.is_none())
            .count();
        if left == 0 {
            let source = self
                .skip
                .first()
                .or(self.check.first())
                .map_or("command line".to_string(), |g| g.source.clone());
            return Err(vec![
                Located::file(
                    source,
                    "--check and --skip-check leave no rule to evaluate: every rule of the catalog is skipped",
                )
                .with_help("a gate that evaluates nothing proves nothing: skip fewer controls and rules"),
            ]);
        }
        let mut out = Vec::new();
        let rules = std::mem::take(&mut catalog.rules);
        for (rule, decision) in rules.into_iter().zip(decisions) {
            match decision {
                None => catalog.rules.push(rule),
                // A deprecated rule is never evaluated: leaving it out skips nothing.
                Some(_) if rule.deprecated.is_some() => {}
                Some(s) => out.push(s),
            }
        }
        Ok(out)
    }
}

/// The known id closest to `id`: the same id in another letter case, compatibility form or with
/// look-alike letters (`dp-enc-001`, `DP-ENC-００1`, a Cyrillic `Р`), else the nearest by edit
/// distance if it is near enough to be a typo.
pub fn suggest(id: &str, catalog: &Catalog) -> Option<String> {
    let known: Vec<&str> = catalog
        .controls
        .keys()
        .map(String::as_str)
        .chain(catalog.rules.iter().map(|r| r.id.as_str()))
        .collect();
    let folded = crate::text::fold(id);
    let skeleton = |s: &str| unicode_security::skeleton(&crate::text::fold(s)).collect::<String>();
    if let Some(k) = known.iter().find(|k| crate::text::fold(k) == folded) {
        return Some((*k).to_string());
    }
    let shape = skeleton(id);
    if let Some(k) = known.iter().find(|k| skeleton(k) == shape) {
        return Some((*k).to_string());
    }
    known
        .iter()
        .map(|k| (strsim::levenshtein(&folded, &crate::text::fold(k)), *k))
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(2))
        .min()
        .map(|(_, k)| k.to_string())
}

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

/// What a run left out: rules by `--check`/`--skip-check`, files by `--skip-path`, with every
/// pattern and how many files it matched.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Skips {
    pub rules: Vec<SkippedRule>,
    pub files: Vec<SkippedFile>,
    /// Each `--skip-path` pattern and how many files it left out.
    pub patterns: Vec<PatternCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatternCount {
    pub pattern: String,
    pub source: String,
    pub files: usize,
}

impl Skips {
    /// The ids of the rules of `control` the run skipped, for the reporters that list them per
    /// control.
    pub fn rules_of(&self, control: &str) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| r.control == control)
            .map(|r| r.rule.as_str())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.files.is_empty()
    }

    /// `3 rules, 2 files` (what is not empty), for the summary.
    pub fn counts(&self) -> Option<String> {
        let mut parts = Vec::new();
        let plural = crate::text::plural;
        if !self.rules.is_empty() {
            parts.push(format!("{} rule{}", self.rules.len(), plural(self.rules.len())));
        }
        if !self.files.is_empty() {
            parts.push(format!("{} file{}", self.files.len(), plural(self.files.len())));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// One line per skipped rule and per `--skip-path` pattern, for warnings and notifications.
    pub fn lines(&self) -> Vec<String> {
        const SHOWN: usize = 10;
        let some = |items: &[&str]| {
            let mut list = items.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
            if items.len() > SHOWN {
                list.push_str(&format!(" and {} more", items.len() - SHOWN));
            }
            list
        };
        // Rules `--skip-check` names one line each; those `--check` leaves out in one line, as
        // they may be most of the catalog.
        let mut out: Vec<String> = self
            .rules
            .iter()
            .filter(|r| r.setting == "skipCheck")
            .map(|r| format!("rule skipped, not evaluated: {}", r.describe()))
            .collect();
        let unselected: Vec<&SkippedRule> = self.rules.iter().filter(|r| r.setting == "check").collect();
        if let Some(first) = unselected.first() {
            let names: Vec<String> = unselected.iter().map(|r| format!("{}/{}", r.control, r.rule)).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            out.push(format!(
                "{} rule{} skipped, not evaluated: not selected by --check {} (from {}): {}",
                names.len(),
                crate::text::plural(names.len()),
                first.by,
                first.source,
                some(&names)
            ));
        }
        for p in &self.patterns {
            let files: Vec<&str> = self
                .files
                .iter()
                .filter(|f| f.pattern == p.pattern && f.source == p.source)
                .map(|f| f.file.as_str())
                .collect();
            if files.is_empty() {
                continue;
            }
            let list = some(&files);
            out.push(format!(
                "--skip-path `{}` (from {}) skipped {} file{}, not checked: {list}",
                p.pattern,
                p.source,
                files.len(),
                crate::text::plural(files.len())
            ));
        }
        out
    }
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

    #[test]
    fn ids_split_on_commas_and_empty_items_are_dropped() {
        let ids = split_ids(&["A,B".into(), " ".into(), ",C,".into()]);
        assert_eq!(ids, ["A", "B", "C"]);
        assert!(split_ids(&[String::new()]).is_empty());
    }
}
