use chrono::NaiveDate;

use super::*;
use crate::catalog::{Catalog, control};

const CONTROL: &str = "id: BCK-001
version: 1
title: Backups
intent: Data can be restored.
severity: high
scope:
  resourceTypes: [aws_db_instance]
evidenceSources: [terraform-plan]
exception:
  allowed: true
  maxDurationDays: 90
  approvalRole: platform-owner
remediation:
  mode: iac-change
  hint: Set it.
frameworks:
  nist-800-53: [CP-9]
";

fn catalog() -> Catalog {
    let mut c = Catalog::default();
    for (id, text) in [
        ("BCK-001", CONTROL.to_string()),
        (
            "NOX-001",
            CONTROL.replace("BCK-001", "NOX-001").replace(
                "allowed: true\n  maxDurationDays: 90\n  approvalRole: platform-owner",
                "allowed: false",
            ),
        ),
    ] {
        c.controls
            .insert(id.to_string(), control::parse("c.yaml", &text).unwrap());
    }
    c
}

const VALID: &str = "  - id: EXC-2026-001
    control: BCK-001
    scope:
      resources: [aws_db_instance.main, 'aws_db_instance.replica[*]']
    owner: alice
    reason: Migration window.
    compensatingControl: Daily snapshots.
    approval:
      approver: bob
      role: platform-owner
      date: 2026-11-01
    expires: 2027-01-15
    reviewCadence: monthly
    evidence: CHG-1234
    status: approved
";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn load_text(text: &str) -> Result<Vec<Exception>, Vec<Located>> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("exceptions.yaml");
    std::fs::write(&p, text).unwrap();
    load(&[p], &catalog(), today(), None)
}

fn problems(entry: &str) -> Vec<String> {
    let list = load_text(&format!("exceptions:\n{entry}")).unwrap();
    list.into_iter().flat_map(|e| e.problems).collect()
}

fn has(entry: &str, needle: &str) {
    let p = problems(entry);
    assert!(
        p.iter().any(|x| x.contains(needle)),
        "expected a problem with `{needle}`, got {p:?}"
    );
}

#[test]
fn a_complete_entry_is_valid() {
    let list = load_text(&format!("exceptions:\n{VALID}")).unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0].is_valid(), "{:?}", list[0].problems);
    assert_eq!(list[0].origin.line, 2);
}

#[test]
fn no_expiry_is_invalid() {
    has(&VALID.replace("    expires: 2027-01-15\n", ""), "`expires` is missing");
    has(&VALID.replace("expires: 2027-01-15", "expires: soon"), "not a date");
}

#[test]
fn longer_than_the_control_allows_is_invalid() {
    has(
        &VALID.replace("expires: 2027-01-15", "expires: 2027-03-01"),
        "allows at most 90",
    );
    // Exactly the maximum is allowed.
    assert!(problems(&VALID.replace("expires: 2027-01-15", "expires: 2027-01-30")).is_empty());
}

#[test]
fn unknown_control_or_one_without_exceptions_is_invalid() {
    has(&VALID.replace("control: BCK-001", "control: BCK-404"), "does not exist");
    has(
        &VALID.replace("control: BCK-001", "control: NOX-001"),
        "allows no exceptions",
    );
}

#[test]
fn self_approval_and_the_wrong_role_are_invalid() {
    has(&VALID.replace("approver: bob", "approver: Alice"), "its own owner");
    has(
        &VALID.replace("role: platform-owner", "role: team-lead"),
        "needs `platform-owner`",
    );
    has(
        &VALID.replace(
            "    approval:\n      approver: bob\n      role: platform-owner\n      date: 2026-11-01\n",
            "",
        ),
        "`approval` is missing",
    );
    has(&VALID.replace("date: 2026-11-01", "date: 2026-12-01"), "in the future");
}

#[test]
fn missing_reason_or_compensating_control_is_invalid() {
    has(
        &VALID.replace("    reason: Migration window.\n", ""),
        "`reason` is missing",
    );
    has(
        &VALID.replace("compensatingControl: Daily snapshots.", "compensatingControl: ''"),
        "`compensatingControl` is missing",
    );
}

#[test]
fn bare_wildcards_and_empty_scopes_are_refused() {
    has(
        &VALID.replace("[aws_db_instance.main, 'aws_db_instance.replica[*]']", "['*']"),
        "is a wildcard",
    );
    has(
        &VALID.replace("[aws_db_instance.main, 'aws_db_instance.replica[*]']", "[]"),
        "is empty",
    );
    has(
        &VALID.replace(
            "    scope:\n      resources: [aws_db_instance.main, 'aws_db_instance.replica[*]']\n",
            "",
        ),
        "`scope` is missing",
    );
}

#[test]
fn duplicate_ids_make_the_second_entry_invalid() {
    let list = load_text(&format!("exceptions:\n{VALID}{VALID}")).unwrap();
    assert!(list[0].is_valid());
    assert!(
        list[1].problems.iter().any(|p| p.contains("duplicates the id")),
        "{:?}",
        list[1].problems
    );
}

#[test]
fn unknown_fields_and_broken_files_are_located_errors() {
    let e = load_text(&format!(
        "exceptions:\n{}",
        VALID.replace("    owner: alice", "    owner: alice\n    ticket: X")
    ))
    .unwrap_err();
    assert!(e[0].message.contains("unknown field `ticket`"), "{e:?}");
    assert_eq!(e[0].line, 7);
    assert!(load_text("exceptions: {}").is_err());
    assert!(load_text("- not: a registry").is_err());
}

#[test]
fn problems_are_errors_at_the_entry_line() {
    let list = load_text(&format!(
        "exceptions:\n{VALID}{}",
        VALID
            .replace("EXC-2026-001", "EXC-2026-002")
            .replace("approver: bob", "approver: alice")
    ))
    .unwrap();
    let errors = list[1].errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 17);
    assert!(
        errors[0]
            .to_string()
            .contains("exceptions.yaml:17:5: exception EXC-2026-002: approved by its own owner"),
        "{}",
        errors[0]
    );
}

#[test]
fn scope_matching() {
    let list = load_text(&format!(
        "exceptions:\n{}",
        VALID.replace(
            "resources: [",
            "paths: ['envs/prod/**']\n      accounts: ['111122223333']\n      regions: [eu-west-1]\n      resources: ["
        )
    ))
    .unwrap();
    let e = &list[0];
    let ok = |addr: &str, file: &str, acct: Option<&str>, region: Option<&str>| e.covers(addr, file, acct, region);
    assert!(ok(
        "aws_db_instance.main",
        "envs/prod/plan.json",
        Some("111122223333"),
        Some("eu-west-1")
    ));
    assert!(ok(
        "aws_db_instance.replica[0]",
        "envs/prod/plan.json",
        Some("111122223333"),
        Some("eu-west-1")
    ));
    assert!(ok(
        "aws_db_instance.replica[\"b\"]",
        "envs/prod/plan.json",
        Some("111122223333"),
        Some("eu-west-1")
    ));
    assert!(
        !ok(
            "aws_db_instance.replica",
            "envs/prod/plan.json",
            Some("111122223333"),
            Some("eu-west-1")
        ),
        "[*] covers instances only"
    );
    assert!(!ok(
        "aws_db_instance.replica_b[0]",
        "envs/prod/plan.json",
        Some("111122223333"),
        Some("eu-west-1")
    ));
    assert!(!ok(
        "aws_db_instance.main",
        "envs/dev/plan.json",
        Some("111122223333"),
        Some("eu-west-1")
    ));
    assert!(!ok(
        "aws_db_instance.main",
        "envs/prod/plan.json",
        Some("999999999999"),
        Some("eu-west-1")
    ));
    assert!(
        !ok("aws_db_instance.main", "envs/prod/plan.json", None, Some("eu-west-1")),
        "an unknown account never matches"
    );
    assert!(!ok(
        "aws_db_instance.main",
        "envs/prod/plan.json",
        Some("111122223333"),
        None
    ));
}

/// The owner approving their own exception under each spelling an author could try: every one
/// leaves the entry invalid (self-approval, or an identity refused).
#[test]
fn self_approval_under_another_spelling_is_invalid() {
    let entry = VALID.replace("owner: alice", "owner: alice@example.com");
    let spellings = [
        "ａｌｉｃｅ@example.com",
        "ali\u{200b}ce@example.com",
        // YAML refuses a raw byte-order mark inside a document; its escape is read.
        "\"\\uFEFFalice@example.com\"",
        "\u{0430}lice@example.com",
        "ALICE@EXAMPLE.COM",
        "alice+x@example.com",
        "'Alice <alice@example.com>'",
        "mailto:alice@example.com",
        "alice@example.com.",
        "\"Alice@Example.com\"",
    ];
    for spelling in spellings {
        let p = problems(&entry.replace("approver: bob", &format!("approver: {spelling}")));
        assert!(
            p.iter()
                .any(|x| x.contains("its own owner") || x.contains("approval.approver")),
            "{spelling:?} approved: {p:?}"
        );
    }
    // NFD and NFC spellings of an accented name are one person too.
    let jose = VALID.replace("owner: alice", "owner: jos\u{e9}@example.com");
    has(
        &jose.replace("approver: bob", "approver: JOSE\u{301}@example.com"),
        "its own owner",
    );
    // Someone else still approves.
    assert!(problems(&entry.replace("approver: bob", "approver: bob@example.com")).is_empty());
}

#[test]
fn text_that_says_nothing_is_missing() {
    has(
        &VALID.replace("reason: Migration window.", "reason: \"\u{200b}\u{200b} \""),
        "`reason` is made only of",
    );
    has(
        &VALID.replace(
            "compensatingControl: Daily snapshots.",
            "compensatingControl: \"\\uFEFF\"",
        ),
        "`compensatingControl` is made only of",
    );
    has(
        &VALID.replace("id: EXC-2026-001", "id: \"EXC-2026-001\u{200b}\""),
        "invisible character U+200B",
    );
}

#[test]
fn ids_that_differ_only_in_case_or_form_are_duplicates() {
    for other in ["exc-2026-001", "ＥＸＣ-2026-001"] {
        let second = VALID
            .replace("id: EXC-2026-001", &format!("id: {other}"))
            .replace("aws_db_instance.main", "aws_db_instance.other");
        let list = load_text(&format!("exceptions:\n{VALID}{second}")).unwrap();
        assert!(list[0].problems.is_empty(), "{:?}", list[0].problems);
        assert!(
            list[1].problems.iter().any(|p| p.contains("duplicates the id")),
            "{other}: {:?}",
            list[1].problems
        );
    }
}

#[cfg(unix)]
#[test]
fn a_registry_directory_reads_any_case_of_yaml_and_follows_links() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("exceptions");
    std::fs::create_dir_all(reg.join("team")).unwrap();
    std::fs::write(reg.join("a.YAML"), "exceptions: []\n").unwrap();
    std::fs::write(reg.join("team/b.yml"), "exceptions: []\n").unwrap();
    std::fs::write(reg.join("notes.md"), "x").unwrap();
    std::fs::write(dir.path().join("shared.yaml"), "exceptions: []\n").unwrap();
    std::os::unix::fs::symlink("../shared.yaml", reg.join("c.yaml")).unwrap();
    std::os::unix::fs::symlink("..", reg.join("team/loop")).unwrap();
    let found: Vec<String> = files(&reg)
        .unwrap()
        .iter()
        .map(|p| p.strip_prefix(&reg).unwrap().display().to_string())
        .collect();
    assert_eq!(found, vec!["a.YAML", "c.yaml", "team/b.yml"]);
    // A FIFO named like a registry file is read, and refused by the read, not passed over.
    if std::process::Command::new("mkfifo")
        .arg(reg.join("d.yaml"))
        .status()
        .is_ok_and(|s| s.success())
    {
        let paths = files(&reg).unwrap();
        let errors = load(&paths, &catalog(), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), None).unwrap_err();
        assert!(errors.iter().any(|e| e.message.contains("FIFO")), "{errors:?}");
    }
}
