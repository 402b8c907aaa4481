//! The built-in policy pack (`policies/`) is embedded with `include_dir!`, which Cargo cannot
//! track: rebuild when any file under it changes.
fn main() {
    println!("cargo:rerun-if-changed=policies");
}
