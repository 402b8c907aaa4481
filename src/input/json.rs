//! Reading JSON inputs the way their deploy engine must: an object with the same key twice is
//! refused, where `serde_json` keeps the last one silently. CloudFormation calls duplicate keys
//! undefined behaviour and Terraform never writes them, so a reading that picks one of the two
//! values may well pick the one that is not deployed.
//!
//! The check is made while the `Value` is built, one map lookup per key, so reading a 40 MB plan
//! costs what `serde_json::from_str` costs.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

/// A JSON text that could not be read: what is wrong, and the 1-based line and column where
/// (for a duplicate key, just after the second occurrence of the key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parse `text` into a `Value`, refusing duplicate keys in any object at any depth.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Strict.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    value.map_err(|e| JsonError {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()).to_string(),
    })
}

/// serde_json appends " at line L column C"; our messages carry the position already.
fn strip_position(msg: &str) -> &str {
    msg.rfind(" at line ").map_or(msg, |i| &msg[..i])
}

/// Builds a `Value` as `serde_json::Value`'s own visitor does, but fails on a repeated key.
#[derive(Clone, Copy)]
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // serde_json never hands over a non-finite number.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(Strict)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match out.entry(key) {
                // Raised before the value is read, so serde_json places it at the second key.
                Entry::Occupied(o) => {
                    return Err(de::Error::custom(format_args!(
                        "duplicate key `{}` in an object: JSON readers disagree on which value counts",
                        o.key()
                    )));
                }
                Entry::Vacant(v) => {
                    v.insert(map.next_value_seed(Strict)?);
                }
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_those_serde_json_reads() {
        let text = r#"{"a": [1, -2, 3.5, 18446744073709551615, true, null, "x\u00e9"], "b": {"c": {}}, "d": []}"#;
        assert_eq!(parse(text).unwrap(), serde_json::from_str::<Value>(text).unwrap());
        // Key order is kept, as `preserve_order` keeps it.
        let keys: Vec<String> = parse(r#"{"z": 1, "a": 2, "m": 3}"#)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    #[test]
    fn a_duplicate_key_at_any_depth_is_refused_at_the_second_key() {
        let e = parse("{\n  \"a\": 1,\n  \"a\": 2\n}").unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
        assert!(e.message.contains("duplicate key `a`"), "{e:?}");
        let e = parse("{\"x\": [{\"k\": {\n\"b\": 1,\n\n\"c\": 2, \"b\": {\"big\": [1,\n2]}}}]}").unwrap_err();
        assert_eq!(e.line, 4, "{e:?}");
        assert!(e.message.contains("`b`"), "{e:?}");
        // Escapes spell the same key differently; it is still the same key.
        assert!(parse(r#"{"Type": 1, "T\u0079pe": 2}"#).is_err());
        // The same key in sibling objects is fine.
        assert!(parse(r#"[{"a": 1}, {"a": 2}, {"b": {"a": 3}, "a": 4}]"#).is_ok());
    }

    #[test]
    fn syntax_errors_and_trailing_text_keep_their_position() {
        let e = parse("{\"a\": 1,\n}").unwrap_err();
        assert_eq!(e.line, 2, "{e:?}");
        assert!(!e.message.contains(" at line "), "{e:?}");
        assert!(parse("{} {}").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn nesting_is_bounded_without_overflowing_the_stack() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(&deep).unwrap_err().message.contains("recursion limit"));
    }
}
