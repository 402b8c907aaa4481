//! Fuzz target: the policy loaders. The text is read as a native rule, a control and a Guard
//! file; a rule that loads is evaluated on a small template, so its conditions run too.

mod common;

use std::sync::OnceLock;

use controlgate::catalog::{Catalog, control, guard, rule};
use controlgate::environment::EnvironmentResolver;
use controlgate::input::{self, LoadedFile};

/// Resources of both kinds of input for a fuzzed rule to judge.
const TEMPLATE: &str = include_str!("../fixtures/demo/template.yaml");

fn template() -> &'static LoadedFile {
    static FILE: OnceLock<LoadedFile> = OnceLock::new();
    FILE.get_or_init(|| input::template_from_text("template.yaml", TEMPLATE).expect("the demo template loads"))
}

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else { return };
        let builtin = common::builtin();
        let _ = control::parse("controls/fuzz.yaml", text);
        let known = |id: &str| builtin.controls.get(id).cloned();
        let _ = guard::parse("rules/fuzz.guard", text, &known);
        if let Ok(r) = rule::parse("rules/fuzz.yaml", text) {
            let catalog = Catalog {
                controls: builtin.controls.clone(),
                rules: vec![r],
                ..Catalog::default()
            };
            let file = LoadedFile {
                source: template().source.clone(),
                format: template().format,
                resources: template().resources.clone(),
                deleted: Vec::new(),
                sha256: String::new(),
            };
            let evaluation = controlgate::evaluate::evaluate(&catalog, &[file], &EnvironmentResolver::default());
            std::hint::black_box(evaluation);
        }
    });
}
