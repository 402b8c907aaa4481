//! Fuzz target: an exception registry, validated against the built-in pack. See targets.rs.

mod targets;

fn main() {
    afl::fuzz!(|data: &[u8]| targets::exceptions(data));
}
