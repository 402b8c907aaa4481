//! Real plans and templates written by others (`../shared/corpus`, present in CI, absent from a
//! user's clone): every file loads or fails with a located error; nothing panics.

use std::path::{Path, PathBuf};

use controlgate::input;

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if p.is_dir() {
        Some(p)
    } else {
        skipped(&format!("corpus not found at {}", p.display()));
        None
    }
}

#[test]
fn every_corpus_file_loads_or_fails_with_a_location() {
    let Some(root) = corpus() else { return };
    let (candidates, walk_errors) = input::discover(&[root.join("tfplan"), root.join("cfn")]);
    assert!(walk_errors.is_empty(), "{walk_errors:?}");
    assert!(
        candidates.len() > 1000,
        "corpus looks incomplete: {} files",
        candidates.len()
    );
    let loaded = input::load_all(&candidates, &root);
    let resources: usize = loaded.files.iter().map(|f| f.resources.len()).sum();
    let plans = loaded
        .files
        .iter()
        .filter(|f| f.format == controlgate::model::InputFormat::TerraformPlan)
        .count();
    eprintln!(
        "corpus: {} files, {} plans, {} templates, {} resources, {} skipped, {} errors",
        candidates.len(),
        plans,
        loaded.files.len() - plans,
        resources,
        loaded.skipped.len(),
        loaded.errors.len()
    );
    for e in &loaded.errors {
        eprintln!("  {e}");
        assert!(
            e.line > 0 || e.message.starts_with("cannot"),
            "error without a line: {e}"
        );
    }
    assert!(plans >= 190, "only {plans} plans loaded");
    assert!(resources > 4000, "only {resources} resources");
    // Fail closed: files broken on purpose are errors, never skipped or passed.
    for broken in [
        "plan_with_terraform_wrapper.json",
        "bad/duplicate.yaml",
        "bad/duplicate.json",
        "bad/json_parse.json",
        "vulgar_bad_syntax.yml",
    ] {
        assert!(
            loaded.errors.iter().any(|e| e.file.ends_with(broken)),
            "{broken} was not reported"
        );
    }
    // Templates that cfn-lint considers good all load.
    let good: Vec<_> = loaded
        .errors
        .iter()
        .filter(|e| e.file.contains("cfn-lint/test/fixtures/templates/good/"))
        .collect();
    assert!(good.is_empty(), "{good:?}");
}

#[test]
fn utf16_plans_from_powershell_load() {
    let Some(root) = corpus() else { return };
    let mut utf16 = 0;
    for entry in walkdir::WalkDir::new(root.join("tfplan")).into_iter().flatten() {
        let Ok(bytes) = std::fs::read(entry.path()) else {
            continue;
        };
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            utf16 += 1;
            let c = input::Candidate {
                path: entry.path().to_path_buf(),
                named: true,
            };
            let loaded = input::load_all(&[c], &root);
            assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
            assert!(
                !loaded.files.is_empty() && !loaded.files[0].resources.is_empty(),
                "{}",
                entry.path().display()
            );
        }
    }
    assert!(utf16 >= 1, "the corpus holds a UTF-16 plan");
}

#[test]
fn the_binary_checks_the_whole_corpus_and_fails_closed_with_located_errors() {
    let Some(root) = corpus() else { return };
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args(["check", "--format", "sarif"])
        .arg(&root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "unparseable corpus files make the run fail: {stderr}"
    );
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is still one SARIF document");
    assert!(sarif["runs"][0]["results"].as_array().is_some_and(|r| r.len() > 100));
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert!(!errors.is_empty());
    for e in &errors {
        // `error: input error: path:line:column: message`
        let located = e.split(": ").nth(2).is_some_and(|p| {
            let parts: Vec<&str> = p.rsplitn(3, ':').collect();
            parts.len() == 3 && parts[0].parse::<usize>().is_ok() && parts[1].parse::<usize>().is_ok_and(|l| l > 0)
        });
        assert!(located, "not located: {e}");
    }
}

/// Say so on the terminal even though the test harness captures `eprintln!`.
fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {why} (it ships with the development workspace, not with the crate)"
    );
}
