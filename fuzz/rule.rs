//! Fuzz target: a native rule and a control; a rule that loads is evaluated. See targets.rs.

mod targets;

fn main() {
    afl::fuzz!(|data: &[u8]| targets::rule(data));
}
