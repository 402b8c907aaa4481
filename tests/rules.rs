//! Every built-in rule, proven on fixtures: `fixtures/rules/<rule-id>/` holds Terraform plans and
//! CloudFormation templates, and `expected.yaml` says which resources the rule must fail, pass,
//! or find undecidable. Rules are found by walking the catalog, so a rule without fixtures fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use controlgate::catalog::{self, Catalog, PackSource};
use controlgate::environment::EnvironmentResolver;
use controlgate::evaluate::evaluate;
use controlgate::finding::Outcome;
use controlgate::input::{self, Candidate};
use controlgate::model::InputFormat;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    #[serde(default)]
    fail: BTreeSet<String>,
    #[serde(default)]
    pass: BTreeSet<String>,
    #[serde(default)]
    unknown: BTreeSet<String>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules")
}

fn fixture_files(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.file_name() != "expected.yaml")
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"))
        .collect()
}

fn check_rule(catalog: &Catalog, rule_id: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let rule = catalog.rules.iter().find(|r| r.id == rule_id).unwrap();
    let dir = root().join(rule_id);
    let Ok(text) = std::fs::read_to_string(dir.join("expected.yaml")) else {
        return vec![format!("{rule_id}: no fixtures/rules/{rule_id}/expected.yaml")];
    };
    let expected: BTreeMap<String, Expected> =
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{rule_id}/expected.yaml: {e}"));
    let listed: BTreeSet<String> = expected.keys().cloned().collect();
    if listed != fixture_files(&dir) {
        problems.push(format!(
            "{rule_id}: expected.yaml lists {listed:?} but the folder holds {:?}",
            fixture_files(&dir)
        ));
    }
    // Only this rule and its control.
    let single = Catalog {
        controls: catalog
            .controls
            .iter()
            .filter(|(id, _)| **id == rule.control)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        rules: vec![rule.clone()],
    };
    let mut covered: BTreeMap<(InputFormat, &str), usize> = BTreeMap::new();
    for (file, want) in &expected {
        let path = dir.join(file);
        let loaded = input::load_all(
            &[Candidate {
                path: path.clone(),
                named: true,
            }],
            &dir,
        );
        if !loaded.errors.is_empty() {
            problems.push(format!("{rule_id}/{file}: {:?}", loaded.errors));
            continue;
        }
        let format = loaded.files[0].format;
        let eval = evaluate(&single, &loaded.files, &EnvironmentResolver::default());
        let got = |o: Outcome| -> BTreeSet<String> {
            eval.findings
                .iter()
                .filter(|f| f.outcome == o)
                .map(|f| f.resource.clone())
                .collect()
        };
        if got(Outcome::Fail) != want.fail {
            problems.push(format!(
                "{rule_id}/{file}: fails {:?}, expected {:?}",
                got(Outcome::Fail),
                want.fail
            ));
        }
        if got(Outcome::Unknown) != want.unknown {
            problems.push(format!(
                "{rule_id}/{file}: unknown {:?}, expected {:?}",
                got(Outcome::Unknown),
                want.unknown
            ));
        }
        let targeted: BTreeSet<String> = loaded.files[0]
            .resources
            .iter()
            .filter(|r| {
                rule.target(format)
                    .is_some_and(|t| t.resource_types.contains(&r.resource_type))
            })
            .map(|r| r.address.clone())
            .collect();
        for p in &want.pass {
            if !targeted.contains(p) || eval.findings.iter().any(|f| &f.resource == p) {
                problems.push(format!(
                    "{rule_id}/{file}: {p} should be a targeted resource without a finding"
                ));
            }
        }
        if !want.fail.is_empty() {
            *covered.entry((format, "fail")).or_default() += 1;
        }
        if !want.pass.is_empty() {
            *covered.entry((format, "pass")).or_default() += 1;
        }
    }
    for (format, present) in [
        (InputFormat::TerraformPlan, rule.terraform.is_some()),
        (InputFormat::Cloudformation, rule.cloudformation.is_some()),
    ] {
        for kind in ["pass", "fail"] {
            if present && !covered.contains_key(&(format, kind)) {
                problems.push(format!(
                    "{rule_id}: no {} fixture with a {kind}ing resource",
                    format.as_str()
                ));
            }
        }
    }
    problems
}

#[test]
fn every_builtin_rule_passes_and_fails_on_its_fixtures() {
    let catalog = catalog::load(&[PackSource::Builtin]).unwrap();
    assert!(!catalog.rules.is_empty());
    let problems: Vec<String> = catalog.rules.iter().flat_map(|r| check_rule(&catalog, &r.id)).collect();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_fixture_folder_belongs_to_a_rule() {
    let catalog = catalog::load(&[PackSource::Builtin]).unwrap();
    for entry in std::fs::read_dir(root()).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            catalog.rules.iter().any(|r| r.id == name),
            "fixtures/rules/{name} names no rule"
        );
    }
}
