//! cfn-guard test files (`tests/NAME_tests.yml`: a list of cases `{name, input, expectations:
//! {rules: {RULE: PASS|FAIL|SKIP}}}`), run on the data controlgate hands Guard in a run.
//!
//! Each case's `input` is read as controlgate reads a template (YAML 1.1, short-form tags,
//! `Fn::ForEach`) and, when it is a template, handed to Guard as [`guard::document`] builds it:
//! resources as `{Type, Properties}`, without `Metadata`. A rule's status over the whole input
//! must equal the expectation, as `cfn-guard test` counts it. A mismatch is a failure unless it
//! is proven to come from `Metadata` suppressions (`Metadata.guard`, `Metadata.cfn_nag`), which
//! controlgate does not honour: only the exception registry suppresses.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

use crate::engine::guard::{self, GuardFile, Status};
use crate::error::Located;
use crate::input::cloudformation;
use crate::model::SourceFile;

/// How a test file is named: `<Guard file stem>` and one of these.
pub const SUFFIXES: [&str; 2] = ["_tests.yml", "_tests.yaml"];

/// The Metadata keys under which other tools suppress Guard rules (`cfn-nag` as some registry
/// tests spell cfn_nag's key).
const SUPPRESSION_KEYS: [&str; 3] = ["guard", "cfn_nag", "cfn-nag"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    #[serde(default)]
    name: Option<String>,
    #[allow(dead_code)]
    input: serde::de::IgnoredAny,
    #[serde(default)]
    expectations: Option<Expectations>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectations {
    #[serde(default)]
    rules: BTreeMap<String, Spanned<String>>,
}

/// One expectation of a case, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub rule: String,
    pub expected: Status,
    /// `None`: the Guard file has no such rule.
    pub actual: Option<Status>,
    /// Guard's failure messages for the rule on controlgate's data.
    pub messages: Vec<String>,
    /// The Metadata key whose suppression explains the mismatch, when proven.
    pub by_design: Option<&'static str>,
}

impl Check {
    pub fn matched(&self) -> bool {
        self.actual == Some(self.expected)
    }

    pub fn failed(&self) -> bool {
        !self.matched() && self.by_design.is_none()
    }
}

/// One case of a test file.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case's `name`, or `case N` (1-based) without one.
    pub name: String,
    pub line: usize,
    pub checks: Vec<Check>,
}

impl CaseResult {
    pub fn failed(&self) -> bool {
        self.checks.iter().any(Check::failed)
    }

    /// Every mismatch explained by design (and at least one).
    pub fn by_design(&self) -> bool {
        !self.failed() && self.checks.iter().any(|c| !c.matched())
    }

    pub fn passed(&self) -> bool {
        self.checks.iter().all(Check::matched)
    }
}

/// One test file and how its cases fared, or why it could not be run.
#[derive(Debug, Clone)]
pub struct FileResult {
    pub test_file: String,
    pub guard_file: Option<String>,
    pub cases: Vec<CaseResult>,
    /// Why the file was not run (unpaired, unreadable, invalid, a Guard syntax error): exit 2.
    pub error: Option<Located>,
}

impl FileResult {
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed()).count()
    }

    pub fn by_design(&self) -> usize {
        self.cases.iter().filter(|c| c.by_design()).count()
    }

    pub fn failed(&self) -> usize {
        self.cases.iter().filter(|c| c.failed()).count()
    }
}

/// All the test files of a run.
#[derive(Debug, Default, Clone)]
pub struct GuardTests {
    pub files: Vec<FileResult>,
    /// Guard files that hold no rule (the registry stages placeholders): nothing to test.
    pub placeholders: Vec<String>,
    /// Files in a `tests/` folder not named `*_tests.yml`: not run.
    pub notes: Vec<String>,
}

impl GuardTests {
    pub fn cases(&self) -> usize {
        self.files.iter().map(|f| f.cases.len()).sum()
    }

    pub fn errors(&self) -> Vec<&Located> {
        self.files.iter().filter_map(|f| f.error.as_ref()).collect()
    }

    pub fn failed(&self) -> usize {
        self.files.iter().map(FileResult::failed).sum()
    }

    /// The rule names some case of a paired test file states an expectation for, by Guard file.
    pub fn expected_rules(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in &self.files {
            if let Some(g) = &f.guard_file {
                let names = out.entry(g.clone()).or_default();
                for c in f.cases.iter().flat_map(|c| &c.checks) {
                    if !names.contains(&c.rule) {
                        names.push(c.rule.clone());
                    }
                }
            }
        }
        out
    }
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// Whether `path` is named like a test file.
pub fn is_test_file(path: &Path) -> bool {
    test_stem(path).is_some()
}

fn test_stem(path: &Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .filter(|stem| !stem.is_empty())
}

/// The Guard file a test file belongs to: `<parent of tests>/<stem>.guard` (beside the test file
/// when it is not in a `tests` folder).
pub fn guard_file_of(test: &Path) -> Option<PathBuf> {
    let stem = test_stem(test)?;
    let parent = test.parent()?;
    let dir = if parent.file_name().is_some_and(|n| n == "tests") {
        parent.parent().unwrap_or(Path::new(""))
    } else {
        parent
    };
    Some(dir.join(format!("{stem}.guard")))
}

/// Run the test files at `path`: a registry root or any folder (every `**/tests/*_tests.yml`
/// under it), or one test file. `rules` pairs one test file with an explicit Guard file.
pub fn run_path(path: &Path, rules: Option<&Path>) -> Result<GuardTests, Located> {
    let mut out = GuardTests::default();
    if let Some(rules) = rules {
        if !path.is_file() {
            return Err(
                Located::file(shown(path), "--rules pairs one test file: give a file, not a folder")
                    .with_help("controlgate test --guard-tests tests/NAME_tests.yml --rules NAME.guard"),
            );
        }
        out.files.push(run_file(path, Some(rules)));
        return Ok(out);
    }
    if path.is_file() {
        if !is_test_file(path) {
            return Err(Located::file(shown(path), "not a Guard test file: its name must end in _tests.yml")
                .with_help("name the test file after its Guard file (NAME.guard → tests/NAME_tests.yml), or pair it with --rules FILE"));
        }
        out.files.push(run_file(path, guard_file_of(path).as_deref()));
        return Ok(out);
    }
    if !path.is_dir() {
        return Err(Located::file(shown(path), "no such file or folder")
            .with_help("give a registry root (the folder holding rules/), a folder, or one *_tests.yml file"));
    }
    for entry in walkdir::WalkDir::new(path).follow_links(true).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) if e.loop_ancestor().is_some() => continue,
            Err(e) => {
                let file = e.path().map_or_else(|| shown(path), shown);
                out.files.push(FileResult {
                    test_file: file.clone(),
                    guard_file: None,
                    cases: Vec::new(),
                    error: Some(Located::file(file, format!("cannot read: {e}"))),
                });
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let p = entry.path();
        let in_tests = p.parent().and_then(Path::file_name).is_some_and(|n| n == "tests");
        let yaml = p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e == "yml" || e == "yaml");
        if in_tests && is_test_file(p) {
            out.files.push(run_file(p, guard_file_of(p).as_deref()));
        } else if in_tests && yaml {
            out.notes.push(format!(
                "{}: not named *_tests.yml, so not run as a Guard test file",
                shown(p)
            ));
        } else if p.extension().is_some_and(|e| e == "guard") {
            let text = crate::input::read::read_text(p, &shown(p)).unwrap_or_default();
            if guard::rule_names(&text).is_empty() {
                out.placeholders.push(shown(p));
            }
        }
    }
    Ok(out)
}

/// The cfn-guard test files of a pack's Guard files (`PACK/rules/**/NAME.guard`): at
/// `PACK/tests/NAME_tests.yml` or beside the Guard file in `tests/`.
pub fn run_pack(pack: &Path) -> GuardTests {
    let mut out = GuardTests::default();
    let rules = pack.join("rules");
    for entry in walkdir::WalkDir::new(&rules)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        let p = entry.path();
        if !entry.file_type().is_file() || !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("guard")) {
            continue;
        }
        let Some(stem) = p.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let beside = p.parent().unwrap_or(Path::new("")).join("tests");
        for dir in [pack.join("tests"), beside] {
            for suffix in SUFFIXES {
                let test = dir.join(format!("{stem}{suffix}"));
                if test.is_file() {
                    out.files.push(run_file(&test, Some(p)));
                }
            }
        }
    }
    out
}

fn unrun(test: &Path, guard: Option<&Path>, error: Located) -> FileResult {
    FileResult {
        test_file: shown(test),
        guard_file: guard.map(shown),
        cases: Vec::new(),
        error: Some(error),
    }
}

/// Run one test file against the Guard file `guard`.
pub fn run_file(test: &Path, guard: Option<&Path>) -> FileResult {
    let Some(guard) = guard.filter(|g| g.is_file()) else {
        let expected = guard.map_or_else(|| "a Guard file".to_string(), shown);
        return unrun(
            test,
            None,
            Located::file(shown(test), format!("unpaired test file: no Guard file {expected}")).with_help(
                "a test file tests/NAME_tests.yml belongs to NAME.guard beside tests/; or pair it with --rules FILE",
            ),
        );
    };
    let guard_shown = shown(guard);
    let rules =
        match crate::input::read::read_text(guard, &guard_shown).and_then(|t| GuardFile::compile(&guard_shown, &t)) {
            Ok(r) => r,
            Err(e) => return unrun(test, Some(guard), e),
        };
    match run_cases(test, &rules) {
        Ok(cases) => FileResult {
            test_file: shown(test),
            guard_file: Some(guard_shown),
            cases,
            error: None,
        },
        Err(e) => unrun(test, Some(guard), e),
    }
}

fn run_cases(test: &Path, rules: &GuardFile) -> Result<Vec<CaseResult>, Located> {
    let file = shown(test);
    let text = crate::input::read::read_text(test, &file)?;
    // The structure, strictly (unknown fields, duplicate keys, with their lines); the values as
    // controlgate reads a template.
    let specs: Vec<Spanned<Spec>> = crate::yaml::from_str(&file, &text)?;
    let source = Arc::new(SourceFile {
        path: test.to_path_buf(),
        display: file.clone(),
        repo_path: file.clone(),
        text,
    });
    let values = match cloudformation::parse_yaml(&source)?.value {
        Value::Array(items) => items,
        _ => return Err(Located::file(&file, "a Guard test file is a list of cases")),
    };
    let mut cases = Vec::new();
    for (n, (spec, value)) in specs.into_iter().zip(values).enumerate() {
        let (line, column) = crate::yaml::position(&spec);
        let spec = spec.value;
        let name = spec.name.clone().unwrap_or_else(|| format!("case {}", n + 1));
        let expected = spec.expectations.map(|e| e.rules).unwrap_or_default();
        if expected.is_empty() {
            return Err(
                Located::new(&file, line, column, format!("case `{name}` has no expectations")).with_help(
                    "state each rule's status: expectations: {rules: {RULE_NAME: PASS}} (PASS, FAIL or SKIP)",
                ),
            );
        }
        let mut wanted = Vec::new();
        for (rule, status) in expected {
            let (l, c) = crate::yaml::position(&status);
            let status = match status.value.as_str() {
                "PASS" => Status::Pass,
                "FAIL" => Status::Fail,
                "SKIP" => Status::Skip,
                other => {
                    return Err(Located::new(&file, l, c, format!("`{other}` is not a Guard status"))
                        .with_help("write PASS, FAIL or SKIP"));
                }
            };
            wanted.push((rule, status));
        }
        let input = match value {
            Value::Object(mut m) => m.remove("input").unwrap_or(Value::Null),
            _ => Value::Null,
        };
        let at = |e: String| Located::new(&file, line, column, format!("case `{name}`: {e}"));
        let data = if cloudformation::is_template(&input) {
            let parts = crate::input::template_parts(&input);
            let loaded = crate::input::template_from_value(&source, input.clone()).map_err(|e| at(e.message))?;
            guard::document(&loaded.resources, &parts)
        } else {
            input.clone()
        };
        let report = rules.evaluate(&data).map_err(at)?;
        // Only computed when a mismatch needs explaining.
        let mut raw: Option<(guard::Report, guard::Report)> = None;
        let mut checks = Vec::new();
        for (rule, expected) in wanted {
            let got = report.get(&rule);
            let actual = got.map(|r| r.status);
            let mut messages = Vec::new();
            if let Some(r) = got {
                // The engine puts each message on one line already.
                for m in r.failures.values().flatten().map(|f| &f.message).chain(&r.unplaced) {
                    if !messages.contains(m) {
                        messages.push(m.clone());
                    }
                }
            }
            let mut by_design = None;
            if let (Some(actual), Some(key)) = (actual, suppression_key(&input))
                && actual != expected
            {
                if raw.is_none() {
                    let with = rules.evaluate(&input).map_err(at)?;
                    let without = rules.evaluate(&without_metadata(&input)).map_err(at)?;
                    raw = Some((with, without));
                }
                let (with, without) = raw.as_ref().expect("computed above");
                // Proven: with Metadata Guard gives what the test expects, without it what
                // controlgate gives.
                let status = |r: &guard::Report| r.get(&rule).map(|r| r.status);
                if status(with) == Some(expected) && status(without) == Some(actual) {
                    by_design = Some(key);
                }
            }
            checks.push(Check {
                rule,
                expected,
                actual,
                messages,
                by_design,
            });
        }
        cases.push(CaseResult { name, line, checks });
    }
    Ok(cases)
}

/// The suppression key (`guard`, `cfn_nag`) some resource's `Metadata` of a template holds.
fn suppression_key(input: &Value) -> Option<&'static str> {
    let resources = input.get("Resources")?.as_object()?;
    SUPPRESSION_KEYS.into_iter().find(|key| {
        resources
            .values()
            .any(|r| r.get("Metadata").and_then(|m| m.get(key)).is_some())
    })
}

/// The raw input without the `Metadata` entries controlgate does not hand Guard.
fn without_metadata(input: &Value) -> Value {
    let mut out = input.clone();
    if let Some(resources) = out.get_mut("Resources").and_then(Value::as_object_mut) {
        for r in resources.values_mut() {
            if let Some(Value::Object(m)) = r.get_mut("Metadata") {
                *m = crate::input::suppressions::without_markers(m);
            }
        }
    }
    out
}

/// Why a mismatch of a case does not fail the run.
pub fn by_design_reason(key: &str) -> String {
    format!("differs by design: Metadata.{key} suppression is not honoured; only the exception registry suppresses")
}
