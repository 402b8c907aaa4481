//! The benchmark's floor: read one file and parse it, nothing else.
//!
//! `scripts/bench.py` times `controlgate check` against this program on the same input, built
//! with the same profile and crates, so the ratio says what checking costs beyond merely
//! parsing. JSON (`.json`, plans and templates) is parsed with `serde_json::from_slice` into a
//! `Value`; YAML (`.yaml`, `.yml`) with saphyr into its marked node tree, the reader the
//! template loader uses. The tree is dropped normally before exit, as a plain program would.
//!
//! Usage: `cargo run --release --example parse_floor -- FILE`; prints the number of top-level
//! entries, so the parse cannot be optimised away. Exit 2 on an unreadable or invalid file.

use std::process::ExitCode;

use saphyr::{LoadableYamlNode, MarkedYaml};

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: parse_floor FILE");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("parse_floor: {}: {e}", path.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    let name = path.to_string_lossy();
    let entries = if name.ends_with(".yaml") || name.ends_with(".yml") {
        let text = match std::str::from_utf8(&bytes) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("parse_floor: {name}: {e}");
                return ExitCode::from(2);
            }
        };
        match MarkedYaml::load_from_str(text) {
            Ok(docs) => docs.first().map_or(0, |d| d.data.as_mapping().map_or(1, |m| m.len())),
            Err(e) => {
                eprintln!("parse_floor: {name}: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(v) => v.as_object().map_or(1, |m| m.len()),
            Err(e) => {
                eprintln!("parse_floor: {name}: {e}");
                return ExitCode::from(2);
            }
        }
    };
    println!("{entries}");
    ExitCode::SUCCESS
}
