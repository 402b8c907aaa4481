//! `controlgate test`: policy unit tests. Each rule has a folder of fixtures under a tests
//! directory, named after the rule id:
//!
//! - `<rule-id>/expected.yaml` maps each fixture (path relative to the folder) to the resources
//!   the rule must `fail`, find `unknown`, and `pass` (evaluate without a finding); every file in
//!   the folder must be listed;
//! - or, without `expected.yaml`, `<rule-id>/compliant/**` (the rule must not fail or be unknown
//!   on any resource, and must evaluate at least one) and `<rule-id>/noncompliant/**` (the rule
//!   must fail on at least one resource of each file).
//!
//! A fixture of `expected.yaml` may give `changeId:`, the change record the run names (as
//! `check --change-id` does); without it the run names none.
//!
//! Every rule needs a passing and a failing case for each format it supports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::catalog::{Catalog, Rule};
use crate::environment::EnvironmentResolver;
use crate::error::Located;
use crate::evaluate::evaluate_recording;
use crate::finding::{Finding, Outcome};
use crate::input::{self, Candidate};
use crate::model::InputFormat;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    #[serde(default)]
    fail: BTreeSet<String>,
    #[serde(default)]
    pass: BTreeSet<String>,
    #[serde(default)]
    unknown: BTreeSet<String>,
    /// The change record the run names (`changeRecord` conditions read it); none when left out.
    #[serde(default, rename = "changeId")]
    change_id: Option<String>,
}

/// How one rule fared.
#[derive(Debug)]
pub struct RuleResult {
    pub rule: String,
    pub cases: usize,
    /// Each mismatch between expected and actual, in words; empty when the rule passed.
    pub problems: Vec<String>,
    /// The formats with both a passing and a failing case.
    pub tested: BTreeSet<InputFormat>,
}

impl RuleResult {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Where the built-in pack's tests are in a controlgate checkout: the pack is `policies/`, and
/// its tests are laid out like any pack's, `PACK/tests/<rule-id>/`. They are not in the binary.
pub const BUILTIN_TESTS: &str = "policies/tests";

/// Run the tests of every rule of `catalog` found under `tests_dir`. A rule without tests fails;
/// so does a tests folder that names no rule.
pub fn run(catalog: &Catalog, tests_dir: &Path) -> Result<Vec<RuleResult>, Located> {
    run_with(catalog, tests_dir, &BTreeSet::new())
}

/// [`run`], where the rules `covered` are tested elsewhere (Guard rules by a cfn-guard test
/// file): without a folder of their own they are not reported here, and the tests directory
/// may be missing.
pub fn run_with(catalog: &Catalog, tests_dir: &Path, covered: &BTreeSet<String>) -> Result<Vec<RuleResult>, Located> {
    if !tests_dir.is_dir() && !covered.is_empty() {
        return Ok(catalog
            .rules
            .iter()
            .filter(|r| r.deprecated.is_none() && !covered.contains(&r.id))
            .map(|r| test_rule(catalog, r, &tests_dir.join(&r.id)))
            .collect());
    }
    if !tests_dir.is_dir() {
        let help = if tests_dir == Path::new(BUILTIN_TESTS) {
            "the built-in pack's tests are not in the binary: run `controlgate test` from the root of a controlgate checkout, or give `--tests DIR`"
        } else {
            "policy tests live in <pack>/tests/<rule-id>/ (see `controlgate test --help`)"
        };
        return Err(Located::file(tests_dir.display().to_string(), "no such tests directory").with_help(help));
    }
    // Retired rules are not evaluated, so they have nothing to prove.
    let mut results: Vec<RuleResult> = catalog
        .rules
        .iter()
        .filter(|r| r.deprecated.is_none())
        .filter(|r| !covered.contains(&r.id) || tests_dir.join(&r.id).is_dir())
        .map(|r| test_rule(catalog, r, &tests_dir.join(&r.id)))
        .collect();
    let orphans = orphans(catalog, tests_dir)?;
    for name in orphans {
        results.push(RuleResult {
            problems: vec![format!("tests/{name} names no rule of the catalog")],
            rule: name,
            cases: 0,
            tested: BTreeSet::new(),
        });
    }
    Ok(results)
}

/// The folders of `tests_dir` that name no rule of `catalog`, sorted.
pub fn orphans(catalog: &Catalog, tests_dir: &Path) -> Result<Vec<String>, Located> {
    let known: BTreeSet<&str> = catalog.rules.iter().map(|r| r.id.as_str()).collect();
    let mut orphans: Vec<String> = std::fs::read_dir(tests_dir)
        .map_err(|e| Located::file(tests_dir.display().to_string(), format!("cannot read: {e}")))?
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !known.contains(name.as_str()))
        .collect();
    orphans.sort();
    Ok(orphans)
}

/// One fixture's outcome for a rule: resources failed, unknown, and evaluated without finding.
struct Actual {
    format: InputFormat,
    fail: BTreeSet<String>,
    unknown: BTreeSet<String>,
    /// Resources of a type the rule targets.
    targeted: BTreeSet<String>,
    findings: Vec<Finding>,
}

fn evaluate_file(
    catalog: &Catalog,
    rule: &Rule,
    path: &Path,
    base: &Path,
    change_id: Option<&str>,
) -> Result<Actual, String> {
    let loaded = input::load_all(
        &[Candidate {
            path: path.to_path_buf(),
            named: true,
        }],
        base,
    );
    if let Some(e) = loaded.errors.first() {
        return Err(e.to_string());
    }
    let file = loaded
        .files
        .first()
        .ok_or_else(|| format!("{}: nothing loaded", path.display()))?;
    // A rule that selects its own resources (Guard) targets those it reports on.
    let selects_own = selects_own(rule, file.format);
    let eval = evaluate_recording(
        &single(catalog, rule),
        &loaded.files,
        &EnvironmentResolver::default(),
        change_id,
        selects_own,
    );
    if let Some(e) = eval.errors.first() {
        return Err(e.to_string());
    }
    let of = |o: Outcome| {
        eval.findings
            .iter()
            .filter(|f| f.outcome == o)
            .map(|f| f.resource.clone())
            .collect()
    };
    let targeted = if selects_own {
        eval.passed
            .iter()
            .map(|p| p.resource.clone())
            .chain(eval.findings.iter().map(|f| f.resource.clone()))
            .collect()
    } else {
        file.resources
            .iter()
            .filter(|r| {
                rule.target(file.format)
                    .is_some_and(|t| t.resource_types.contains(&r.resource_type))
            })
            .map(|r| r.address.clone())
            .collect()
    };
    Ok(Actual {
        format: file.format,
        fail: of(Outcome::Fail),
        unknown: of(Outcome::Unknown),
        targeted,
        findings: eval.findings,
    })
}

fn files_under(dir: &Path) -> BTreeSet<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        // A plan's `.tf` files are its source, read with it, not cases of their own.
        .filter(|e| {
            e.file_type().is_file()
                && e.file_name() != "expected.yaml"
                && e.path().extension().is_none_or(|x| x != "tf")
        })
        .map(|e| e.into_path())
        .collect()
}

fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The findings of `rule` alone on each fixture of its tests folder `dir` (`expected.yaml` aside),
/// by path relative to `dir`, in path order; a fixture that does not load gives its error.
pub fn findings(catalog: &Catalog, rule: &Rule, dir: &Path) -> Vec<(String, Result<Vec<Finding>, String>)> {
    // The change record each fixture's run names, as its tests run it.
    let expected_file = dir.join("expected.yaml");
    let expected: BTreeMap<String, Expected> = crate::input::read::read_text(&expected_file, "expected.yaml")
        .and_then(|t| crate::yaml::from_str("expected.yaml", &t))
        .unwrap_or_default();
    files_under(dir)
        .into_iter()
        .map(|path| {
            let change_id = expected.get(&relative(&path, dir)).and_then(|e| e.change_id.as_deref());
            let got = evaluate_file(catalog, rule, &path, dir, change_id).map(|a| a.findings);
            (relative(&path, dir), got)
        })
        .collect()
}

/// The tests of one rule, in its folder `dir` (`TESTS/<rule-id>`).
pub fn test_rule(catalog: &Catalog, rule: &Rule, dir: &Path) -> RuleResult {
    let mut problems = Vec::new();
    let mut cases = 0;
    // (format, "pass" | "fail") → seen
    let mut covered: BTreeSet<(InputFormat, &str)> = BTreeSet::new();
    let expected_file = dir.join("expected.yaml");
    if expected_file.is_file() {
        let shown = expected_file.display().to_string();
        let expected: BTreeMap<String, Expected> = match crate::input::read::read_text(&expected_file, &shown)
            .and_then(|t| crate::yaml::from_str(&shown, &t))
            .map_err(|e| e.to_string())
        {
            Ok(x) => x,
            Err(e) => {
                return RuleResult {
                    rule: rule.id.clone(),
                    cases: 0,
                    problems: vec![e],
                    tested: BTreeSet::new(),
                };
            }
        };
        let listed: BTreeSet<String> = expected.keys().cloned().collect();
        let present: BTreeSet<String> = files_under(dir).iter().map(|p| relative(p, dir)).collect();
        for missing in present.difference(&listed) {
            problems.push(format!("{missing}: not listed in expected.yaml"));
        }
        for (file, want) in &expected {
            let path = dir.join(file);
            if !path.is_file() {
                problems.push(format!("{file}: listed in expected.yaml but missing"));
                continue;
            }
            cases += 1;
            let got = match evaluate_file(catalog, rule, &path, dir, want.change_id.as_deref()) {
                Ok(a) => a,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            if got.fail != want.fail {
                problems.push(format!("{file}: expected fail {:?}, got {:?}", want.fail, got.fail));
            }
            if got.unknown != want.unknown {
                problems.push(format!(
                    "{file}: expected unknown {:?}, got {:?}",
                    want.unknown, got.unknown
                ));
            }
            for p in &want.pass {
                if !got.targeted.contains(p) {
                    problems.push(format!("{file}: expected pass for {p}, which the rule does not target"));
                } else if got.fail.contains(p) || got.unknown.contains(p) {
                    problems.push(format!("{file}: expected pass for {p}, got a finding"));
                }
            }
            if !want.fail.is_empty() {
                covered.insert((got.format, "fail"));
            }
            if !want.pass.is_empty() {
                covered.insert((got.format, "pass"));
            }
        }
    } else {
        for (kind, must_fail) in [("compliant", false), ("noncompliant", true)] {
            let sub = dir.join(kind);
            for path in files_under(&sub) {
                cases += 1;
                let name = relative(&path, dir);
                match evaluate_file(catalog, rule, &path, &sub, None) {
                    Err(e) => problems.push(e),
                    Ok(got) if must_fail => {
                        if got.fail.is_empty() {
                            problems.push(format!("{name}: expected a failing resource, got none"));
                        } else {
                            covered.insert((got.format, "fail"));
                        }
                    }
                    Ok(got) => {
                        let findings: BTreeSet<&String> = got.fail.iter().chain(&got.unknown).collect();
                        if !findings.is_empty() {
                            problems.push(format!("{name}: expected no finding, got findings on {findings:?}"));
                        } else if got.targeted.is_empty() {
                            problems.push(format!("{name}: holds no resource the rule targets"));
                        } else {
                            covered.insert((got.format, "pass"));
                        }
                    }
                }
            }
        }
    }
    // A rule that selects its own resources from any input (Guard) supports the formats its
    // cases are in: at least one.
    let own = [InputFormat::TerraformPlan, InputFormat::Cloudformation]
        .into_iter()
        .filter(|f| selects_own(rule, *f))
        .collect::<Vec<_>>();
    let in_cases: BTreeSet<InputFormat> = covered.iter().map(|(f, _)| *f).collect();
    if !own.is_empty() && in_cases.is_empty() && problems.is_empty() {
        problems.push("no case with a passing resource and none with a failing one".to_string());
    }
    for (format, present) in [
        (InputFormat::TerraformPlan, rule.terraform.is_some()),
        (InputFormat::Cloudformation, rule.cloudformation.is_some()),
    ] {
        let present = present && (!own.contains(&format) || in_cases.contains(&format));
        for kind in ["pass", "fail"] {
            if present && !covered.contains(&(format, kind)) {
                problems.push(format!("no {} case with a {kind}ing resource", format.as_str()));
            }
        }
    }
    let (example_cases, example_problems) = check_examples(catalog, rule);
    cases += example_cases;
    problems.extend(example_problems);
    let tested = [InputFormat::TerraformPlan, InputFormat::Cloudformation]
        .into_iter()
        .filter(|f| covered.contains(&(*f, "pass")) && covered.contains(&(*f, "fail")))
        .collect();
    RuleResult {
        rule: rule.id.clone(),
        cases,
        problems,
        tested,
    }
}

/// Whether `rule` runs on every resource of `format` and says itself which it is about (Guard).
fn selects_own(rule: &Rule, format: InputFormat) -> bool {
    rule.target(format)
        .is_some_and(|t| t.resource_types.iter().any(|x| x == crate::engine::EVERY_TYPE))
}

/// The rule alone, with its control, so other rules' findings do not interfere.
fn single(catalog: &Catalog, rule: &Rule) -> Catalog {
    Catalog {
        controls: catalog
            .controls
            .iter()
            .filter(|(id, _)| **id == rule.control)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        rules: vec![rule.clone()],
        notes: Vec::new(),
        files: Vec::new(),
        references: Vec::new(),
    }
}

/// A rule's examples hold what they show: the CloudFormation `fail` template fails on a resource
/// and `pass` is evaluated without a finding; the Terraform snippets parse as HCL and declare a
/// resource the rule targets. Returns the examples checked and the problems.
fn check_examples(catalog: &Catalog, rule: &Rule) -> (usize, Vec<String>) {
    let mut problems = Vec::new();
    let mut cases = 0;
    if let Some(example) = &rule.examples.cloudformation {
        let one = single(catalog, rule);
        for (kind, text) in [("fail", &example.fail), ("pass", &example.pass)] {
            cases += 1;
            let name = format!("examples.cloudformation.{kind}");
            let file = match input::template_from_text(&name, text) {
                Ok(f) => f,
                Err(e) => {
                    problems.push(e.to_string());
                    continue;
                }
            };
            let targeted = rule.cloudformation.as_ref().is_some_and(|t| {
                file.resources.iter().any(|r| {
                    t.resource_types
                        .iter()
                        .any(|x| *x == r.resource_type || x == crate::engine::EVERY_TYPE)
                })
            });
            let change_id = if kind == "pass" {
                example.change_id.as_deref()
            } else {
                None
            };
            let eval = evaluate_recording(
                &one,
                std::slice::from_ref(&file),
                &EnvironmentResolver::default(),
                change_id,
                false,
            );
            if let Some(e) = eval.errors.first() {
                problems.push(e.to_string());
                continue;
            }
            let fails = eval.findings.iter().any(|f| f.outcome == Outcome::Fail);
            if !targeted {
                problems.push(format!("{name}: holds no resource the rule targets"));
            } else if kind == "fail" && !fails {
                problems.push(format!("{name}: expected a failing resource, got none"));
            } else if kind == "pass" && !eval.findings.is_empty() {
                let on: BTreeSet<&String> = eval.findings.iter().map(|f| &f.resource).collect();
                problems.push(format!("{name}: expected no finding, got findings on {on:?}"));
            }
        }
    }
    if let Some(example) = &rule.examples.terraform {
        let types = rule
            .terraform
            .as_ref()
            .map(|t| t.resource_types.as_slice())
            .unwrap_or_default();
        for (kind, text) in [("fail", &example.fail), ("pass", &example.pass)] {
            cases += 1;
            let name = format!("examples.terraform.{kind}");
            match hcl_edit::parser::parse_body(text) {
                Err(e) => problems.push(format!("{name}: not HCL: {e}")),
                Ok(body) => {
                    let declares = body.get_blocks("resource").any(|b| {
                        b.labels
                            .first()
                            .is_some_and(|l| types.iter().any(|t| t == l.as_str() || t == crate::engine::EVERY_TYPE))
                    });
                    if !declares {
                        problems.push(format!("{name}: declares no resource of a type the rule targets"));
                    }
                }
            }
        }
    }
    (cases, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compliant_and_noncompliant_folders() {
        let dir = tempfile::tempdir().unwrap();
        let pack = dir.path();
        std::fs::create_dir_all(pack.join("controls")).unwrap();
        std::fs::create_dir_all(pack.join("rules")).unwrap();
        std::fs::write(
            pack.join("controls/TST-001.yaml"),
            "id: TST-001\nversion: 1\ntitle: t\nintent: i\nseverity: low\nscope:\n  resourceTypes: [AWS::SNS::Topic]\nevidenceSources: [cloudformation-template]\nexception:\n  allowed: false\nremediation:\n  mode: manual\n  hint: h\nframeworks: {}\n",
        )
        .unwrap();
        std::fs::write(
            pack.join("rules/sns-topic-unencrypted.yaml"),
            "id: sns-topic-unencrypted\ncontrol: TST-001\ntitle: t\nmessage: m\ncloudformation:\n  resourceTypes: [AWS::SNS::Topic]\n  assert:\n    path: $.KmsMasterKeyId\n    exists: true\n",
        )
        .unwrap();
        let catalog = crate::catalog::load(&[crate::catalog::PackSource::Dir(pack.to_path_buf())]).unwrap();
        let t = pack.join("tests/sns-topic-unencrypted");
        std::fs::create_dir_all(t.join("compliant")).unwrap();
        std::fs::create_dir_all(t.join("noncompliant")).unwrap();
        let template = |props: &str| format!("Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties: {props}\n");
        std::fs::write(t.join("compliant/ok.yaml"), template("{KmsMasterKeyId: alias/x}")).unwrap();
        std::fs::write(t.join("noncompliant/bad.yaml"), template("{}")).unwrap();
        let results = run(&catalog, &pack.join("tests")).unwrap();
        assert_eq!(results.len(), 1);
        assert!(results[0].passed(), "{:?}", results[0].problems);
        assert_eq!(results[0].cases, 2);

        // A `.tf` beside a case is its source, not a case: it is neither run nor required in
        // expected.yaml (here it would not load as a template).
        std::fs::write(t.join("compliant/main.tf"), "resource \"aws_sns_topic\" \"t\" {}\n").unwrap();
        let results = run(&catalog, &pack.join("tests")).unwrap();
        assert!(results[0].passed(), "{:?}", results[0].problems);
        assert_eq!(results[0].cases, 2);
        std::fs::remove_file(t.join("compliant/main.tf")).unwrap();

        // A compliant case that fails is reported, and so is an orphan folder.
        std::fs::write(t.join("compliant/also.yaml"), template("{}")).unwrap();
        std::fs::create_dir_all(pack.join("tests/retired-rule")).unwrap();
        let results = run(&catalog, &pack.join("tests")).unwrap();
        assert!(
            results[0]
                .problems
                .iter()
                .any(|p| p.contains("compliant/also.yaml: expected no finding")),
            "{:?}",
            results[0].problems
        );
        assert!(results[1].problems[0].contains("names no rule"));

        // Examples are proven too: a `fail` example that passes is reported.
        let rule = |fail: &str| {
            let text = format!(
                "id: sns-topic-unencrypted\ncontrol: TST-001\ntitle: t\nmessage: m\nexamples:\n  cloudformation:\n    fail: |\n      Resources:\n        T:\n          Type: AWS::SNS::Topic\n          Properties: {fail}\n    pass: |\n      Resources:\n        T:\n          Type: AWS::SNS::Topic\n          Properties: {{KmsMasterKeyId: alias/x}}\ncloudformation:\n  resourceTypes: [AWS::SNS::Topic]\n  assert:\n    path: $.KmsMasterKeyId\n    exists: true\n"
            );
            crate::catalog::rule::parse("r.yaml", &text).unwrap()
        };
        let (cases, problems) = check_examples(&catalog, &rule("{}"));
        assert_eq!((cases, problems.len()), (2, 0), "{problems:?}");
        let (_, problems) = check_examples(&catalog, &rule("{KmsMasterKeyId: alias/y}"));
        assert_eq!(
            problems,
            ["examples.cloudformation.fail: expected a failing resource, got none"]
        );
    }
}
