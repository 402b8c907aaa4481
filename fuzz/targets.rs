//! The fuzz targets' bodies, one function each: the `fuzz-*` binaries hand them what AFL++
//! generates, and tests/fuzz_regressions.rs the inputs that once failed. Each takes any bytes;
//! errors are the expected outcome of junk, a panic or a hang is a bug.
// Each binary calls one of the functions.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use controlgate::catalog::{self, Catalog, PackSource, control, rule};
use controlgate::environment::EnvironmentResolver;
use controlgate::exceptions::registry;
use controlgate::input::{self, Candidate, LoadedFile, Outcome, Places};

/// A directory that does not exist: a plan's `.tf` sources are looked for there and not found,
/// so no input leads a target to the file system.
const NOWHERE: &str = "/nonexistent/controlgate-fuzz";

/// The built-in pack, loaded once per process.
pub fn builtin() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| catalog::load(&[PackSource::Builtin]).expect("the built-in pack loads"))
}

/// Load `bytes` as the file `name` named on the command line (so strictly), the way `check`
/// loads a file.
pub fn load(name: &str, bytes: &[u8]) -> Outcome {
    let cwd = Path::new(NOWHERE);
    let places = Places {
        cwd,
        root: cwd,
        source_roots: &[],
    };
    let candidate = Candidate {
        path: PathBuf::from(NOWHERE).join(name),
        named: true,
    };
    input::load_bytes(&candidate, &places, bytes.to_vec(), &mut Vec::new())
}

/// [`load`], then the built-in pack on what it holds: everything a run does but write a report.
fn load_and_evaluate(name: &str, bytes: &[u8]) {
    if let Outcome::Loaded(file, _) = load(name, bytes) {
        let evaluation = controlgate::evaluate::evaluate(builtin(), &[file], &EnvironmentResolver::default());
        std::hint::black_box(evaluation);
    }
}

/// A Terraform plan: any JSON, read as `check plan.json` reads it.
pub fn plan(data: &[u8]) {
    load_and_evaluate("plan.json", data);
}

/// A CloudFormation template, JSON or YAML: a `.template` file is told apart by its first
/// character, as `check` does.
pub fn template(data: &[u8]) {
    load_and_evaluate("input.template", data);
}

/// Resources for a fuzzed rule to judge.
const TEMPLATE: &str = include_str!("../fixtures/demo/template.yaml");

fn demo_template() -> &'static LoadedFile {
    static FILE: OnceLock<LoadedFile> = OnceLock::new();
    FILE.get_or_init(|| input::template_from_text("template.yaml", TEMPLATE).expect("the demo template loads"))
}

/// The policy loaders: the text read as a control and as a native rule; a rule that loads is
/// evaluated on the demo template, so its conditions run too.
pub fn rule(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let builtin = builtin();
    let _ = control::parse("controls/fuzz.yaml", text);
    if let Ok(r) = rule::parse("rules/fuzz.yaml", text) {
        let catalog = Catalog {
            controls: builtin.controls.clone(),
            rules: vec![r],
            ..Catalog::default()
        };
        let demo = demo_template();
        let file = LoadedFile {
            source: demo.source.clone(),
            format: demo.format,
            resources: demo.resources.clone(),
            deleted: Vec::new(),
            sha256: String::new(),
        };
        let evaluation = controlgate::evaluate::evaluate(&catalog, &[file], &EnvironmentResolver::default());
        std::hint::black_box(evaluation);
    }
}

/// Addresses every valid exception's scope is tried on.
const ADDRESSES: &[&str] = &[
    "aws_s3_bucket.logs",
    "aws_s3_bucket.logs[0]",
    "module.app[\"eu\"].aws_s3_bucket.logs[\"a\"]",
    "LogsBucket",
];

/// An exception registry file, validated against the built-in pack; each valid entry's scope
/// is tried on a few addresses.
pub fn exceptions(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
    if let Ok(entries) = registry::from_text("exceptions.yaml", text, builtin(), today, None) {
        for e in entries.iter().filter(|e| e.is_valid()) {
            for a in ADDRESSES {
                std::hint::black_box(e.covers(a, "envs/prod/main.json", Some("123456789012"), Some("eu-west-1")));
            }
        }
    }
}
