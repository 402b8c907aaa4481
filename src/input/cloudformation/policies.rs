//! Policy documents written as JSON strings.
//!
//! CloudFormation takes a policy-bearing property (`PolicyDocument`, `KeyPolicy`, a role's
//! `Policies[*].PolicyDocument`, ...) either as a mapping or as a string holding the JSON
//! document, and IAM reads the string. Such strings are decoded here, as the Terraform loader
//! decodes the AWS provider's `policy` strings, so the policy rules see the statements whichever
//! way they were written. Findings stay located at the resource; their observations name the
//! property (`PolicyDocument.Statement[0].Action`).
//!
//! A string that is no JSON object (a typo, a truncated document, a key written twice, whose
//! reading IAM and a JSON library may not agree on) is replaced by a marker that every rule
//! judges as undecidable ([`crate::model::unreadable_json_marker`]): never read as "no
//! statements". A string built by `Fn::Sub` or `Fn::Join` is an intrinsic function and stays
//! one (unknown).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::model::unreadable_json_marker;

/// The properties of each type that hold one policy document.
const DOCUMENTS: &[(&str, &str)] = &[
    ("AWS::IAM::Policy", "PolicyDocument"),
    ("AWS::IAM::ManagedPolicy", "PolicyDocument"),
    ("AWS::IAM::RolePolicy", "PolicyDocument"),
    ("AWS::IAM::UserPolicy", "PolicyDocument"),
    ("AWS::IAM::GroupPolicy", "PolicyDocument"),
    ("AWS::IAM::Role", "AssumeRolePolicyDocument"),
    ("AWS::S3::BucketPolicy", "PolicyDocument"),
    ("AWS::S3::AccessPoint", "Policy"),
    ("AWS::SQS::QueuePolicy", "PolicyDocument"),
    ("AWS::SQS::QueueInlinePolicy", "PolicyDocument"),
    ("AWS::SNS::TopicPolicy", "PolicyDocument"),
    ("AWS::SNS::TopicInlinePolicy", "PolicyDocument"),
    ("AWS::KMS::Key", "KeyPolicy"),
    ("AWS::KMS::ReplicaKey", "KeyPolicy"),
    ("AWS::ECR::Repository", "RepositoryPolicyText"),
    ("AWS::EFS::FileSystem", "FileSystemPolicy"),
    ("AWS::SecretsManager::ResourcePolicy", "ResourcePolicy"),
    ("AWS::Backup::BackupVault", "AccessPolicy"),
    ("AWS::OpenSearchService::Domain", "AccessPolicies"),
    ("AWS::Elasticsearch::Domain", "AccessPolicies"),
    ("AWS::ApiGateway::RestApi", "Policy"),
    ("AWS::Logs::ResourcePolicy", "PolicyDocument"),
    ("AWS::SSO::PermissionSet", "InlinePolicy"),
];

/// The types whose `Policies` list holds inline policies with a `PolicyDocument` each.
const INLINE_LISTS: &[&str] = &["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"];

/// Decode the policy documents of a resource's `properties` that are written as JSON strings.
pub(super) fn decode(resource_type: &str, properties: &mut Value) {
    let Some(props) = properties.as_object_mut() else {
        return;
    };
    for (_, name) in DOCUMENTS.iter().filter(|(t, _)| *t == resource_type) {
        if let Some(v) = props.get_mut(*name) {
            decode_one(v);
        }
    }
    if INLINE_LISTS.contains(&resource_type)
        && let Some(Value::Array(list)) = props.get_mut("Policies")
    {
        for policy in list {
            if let Some(v) = policy.get_mut("PolicyDocument") {
                decode_one(v);
            }
        }
    }
}

/// A string becomes the document it holds, or the unreadable marker; anything else (a mapping,
/// an intrinsic function) is kept as written.
fn decode_one(value: &mut Value) {
    let Value::String(text) = value else {
        return;
    };
    *value = match parse_strict(text) {
        Ok(document @ Value::Object(_)) => document,
        Ok(other) => unreadable_json_marker(format!("holds JSON {}, not a policy document", super::kind(&other))),
        Err(e) => unreadable_json_marker(e),
    };
}

/// JSON as serde_json reads it, except that a key repeated in an object is an error: which of
/// the two values IAM would take is not for a scanner to guess.
fn parse_strict(text: &str) -> Result<Value, String> {
    let mut reader = serde_json::Deserializer::from_str(text);
    let value = StrictValue.deserialize(&mut reader).map_err(|e| e.to_string())?;
    reader.end().map_err(|e| e.to_string())?;
    Ok(value)
}

struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::from(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::from(n))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::from(n))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(StrictValue)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format_args!("the key `{key}` is written twice")));
            }
            let v = map.next_value_seed(StrictValue)?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::unreadable_json_reason;

    #[test]
    fn json_strings_become_documents_where_cloudformation_takes_them() {
        let doc = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
        let mut props = json!({
            "PolicyDocument": doc,
            "AssumeRolePolicyDocument": doc,
            "Policies": [{"PolicyName": "p", "PolicyDocument": doc}, {"PolicyName": "q"}],
            "Description": doc,
        });
        decode("AWS::IAM::Role", &mut props);
        let expected: Value = serde_json::from_str(doc).unwrap();
        assert_eq!(props["AssumeRolePolicyDocument"], expected);
        assert_eq!(props["Policies"][0]["PolicyDocument"], expected);
        // Not a policy property of a role; nor of a description anywhere.
        assert_eq!(props["PolicyDocument"], json!(doc));
        assert_eq!(props["Description"], json!(doc));

        let mut key = json!({"KeyPolicy": doc});
        decode("AWS::KMS::Key", &mut key);
        assert_eq!(key["KeyPolicy"], expected);
        let mut topic = json!({"PolicyDocument": doc});
        decode("AWS::SNS::TopicPolicy", &mut topic);
        assert_eq!(topic["PolicyDocument"], expected);
    }

    #[test]
    fn unreadable_strings_are_marked_and_intrinsics_kept() {
        for (text, why) in [
            (r#"{"Statement": ["#, "EOF"),
            ("not json", "expected"),
            (r#"["a"]"#, "a list"),
            ("", "EOF"),
            (r#"{"Action":"s3:GetObject","Action":"*"}"#, "written twice"),
            (r#"{"Statement":{}} trailing"#, "trailing"),
        ] {
            let mut props = json!({"PolicyDocument": text});
            decode("AWS::IAM::ManagedPolicy", &mut props);
            let reason = unreadable_json_reason(&props["PolicyDocument"]).unwrap_or_else(|| panic!("{text}"));
            assert!(reason.contains(why), "{text}: {reason}");
        }
        let sub = json!({"Fn::Sub": "{\"Statement\": ${S}}"});
        let mut props = json!({"PolicyDocument": sub.clone()});
        decode("AWS::IAM::ManagedPolicy", &mut props);
        assert_eq!(props["PolicyDocument"], sub);
    }

    #[test]
    fn deep_strings_are_unreadable_not_a_crash() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let mut props = json!({ "PolicyDocument": text });
        decode("AWS::IAM::ManagedPolicy", &mut props);
        assert!(unreadable_json_reason(&props["PolicyDocument"]).is_some());
    }
}
