//! The exception registry end to end: a finding fails, is excepted, and fails again once its
//! exception has expired; invalid entries never suppress; every output shows what happened.

use std::process::{Command, Output};

use serde_json::{Value, json};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The finding of `control` on `resource` in a JSON report.
fn finding<'a>(report: &'a Value, control: &str, resource: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["controlId"] == control && f["resource"] == resource)
        .unwrap_or_else(|| panic!("no {control} finding on {resource}"))
}

const DB: &str = "module.data.aws_db_instance.main";
const PLAN: &str = "fixtures/demo/plan.json";
const VALID: &str = "fixtures/exceptions/valid.yaml";

#[test]
fn the_same_finding_fails_is_excepted_then_fails_again_when_the_exception_expires() {
    // Only BCK-001's finding on the database, so the gate's decision is that finding's.
    let only_backups = ["--fail-on", "high", "--format", "json"];
    let check = |extra: &[&str]| {
        let mut args = vec!["check", PLAN];
        args.extend_from_slice(&only_backups);
        args.extend_from_slice(extra);
        run(&args)
    };
    let without = check(&["--today", "2026-11-25"]);
    let f = finding(&json(&without), "BCK-001", DB).clone();
    assert_eq!(f["blocking"], true);
    assert!(f.get("exception").is_none());

    let excepted = check(&["--exceptions", VALID, "--today", "2026-11-25"]);
    let report = json(&excepted);
    let f = finding(&report, "BCK-001", DB);
    assert_eq!(f["blocking"], false);
    assert_eq!(f["exception"]["id"], "EXC-2026-001");
    assert_eq!(f["exception"]["state"], "active");
    assert_eq!(f["exception"]["daysLeft"], 51);

    let expired = check(&["--exceptions", VALID, "--today", "2027-02-01"]);
    let report = json(&expired);
    let f = finding(&report, "BCK-001", DB);
    assert_eq!(f["blocking"], true, "an expired exception suppresses nothing");
    assert_eq!(f["exception"]["state"], "expired");
    let human = run(&["check", PLAN, "--exceptions", VALID, "--today", "2027-02-01"]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("exception EXC-2026-001 expired on 2027-01-15"));
}

#[test]
fn excepted_findings_do_not_block_and_stay_visible_everywhere() {
    // The NET-001 finding on web[0] is covered by `web[*]`; nothing else of NET-001 is in the plan.
    let base = [
        "check",
        PLAN,
        "--exceptions",
        VALID,
        "--today",
        "2026-11-25",
        "--fail-on",
        "critical",
    ];
    let o = run(&[&base[..], &["--format", "json"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    let f = finding(&report, "NET-001", "module.web.aws_security_group.web[0]");
    assert_eq!(f["exception"]["id"], "EXC-2026-002");
    assert_eq!(report["summary"]["excepted"], 2);

    let human = run(&base);
    let out = String::from_utf8_lossy(&human.stdout);
    assert!(
        out.contains("excepted by EXC-2026-002 (owner alice@example.com, 6 days left)"),
        "{out}"
    );
    assert!(out.contains("2 excepted"), "{out}");

    let sarif = json(&run(&[&base[..], &["--format", "sarif"]].concat()));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<&Value> = results.iter().filter(|r| r.get("suppressions").is_some()).collect();
    assert_eq!(suppressed.len(), 2);
    let s = &suppressed[0]["suppressions"][0];
    assert_eq!(s["kind"], "external");
    assert_eq!(s["status"], "accepted");
    assert!(s["justification"].as_str().unwrap().len() > 10);
    assert!(
        s["properties"]["exceptionId"]
            .as_str()
            .unwrap()
            .starts_with("EXC-2026-00")
    );
    assert!(s["properties"]["approver"].is_string() && s["properties"]["expires"].is_string());
}

#[test]
fn expiring_and_unused_exceptions_are_warned_about() {
    let o = run(&[
        "check",
        PLAN,
        "--exceptions",
        VALID,
        "--today",
        "2026-11-25",
        "--format",
        "json",
    ]);
    let err = stderr(&o);
    assert!(
        err.contains("warning: exception EXC-2026-002") && err.contains("expires in 6 days"),
        "{err}"
    );
    assert!(
        err.contains("warning: exception EXC-2026-011") && err.contains("unused"),
        "{err}"
    );
    // A wider warning window catches EXC-2026-001 too.
    let o = run(&[
        "check",
        PLAN,
        "--exceptions",
        VALID,
        "--today",
        "2026-11-25",
        "--expiry-warning-days",
        "60",
        "--format",
        "json",
    ]);
    assert!(stderr(&o).contains("EXC-2026-001 (BCK-001, owner alice@example.com) expires in 51 days"));
    let report = json(&o);
    let states: Vec<(&str, &str)> = report["exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["id"].as_str().unwrap(), e["state"].as_str().unwrap()))
        .collect();
    assert!(states.contains(&("EXC-2026-003", "expired")) && states.contains(&("EXC-2026-013", "revoked")));
}

#[test]
fn an_invalid_registry_fails_closed_by_default() {
    let o = run(&[
        "check",
        PLAN,
        "--exceptions",
        "fixtures/exceptions/invalid.yaml",
        "--today",
        "2026-11-25",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("invalid.yaml:3:5: exception EXC-2026-004: approved by its own owner"),
        "{err}"
    );
    // The report is still written, and nothing in it is excepted.
    assert_eq!(json(&o)["summary"]["excepted"], 0);
}

#[test]
fn invalid_entries_never_suppress_even_when_only_warned_about() {
    let o = run(&[
        "check",
        "fixtures/demo",
        "--exceptions",
        "fixtures/exceptions/invalid.yaml",
        "--invalid-exceptions",
        "warn",
        "--today",
        "2026-11-25",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning: fixtures/exceptions/invalid.yaml:3:5: exception EXC-2026-004"));
    let report = json(&o);
    assert_eq!(report["summary"]["excepted"], 0);
    // The self-approved exception covers this finding and is named, but it still blocks.
    let f = finding(&report, "DP-ENC-001", "module.data.aws_s3_bucket.this[\"raw\"]");
    assert_eq!(f["blocking"], true);
    assert_eq!(f["exception"]["state"], "invalid");
}

#[test]
fn inline_suppressions_are_reported_and_ignored() {
    let o = run(&[
        "check",
        "fixtures/exceptions/inline.yaml",
        "--exceptions",
        VALID,
        "--today",
        "2026-11-25",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let report = json(&o);
    let ssh = finding(&report, "NET-001", "OpenSsh");
    assert_eq!(ssh["blocking"], true);
    let notes: Vec<&str> = ssh["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("Metadata.cfn_nag") && n.contains("ignored"))
    );
    assert!(notes.iter().any(|n| n.contains("comment at line 21")));
    let rdp = finding(&report, "NET-001", "OpenRdp");
    assert!(
        rdp["notes"][0]
            .as_str()
            .unwrap()
            .contains("EXC-2026-099 is not in the exception registry")
    );
}

#[test]
fn exceptions_validate_and_list() {
    let o = run(&[
        "exceptions",
        "validate",
        "--exceptions",
        "fixtures/exceptions/invalid.yaml",
        "--today",
        "2026-11-25",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for (line, what) in [
        (3, "approved by its own owner"),
        (17, "allows at most 90"),
        (31, "needs `security-lead`"),
        (45, "`expires` is missing"),
        (58, "XYZ-001 does not exist"),
        (72, "`reason` is missing"),
        (72, "`compensatingControl` is missing"),
        (84, "is a wildcard"),
        (98, "duplicates the id"),
    ] {
        assert!(
            err.contains(&format!("invalid.yaml:{line}:5:")) && err.contains(what),
            "{line} {what}: {err}"
        );
    }
    let ok = run(&[
        "exceptions",
        "validate",
        "--exceptions",
        "fixtures/exceptions/valid.yaml",
        "--today",
        "2026-11-25",
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));

    let list = run(&[
        "exceptions",
        "list",
        "--exceptions",
        VALID,
        "--today",
        "2026-11-25",
        "--format",
        "json",
        "fixtures/demo",
    ]);
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    let entries = json(&list)["exceptions"].as_array().unwrap().clone();
    let shown: Vec<(String, String, bool)> = entries
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().into(),
                e["state"].as_str().unwrap().into(),
                e["unused"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            ("EXC-2026-001".into(), "active".into(), false),
            ("EXC-2026-002".into(), "expiring-soon".into(), false),
            ("EXC-2026-003".into(), "expired".into(), false),
            ("EXC-2026-011".into(), "active".into(), true),
            ("EXC-2026-012".into(), "requested".into(), false),
            ("EXC-2026-013".into(), "revoked".into(), false),
        ]
    );
    let table = run(&["exceptions", "list", "--exceptions", VALID, "--today", "2026-11-25"]);
    let out = String::from_utf8_lossy(&table.stdout);
    assert!(out.starts_with("ID "), "{out}");
    assert!(out.contains("EXC-2026-003  expired"), "{out}");
    let none = run(&["exceptions", "list"]);
    assert_eq!(none.status.code(), Some(2), "no registry is an error");
}

/// A registry entry for the demo database, scoped by `extra_scope`.
fn entry(id: &str, extra_scope: &str) -> String {
    format!(
        "  - id: {id}
    control: BCK-001
    scope:
      resources: [module.data.aws_db_instance.main]
{extra_scope}    owner: alice@example.com
    reason: Migration.
    compensatingControl: Snapshots.
    approval: {{approver: bob@example.com, role: platform-owner, date: 2026-11-01}}
    expires: 2027-01-15
    status: approved
"
    )
}

#[test]
fn registry_directories_default_location_and_region_and_account_scopes() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join(PLAN), dir.path().join("plan.json")).unwrap();
    let reg = dir.path().join(".controlgate/exceptions");
    std::fs::create_dir_all(&reg).unwrap();
    // The plan's provider region is eu-west-1: only the second entry's region matches.
    std::fs::write(
        reg.join("a.yaml"),
        format!("exceptions:\n{}", entry("EXC-A", "      regions: [us-east-1]\n")),
    )
    .unwrap();
    std::fs::write(
        reg.join("b.yml"),
        format!("exceptions:\n{}", entry("EXC-B", "      regions: [eu-west-1]\n")),
    )
    .unwrap();
    std::fs::write(reg.join("notes.txt"), "not a registry").unwrap();
    let check = |extra: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_controlgate"))
            .args(["check", "plan.json", "--format", "json", "--today", "2026-11-25"])
            .args(extra)
            .current_dir(dir.path())
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&o.stdout).unwrap()
    };
    let report = check(&[]);
    assert_eq!(
        finding(&report, "BCK-001", DB)["exception"]["id"],
        "EXC-B",
        "found in the default directory, by region"
    );

    // Accounts are known only when the run is told: without --account, an account scope never matches.
    std::fs::write(
        reg.join("b.yml"),
        format!("exceptions:\n{}", entry("EXC-B", "      accounts: ['111122223333']\n")),
    )
    .unwrap();
    assert!(finding(&check(&[]), "BCK-001", DB).get("exception").is_none());
    assert_eq!(
        finding(&check(&["--account", "111122223333"]), "BCK-001", DB)["exception"]["id"],
        "EXC-B"
    );
    assert!(
        finding(&check(&["--account", "999999999999"]), "BCK-001", DB)
            .get("exception")
            .is_none()
    );
}

#[test]
fn sarif_category_and_excepted_findings_left_out() {
    let base = [
        "check",
        PLAN,
        "--exceptions",
        VALID,
        "--today",
        "2026-11-25",
        "--format",
        "sarif",
    ];
    let suppressed = json(&run(&[&base[..], &["--sarif-category", "infra/prod"]].concat()));
    assert_eq!(suppressed["runs"][0]["automationDetails"]["id"], "infra/prod");
    let all = suppressed["runs"][0]["results"].as_array().unwrap().len();
    let omitted = json(&run(&[
        &base[..],
        &["--sarif-category", "prod", "--sarif-excepted", "omit"],
    ]
    .concat()));
    assert_eq!(
        omitted["runs"][0]["automationDetails"]["id"], "prod/",
        "a bare category gets its slash"
    );
    let results = omitted["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), all - 2, "the two excepted findings are left out");
    assert!(results.iter().all(|r| r.get("suppressions").is_none()));
}

/// An author approving their own exception under another spelling of their identity, or with a
/// reason that says nothing: the database's finding still blocks (exit 2 by default, since the
/// registry is invalid; exit 1 with invalid entries only warned about).
#[test]
fn look_alike_approvers_and_blank_reasons_never_suppress() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("exceptions.yaml");
    let variants = [
        entry("EXC-9", "").replace("approver: bob@example.com", "approver: 'ＡＬＩＣＥ@example.com'"),
        entry("EXC-9", "").replace("approver: bob@example.com", "approver: 'Alice <alice+ops@example.com>'"),
        entry("EXC-9", "").replace("approver: bob@example.com", "approver: \"\u{0430}lice@example.com\""),
        entry("EXC-9", "").replace("reason: Migration.", "reason: \"\\u200B \\u2060\""),
        // A module's instances are not a resource's.
        entry("EXC-9", "").replace(
            "[module.data.aws_db_instance.main]",
            "[module.data.aws_db_instance.main, 'module.data[*]']",
        ),
    ];
    for v in variants {
        std::fs::write(&registry, format!("exceptions:\n{v}")).unwrap();
        let reg = registry.to_str().unwrap();
        let common = [
            "check",
            PLAN,
            "--fail-on",
            "high",
            "--today",
            "2026-11-25",
            "--exceptions",
            reg,
        ];
        let strict = run(&[&common[..], &["--format", "json"]].concat());
        assert_eq!(strict.status.code(), Some(2), "{v}\n{}", stderr(&strict));
        let warned = run(&[&common[..], &["--format", "json", "--invalid-exceptions", "warn"]].concat());
        assert_eq!(warned.status.code(), Some(1), "{v}\n{}", stderr(&warned));
        let f = finding(&json(&warned), "BCK-001", DB).clone();
        assert_eq!(f["blocking"], true, "{v}");
    }
}

/// With a roster, only the people it names for a role may approve: an approval by anyone else
/// suppresses nothing, whatever the role it claims.
#[test]
fn an_approver_roster_decides_who_may_approve() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("exceptions.yaml");
    std::fs::write(&registry, format!("exceptions:\n{}", entry("EXC-9", ""))).unwrap();
    let roster = dir.path().join("approvers.yaml");
    let reg = registry.to_str().unwrap();
    let ros = roster.to_str().unwrap();
    let common = [
        "check",
        PLAN,
        "--fail-on",
        "high",
        "--today",
        "2026-11-25",
        "--exceptions",
        reg,
        "--approvers",
        ros,
        "--format",
        "json",
    ];
    // bob is on the role's roster (in another spelling): the exception applies.
    std::fs::write(&roster, "approvers:\n  platform-owner: ['Bob <BOB@example.com>']\n").unwrap();
    // (Other high findings of the demo block the gate; the database's does not.)
    let o = run(&common);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let f = finding(&json(&o), "BCK-001", DB).clone();
    assert_eq!(
        (&f["exception"]["state"], &f["blocking"]),
        (&json!("active"), &json!(false))
    );
    // Not on it, or the role has no roster: invalid, and the finding blocks.
    for text in [
        "approvers:\n  platform-owner: [carol@example.com]\n",
        "approvers:\n  security: [bob@example.com]\n",
    ] {
        std::fs::write(&roster, text).unwrap();
        let o = run(&common);
        assert_eq!(o.status.code(), Some(2), "{text}: {}", stderr(&o));
        assert!(stderr(&o).contains("roster"), "{}", stderr(&o));
        let o = run(&[&common[..], &["--invalid-exceptions", "warn"]].concat());
        assert_eq!(o.status.code(), Some(1), "{text}");
        assert_eq!(finding(&json(&o), "BCK-001", DB)["blocking"], true);
    }
    // A roster that is not one is an error, located.
    std::fs::write(&roster, "approvers:\n  platform-owner: ['bo\u{200b}b@example.com']\n").unwrap();
    let o = run(&common);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("approvers.yaml:2:"), "{}", stderr(&o));
    let validate = run(&[
        "exceptions",
        "validate",
        "--exceptions",
        reg,
        "--approvers",
        ros,
        "--today",
        "2026-11-25",
    ]);
    assert_eq!(validate.status.code(), Some(2));
}
