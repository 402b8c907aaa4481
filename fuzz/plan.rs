//! Fuzz target: a Terraform plan JSON file (any JSON, read as `check plan.json` reads it), then
//! the built-in pack on its resources.

mod common;

fn main() {
    afl::fuzz!(|data: &[u8]| common::load_and_evaluate("plan.json", data));
}
