//! Adversarial inputs, as the author of a pull request would write them: each module generates
//! inputs of one class (plan shapes, YAML readings, loops, files, escapes, secrets) and proves the
//! gate never says *pass* for them, never hangs and never grows memory without bound.
//!
//! Every run goes through the real binary under a time limit and an address-space limit, so a
//! hang or a runaway allocation is a test failure, not a stuck CI job.

mod escapes;
mod files;
mod foreach;
#[cfg(feature = "guard")]
mod guard;
mod iam;
mod inherit;
mod memory;
mod options;
mod parameters;
mod record;
mod records_folder;
mod rootvolume;
mod unknowns;
mod yaml11;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod plan;

/// A run is killed after this long: every input here is small, so this is a hang.
const TIME_LIMIT: Duration = Duration::from_secs(60);
/// The address-space limit of a run (`ulimit -v`, KiB): far above what these inputs need.
const MEMORY_LIMIT_KIB: u64 = 4 * 1024 * 1024;

/// What a run of the binary left behind.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

impl Run {
    /// The run neither passed, hung nor died of a signal (an abort, an out-of-memory kill).
    #[track_caller]
    pub fn assert_not_pass(&self, what: &str) {
        assert!(!self.timed_out, "{what}: hung\n{self:#?}");
        match self.code {
            Some(1 | 2) => {}
            Some(0) => panic!("{what}: the gate passed\n{self:#?}"),
            other => panic!("{what}: ended with {other:?} (a crash or a limit)\n{self:#?}"),
        }
    }

    /// The run ended with `code`, in time.
    #[track_caller]
    pub fn assert_code(&self, code: i32, what: &str) {
        assert!(!self.timed_out, "{what}: hung\n{self:#?}");
        assert_eq!(self.code, Some(code), "{what}\n{self:#?}");
    }

    /// Standard output as JSON (for `--format json` runs).
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self:#?}"))
    }
}

/// A scratch directory for one case.
pub struct Case {
    pub dir: tempfile::TempDir,
}

impl Case {
    pub fn new() -> Case {
        Case {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Write `text` at `rel` (directories created).
    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Run `controlgate ARGS` in this directory, bounded in time and memory.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.dir.path(), args)
    }
}

impl Default for Case {
    fn default() -> Self {
        Case::new()
    }
}

/// Run the binary in `dir` under [`TIME_LIMIT`] and [`MEMORY_LIMIT_KIB`].
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_limited(dir, args, TIME_LIMIT, MEMORY_LIMIT_KIB, &[])
}

/// Run the binary in `dir` killed after `time`, under an address-space limit of `memory_kib`,
/// with `envs` set.
pub fn run_limited(dir: &Path, args: &[&str], time: Duration, memory_kib: u64, envs: &[(&str, &str)]) -> Run {
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(format!("ulimit -v {memory_kib}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_controlgate"))
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1")
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read both pipes on threads so a chatty run cannot fill one and stall.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break (status, false);
        }
        if start.elapsed() > time {
            let _ = child.kill();
            break (child.wait().unwrap(), true);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
        timed_out,
    }
}

#[test]
fn the_harness_sees_a_failing_template() {
    let case = Case::new();
    case.write(
        "t.yaml",
        "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: 0.0.0.0/0\n",
    );
    case.run(&["check", "t.yaml"])
        .assert_code(1, "an SSH port open to the internet");
}
