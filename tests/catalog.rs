//! `controlgate catalog`: the catalog as a document, by framework, and docs/control-catalog.md
//! kept current.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .current_dir(dir)
        .args(args)
        .env_remove("CONTROLGATE_POLICIES")
        .env_remove("CONTROLGATE_GUARD_MAPPING")
        .env_remove("CONTROLGATE_CONFIG")
        .output()
        .unwrap()
}

fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_str(&stdout(out)).unwrap()
}

#[test]
fn the_committed_catalog_document_is_current() {
    let generated = stdout(&run(&["catalog", "--no-config"]));
    let committed = std::fs::read_to_string(root().join("docs/control-catalog.md")).unwrap_or_default();
    assert!(
        generated == committed,
        "docs/control-catalog.md is stale: regenerate it with `cargo run -- catalog --no-config > docs/control-catalog.md`"
    );
}

#[test]
fn the_document_is_the_same_from_any_working_directory() {
    let here = stdout(&run(&["catalog", "--no-config"]));
    let elsewhere = tempfile::tempdir().unwrap();
    assert_eq!(stdout(&run_in(elsewhere.path(), &["catalog", "--no-config"])), here);
}

#[test]
fn every_control_has_a_section_with_its_rules_exceptions_remediation_and_mappings() {
    let md = stdout(&run(&["catalog", "--no-config"]));
    let catalog = json(&run(&["catalog", "--no-config", "--format", "json"]));
    let controls = catalog["controls"].as_array().unwrap();
    assert!(controls.len() >= 12, "the built-in pack");
    for c in controls {
        let id = c["id"].as_str().unwrap();
        let section = md
            .split(&format!("\n## {id}\n"))
            .nth(1)
            .unwrap_or_else(|| panic!("no section for {id}"));
        let section = section.split("\n## ").next().unwrap();
        for part in [
            "**Intent.**",
            "**Scope.**",
            "**Rules.**",
            "**Evidence sources.**",
            "**Exceptions.**",
            "**Remediation**",
            "**Framework mappings.**",
        ] {
            assert!(section.contains(part), "{id}: no {part}");
        }
        for r in c["rules"].as_array().unwrap() {
            let rule = r["id"].as_str().unwrap();
            assert!(section.contains(&format!("`{rule}`")), "{id}: rule {rule} missing");
            assert!(["native", "guard"].contains(&r["engine"].as_str().unwrap()));
        }
        assert!(c["exception"]["allowed"].is_boolean(), "{id}");
        assert!(c["remediation"]["hint"].is_string(), "{id}");
        assert!(
            !c["frameworks"].as_object().unwrap().is_empty(),
            "{id} maps to no framework"
        );
    }
}

#[test]
fn by_framework_every_mapped_id_is_covered_and_the_rest_are_not() {
    let list = std::fs::read_to_string(root().join("policies/frameworks/nist-800-53.yaml")).unwrap();
    let listed = list.lines().filter(|l| l.trim_start().starts_with("- \"")).count();
    let catalog = json(&run(&["catalog", "--no-config", "--format", "json"]));
    let mut mapped: Vec<String> = catalog["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["frameworks"]["nist-800-53"].as_array().cloned().unwrap_or_default())
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    mapped.sort();
    mapped.dedup();
    let by = json(&run(&[
        "catalog",
        "--no-config",
        "--framework",
        "nist-800-53",
        "-f",
        "json",
    ]));
    assert_eq!(by["framework"]["name"], "NIST SP 800-53 Rev. 5");
    let rows = by["controls"].as_array().unwrap();
    assert_eq!(rows.len(), listed, "one row per listed framework control");
    assert_eq!(by["summary"]["total"], listed);
    assert_eq!(by["summary"]["covered"], mapped.len());
    assert_eq!(by["summary"]["notCovered"], listed - mapped.len());
    for row in rows {
        let id = row["id"].as_str().unwrap();
        let covered = row["status"] == "covered";
        assert_eq!(covered, mapped.iter().any(|m| m == id), "{id}");
        assert_eq!(covered, !row["rules"].as_array().unwrap().is_empty(), "{id}");
    }
    let sc28 = rows.iter().find(|r| r["id"] == "SC-28").unwrap();
    assert!(sc28["controls"].as_array().unwrap().iter().any(|c| c == "DP-ENC-001"));
    // Markdown says the same.
    let md = stdout(&run(&["catalog", "--no-config", "--framework", "nist-800-53"]));
    assert!(
        md.starts_with("# NIST SP 800-53 Rev. 5 in the control catalog\n"),
        "{md}"
    );
    assert!(
        md.contains(&format!("{} of {listed} framework controls covered", mapped.len())),
        "{md}"
    );
    assert!(md.contains("| AC-5 | — |  |  |"), "an uncovered control shows: {md}");
}

#[cfg(feature = "guard")]
#[test]
fn a_guard_mapping_is_a_framework_whose_staged_controls_are_not_covered() {
    let mapping = "fixtures/guard-registry/mappings/rule_set_demo.json";
    let by = json(&run(&[
        "catalog",
        "--no-config",
        "--guard-mapping",
        mapping,
        "--framework",
        "demo-set",
        "-f",
        "json",
    ]));
    assert_eq!(by["framework"]["name"], "Demo-Set");
    let status = |id: &str| {
        by["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no row {id}"))["status"]
            .clone()
    };
    assert_eq!(status("DS-1"), "covered");
    assert_eq!(status("DS-3"), "covered");
    // staged_placeholder.guard holds no rule yet.
    assert_eq!(status("DS-4"), "not-covered");
    assert_eq!(
        by["summary"]["total"], 4,
        "DS-1 once, though the mapping names it twice"
    );
    // The whole catalog shows the mapped controls beside the built-in ones, with the Guard engine.
    let all = json(&run(&[
        "catalog",
        "--no-config",
        "--guard-mapping",
        mapping,
        "-f",
        "json",
    ]));
    let guard = all["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["frameworks"]["demo-set"].is_array())
        .expect("a mapped control");
    assert_eq!(guard["rules"][0]["engine"], "guard");
}

#[test]
fn an_unknown_framework_is_an_error_naming_the_known_ones() {
    let out = run(&["catalog", "--no-config", "--framework", "pci-dss"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no framework `pci-dss`") && err.contains("nist-800-53, soc2"),
        "{err}"
    );
}

#[test]
fn a_hostile_pack_cannot_break_the_document() {
    let pack = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(pack.path().join("controls")).unwrap();
    std::fs::create_dir_all(pack.path().join("rules")).unwrap();
    std::fs::write(
        pack.path().join("controls/EVIL-001.yaml"),
        "id: EVIL-001\nversion: 1\ntitle: \"a | b <script>alert(1)</script> [x](http://e.vil)\"\nintent: \"line\\n# heading\\n\\u001b[31mred\"\n\
         severity: low\nscope:\n  resourceTypes: [aws_s3_bucket]\nevidenceSources: [terraform-plan]\n\
         exception:\n  allowed: false\nremediation:\n  mode: iac-change\n  hint: fix\n  terraform: \"```\\n# not a heading\\n```\"\nframeworks:\n  soc2: [CC6.1]\n",
    )
    .unwrap();
    let md = stdout(&run(&[
        "catalog",
        "--no-config",
        "--no-builtin",
        "--policies",
        pack.path().to_str().unwrap(),
    ]));
    assert!(!md.contains("<script>"), "{md}");
    assert!(!md.contains('\u{1b}'), "{md}");
    assert!(!md.contains("\n# heading"), "{md}");
    assert!(!md.contains("](http"), "{md}");
    let row = md.lines().find(|l| l.starts_with("| [EVIL-001]")).unwrap();
    assert_eq!(row.matches(" | ").count(), 5, "six cells: {row}");
    // The snippet's backticks cannot close its code block.
    assert!(md.contains("````hcl\n```\n# not a heading\n```\n````"), "{md}");
}
