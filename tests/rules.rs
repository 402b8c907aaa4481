//! Every built-in rule, proven on its fixtures through the same runner as `controlgate test`:
//! `fixtures/rules/<rule-id>/` holds Terraform plans and CloudFormation templates, and
//! `expected.yaml` says which resources the rule must fail, pass, or find undecidable. Rules are
//! found by walking the catalog, so a rule without fixtures fails.

use std::path::Path;

use controlgate::catalog::{self, PackSource};
use controlgate::policytest;

#[test]
fn every_builtin_rule_passes_and_fails_on_its_fixtures() {
    let catalog = catalog::load(&[PackSource::Builtin]).unwrap();
    assert!(catalog.rules.len() >= 9);
    // A retired rule stays in the catalog (ids are permanent) and is not evaluated.
    let retired = catalog
        .rules
        .iter()
        .find(|r| r.id == "s3-encryption-configuration-not-kms")
        .unwrap();
    assert!(retired.deprecated.is_some());
    let results = policytest::run(&catalog, &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules")).unwrap();
    let problems: Vec<String> = results
        .iter()
        .flat_map(|r| r.problems.iter().map(move |p| format!("{}: {p}", r.rule)))
        .collect();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    assert!(results.iter().all(|r| r.cases >= 2));
}

/// The README's "Controls and rules" table lists exactly each control's rules, so a new rule
/// cannot land undocumented.
#[test]
fn the_readme_lists_every_control_with_its_rules() {
    use std::collections::{BTreeMap, BTreeSet};
    let catalog = controlgate::catalog::load(&[controlgate::catalog::PackSource::Builtin]).unwrap();
    let mut want: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for rule in catalog.rules.iter().filter(|r| r.deprecated.is_none()) {
        want.entry(rule.control.as_str()).or_default().insert(rule.id.as_str());
    }
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut got: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in readme.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        let id = cells[0].trim_start_matches("| ").trim_matches('`');
        if !want.contains_key(id) || cells.len() < 5 {
            continue;
        }
        let rules = cells[3].split(", ").map(|r| r.trim_matches('`').to_string()).collect();
        got.insert(id.to_string(), rules);
    }
    let want: BTreeMap<String, BTreeSet<String>> = want
        .into_iter()
        .map(|(c, rs)| (c.to_string(), rs.into_iter().map(str::to_string).collect()))
        .collect();
    assert_eq!(
        got, want,
        "README.md \"Controls and rules\" table vs the built-in catalog"
    );
}
