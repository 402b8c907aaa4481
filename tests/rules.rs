//! Every built-in rule, proven on its fixtures through the same runner as `controlgate test`:
//! `policies/tests/<rule-id>/` holds Terraform plans and CloudFormation templates, and
//! `expected.yaml` says which resources the rule must fail, pass, or find undecidable.
//!
//! One test per rule, named by its id, so `cargo test --test rules rds-backup-retention-too-short`
//! runs that rule's cases alone. Rules are found by walking the catalog (a rule without fixtures
//! fails), which is why this target has its own harness (`libtest-mimic`): test names are the
//! rule ids, hyphens included, the way `cargo test` filters them. Each rule's test also snapshots
//! the findings of each fixture (`tests/snapshots/rules/<rule-id>.snap`, with `insta`), so a
//! changed message, fact or location shows in review under that rule alone; accept a change with
//! `cargo insta review` or `INSTA_UPDATE=always cargo test --test rules`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use controlgate::catalog::{self, Catalog, PackSource, Rule};
use controlgate::finding::Outcome;
use controlgate::policytest;
use libtest_mimic::{Arguments, Failed, Trial};

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(policytest::BUILTIN_TESTS)
}

/// A rule's cases against `expected.yaml`, then its findings against the snapshot.
fn rule_test(catalog: &Catalog, rule: &Rule) -> Result<(), Failed> {
    let dir = tests_dir().join(&rule.id);
    let result = policytest::test_rule(catalog, rule, &dir);
    if !result.passed() {
        return Err(result.problems.join("\n").into());
    }
    if result.cases < 2 {
        return Err(format!("{} case(s); a rule needs a passing and a failing one", result.cases).into());
    }
    let mut text = String::new();
    for (file, got) in policytest::findings(catalog, rule, &dir) {
        let findings = got.map_err(Failed::from)?;
        writeln!(text, "{file}:").unwrap();
        if findings.is_empty() {
            writeln!(text, "  no finding").unwrap();
        }
        for f in findings {
            let outcome = match f.outcome {
                Outcome::Fail => "fail",
                Outcome::Unknown => "unknown",
            };
            writeln!(
                text,
                "  {outcome} {} at {}:{}:{}",
                f.resource, f.file, f.location.line, f.location.column
            )
            .unwrap();
            if let Some(r) = &f.related {
                writeln!(
                    text,
                    "    planned at {}:{}:{}",
                    r.file, r.location.line, r.location.column
                )
                .unwrap();
            }
            writeln!(text, "    {}", f.message).unwrap();
            for fact in &f.facts {
                writeln!(text, "    - {fact}").unwrap();
            }
        }
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/rules"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(format!("findings of {} on policies/tests/{}/", rule.id, rule.id));
    // insta reports a mismatch by panicking; the harness turns that into this test's failure.
    settings.bind(|| insta::assert_snapshot!(rule.id.clone(), text));
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let catalog = std::sync::Arc::new(catalog::load(&[PackSource::Builtin]).unwrap());
    let mut trials = Vec::new();
    // Retired rules are not evaluated, so they have nothing to prove.
    for rule in catalog.rules.iter().filter(|r| r.deprecated.is_none()) {
        let (catalog, id) = (catalog.clone(), rule.id.clone());
        trials.push(Trial::test(rule.id.clone(), move || {
            let rule = catalog.rules.iter().find(|r| r.id == id).unwrap();
            rule_test(&catalog, rule)
        }));
    }
    let c = catalog.clone();
    trials.push(Trial::test("tests-folders-name-only-rules", move || {
        let orphans = policytest::orphans(&c, &tests_dir()).map_err(|e| Failed::from(e.to_string()))?;
        if orphans.is_empty() {
            Ok(())
        } else {
            Err(format!("policies/tests/ folders naming no rule: {orphans:?}").into())
        }
    }));
    let c = catalog.clone();
    trials.push(Trial::test("a-retired-rule-stays-in-the-catalog", move || {
        // Ids are permanent: a retired rule stays in the catalog and is not evaluated.
        let retired = c.rules.iter().find(|r| r.id == "s3-encryption-configuration-not-kms");
        match retired {
            Some(r) if r.deprecated.is_some() => Ok(()),
            _ => Err("s3-encryption-configuration-not-kms is not a retired rule of the catalog".into()),
        }
    }));
    let c = catalog.clone();
    trials.push(Trial::test("every-rule-says-why-with-examples", move || {
        // Optional in a pack, required of the built-in one: `explain` and docs/rules/ show them.
        let mut missing = Vec::new();
        for r in c.rules.iter().filter(|r| r.deprecated.is_none()) {
            if r.why.is_none() {
                missing.push(format!("{}: no `why`", r.id));
            }
            if r.cloudformation.is_some() && r.examples.cloudformation.is_none() {
                missing.push(format!("{}: no CloudFormation example", r.id));
            }
            if r.cloudformation.is_none() && r.examples.terraform.is_none() {
                missing.push(format!("{}: no Terraform example", r.id));
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(missing.join("\n").into())
        }
    }));
    let c = catalog.clone();
    trials.push(Trial::test(
        "the-readme-lists-every-control-with-its-rules",
        move || readme_lists_every_control_with_its_rules(&c),
    ));
    let c = catalog.clone();
    trials.push(Trial::test("docs-rules-pages-are-current", move || {
        docs_pages_are_current(&c)
    }));
    libtest_mimic::run(&args, trials).exit();
}

/// The README's "Controls and rules" table lists exactly each control's rules, so a new rule
/// cannot land undocumented.
fn readme_lists_every_control_with_its_rules(catalog: &Catalog) -> Result<(), Failed> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut want: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for rule in catalog.rules.iter().filter(|r| r.deprecated.is_none()) {
        want.entry(rule.control.clone()).or_default().insert(rule.id.clone());
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
    if got == want {
        Ok(())
    } else {
        Err(
            format!("README.md \"Controls and rules\" table vs the built-in catalog:\n got {got:?}\nwant {want:?}")
                .into(),
        )
    }
}

/// `docs/rules/<rule-id>.md` is the rule rendered (`report::rule_doc`); a stale or extra page
/// fails. `UPDATE_DOCS=1 cargo test --test rules docs-rules` rewrites the pages.
fn docs_pages_are_current(catalog: &Catalog) -> Result<(), Failed> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let update = std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1");
    if update {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut problems = Vec::new();
    let mut want = std::collections::BTreeSet::new();
    for rule in &catalog.rules {
        let control = &catalog.controls[&rule.control];
        let page = controlgate::report::rule_doc::markdown(rule, control);
        let path = dir.join(format!("{}.md", rule.id));
        want.insert(format!("{}.md", rule.id));
        if std::fs::read_to_string(&path).ok().as_deref() != Some(page.as_str()) {
            if update {
                std::fs::write(&path, page).unwrap();
            } else {
                problems.push(format!("docs/rules/{}.md is stale or missing", rule.id));
            }
        }
    }
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !want.contains(&name) {
            if update {
                std::fs::remove_file(entry.path()).unwrap();
            } else {
                problems.push(format!("docs/rules/{name} names no rule"));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        problems.push("regenerate with `UPDATE_DOCS=1 cargo test --test rules docs-rules`".into());
        Err(problems.join("\n").into())
    }
}
