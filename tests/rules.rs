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
