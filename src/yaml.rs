//! Strict YAML loading for policy packs, exception registries, config and parameter files:
//! unknown fields, missing fields and duplicate keys are errors that name the file, line and
//! column. Shared by every stage that reads YAML, so it sits beside `error.rs`.

use serde::de::DeserializeOwned;

use crate::error::Located;

/// Deserialize `text` (from `file`) into `T`, failing with a located error.
pub fn from_str<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, Located> {
    serde_saphyr::from_str::<T>(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map_or((0, 0), |l| (l.line() as usize, l.column() as usize));
        Located::new(file, line, column, short_message(&e.to_string()))
    })
}

/// The error's own words, without the position prefix and the rendered snippet (ours names the
/// position already).
fn short_message(rendered: &str) -> String {
    let first = rendered.lines().next().unwrap_or(rendered);
    let first = first.strip_prefix("error: ").unwrap_or(first);
    match first.find(": ") {
        Some(i) if first.starts_with("line ") => first[i + 2..].to_string(),
        _ => first.to_string(),
    }
}

/// The position of a spanned value.
pub fn position<T>(s: &serde_saphyr::Spanned<T>) -> (usize, usize) {
    (s.referenced.line() as usize, s.referenced.column() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        a: u32,
    }

    #[test]
    fn unknown_field_is_located() {
        let e = from_str::<T>("p.yaml", "a: 1\nb: 2\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line, e.column), ("p.yaml", 2, 1));
        assert!(e.message.contains("unknown field `b`"), "{}", e.message);
        assert!(!e.message.contains('\n'));
    }

    #[test]
    fn duplicate_key_is_an_error() {
        let e = from_str::<T>("p.yaml", "a: 1\na: 2\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("duplicate"), "{}", e.message);
    }
}
