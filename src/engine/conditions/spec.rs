//! A condition as written in a rule file: the serde types the compiler reads.

use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

/// A condition as written in a rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConditionSpec {
    pub(super) all: Option<Vec<Spanned<ConditionSpec>>>,
    pub(super) any: Option<Vec<Spanned<ConditionSpec>>>,
    pub(super) not: Option<Box<Spanned<ConditionSpec>>>,
    pub(super) for_each: Option<String>,
    pub(super) require: Option<Box<Spanned<ConditionSpec>>>,
    pub(super) path: Option<String>,
    pub(super) tag: Option<String>,
    pub(super) port_range: Option<PortRangeSpec>,
    #[serde(rename = "match")]
    pub(super) quantifier: Option<Quantifier>,
    pub(super) exists: Option<bool>,
    pub(super) equals: Option<Value>,
    pub(super) not_equals: Option<Value>,
    pub(super) one_of: Option<Value>,
    pub(super) gt: Option<f64>,
    pub(super) gte: Option<f64>,
    pub(super) lt: Option<f64>,
    pub(super) lte: Option<f64>,
    pub(super) matches: Option<Value>,
    pub(super) contains: Option<Value>,
    pub(super) action_matches: Option<Vec<String>>,
    pub(super) resource_covers: Option<String>,
    pub(super) protocol_in: Option<Vec<Value>>,
    pub(super) includes_any: Option<Vec<i64>>,
    pub(super) related: Option<RelatedSpec>,
    pub(super) refers_to: Option<RefersToSpec>,
    pub(super) undecidable: Option<String>,
    pub(super) configured: Option<String>,
    pub(super) tags_exist: Option<TagListSpec>,
    pub(super) sibling: Option<SiblingSpec>,
}

/// `sibling`: resources of the given types anywhere in the same file (an account-level companion
/// such as a Config delivery channel, which refers to nothing).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SiblingSpec {
    pub(super) types: Vec<String>,
    pub(super) require: Box<Spanned<ConditionSpec>>,
}

/// A list of tag keys, written out or named as a rule parameter (`{parameter: tags}`), which a
/// config file may set per rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum TagListSpec {
    Keys(Vec<String>),
    Parameter { parameter: String },
}

/// `related`: the resources of the same file, of the given types, whose attribute `via` refers
/// to this resource (an `aws_s3_bucket_versioning` whose `bucket` is this bucket).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RelatedSpec {
    pub(super) types: Vec<String>,
    pub(super) via: String,
    pub(super) require: Box<Spanned<ConditionSpec>>,
}

/// `refersTo`: the resources of the same file, of the given types, that this resource's
/// attribute `via` refers to (the source of a read replica, the snapshot a volume is made from).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RefersToSpec {
    pub(super) types: Vec<String>,
    pub(super) via: String,
    pub(super) require: Option<Box<Spanned<ConditionSpec>>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PortRangeSpec {
    pub(super) from: String,
    pub(super) to: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Quantifier {
    #[default]
    All,
    Any,
}
