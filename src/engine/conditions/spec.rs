//! A condition as written in a rule file: the serde types the compiler reads.

use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

macro_rules! condition_spec {
    ($($field:ident : $ty:ty, $name:literal, $operand:literal, $description:literal, $compile:expr;)*) => {
        /// A condition as written in a rule file. The operator fields come from the operator
        /// table, in its order.
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
            $(
                #[serde(rename = $name)]
                pub(super) $field: Option<$ty>,
            )*
            pub(super) includes_any: Option<Operand<Vec<i64>>>,
            pub(super) related: Option<RelatedSpec>,
            pub(super) refers_to: Option<RefersToSpec>,
            pub(super) undecidable: Option<String>,
            pub(super) configured: Option<String>,
            pub(super) tags_exist: Option<TagListSpec>,
            pub(super) sibling: Option<SiblingSpec>,
            pub(super) change_record: Option<bool>,
        }
    };
}
super::ops::operator_table!(condition_spec);

/// An operand written out, or named as a rule parameter (`{parameter: name}`), which the rule
/// declares and a config file may set per rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Operand<T> {
    Parameter(ParameterRef),
    Written(T),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterRef {
    pub(super) parameter: String,
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
