//! The change a run judges, as its CI describes it: which CI, the repository, commit, branch,
//! pull request, workflow run and actor; and the change record the change names (`--change-id`,
//! the pull request, or a configured resource tag). The run record keeps it as
//! `predicate.context`; CHG-001 asks whether a change record is named.
//!
//! Detection is pure: it reads the variables it is given (the process environment, read once by
//! the command), never the process environment itself. The one file it may read is GitHub's
//! event payload (`GITHUB_EVENT_PATH`), bounded in size; a problem there is a warning.
//!
//! Every value is untrusted text (the pull request's author can choose a branch name, and on
//! some CIs more): it is kept as data, bounded in length, and escaped by whoever prints it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::{PlannedAction, Resource, TagValue};

/// The longest CI value kept, in characters; a longer one is left out with a warning.
pub const MAX_VALUE: usize = 1024;
/// The longest change record id, in characters.
pub const MAX_CHANGE_ID: usize = 256;
/// The largest GitHub event payload read, in bytes.
pub const MAX_EVENT_FILE: u64 = 16 * 1024 * 1024;

/// The variables a run was given, by name.
pub type Env = BTreeMap<String, String>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ci {
    Github,
    Gitlab,
    Generic,
}

/// `predicate.context` of the run record (docs/evidence.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Context {
    /// `None` when no CI was detected (a change id given on a developer machine).
    pub ci: Option<Ci>,
    pub repository: Option<String>,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub pull_request: Option<PullRequest>,
    pub workflow_run: Option<WorkflowRun>,
    pub actor: Option<String>,
    pub change_record: Option<ChangeRecord>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PullRequest {
    pub number: Option<u64>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WorkflowRun {
    pub id: Option<String>,
    pub url: Option<String>,
}

/// The record a change names: a ticket, a change request, a pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRecord {
    pub id: String,
    pub source: RecordSource,
    #[serde(default)]
    pub url: Option<String>,
}

/// Where a change record was named. Precedence: `--change-id`, then the pull request, then the tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordSource {
    ChangeId,
    PullRequest,
    Tag,
}

/// A change record id as given (`--change-id`, a tag's value): trimmed; empty, longer than
/// [`MAX_CHANGE_ID`] characters or holding an invisible or control character is refused, so
/// that what the record links is what a reader sees.
pub fn check_change_id(id: &str) -> Result<String, String> {
    let id = id.trim();
    if id.is_empty() {
        return Err("the change id is empty".into());
    }
    let len = id.chars().count();
    if len > MAX_CHANGE_ID {
        return Err(format!(
            "the change id is {len} characters long; at most {MAX_CHANGE_ID} are allowed"
        ));
    }
    if let Some(c) = crate::text::invisible_in(id).or_else(|| id.chars().find(|c| c.is_control())) {
        return Err(format!(
            "the change id holds the invisible or control character U+{:04X}",
            c as u32
        ));
    }
    Ok(id.to_string())
}

/// Whether the change touches `resource`: a template declares every resource its deployment
/// touches; a plan touches what it creates, updates, replaces or deletes (and what it does in a
/// way this version does not know), not what it leaves, reads or forgets.
pub fn touches(resource: &Resource) -> bool {
    match resource.action {
        None => true,
        Some(a) => matches!(
            a,
            PlannedAction::Create
                | PlannedAction::Update
                | PlannedAction::Replace
                | PlannedAction::Delete
                | PlannedAction::Other
        ),
    }
}

/// Every variable detection reads. The command keeps only these of the process environment, so
/// that no secret of the job (`GITHUB_TOKEN`, `CI_JOB_TOKEN`, cloud credentials) is held.
pub const VARIABLES: &[&str] = &[
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_SERVER_URL",
    "GITHUB_REPOSITORY",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_REF",
    "GITHUB_REF_NAME",
    "GITHUB_REF_TYPE",
    "GITHUB_HEAD_REF",
    "GITHUB_SHA",
    "GITHUB_RUN_ID",
    "GITHUB_ACTOR",
    "GITLAB_CI",
    "CI_PROJECT_PATH",
    "CI_PROJECT_URL",
    "CI_COMMIT_SHA",
    "CI_COMMIT_BRANCH",
    "CI_COMMIT_TAG",
    "CI_COMMIT_REF_NAME",
    "CI_MERGE_REQUEST_IID",
    "CI_MERGE_REQUEST_PROJECT_URL",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA",
    "CI_PIPELINE_ID",
    "CI_PIPELINE_URL",
    "GITLAB_USER_LOGIN",
    "CONTROLGATE_REPOSITORY",
    "CONTROLGATE_COMMIT",
    "CONTROLGATE_BRANCH",
    "CONTROLGATE_ACTOR",
    "CONTROLGATE_PULL_REQUEST",
];

/// Whether detection reads the variable `name` ([`VARIABLES`]).
pub fn is_context_variable(name: &str) -> bool {
    VARIABLES.contains(&name)
}

/// What detection found, and what it left out (for standard error).
#[derive(Debug, Default, Clone)]
pub struct Detected {
    pub context: Option<Context>,
    pub warnings: Vec<String>,
}

struct Reader<'a> {
    env: &'a Env,
    warnings: Vec<String>,
}

impl Reader<'_> {
    /// The variable's value: unset or blank is `None`; longer than [`MAX_VALUE`] characters is
    /// left out with a warning.
    fn get(&mut self, name: &str) -> Option<String> {
        debug_assert!(is_context_variable(name), "{name} is not in VARIABLES");
        let v = self.env.get(name)?.trim();
        if v.is_empty() {
            return None;
        }
        if v.chars().count() > MAX_VALUE {
            self.warnings.push(format!(
                "{name} is longer than {MAX_VALUE} characters: left out of the change context"
            ));
            return None;
        }
        Some(v.to_string())
    }

    fn is_true(&self, name: &str) -> bool {
        debug_assert!(is_context_variable(name), "{name} is not in VARIABLES");
        self.env
            .get(name)
            .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
    }
}

/// The change context the variables `env` describe, without its change record, which the run
/// settles ([`record`]): GitHub Actions (`GITHUB_ACTIONS=true`), GitLab CI (`GITLAB_CI=true`),
/// another CI (`CI=true`), each overridden by `CONTROLGATE_REPOSITORY`, `CONTROLGATE_COMMIT`,
/// `CONTROLGATE_BRANCH`, `CONTROLGATE_ACTOR` and `CONTROLGATE_PULL_REQUEST` (a number or a
/// URL). `None` when there is no CI and no such variable.
pub fn detect(env: &Env) -> Detected {
    let mut r = Reader {
        env,
        warnings: Vec::new(),
    };
    let mut c = if r.is_true("GITHUB_ACTIONS") {
        github(&mut r)
    } else if r.is_true("GITLAB_CI") {
        gitlab(&mut r)
    } else if r.is_true("CI") {
        Context {
            ci: Some(Ci::Generic),
            ..Context::default()
        }
    } else {
        Context::default()
    };
    let mut explicit = false;
    for (name, field) in [
        ("CONTROLGATE_REPOSITORY", &mut c.repository),
        ("CONTROLGATE_COMMIT", &mut c.commit),
        ("CONTROLGATE_BRANCH", &mut c.branch),
        ("CONTROLGATE_ACTOR", &mut c.actor),
    ] {
        if let Some(v) = r.get(name) {
            *field = Some(v);
            explicit = true;
        }
    }
    if let Some(v) = r.get("CONTROLGATE_PULL_REQUEST") {
        match pull_request_of(&v, &c) {
            Some(pr) => {
                c.pull_request = Some(pr);
                explicit = true;
            }
            None => r.warnings.push(format!(
                "CONTROLGATE_PULL_REQUEST is neither a number nor an http(s) URL: ignored (`{}`)",
                crate::text::shorten(&v, 80)
            )),
        }
    }
    if let Some(pr) = &c.pull_request
        && pull_request_record(&c).is_none()
    {
        r.warnings.push(format!(
            "the pull request ({}) names no change record: its id would be over {MAX_CHANGE_ID} characters or hold a control or invisible character",
            pr.number.map_or_else(|| "no number".to_string(), |n| format!("number {n}"))
        ));
    }
    let found = c.ci.is_some() || explicit;
    Detected {
        context: found.then_some(c),
        warnings: r.warnings,
    }
}

/// `CONTROLGATE_PULL_REQUEST`: a number (its URL built as the CI's would be) or a URL (its
/// number the last path segment, when that is a number).
fn pull_request_of(value: &str, c: &Context) -> Option<PullRequest> {
    if let Ok(n) = value.parse::<u64>() {
        let url = c.pull_request.as_ref().and_then(|p| p.url.as_deref()).and_then(|u| {
            // The detected URL, with the number replaced.
            let (base, _) = u.rsplit_once('/')?;
            Some(format!("{base}/{n}"))
        });
        return Some(PullRequest { number: Some(n), url });
    }
    if value.starts_with("https://") || value.starts_with("http://") {
        let number = value
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .and_then(|s| s.parse().ok());
        return Some(PullRequest {
            number,
            url: Some(value.to_string()),
        });
    }
    None
}

fn github(r: &mut Reader<'_>) -> Context {
    let server = r
        .get("GITHUB_SERVER_URL")
        .unwrap_or_else(|| "https://github.com".into());
    let server = server.trim_end_matches('/').to_string();
    let repository = r.get("GITHUB_REPOSITORY");
    let event = r
        .get("GITHUB_EVENT_NAME")
        .filter(|e| e.starts_with("pull_request"))
        .and_then(|_| r.get("GITHUB_EVENT_PATH"))
        .and_then(|path| match github_event(Path::new(&path)) {
            Ok(e) => Some(e),
            Err(e) => {
                r.warnings.push(format!(
                    "GitHub's event file (GITHUB_EVENT_PATH) is not read: {e}; the pull request is taken from GITHUB_REF"
                ));
                None
            }
        })
        .unwrap_or_default();
    let git_ref = r.get("GITHUB_REF");
    let number = event.number.or_else(|| {
        let rest = git_ref.as_deref()?.strip_prefix("refs/pull/")?;
        rest.split('/').next()?.parse().ok()
    });
    let branch =
        r.get("GITHUB_HEAD_REF").or_else(
            || match git_ref.as_deref().and_then(|g| g.strip_prefix("refs/heads/")) {
                Some(b) => Some(b.to_string()),
                None if r.get("GITHUB_REF_TYPE").as_deref() == Some("branch") => r.get("GITHUB_REF_NAME"),
                None => None,
            },
        );
    let at = |tail: String| repository.as_ref().map(|repo| format!("{server}/{repo}/{tail}"));
    let run_id = r.get("GITHUB_RUN_ID");
    Context {
        ci: Some(Ci::Github),
        commit: event.head_sha.or_else(|| r.get("GITHUB_SHA")),
        branch,
        pull_request: number.map(|n| PullRequest {
            number: Some(n),
            url: at(format!("pull/{n}")),
        }),
        workflow_run: run_id.clone().map(|id| WorkflowRun {
            url: at(format!("actions/runs/{id}")),
            id: Some(id),
        }),
        actor: r.get("GITHUB_ACTOR"),
        repository,
        change_record: None,
    }
}

/// What a pull request event's payload adds: the number and the head commit (`GITHUB_SHA` of a
/// pull request run is the merge commit GitHub made, not a commit of the branch).
#[derive(Debug, Default)]
struct GithubEvent {
    number: Option<u64>,
    head_sha: Option<String>,
}

fn github_event(path: &Path) -> Result<GithubEvent, String> {
    let bytes = crate::input::read::read_bounded(path, MAX_EVENT_FILE).map_err(|e| e.to_string())?;
    #[derive(Deserialize)]
    struct Payload {
        pull_request: Option<Pr>,
    }
    #[derive(Deserialize)]
    struct Pr {
        number: Option<u64>,
        head: Option<Head>,
    }
    #[derive(Deserialize)]
    struct Head {
        sha: Option<String>,
    }
    let payload: Payload = serde_json::from_slice(&bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    let pr = payload.pull_request.ok_or("it holds no `pull_request`")?;
    let head_sha = pr
        .head
        .and_then(|h| h.sha)
        .filter(|s| (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit()));
    Ok(GithubEvent {
        number: pr.number,
        head_sha,
    })
}

fn gitlab(r: &mut Reader<'_>) -> Context {
    let iid = r.get("CI_MERGE_REQUEST_IID").and_then(|n| n.parse::<u64>().ok());
    let project_url = r
        .get("CI_MERGE_REQUEST_PROJECT_URL")
        .or_else(|| r.get("CI_PROJECT_URL"));
    let branch = r
        .get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
        .or_else(|| r.get("CI_COMMIT_BRANCH"))
        .or_else(|| match r.get("CI_COMMIT_TAG") {
            Some(_) => None,
            None => r.get("CI_COMMIT_REF_NAME"),
        });
    let pipeline = r.get("CI_PIPELINE_ID");
    let pipeline_url = r.get("CI_PIPELINE_URL");
    Context {
        ci: Some(Ci::Gitlab),
        repository: r.get("CI_PROJECT_PATH"),
        // A merged-results pipeline runs on a merge commit; the source branch's head is the
        // commit of the change.
        commit: r
            .get("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA")
            .or_else(|| r.get("CI_COMMIT_SHA")),
        branch,
        pull_request: iid.map(|n| PullRequest {
            number: Some(n),
            url: project_url.map(|u| format!("{}/-/merge_requests/{n}", u.trim_end_matches('/'))),
        }),
        workflow_run: (pipeline.is_some() || pipeline_url.is_some()).then_some(WorkflowRun {
            id: pipeline,
            url: pipeline_url,
        }),
        actor: r.get("GITLAB_USER_LOGIN"),
        change_record: None,
    }
}

/// The change record the pull request of `context` is: `owner/repo#12` on GitHub,
/// `group/project!12` on GitLab (`#12` / `!12` without a repository, the URL without a number).
pub fn pull_request_record(context: &Context) -> Option<ChangeRecord> {
    let pr = context.pull_request.as_ref()?;
    let mark = if context.ci == Some(Ci::Gitlab) { '!' } else { '#' };
    let id = match (pr.number, &context.repository) {
        (Some(n), Some(repo)) => format!("{repo}{mark}{n}"),
        (Some(n), None) => format!("{mark}{n}"),
        (None, _) => pr.url.clone()?,
    };
    // Held to what a change id may be: it is shown with findings.
    check_change_id(&id).ok()?;
    Some(ChangeRecord {
        id,
        source: RecordSource::PullRequest,
        url: pr.url.clone(),
    })
}

/// The change record the resources the change touches name by their tag `tag`: the one value
/// they agree on. Values that are not ids ([`check_change_id`]) are passed over, and resources
/// naming different records name none: each is a warning.
pub fn tag_record<'a>(tag: &str, resources: impl Iterator<Item = &'a Resource>) -> (Option<ChangeRecord>, Vec<String>) {
    let mut values = BTreeSet::new();
    let mut warnings = Vec::new();
    for r in resources.filter(|r| touches(r)) {
        if let TagValue::Known(v) = r.tag(tag) {
            match check_change_id(v) {
                Ok(id) => {
                    values.insert(id);
                }
                Err(e) => warnings.push(format!(
                    "the `{tag}` tag of {} does not name a change record: {e}",
                    r.address
                )),
            }
        }
    }
    if values.len() > 1 {
        let shown: Vec<String> = values.iter().take(5).map(|v| crate::text::shorten(v, 60)).collect();
        warnings.push(format!(
            "the resources the change touches name {} different change records in their `{tag}` tag ({}): none is taken; pass --change-id",
            values.len(),
            shown.join(", ")
        ));
        return (None, warnings);
    }
    let record = values.into_iter().next().map(|id| ChangeRecord {
        id,
        source: RecordSource::Tag,
        url: None,
    });
    (record, warnings)
}

/// The run's context with its change record, by precedence: `given` (`--change-id`, or the
/// record a verified run recorded), then the pull request of `detected`, then `tagged`. `None`
/// when there is neither a CI context nor a change record.
pub fn record(detected: Option<Context>, given: Option<ChangeRecord>, tagged: Option<ChangeRecord>) -> Option<Context> {
    let record = given
        .or_else(|| detected.as_ref().and_then(pull_request_record))
        .or(tagged);
    match (detected, record) {
        (None, None) => None,
        (c, record) => Some(Context {
            change_record: record,
            ..c.unwrap_or_default()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn to_json(c: &Option<Context>) -> serde_json::Value {
        serde_json::to_value(c).unwrap()
    }

    #[test]
    fn nothing_detected_without_a_ci() {
        let d = detect(&env(&[("HOME", "/root"), ("GITHUB_SHA", "abc")]));
        assert!(d.context.is_none() && d.warnings.is_empty());
        assert_eq!(record(None, None, None), None);
        assert_eq!(to_json(&record(None, None, None)), json!(null));
        // The job's secrets are not among the variables the command keeps.
        assert!(is_context_variable("GITHUB_SHA") && is_context_variable("CI"));
        assert!(!is_context_variable("GITHUB_TOKEN") && !is_context_variable("CI_JOB_TOKEN"));
        assert!(!is_context_variable("AWS_SECRET_ACCESS_KEY"));
    }

    #[test]
    fn github_push() {
        let d = detect(&env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", "acme/infra"),
            ("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_REF_NAME", "main"),
            ("GITHUB_REF_TYPE", "branch"),
            ("GITHUB_RUN_ID", "42"),
            ("GITHUB_ACTOR", "octocat"),
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_EVENT_PATH", "/nonexistent/event.json"),
        ]));
        assert!(
            d.warnings.is_empty(),
            "a push event's file is not read: {:?}",
            d.warnings
        );
        let c = record(d.context, None, None);
        assert_eq!(
            to_json(&c),
            json!({
                "ci": "github", "repository": "acme/infra",
                "commit": "0123456789abcdef0123456789abcdef01234567", "branch": "main",
                "pullRequest": null,
                "workflowRun": {"id": "42", "url": "https://github.com/acme/infra/actions/runs/42"},
                "actor": "octocat", "changeRecord": null,
            })
        );
    }

    #[test]
    fn github_pull_request_reads_the_event_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("event.json");
        let head = "fedcba9876543210fedcba9876543210fedcba98";
        std::fs::write(
            &path,
            json!({"pull_request": {"number": 7, "head": {"sha": head}}}).to_string(),
        )
        .unwrap();
        let vars = |event: &str| {
            env(&[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_SERVER_URL", "https://ghe.example.com/"),
                ("GITHUB_REPOSITORY", "acme/infra"),
                ("GITHUB_SHA", "1111111111111111111111111111111111111111"),
                ("GITHUB_REF", "refs/pull/9/merge"),
                ("GITHUB_REF_NAME", "9/merge"),
                ("GITHUB_HEAD_REF", "feature/x"),
                ("GITHUB_EVENT_NAME", "pull_request"),
                ("GITHUB_EVENT_PATH", event),
            ])
        };
        let c = record(detect(&vars(path.to_str().unwrap())).context, None, None).unwrap();
        assert_eq!(c.commit.as_deref(), Some(head));
        assert_eq!(c.branch.as_deref(), Some("feature/x"));
        assert_eq!(
            c.pull_request,
            Some(PullRequest {
                number: Some(7),
                url: Some("https://ghe.example.com/acme/infra/pull/7".into())
            })
        );
        assert_eq!(
            c.change_record,
            Some(ChangeRecord {
                id: "acme/infra#7".into(),
                source: RecordSource::PullRequest,
                url: Some("https://ghe.example.com/acme/infra/pull/7".into())
            })
        );

        // A malformed or oversized payload is a warning; GITHUB_REF still names the pull request.
        std::fs::write(&path, "{\"pull_request\": [").unwrap();
        let d = detect(&vars(path.to_str().unwrap()));
        assert!(d.warnings[0].contains("invalid JSON"), "{:?}", d.warnings);
        let c = d.context.unwrap();
        assert_eq!(c.pull_request.unwrap().number, Some(9));
        assert_eq!(c.commit.as_deref(), Some("1111111111111111111111111111111111111111"));
        let big = std::fs::File::create(&path).unwrap();
        big.set_len(MAX_EVENT_FILE + 1).unwrap();
        let d = detect(&vars(path.to_str().unwrap()));
        assert!(d.warnings[0].contains("GITHUB_EVENT_PATH"), "{:?}", d.warnings);
        let d = detect(&vars(dir.path().to_str().unwrap()));
        assert_eq!(d.warnings.len(), 1, "a directory is refused: {:?}", d.warnings);
    }

    #[test]
    fn gitlab_merge_request() {
        let d = detect(&env(&[
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
        ]));
        let c = record(d.context, None, None);
        assert_eq!(
            to_json(&c),
            json!({
                "ci": "gitlab", "repository": "group/infra",
                "commit": "2222222222222222222222222222222222222222", "branch": "feature/y",
                "pullRequest": {"number": 12, "url": "https://gitlab.example.com/group/infra/-/merge_requests/12"},
                "workflowRun": {"id": "900", "url": "https://gitlab.example.com/group/infra/-/pipelines/900"},
                "actor": "dev1",
                "changeRecord": {"id": "group/infra!12", "source": "pull-request", "url": "https://gitlab.example.com/group/infra/-/merge_requests/12"},
            })
        );
    }

    #[test]
    fn generic_ci_and_explicit_values_override_detected_ones() {
        let d = detect(&env(&[
            ("CI", "true"),
            ("CONTROLGATE_COMMIT", "abc123"),
            ("CONTROLGATE_BRANCH", "main"),
            ("CONTROLGATE_REPOSITORY", "acme/infra"),
            ("CONTROLGATE_ACTOR", "jenkins"),
            (
                "CONTROLGATE_PULL_REQUEST",
                "https://git.example.com/acme/infra/pulls/31/",
            ),
        ]));
        let c = d.context.unwrap();
        assert_eq!(c.ci, Some(Ci::Generic));
        assert_eq!(
            (c.commit.as_deref(), c.branch.as_deref(), c.actor.as_deref()),
            (Some("abc123"), Some("main"), Some("jenkins"))
        );
        assert_eq!(c.pull_request.as_ref().unwrap().number, Some(31));
        // On GitHub, the explicit pull request replaces the detected one, its URL rebuilt.
        let d = detect(&env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", "acme/infra"),
            ("GITHUB_REF", "refs/pull/9/merge"),
            ("CONTROLGATE_PULL_REQUEST", "10"),
            ("CONTROLGATE_COMMIT", "feed"),
        ]));
        let c = d.context.unwrap();
        assert_eq!(
            c.pull_request,
            Some(PullRequest {
                number: Some(10),
                url: Some("https://github.com/acme/infra/pull/10".into())
            })
        );
        assert_eq!(c.commit.as_deref(), Some("feed"));
        // A repository that makes the id unreadable names no record, with a warning.
        let d = detect(&env(&[
            ("CI", "true"),
            ("CONTROLGATE_REPOSITORY", "acme/\u{1b}[2Jinfra"),
            ("CONTROLGATE_PULL_REQUEST", "4"),
        ]));
        assert_eq!(pull_request_record(d.context.as_ref().unwrap()), None);
        assert!(d.warnings[0].contains("names no change record"), "{:?}", d.warnings);
        // Explicit values without a CI still make a context; a bad pull request is a warning.
        let d = detect(&env(&[
            ("CONTROLGATE_ACTOR", "me"),
            ("CONTROLGATE_PULL_REQUEST", "soon"),
        ]));
        assert_eq!(d.context.unwrap().ci, None);
        assert!(d.warnings[0].contains("CONTROLGATE_PULL_REQUEST"), "{:?}", d.warnings);
    }

    #[test]
    fn hostile_values_stay_data_and_long_ones_are_left_out() {
        let d = detect(&env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_ACTOR", "evil\u{1b}[2J\u{1b}]8;;http://x\u{7}"),
            ("GITHUB_HEAD_REF", &"b".repeat(MAX_VALUE + 1)),
        ]));
        let c = d.context.unwrap();
        assert_eq!(c.actor.as_deref(), Some("evil\u{1b}[2J\u{1b}]8;;http://x\u{7}"));
        assert_eq!(c.branch, None);
        assert!(d.warnings[0].contains("GITHUB_HEAD_REF"), "{:?}", d.warnings);
        let json = serde_json::to_string(&c).unwrap();
        assert!(!json.contains('\u{1b}') && json.contains("\\u001b"), "{json}");
    }

    #[test]
    fn change_ids_are_checked() {
        assert_eq!(check_change_id("  CHG-1234 ").unwrap(), "CHG-1234");
        assert!(check_change_id(" ").is_err());
        assert!(
            check_change_id(&"x".repeat(1 << 20))
                .unwrap_err()
                .contains("1048576 characters")
        );
        assert!(check_change_id("CHG\u{1b}[31m").is_err());
        assert!(check_change_id("CHG\u{200b}1").is_err());
    }

    #[test]
    fn precedence_is_change_id_then_pull_request_then_tag() {
        let ci = Context {
            ci: Some(Ci::Github),
            repository: Some("a/b".into()),
            pull_request: Some(PullRequest {
                number: Some(3),
                url: None,
            }),
            ..Context::default()
        };
        let given = ChangeRecord {
            id: "CHG-1".into(),
            source: RecordSource::ChangeId,
            url: None,
        };
        let tagged = ChangeRecord {
            id: "CHG-2".into(),
            source: RecordSource::Tag,
            url: None,
        };
        let pick = |d: Option<Context>, g: Option<ChangeRecord>, t: Option<ChangeRecord>| {
            record(d, g, t).and_then(|c| c.change_record).map(|r| r.id)
        };
        assert_eq!(
            pick(Some(ci.clone()), Some(given.clone()), Some(tagged.clone())).as_deref(),
            Some("CHG-1")
        );
        assert_eq!(
            pick(Some(ci.clone()), None, Some(tagged.clone())).as_deref(),
            Some("a/b#3")
        );
        assert_eq!(pick(None, None, Some(tagged.clone())).as_deref(), Some("CHG-2"));
        let only_id = record(None, Some(given), None).unwrap();
        assert_eq!(only_id.ci, None);
    }
}
