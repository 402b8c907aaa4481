use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::{Anchor, SourceFile};

/// Which kind of file a resource came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputFormat {
    TerraformPlan,
    Cloudformation,
}

impl InputFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::TerraformPlan => "terraform-plan",
            InputFormat::Cloudformation => "cloudformation",
        }
    }
}

/// What a Terraform plan will do to a resource. CloudFormation templates carry no action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlannedAction {
    Create,
    Update,
    /// `["delete","create"]` or `["create","delete"]`; also `["create","forget"]` and
    /// `["forget","create"]`, where the old object is forgotten rather than destroyed.
    Replace,
    Delete,
    NoOp,
    Read,
    /// Terraform 1.7+ `removed {}` blocks: the resource leaves state but is not destroyed.
    Forget,
    /// Actions this version does not know (an ephemeral resource's `open`, a future one): the
    /// object is evaluated as one that will exist.
    Other,
}

/// The key of the object that stands in for a Terraform "known after apply" value.
///
/// Unknown values are absent from `change.after`; the plan loader writes this marker at each
/// path that `after_unknown` flags, so a rule can tell "known after apply" from "absent".
pub const UNKNOWN_MARKER: &str = "$controlgate:unknown";

/// The marker value written where a value is known only after apply.
pub fn unknown_marker() -> Value {
    // Sized for its one entry: a plan may hold hundreds of thousands of markers.
    let mut map = serde_json::Map::with_capacity(1);
    map.insert(UNKNOWN_MARKER.to_string(), Value::Bool(true));
    Value::Object(map)
}

/// Whether `value` is the "known after apply" marker.
pub fn is_unknown(value: &Value) -> bool {
    matches!(value, Value::Object(map) if map.len() == 1 && map.get(UNKNOWN_MARKER) == Some(&Value::Bool(true)))
}

/// The key of the object that stands in for a plain YAML scalar that YAML 1.1, which
/// CloudFormation reads, and YAML 1.2 read differently: `{KEY: [1.2 reading, 1.1 reading]}`
/// (`yes` is `["yes", true]`, `026` is `["026", 22]`). Rules judge both readings, as they judge
/// the branches of an `Fn::If`. The `Fn::` prefix makes code that does not know the marker treat
/// it as an intrinsic function, a value set at deploy time, never as a literal mapping.
pub const READINGS_MARKER: &str = "Fn::controlgate:YamlReadings";

/// Why a YAML scalar with two readings is not judged by one of them.
pub const READ_TWO_WAYS: &str = "is read one way by YAML 1.2 and another by YAML 1.1, which CloudFormation reads: write `true`/`false`, a decimal number, or quoted text";

/// The readings of a scalar that YAML 1.2 and YAML 1.1 read differently, as a marker.
pub fn readings_marker(yaml12: Value, yaml11: Value) -> Value {
    let mut map = serde_json::Map::new();
    map.insert(READINGS_MARKER.to_string(), Value::Array(vec![yaml12, yaml11]));
    Value::Object(map)
}

/// The `[YAML 1.2, YAML 1.1]` readings of a readings marker.
pub fn readings_of(value: &Value) -> Option<&[Value]> {
    match value {
        Value::Object(map) if map.len() == 1 => map.get(READINGS_MARKER)?.as_array().map(Vec::as_slice),
        _ => None,
    }
}

/// One resource, normalized from a Terraform plan or a CloudFormation template.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Terraform address (`module.a.aws_s3_bucket.b["x"]`) or CloudFormation logical id.
    pub address: String,
    /// `aws_s3_bucket` or `AWS::S3::Bucket`.
    pub resource_type: String,
    pub format: InputFormat,
    /// Terraform: `change.after` with unknown markers. CloudFormation: `Properties`, with
    /// short-form intrinsics in their long form (`{"Ref": "X"}`).
    pub properties: Value,
    /// Known string tags: Terraform `tags_all` (else `tags`), CloudFormation `Tags` as a map.
    pub tags: BTreeMap<String, String>,
    /// Tags that exist but whose value is known only after apply (Terraform) or set by an
    /// intrinsic function (CloudFormation `Value: !Ref Env`).
    pub unknown_tags: BTreeSet<String>,
    /// Which tags the resource will have is known only at deploy time: Terraform `tags_all`
    /// known only after apply, CloudFormation `Tags: !If [...]` or a `- !If` entry.
    pub tag_map_unknown: bool,
    /// `None` for CloudFormation.
    pub action: Option<PlannedAction>,
    /// JSON pointers into `properties` whose values are known only after apply.
    pub unknown_paths: Vec<String>,
    /// JSON pointers into `properties` whose values are sensitive: never echoed in output.
    pub sensitive_paths: Vec<String>,
    /// The scalars those marks cover as the input holds them (Terraform: in `change.after`,
    /// `change.before` and the planned values, before policy strings are decoded), so that
    /// excerpts of the input's text redact them.
    pub sensitive_values: Vec<Value>,
    pub source: Arc<SourceFile>,
    /// Where the resource is declared in its file.
    pub anchor: Anchor,
    /// Terraform: the `resource` block in the `.tf` sources, when found; findings are reported
    /// there, with the plan as a related location.
    pub declared: Option<(Arc<SourceFile>, super::Location)>,
    /// The AWS region, when the input says (Terraform: the resource's `region` or the provider's
    /// constant `region`).
    pub region: Option<String>,
    /// Attempts to skip checks written beside the resource (CloudFormation `Metadata`, comments).
    pub inline_suppressions: Vec<InlineSuppression>,
    /// The resources of the same file each top-level attribute refers to: Terraform from the
    /// plan's `configuration` references, CloudFormation from `Ref`, `Fn::GetAtt` and `Fn::Sub`.
    /// Rules use them to find companions (`aws_s3_bucket_versioning.bucket` → its bucket).
    pub references: BTreeMap<String, BTreeSet<String>>,
    /// CloudFormation: the template's `Parameters`, so a `Ref` to a parameter with
    /// `AllowedValues` can be judged on every value it may take.
    pub parameters: Option<Arc<Value>>,
    /// CloudFormation, when parameter files apply to the template: the parameters whose value
    /// is still known only at deploy time, and why (`UsePreviousValue`, no value and no Default).
    pub undecided_parameters: Option<Arc<BTreeMap<String, String>>>,
    /// The top-level attributes the author wrote: Terraform from the plan's `configuration`,
    /// CloudFormation the keys of `Properties`. `None` when the input does not say (a plan
    /// without `configuration`).
    pub configured: Option<Arc<BTreeSet<String>>>,
    /// Why nothing about the resource can be judged before deployment: it comes from a
    /// CloudFormation `Fn::ForEach` over a collection known only at deploy time, or from a
    /// template a macro may rewrite. Every rule on it is unknown.
    pub opaque: Option<String>,
}

/// An attempt to skip checks written in the input itself, not in the exception registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InlineSuppression {
    /// `Metadata.cfn_nag` or `comment at line 12`.
    pub source: String,
    /// What it says, shortened.
    pub text: String,
}

impl Resource {
    /// A resource with what every reader knows of it; everything else empty (no action, tags,
    /// marks, references, ...), for the reader to fill in.
    pub fn new(
        address: String,
        resource_type: String,
        format: InputFormat,
        properties: Value,
        source: Arc<SourceFile>,
        anchor: Anchor,
    ) -> Resource {
        Resource {
            address,
            resource_type,
            format,
            properties,
            tags: BTreeMap::new(),
            unknown_tags: BTreeSet::new(),
            tag_map_unknown: false,
            action: None,
            unknown_paths: Vec::new(),
            sensitive_paths: Vec::new(),
            sensitive_values: Vec::new(),
            source,
            anchor,
            declared: None,
            region: None,
            inline_suppressions: Vec::new(),
            references: BTreeMap::new(),
            parameters: None,
            undecided_parameters: None,
            configured: None,
            opaque: None,
        }
    }

    /// What output shows instead of a sensitive value: CloudFormation masks `NoEcho` parameters
    /// as `****`.
    pub fn mask(&self) -> &'static str {
        match self.format {
            super::InputFormat::Cloudformation => super::MASK,
            _ => "(sensitive)",
        }
    }

    /// Whether the value at `pointer` (or one of its ancestors) is marked sensitive.
    pub fn is_sensitive(&self, pointer: &str) -> bool {
        self.sensitive_paths.iter().any(|s| {
            pointer == s || (pointer.starts_with(s.as_str()) && pointer.as_bytes().get(s.len()) == Some(&b'/'))
        })
    }

    /// Whether the value of tag `key` is marked sensitive, in whichever map the tags came from.
    pub fn tag_is_sensitive(&self, key: &str) -> bool {
        // CloudFormation `Tags: [{Key, Value}]`: the entry's `Value` (a `NoEcho` parameter).
        let listed = self
            .properties
            .get("Tags")
            .and_then(Value::as_array)
            .is_some_and(|items| {
                items.iter().enumerate().any(|(i, t)| {
                    t.get("Key").and_then(Value::as_str) == Some(key) && self.is_sensitive(&format!("/Tags/{i}/Value"))
                })
            });
        let key = crate::pointer::escape(key);
        listed
            || ["tags_all", "tags", "Tags"]
                .iter()
                .any(|map| self.is_sensitive(&format!("/{map}/{key}")))
    }
}

/// A tag as a rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagValue<'a> {
    Known(&'a str),
    /// The tag is set; its value is known only at deploy time (Terraform after apply,
    /// CloudFormation `Value: !Ref Env`).
    ValueUnknown,
    /// Whether the tag is set at all is known only after apply: the whole tag map is.
    Unknown,
    Absent,
}

impl Resource {
    /// The value of tag `key`.
    pub fn tag(&self, key: &str) -> TagValue<'_> {
        if let Some(v) = self.tags.get(key) {
            return TagValue::Known(v);
        }
        if self.unknown_tags.contains(key) {
            return TagValue::ValueUnknown;
        }
        if self.tag_map_unknown {
            TagValue::Unknown
        } else {
            TagValue::Absent
        }
    }
}

/// The key of the object that stands in for a string that should hold a JSON document (a
/// CloudFormation policy written as a string) but does not: `{KEY: "why"}`. Like the readings
/// marker, its `Fn::` prefix makes code that does not know it treat it as an intrinsic function,
/// never as a literal mapping; rules judge it undecidable.
pub const UNREADABLE_JSON_MARKER: &str = "Fn::controlgate:UnreadableJson";

/// The marker for a document string that is not JSON, with the reason.
pub fn unreadable_json_marker(why: String) -> Value {
    let mut map = serde_json::Map::new();
    map.insert(UNREADABLE_JSON_MARKER.to_string(), Value::String(why));
    Value::Object(map)
}

/// Why the document string a marker stands for could not be read.
pub fn unreadable_json_reason(value: &Value) -> Option<&str> {
    match value {
        Value::Object(map) if map.len() == 1 => map.get(UNREADABLE_JSON_MARKER)?.as_str(),
        _ => None,
    }
}
