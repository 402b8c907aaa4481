//! Fuzz target: a CloudFormation template (JSON or YAML), then the built-in pack on its resources. See targets.rs.

mod targets;

fn main() {
    afl::fuzz!(|data: &[u8]| targets::template(data));
}
