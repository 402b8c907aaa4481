//! Inputs the fuzz targets (fuzz/, scripts/fuzz.sh) found a crash or a hang with, kept under
//! tests/fuzz_regressions/<target>/ once fixed: each goes through the same code as the target,
//! in a bounded time, and the loader refuses it with an error rather than a panic.

use std::path::Path;
use std::time::{Duration, Instant};

#[path = "../fuzz/targets.rs"]
mod targets;

use controlgate::input::Outcome;

/// Every file of `tests/fuzz_regressions/<target>`, sorted.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

/// Each input through `run`, in at most 20 s (a debug build; the fuzzer's limit is 5 s on an
/// optimized one).
fn replay(target: &str, run: fn(&[u8])) {
    for (name, bytes) in inputs(target) {
        let start = Instant::now();
        run(&bytes);
        let took = start.elapsed();
        assert!(took < Duration::from_secs(20), "{target}/{name} took {took:?}");
    }
}

#[test]
fn plan_inputs() {
    replay("plan", targets::plan);
}

#[test]
fn template_inputs() {
    replay("template", targets::template);
}

#[test]
fn rule_inputs() {
    replay("rule", targets::rule);
}

#[test]
fn exception_inputs() {
    replay("exceptions", targets::exceptions);
}

/// The plan and template inputs are junk that must be refused, located, not read as nothing.
#[test]
fn loader_inputs_are_refused_with_an_error() {
    for (target, name) in [("plan", "plan.json"), ("template", "input.template")] {
        for (file, bytes) in inputs(target) {
            match targets::load(name, &bytes) {
                Outcome::Failed(e) => assert!(!e.message.is_empty(), "{target}/{file}"),
                Outcome::Loaded(..) => {}
                Outcome::Skipped(s) => panic!("{target}/{file} named, yet skipped: {}", s.reason),
            }
        }
    }
}
