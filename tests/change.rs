//! The change context and CHG-001 through the binary, with the CI's variables under the test's
//! control: `env_clear`, then only what each case sets. The context lands in the run record;
//! CHG-001 passes when the change names a record and fails when it does not; a record verifies
//! on a machine without the CI's variables; hostile variables stay data.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

const FIXTURE: &str = "policies/tests/production-change-without-change-record/cloudformation/no-record.yaml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A repository holding the CHG-001 template (three production resources, a development one,
/// one whose environment nothing says).
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::copy(root().join(FIXTURE), dir.path().join("stack.yaml")).unwrap();
    dir
}

/// The binary with no variable but PATH, HOME and `vars`.
fn bin(dir: &Path, vars: &[(&str, &str)]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_controlgate"));
    c.env_clear().current_dir(dir).env("NO_COLOR", "1");
    for k in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(k) {
            c.env(k, v);
        }
    }
    c.envs(vars.iter().copied());
    c
}

/// `check --evidence` on the repository: the output and the record.
fn check(dir: &Path, vars: &[(&str, &str)], extra: &[&str]) -> (Output, Value) {
    let record = dir.join("record.json");
    let _ = std::fs::remove_file(&record);
    let out = bin(dir, vars)
        .args([
            "check",
            "--no-config",
            "--today",
            "2026-12-01",
            "--evidence",
            "record.json",
        ])
        .args(extra)
        .arg("stack.yaml")
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&record).unwrap_or_else(|_| panic!("no record: {}", stderr(&out)));
    (out, serde_json::from_str(&text).unwrap())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The resources CHG-001 failed, from the record.
fn chg_failures(record: &Value) -> Vec<String> {
    record["predicate"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["control"] == "CHG-001")
        .map(|f| f["resource"].as_str().unwrap().to_string())
        .collect()
}

fn chg_counts(record: &Value) -> (u64, u64) {
    let c = record["predicate"]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "CHG-001")
        .unwrap();
    (c["passed"].as_u64().unwrap(), c["failed"].as_u64().unwrap())
}

const HEAD: &str = "fedcba9876543210fedcba9876543210fedcba98";

fn github_pr(event: &str) -> Vec<(&str, &str)> {
    vec![
        ("GITHUB_ACTIONS", "true"),
        ("CI", "true"),
        ("GITHUB_SERVER_URL", "https://github.com"),
        ("GITHUB_REPOSITORY", "acme/infra"),
        ("GITHUB_SHA", "1111111111111111111111111111111111111111"),
        ("GITHUB_REF", "refs/pull/7/merge"),
        ("GITHUB_HEAD_REF", "feature/queue"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", event),
        ("GITHUB_RUN_ID", "4242"),
        ("GITHUB_ACTOR", "octocat"),
    ]
}

#[test]
fn without_a_ci_or_a_change_id_the_context_is_null_and_production_resources_fail() {
    let dir = repo();
    let (out, record) = check(dir.path(), &[], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(record["predicate"]["context"], Value::Null);
    // DevQueue (dev) and Topic (no environment) are out of CHG-001's scope.
    assert_eq!(chg_failures(&record), ["OrdersQueue", "LogsBucket", "Seed"]);
    assert_eq!(chg_counts(&record), (0, 3));
}

#[test]
fn a_github_pull_request_names_the_change_record() {
    let dir = repo();
    let event = dir.path().join("event.json");
    std::fs::write(
        &event,
        json!({"pull_request": {"number": 7, "head": {"sha": HEAD}}}).to_string(),
    )
    .unwrap();
    let (out, record) = check(dir.path(), &github_pr(event.to_str().unwrap()), &[]);
    assert!(stderr(&out).lines().all(|l| !l.contains("event")), "{}", stderr(&out));
    assert_eq!(
        record["predicate"]["context"],
        json!({
            "ci": "github",
            "repository": "acme/infra",
            "commit": HEAD,
            "branch": "feature/queue",
            "pullRequest": {"number": 7, "url": "https://github.com/acme/infra/pull/7"},
            "workflowRun": {"id": "4242", "url": "https://github.com/acme/infra/actions/runs/4242"},
            "actor": "octocat",
            "changeRecord": {"id": "acme/infra#7", "source": "pull-request", "url": "https://github.com/acme/infra/pull/7"},
        })
    );
    assert!(chg_failures(&record).is_empty());
    assert_eq!(chg_counts(&record), (3, 0));

    // Verified where no CI variable is set: the recorded change record is the run's.
    let verify = bin(dir.path(), &[])
        .args(["verify-evidence", "record.json", "--no-config", "--today", "2026-12-01"])
        .output()
        .unwrap();
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );

    // A record edited to name no change record, its findings left as they were, does not verify:
    // without a record, CHG-001 fails the three resources.
    let mut edited = record.clone();
    edited["predicate"]["context"]["changeRecord"] = Value::Null;
    std::fs::write(dir.path().join("edited.json"), edited.to_string()).unwrap();
    let verify = bin(dir.path(), &[])
        .args(["verify-evidence", "edited.json", "--no-config", "--today", "2026-12-01"])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(1));
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(text.contains("/predicate/findings"), "{text}");

    // A recorded id that is no change id (a control character) names nothing when verified.
    let mut edited = record.clone();
    edited["predicate"]["context"]["changeRecord"]["id"] = "acme/infra#7\u{1b}[2J".into();
    std::fs::write(dir.path().join("edited.json"), edited.to_string()).unwrap();
    let verify = bin(dir.path(), &[])
        .args(["verify-evidence", "edited.json", "--no-config", "--today", "2026-12-01"])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&verify.stdout).contains('\u{1b}'));
}

#[test]
fn a_gitlab_merge_request_names_the_change_record() {
    let dir = repo();
    let (_, record) = check(
        dir.path(),
        &[
            ("GITLAB_CI", "true"),
            ("CI", "true"),
            ("CI_PROJECT_PATH", "group/infra"),
            ("CI_COMMIT_SHA", "2222222222222222222222222222222222222222"),
            ("CI_COMMIT_REF_NAME", "feature/y"),
            ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature/y"),
            ("CI_MERGE_REQUEST_IID", "12"),
            ("CI_MERGE_REQUEST_PROJECT_URL", "https://gitlab.example.com/group/infra"),
            ("CI_PIPELINE_ID", "900"),
            (
                "CI_PIPELINE_URL",
                "https://gitlab.example.com/group/infra/-/pipelines/900",
            ),
            ("GITLAB_USER_LOGIN", "dev1"),
        ],
        &[],
    );
    let c = &record["predicate"]["context"];
    assert_eq!(c["ci"], "gitlab");
    assert_eq!(c["changeRecord"]["id"], "group/infra!12");
    assert_eq!(
        c["pullRequest"]["url"],
        "https://gitlab.example.com/group/infra/-/merge_requests/12"
    );
    assert_eq!(chg_counts(&record), (3, 0));
}

#[test]
fn a_change_id_outranks_the_pull_request_and_verifies_without_it() {
    let dir = repo();
    let vars = [
        ("CI", "true"),
        ("CONTROLGATE_COMMIT", "abc123"),
        (
            "CONTROLGATE_PULL_REQUEST",
            "https://git.example.com/acme/infra/pulls/31",
        ),
    ];
    let (out, record) = check(dir.path(), &vars, &["--change-id", "CHG-1234"]);
    // Other controls still fail the template.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let c = &record["predicate"]["context"];
    assert_eq!(c["ci"], "generic");
    assert_eq!(c["commit"], "abc123");
    assert_eq!(c["pullRequest"]["number"], 31);
    assert_eq!(
        c["changeRecord"],
        json!({"id": "CHG-1234", "source": "change-id", "url": null})
    );
    assert_eq!(chg_counts(&record), (3, 0));
    let verify = bin(dir.path(), &[])
        .args(["verify-evidence", "record.json", "--no-config", "--today", "2026-12-01"])
        .output()
        .unwrap();
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    // Without a CI, a change id still makes a context, with no CI named.
    let (_, plain) = check(dir.path(), &[], &["--change-id", "CHG-1234"]);
    assert_eq!(plain["predicate"]["context"]["ci"], Value::Null);
    assert_eq!(plain["predicate"]["context"]["changeRecord"]["id"], "CHG-1234");
}

#[test]
fn a_configured_tag_names_the_change_record_when_the_resources_agree() {
    let dir = repo();
    let tagged = |id: &str| format!("        - Key: ChangeId\n          Value: {id}\n");
    let text = std::fs::read_to_string(dir.path().join("stack.yaml")).unwrap();
    // Every resource that has tags gets the ChangeId tag.
    let agree = text.replace("      Tags:\n", &format!("      Tags:\n{}", tagged("CHG-77")));
    std::fs::write(dir.path().join("stack.yaml"), &agree).unwrap();
    std::fs::write(dir.path().join("cfg.yaml"), "changeIdTag: ChangeId\n").unwrap();
    let run = |dir: &Path| {
        let out = bin(dir, &[])
            .args([
                "check",
                "--config",
                "cfg.yaml",
                "--evidence",
                "record.json",
                "stack.yaml",
            ])
            .output()
            .unwrap();
        let record: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("record.json")).unwrap()).unwrap();
        (out, record)
    };
    let (out, record) = run(dir.path());
    assert_eq!(
        record["predicate"]["context"]["changeRecord"],
        json!({"id": "CHG-77", "source": "tag", "url": null}),
        "{}",
        stderr(&out)
    );
    assert_eq!(chg_counts(&record), (3, 0));
    let changed = record["predicate"]["settings"]["changed"].as_array().unwrap();
    let tag = changed.iter().find(|c| c["setting"] == "changeIdTag").unwrap();
    assert_eq!(
        (tag["value"].as_str(), tag["weakens"].as_bool()),
        (Some("ChangeId"), Some(true))
    );
    assert!(
        stderr(&out).contains("changeIdTag"),
        "the weakening is on standard error: {}",
        stderr(&out)
    );
    let verify = bin(dir.path(), &[])
        .args(["verify-evidence", "record.json", "--config", "cfg.yaml"])
        .output()
        .unwrap();
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );

    // Resources naming different records name none.
    let disagree = agree.replacen("CHG-77", "CHG-78", 1);
    std::fs::write(dir.path().join("stack.yaml"), &disagree).unwrap();
    let (out, record) = run(dir.path());
    assert_eq!(record["predicate"]["context"], Value::Null);
    assert!(
        stderr(&out).contains("2 different change records in their `ChangeId` tag"),
        "{}",
        stderr(&out)
    );
    assert_eq!(chg_counts(&record), (0, 3));
}

#[test]
fn hostile_ci_variables_and_event_files_are_data_or_warnings() {
    let dir = repo();
    // A malformed payload, then one too large to read: warnings; GITHUB_REF still names the
    // pull request, and GITHUB_SHA is the commit.
    let event = dir.path().join("event.json");
    std::fs::write(&event, "{\"pull_request\": {\"number\": [[[[").unwrap();
    let mut vars = github_pr(event.to_str().unwrap());
    let actor = "mallory\u{1b}[2J\u{1b}]8;;https://evil.example\u{7}x\u{1b}]8;;\u{7}";
    vars.retain(|(k, _)| *k != "GITHUB_ACTOR");
    vars.push(("GITHUB_ACTOR", actor));
    let (out, record) = check(dir.path(), &vars, &[]);
    let err = stderr(&out);
    assert!(
        err.contains("warning: GitHub's event file (GITHUB_EVENT_PATH) is not read: invalid JSON"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    let c = &record["predicate"]["context"];
    assert_eq!(c["pullRequest"]["number"], 7);
    assert_eq!(c["commit"], "1111111111111111111111111111111111111111");
    // Kept as written, as data: JSON escapes it.
    assert_eq!(c["actor"], actor);
    let raw = std::fs::read_to_string(dir.path().join("record.json")).unwrap();
    assert!(!raw.contains('\u{1b}'), "the record holds no raw escape");

    let big = std::fs::File::create(&event).unwrap();
    big.set_len(controlgate::change::MAX_EVENT_FILE + 1).unwrap();
    let started = std::time::Instant::now();
    let (out, record) = check(dir.path(), &github_pr(event.to_str().unwrap()), &[]);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert!(stderr(&out).contains("GITHUB_EVENT_PATH"), "{}", stderr(&out));
    assert_eq!(record["predicate"]["context"]["changeRecord"]["id"], "acme/infra#7");

    // An over-long CI value is left out, with a warning that does not repeat it.
    let long = "b".repeat(100_000);
    let (out, record) = check(
        dir.path(),
        &[("GITHUB_ACTIONS", "true"), ("GITHUB_HEAD_REF", &long)],
        &[],
    );
    assert_eq!(record["predicate"]["context"]["branch"], Value::Null);
    assert!(
        stderr(&out).contains("GITHUB_HEAD_REF is longer than"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).len() < 10_000, "standard error is bounded");
}

#[test]
fn a_bad_change_id_is_an_error_that_does_not_flood_standard_error() {
    let dir = repo();
    let huge = "x".repeat(100_000);
    for (args, vars) in [
        (vec!["--change-id", huge.as_str()], vec![]),
        (vec![], vec![("CONTROLGATE_CHANGE_ID", huge.as_str())]),
        (vec!["--change-id", "CHG-1\u{1b}[31m"], vec![]),
    ] {
        let out = bin(dir.path(), &vars)
            .args(["check", "--no-config", "stack.yaml"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(err.contains("change id"), "{err}");
        assert!(err.len() < 5_000, "{} bytes", err.len());
        assert!(!err.contains('\u{1b}'), "{err:?}");
    }
    // An empty variable means unset, as for every CONTROLGATE_* variable.
    let out = bin(dir.path(), &[("CONTROLGATE_CHANGE_ID", " ")])
        .args(["check", "--no-config", "-q", "stack.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn a_plan_s_deletions_are_recorded_and_only_chg_001_judges_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let plan = root().join("policies/tests/production-change-without-change-record/terraform/no-record/plan.json");
    std::fs::copy(plan, dir.path().join("plan.json")).unwrap();
    let out = bin(dir.path(), &[])
        .args(["check", "--no-config", "--evidence", "record.json", "plan.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("record.json")).unwrap()).unwrap();
    let changes = &record["predicate"]["changes"];
    assert_eq!(changes["byAction"]["delete"], 2, "{changes}");
    assert!(
        changes["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["address"] == "aws_sqs_queue.retired" && r["action"] == "delete" && r["environment"] == "prod")
    );
    // The deleted queue is unencrypted, but nothing of it will exist: only CHG-001, which asks
    // for deletions, judges it.
    let on_deleted: Vec<(&str, &str)> = record["predicate"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource"].as_str().unwrap().contains("retired"))
        .map(|f| (f["control"].as_str().unwrap(), f["resource"].as_str().unwrap()))
        .collect();
    assert_eq!(on_deleted, [("CHG-001", "aws_sqs_queue.retired")]);
    // The input's resources in the record are those of `changes`, deleted ones included; the
    // summary of the other outputs counts what will exist.
    assert_eq!(record["predicate"]["inputs"][0]["resources"], 8);
    let json = bin(dir.path(), &[])
        .args(["check", "--no-config", "--format", "json", "plan.json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["summary"]["resources"], 6);
}
