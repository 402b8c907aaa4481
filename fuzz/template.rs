//! Fuzz target: a CloudFormation template, JSON or YAML (a `.template` file is told apart by its
//! first character, as `check` does), then the built-in pack on its resources.

mod common;

fn main() {
    afl::fuzz!(|data: &[u8]| common::load_and_evaluate("input.template", data));
}
