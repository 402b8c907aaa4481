//! Fuzz target: a Terraform plan JSON file, then the built-in pack on its resources. See targets.rs.

mod targets;

fn main() {
    afl::fuzz!(|data: &[u8]| targets::plan(data));
}
