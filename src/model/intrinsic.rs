//! Which mappings of a CloudFormation template are intrinsic function calls, values set at
//! deploy time, rather than literal mappings.

use serde_json::{Map, Value};

/// Whether `key` names an intrinsic function in a property value: `Ref` or `Fn::…` (the markers
/// of [`super::READINGS_MARKER`] and [`super::UNREADABLE_JSON_MARKER`] included, by design).
/// `Condition` is not one: CloudFormation reads `{"Condition": name}` as a condition reference
/// only inside `Fn::And`, `Fn::Or` and `Fn::Not` in `Conditions`, never in `Properties`.
pub fn is_intrinsic_key(key: &str) -> bool {
    key == "Ref" || key.starts_with("Fn::")
}

/// Whether a mapping is an intrinsic function call in a property value (`{"Ref": …}`,
/// `{"Fn::If": …}`): one key, naming a function.
pub fn is_intrinsic(map: &Map<String, Value>) -> bool {
    map.len() == 1 && map.keys().all(|k| is_intrinsic_key(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn functions_are_intrinsic_and_condition_is_not() {
        assert!(is_intrinsic(&map(json!({"Ref": "X"}))));
        assert!(is_intrinsic(&map(json!({"Fn::If": ["C", 1, 2]}))));
        assert!(!is_intrinsic(&map(json!({"Condition": "C"}))));
        assert!(!is_intrinsic(&map(json!({"Ref": "X", "Other": 1}))));
        assert!(!is_intrinsic(&map(json!({"Key": "Ref"}))));
    }
}
