//! What a value will be at deploy time: absent values, the alternatives an intrinsic may take,
//! values that cannot be judged before deployment, and equality as CloudFormation coerces.

use serde_json::Value;

use crate::engine::Truth;
use crate::model::{Resource, is_unknown, readings_of, unreadable_json_reason};

/// `null` (Terraform's unset optional attribute) and CloudFormation's `!Ref AWS::NoValue`
/// (which removes the property) are absent.
pub(super) fn is_absent(value: &Value) -> bool {
    value.is_null() || is_no_value(value)
}

pub(super) fn is_no_value(value: &Value) -> bool {
    matches!(value, Value::Object(m) if m.len() == 1 && m.get("Ref").and_then(Value::as_str) == Some("AWS::NoValue"))
}

/// `{"Fn::If": [cond, a, b]}` with `AWS::NoValue` as a branch.
pub(super) fn may_be_removed(value: &Value) -> bool {
    value
        .get("Fn::If")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().skip(1).any(|b| is_no_value(b) || may_be_removed(b)))
}

/// The values a CloudFormation intrinsic may take, when they are few and known: the branches of
/// `Fn::If` (recursively), the `AllowedValues` of a referenced parameter, `AWS::NoValue` (as
/// null: absent), both readings of a YAML scalar that YAML 1.1 and 1.2 read differently. `None`
/// when any of them is open (another function, a free parameter).
pub(super) fn alternatives(value: &Value, parameters: Option<&Value>, depth: usize) -> Option<Vec<Value>> {
    if depth > 8 {
        return None;
    }
    let all_of = |options: &[Value]| {
        let mut out = Vec::new();
        for o in options {
            out.extend(alternatives(o, parameters, depth + 1)?);
        }
        (!out.is_empty()).then_some(out)
    };
    match value {
        Value::Object(m) if m.len() == 1 => {
            if is_no_value(value) {
                return Some(vec![Value::Null]);
            }
            if let Some(readings) = readings_of(value) {
                return all_of(readings);
            }
            if let Some(Value::String(p)) = m.get("Ref") {
                // `AllowedValues: [yes, no]` holds readings too.
                return all_of(parameters?.get(p)?.get("AllowedValues")?.as_array()?);
            }
            let branches = m.get("Fn::If")?.as_array()?;
            all_of(branches.get(1..)?)
        }
        Value::Object(_) | Value::Array(_) => None,
        scalar => Some(vec![scalar.clone()]),
    }
}

/// The template parameters `value` takes at deploy time: `Ref`s and `Fn::Sub` variables that name
/// a declared parameter.
pub(super) fn parameters_in(resource: &Resource, value: &Value) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let Some(declared) = resource.parameters.as_deref().and_then(Value::as_object) else {
        return out;
    };
    let mut stack = vec![(value, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        let Value::Object(m) = v else {
            if let Value::Array(a) = v {
                stack.extend(a.iter().map(|x| (x, depth + 1)).filter(|_| depth < 64));
            }
            continue;
        };
        if let Some(Value::String(p)) = m.get("Ref")
            && declared.contains_key(p)
        {
            out.insert(p.clone());
        }
        let (sub, vars) = match m.get("Fn::Sub") {
            Some(Value::String(s)) => (Some(s.as_str()), None),
            Some(Value::Array(a)) => (a.first().and_then(Value::as_str), a.get(1).and_then(Value::as_object)),
            _ => (None, None),
        };
        for part in sub.unwrap_or_default().split("${").skip(1) {
            let var = part.split('}').next().unwrap_or_default().trim();
            if declared.contains_key(var) && !vars.is_some_and(|m| m.contains_key(var)) {
                out.insert(var.to_string());
            }
        }
        if depth < 64 {
            stack.extend(m.values().map(|x| (x, depth + 1)));
        }
    }
    out
}

/// Whether `value` takes the value of a `NoEcho` parameter, which output never shows.
pub(super) fn refers_to_no_echo(resource: &Resource, value: &Value) -> bool {
    let Some(declared) = resource.parameters.as_deref() else {
        return false;
    };
    parameters_in(resource, value)
        .iter()
        .any(|p| declared.get(p).is_some_and(crate::parameters::is_no_echo))
}

/// Why the value at `name` is undecided; for one set by template parameters: which, why they
/// are not known, and how to decide them.
pub(super) fn undecided_fact(resource: &Resource, value: &Value, name: &str, why: &str) -> String {
    let names = parameters_in(resource, value);
    if names.is_empty() {
        return format!("`{name}` {why}");
    }
    let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    let why_not: Vec<String> = names
        .iter()
        .filter_map(|n| Some(format!("`{n}`: {}", resource.undecided_parameters.as_ref()?.get(n)?)))
        .collect();
    let fix: Vec<String> = names
        .iter()
        .map(|n| format!("pass --parameters with a value for {n}, or add AllowedValues to {n}"))
        .collect();
    let set_by = format!(
        "parameter{} {}",
        if names.len() > 1 { "s" } else { "" },
        list.join(", ")
    );
    let reason = if why_not.is_empty() {
        String::new()
    } else {
        format!(" ({})", why_not.join("; "))
    };
    format!("`{name}` is set at deploy time by {set_by}{reason}: {}", fix.join("; "))
}

/// Why a value cannot be judged before deployment, if it cannot.
pub(super) fn undecidable(value: &Value) -> Option<&'static str> {
    if is_unknown(value) {
        return Some("is known only after apply");
    }
    if readings_of(value).is_some() {
        return Some(READ_TWO_WAYS);
    }
    if unreadable_json_reason(value).is_some() {
        return Some("is a string that IAM cannot read as a JSON policy document");
    }
    match value {
        Value::Object(map) if crate::model::is_intrinsic(map) => Some("is set by an intrinsic function at deploy time"),
        _ => None,
    }
}

pub(super) use crate::model::READ_TWO_WAYS;

/// The verdict on a value that may be any of several: true or false when all agree, else
/// unknown.
pub(super) fn agreed(truths: impl IntoIterator<Item = Truth>) -> Truth {
    let mut seen: Option<Truth> = None;
    for t in truths {
        match seen {
            None => seen = Some(t),
            Some(s) if s != t => return Truth::Unknown,
            Some(_) => {}
        }
    }
    seen.unwrap_or(Truth::Unknown)
}

/// Equality as CloudFormation coerces: `"7"` equals 7 and `"true"` equals true.
pub(super) fn loose_eq(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::String(s), Value::Bool(b)) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        (Value::String(_), Value::Number(_)) | (Value::Number(_), Value::Number(_)) => {
            matches!((as_number(actual), as_number(expected)), (Some(a), Some(b)) if a == b)
        }
        (Value::Number(n), Value::String(s)) => n.to_string() == *s,
        (Value::Bool(b), Value::String(s)) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        _ => actual == expected,
    }
}

pub(super) fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}
