use chrono::NaiveDate;

use super::*;
use crate::catalog::Severity;
use crate::error::Located;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn exception(id: &str, expires: &str, status: Status) -> Exception {
    Exception {
        id: id.into(),
        control: "BCK-001".into(),
        scope: registry::Scope::default(),
        owner: "alice".into(),
        reason: "migration".into(),
        compensating_control: "snapshots".into(),
        approval: Some(registry::Approval {
            approver: "bob".into(),
            role: "platform-owner".into(),
            date: date("2026-11-01"),
        }),
        expires: Some(date(expires)),
        review_cadence: None,
        evidence: None,
        status,
        problems: Vec::new(),
        origin: Located::new("x.yaml", 1, 1, ""),
    }
}

fn with_resources(mut e: Exception, resources: &[&str]) -> Exception {
    e.scope.resources = resources.iter().map(|s| s.to_string()).collect();
    e
}

fn finding(resource: &str) -> Finding {
    Finding::sample("BCK-001", resource, Severity::High)
}

fn clock(today: &str) -> Clock {
    Clock {
        today: date(today),
        warn_days: 14,
    }
}

#[test]
fn states_follow_the_calendar_and_the_status() {
    let e = exception("EXC-1", "2026-12-31", Status::Approved);
    assert_eq!(clock("2026-11-25").state(&e), State::Active);
    assert_eq!(clock("2026-12-20").state(&e), State::ExpiringSoon);
    assert_eq!(
        clock("2026-12-31").state(&e),
        State::ExpiringSoon,
        "the expiry day is the last valid day"
    );
    assert_eq!(clock("2027-01-01").state(&e), State::Expired);
    assert_eq!(
        clock("2026-11-25").state(&exception("EXC-1", "2026-12-31", Status::Requested)),
        State::Requested
    );
    assert_eq!(
        clock("2026-11-25").state(&exception("EXC-1", "2026-12-31", Status::Revoked)),
        State::Revoked
    );
    let mut invalid = exception("EXC-1", "2026-12-31", Status::Approved);
    invalid.problems.push("self-approved".into());
    assert_eq!(clock("2026-11-25").state(&invalid), State::Invalid);
}

#[test]
fn only_active_valid_exceptions_except() {
    let active = with_resources(
        exception("EXC-1", "2026-12-31", Status::Approved),
        &["aws_db_instance.main"],
    );
    let mut findings = vec![finding("aws_db_instance.main"), finding("aws_db_instance.other")];
    let used = apply(&mut findings, &[active], &clock("2026-11-25"), None);
    assert!(findings[0].is_excepted());
    assert_eq!(findings[0].exception.as_ref().unwrap().days_left, Some(36));
    assert!(findings[1].exception.is_none());
    assert_eq!(used["EXC-1"], 1);

    for (status, today, problems) in [
        (Status::Approved, "2027-01-05", vec![]),
        (Status::Requested, "2026-11-25", vec![]),
        (Status::Revoked, "2026-11-25", vec![]),
        (
            Status::Approved,
            "2026-11-25",
            vec!["approved by its own owner".to_string()],
        ),
    ] {
        let mut e = with_resources(exception("EXC-2", "2026-12-31", status), &["aws_db_instance.main"]);
        e.problems = problems;
        let mut findings = vec![finding("aws_db_instance.main")];
        let used = apply(&mut findings, &[e], &clock(today), None);
        assert!(!findings[0].is_excepted(), "{status:?} on {today}");
        assert!(
            findings[0].exception.is_some(),
            "the finding says which exception did not apply"
        );
        assert_eq!(used["EXC-2"], 0);
    }
}

#[test]
fn expired_findings_say_when() {
    let e = with_resources(
        exception("EXC-9", "2026-12-31", Status::Approved),
        &["aws_db_instance.main"],
    );
    let mut findings = vec![finding("aws_db_instance.main")];
    apply(&mut findings, &[e], &clock("2027-01-02"), None);
    assert_eq!(
        findings[0].exception.as_ref().unwrap().describe(),
        "exception EXC-9 expired on 2026-12-31: it no longer applies"
    );
}

#[test]
fn an_active_exception_wins_over_an_expired_one() {
    let old = with_resources(
        exception("EXC-1", "2026-11-20", Status::Approved),
        &["aws_db_instance.main"],
    );
    let new = with_resources(
        exception("EXC-2", "2026-12-31", Status::Approved),
        &["aws_db_instance.main"],
    );
    let mut findings = vec![finding("aws_db_instance.main")];
    apply(&mut findings, &[old, new], &clock("2026-11-25"), None);
    assert_eq!(findings[0].exception.as_ref().unwrap().id, "EXC-2");
}

#[test]
fn other_controls_are_not_covered() {
    let mut e = with_resources(
        exception("EXC-1", "2026-12-31", Status::Approved),
        &["aws_db_instance.main"],
    );
    e.control = "DP-ENC-001".into();
    let mut findings = vec![finding("aws_db_instance.main")];
    apply(&mut findings, &[e], &clock("2026-11-25"), None);
    assert!(findings[0].exception.is_none());
}

#[test]
fn inventory_marks_unused_and_warns() {
    let used = with_resources(
        exception("EXC-1", "2026-12-31", Status::Approved),
        &["aws_db_instance.main"],
    );
    let unused = with_resources(
        exception("EXC-2", "2026-12-31", Status::Approved),
        &["aws_db_instance.gone"],
    );
    let soon = with_resources(
        exception("EXC-3", "2026-12-01", Status::Approved),
        &["aws_db_instance.main"],
    );
    let all = [used, unused, soon];
    let mut findings = vec![finding("aws_db_instance.main")];
    let uses = apply(&mut findings, &all, &clock("2026-11-25"), None);
    let inv = inventory(&all, &clock("2026-11-25"), Some(&uses));
    let states: Vec<&str> = inv.iter().map(Entry::shown_state).collect();
    // EXC-1 (latest expiry) excepted the finding; EXC-3 expires soon and was not needed.
    assert_eq!(states, vec!["active", "unused", "unused"]);
    assert_eq!(inv[2].note.state, State::ExpiringSoon);
    assert_eq!(inv[0].age_days, Some(24));
    let w = warnings(&inv);
    assert!(
        w.iter().any(|l| l.contains("EXC-3") && l.contains("expires in 6 days")),
        "{w:?}"
    );
    assert!(w.iter().any(|l| l.contains("EXC-2") && l.contains("unused")), "{w:?}");
    // Without a run, nothing is called unused.
    assert!(inventory(&all, &clock("2026-11-25"), None).iter().all(|e| !e.unused));
}
