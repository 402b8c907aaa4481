//! The values of an input file that are marked sensitive, and their redaction from excerpts of
//! the file's text: a Terraform plan holds passwords and keys in clear text beside their marks.

use std::collections::HashSet;
use std::ops::Range;

use serde_json::Value;

/// What the masked value of a `NoEcho` parameter shows, as the CloudFormation console does.
pub const MASK: &str = "****";

/// What an excerpt shows instead of a sensitive value.
const REDACTED: &str = "\"(sensitive)\"";

/// Sensitive scalars of one file: strings (as decoded) and numbers.
#[derive(Debug, Default)]
pub struct Secrets {
    strings: HashSet<String>,
    /// `f64::to_bits` of each number: a plan may write `5432` where another writes `5432.0`.
    numbers: HashSet<u64>,
}

impl Secrets {
    /// From scalars; empty strings, booleans and nulls hide nothing and are left out.
    pub fn new<'a>(values: impl IntoIterator<Item = &'a Value>) -> Secrets {
        let mut out = Secrets::default();
        for v in values {
            match v {
                Value::String(s) if !s.is_empty() => {
                    out.strings.insert(s.clone());
                }
                Value::Number(n) => {
                    if let Some(f) = n.as_f64() {
                        out.numbers.insert(f.to_bits());
                    }
                }
                _ => {}
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.strings.is_empty() && self.numbers.is_empty()
    }

    /// Whether a scalar, or any scalar inside a value, is one of the secrets.
    fn holds(&self, value: &Value) -> bool {
        match value {
            Value::String(s) => self.strings.contains(s),
            Value::Number(n) => n.as_f64().is_some_and(|f| self.numbers.contains(&f.to_bits())),
            Value::Array(a) => a.iter().any(|v| self.holds(v)),
            Value::Object(o) => o.values().any(|v| self.holds(v)),
            _ => false,
        }
    }

    /// `text` with every JSON string or number token that is a secret (and every string that
    /// holds a JSON document with one inside, as a policy kept as a string) replaced, except
    /// tokens that overlap `keep`. The replacement is `"(sensitive)"`, or with `same_length`
    /// a mask of the token's length, so that offsets do not move. Returns the new text and where
    /// `keep` starts in it, or `None` when nothing was replaced.
    pub fn redact(&self, text: &str, keep: Range<usize>, same_length: bool) -> Option<(String, usize)> {
        if self.is_empty() {
            return None;
        }
        let bytes = text.as_bytes();
        let mut out = String::new();
        let (mut copied, mut keep_at, mut i) = (0usize, None, 0usize);
        // The last byte that is not white space: a number token follows `:`, `[` or `,`.
        let mut previous = b'[';
        while i < bytes.len() {
            let b = bytes[i];
            let token = match b {
                b'"' => {
                    let mut j = i + 1;
                    while j < bytes.len() && bytes[j] != b'"' {
                        j += if bytes[j] == b'\\' { 2 } else { 1 };
                    }
                    if j >= bytes.len() {
                        break;
                    }
                    let literal = &text[i..=j];
                    let hit = serde_json::from_str::<String>(literal).is_ok_and(|s| {
                        self.strings.contains(&s)
                            || (s.trim_start().starts_with(['{', '['])
                                && serde_json::from_str::<Value>(&s).is_ok_and(|doc| self.holds(&doc)))
                    });
                    Some((j + 1, hit))
                }
                b'-' | b'0'..=b'9' if matches!(previous, b':' | b'[' | b',') => {
                    let mut j = i + 1;
                    while j < bytes.len() && matches!(bytes[j], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                        j += 1;
                    }
                    let hit = text[i..j]
                        .parse::<f64>()
                        .is_ok_and(|f| self.numbers.contains(&f.to_bits()));
                    Some((j, hit))
                }
                _ => None,
            };
            match token {
                Some((end, hit)) => {
                    if hit && (end <= keep.start || i >= keep.end) {
                        if keep_at.is_none() && i >= keep.start {
                            keep_at = Some(out.len() + keep.start - copied);
                        }
                        out.push_str(&text[copied..i]);
                        if same_length {
                            out.push_str(&mask(end - i, b == b'"'));
                        } else {
                            out.push_str(REDACTED);
                        }
                        copied = end;
                    }
                    previous = bytes[end - 1];
                    i = end;
                }
                None => {
                    if !b.is_ascii_whitespace() {
                        previous = b;
                    }
                    i += 1;
                }
            }
        }
        if copied == 0 && out.is_empty() {
            return None;
        }
        let keep_at = keep_at.unwrap_or(out.len() + keep.start.saturating_sub(copied));
        out.push_str(&text[copied..]);
        Some((out, keep_at))
    }
}

/// `"****"` or `****`, `len` bytes.
fn mask(len: usize, quoted: bool) -> String {
    if quoted && len >= 2 {
        format!("\"{}\"", "*".repeat(len - 2))
    } else {
        "*".repeat(len)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn secrets() -> Secrets {
        let values = [json!("hunter2"), json!("<p&ss>"), json!(5432), json!(""), json!(true)];
        Secrets::new(values.iter())
    }

    #[test]
    fn string_and_number_tokens_are_replaced_however_they_are_escaped() {
        let text = r#"{"address": "a", "password": "hunter2", "port": 5432, "other": "\u003cp\u0026ss\u003e", "n": 15432, "x": "hunter22"}"#;
        let (out, _) = secrets().redact(text, 0..0, false).unwrap();
        assert_eq!(
            out,
            r#"{"address": "a", "password": "(sensitive)", "port": "(sensitive)", "other": "(sensitive)", "n": 15432, "x": "hunter22"}"#
        );
        let doc = r#"{"policy": "{\"Statement\":[{\"Sid\":\"hunter2\"}]}", "empty": "", "flag": true}"#;
        let (out, _) = secrets().redact(doc, 0..0, false).unwrap();
        assert_eq!(out, r#"{"policy": "(sensitive)", "empty": "", "flag": true}"#);
        assert_eq!(secrets().redact(r#"{"a": "b", "c": 1}"#, 0..0, false), None);
        assert_eq!(Secrets::default().redact(text, 0..0, false), None);
    }

    #[test]
    fn the_kept_range_is_left_alone_and_found_again() {
        let text = r#"["hunter2", "hunter2", 5432, "tail hunter2"]"#;
        let keep = text.find(", \"hunter2\"").unwrap() + 2;
        let keep = keep..keep + 9;
        let (out, at) = secrets().redact(text, keep.clone(), false).unwrap();
        assert_eq!(out, r#"["(sensitive)", "hunter2", "(sensitive)", "tail hunter2"]"#);
        assert_eq!(&out[at..at + 9], "\"hunter2\"");
        let (masked, at) = secrets().redact(text, keep.clone(), true).unwrap();
        assert_eq!(masked.len(), text.len());
        assert_eq!(at, keep.start);
        assert_eq!(masked, r#"["*******", "hunter2", ****, "tail hunter2"]"#);
    }

    #[test]
    fn unterminated_strings_and_partial_lines_do_not_panic() {
        for text in [
            "\"hunter2",
            "\"a\\",
            "-",
            ": 5432",
            "\"hunter2\" \"é\" 5432e",
            "\\\"hunter2\"",
        ] {
            let _ = secrets().redact(text, 0..0, false);
            let _ = secrets().redact(text, 0..text.len(), true);
        }
        assert_eq!(secrets().redact(": 5432", 0..0, false).unwrap().0, ": \"(sensitive)\"");
    }
}
