//! Values of `change.after`: JSON documents kept as strings decoded, `after_unknown` marks
//! written in, `after_sensitive` marks read.

use serde_json::{Map, Value};

use crate::model::unknown_marker;
use crate::pointer::escape;

/// Whether an attribute holds a JSON document as a string: IAM and resource policies
/// (`policy`, `assume_role_policy`, `access_policies`, ...).
fn is_document_attribute(name: &str) -> bool {
    name == "policy" || name.ends_with("_policy") || name.ends_with("_policies") || name == "policy_document"
}

/// Decode the JSON documents the AWS provider keeps as strings, so rules reach into them with
/// paths (`$.policy.Statement[*].Action`) as they do into CloudFormation's `PolicyDocument`.
/// A string that is not a JSON object or array stays a string.
pub(super) fn decode_json_documents(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let decoded = match v {
                    Value::String(s) if is_document_attribute(k) && s.trim_start().starts_with(['{', '[']) => {
                        serde_json::from_str::<Value>(s).ok()
                    }
                    _ => None,
                };
                match decoded {
                    Some(d) => *v = d,
                    None => decode_json_documents(v),
                }
            }
        }
        Value::Array(list) => list.iter_mut().for_each(decode_json_documents),
        _ => {}
    }
}

fn contains_true(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Array(a) => a.iter().any(contains_true),
        Value::Object(o) => o.values().any(contains_true),
        _ => false,
    }
}

/// Write the unknown marker wherever `after_unknown` says `true`.
pub(super) fn mark_unknown(target: &mut Value, unknown: &Value, pointer: String, out: &mut Vec<String>) {
    match unknown {
        Value::Bool(true) => {
            *target = unknown_marker();
            out.push(pointer);
        }
        Value::Object(map) => {
            for (k, u) in map.iter().filter(|(_, u)| contains_true(u)) {
                if !target.is_object() {
                    *target = Value::Object(Map::new());
                }
                if let Value::Object(t) = target {
                    let child = t.entry(k.clone()).or_insert(Value::Null);
                    mark_unknown(child, u, format!("{pointer}/{}", escape(k)), out);
                }
            }
        }
        Value::Array(list) => {
            for (i, u) in list.iter().enumerate().filter(|(_, u)| contains_true(u)) {
                if !target.is_array() {
                    *target = Value::Array(Vec::new());
                }
                if let Value::Array(t) = target {
                    while t.len() <= i {
                        t.push(Value::Null);
                    }
                    mark_unknown(&mut t[i], u, format!("{pointer}/{i}"), out);
                }
            }
        }
        _ => {}
    }
}

/// The scalars of `value` that `marks` (shaped as `after_sensitive`) covers.
pub(super) fn marked_scalars(value: &Value, marks: &Value, out: &mut Vec<Value>) {
    match (marks, value) {
        (Value::Bool(true), v) => scalars(v, out),
        (Value::Object(m), Value::Object(v)) => {
            for (k, mark) in m {
                if let Some(x) = v.get(k) {
                    marked_scalars(x, mark, out);
                }
            }
        }
        (Value::Array(m), Value::Array(v)) => m.iter().zip(v).for_each(|(mark, x)| marked_scalars(x, mark, out)),
        _ => {}
    }
}

fn scalars(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::String(_) | Value::Number(_) => out.push(value.clone()),
        Value::Array(a) => a.iter().for_each(|v| scalars(v, out)),
        Value::Object(o) => o.values().for_each(|v| scalars(v, out)),
        _ => {}
    }
}

pub(super) fn collect_true(v: &Value, pointer: String, out: &mut Vec<String>) {
    match v {
        Value::Bool(true) => out.push(pointer),
        Value::Object(map) => map
            .iter()
            .for_each(|(k, v)| collect_true(v, format!("{pointer}/{}", escape(k)), out)),
        Value::Array(list) => list
            .iter()
            .enumerate()
            .for_each(|(i, v)| collect_true(v, format!("{pointer}/{i}"), out)),
        _ => {}
    }
}
