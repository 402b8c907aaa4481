//! CloudFormation templates, JSON and YAML (short-form intrinsics, SAM) → resources.
//!
//! YAML is read with saphyr (YAML 1.2 core schema) and converted to the JSON model that JSON
//! templates parse to, so rules see one shape whatever the file format:
//!
//! - **Short-form tags** become their long form: `!Ref x` → `{"Ref": "x"}`, `!Condition x` →
//!   `{"Condition": "x"}`, `!GetAtt A.B.C` → `{"Fn::GetAtt": ["A", "B.C"]}` (split at the first
//!   dot; the list form is kept), any other known `!X` → `{"Fn::X": …}`. A tagged scalar is read
//!   as the string written (`!Ref 123` → `{"Ref": "123"}`, `!GetAZs` → `{"Fn::GetAZs": ""}`), as
//!   CloudFormation's own YAML reader does. An unknown tag is an error, never dropped silently.
//!   Core-schema tags (`!!str 5`) are honoured; `!!binary`, `!!timestamp` and the like are errors.
//! - **Scalars** follow the core schema as saphyr resolves them, except that a plain number
//!   written with a leading zero (`012345678901`, an account id) stays a string: YAML 1.1, which
//!   CloudFormation implements, does not read it as the decimal integer the core schema would
//!   (leading zeros would be lost). Integers beyond `i64` and `.inf`/`.nan` keep their text too.
//!   Non-string mapping keys become the text they are written as.
//! - **YAML 1.1 readings**: a plain scalar that YAML 1.1 reads differently (`yes` a boolean,
//!   `026` octal 22, `0b10110`, `1_000`, `1:00`; `0o17` and `1e3` the other way round) becomes a
//!   readings marker holding both values ([`crate::model::READINGS_MARKER`]), which rules judge
//!   like the branches of an `Fn::If`: see [`yaml11`]. Quoted, block and tagged scalars, and
//!   mapping keys, have one reading.
//! - **Anchors and aliases** are resolved: saphyr expands an alias into a copy of its anchor
//!   (with a node budget against "billion laughs" documents), so rules see the values a YAML
//!   pre-processor (`aws cloudformation package`, SAM CLI) would send. YAML 1.1 merge keys
//!   (`<<: *base`) are applied too, keys written beside them taking precedence.
//! - **Documents**: a template is one document. An empty file (or one holding only comments or
//!   empty documents) is `null`; two documents with content are an error at the second one.
//! - **Duplicate keys** are errors at the repeated key (CloudFormation rejects them), including
//!   keys that differ in YAML but not as JSON object keys (`1:` and `"1":`).
//! - **Flow collections indented less than their block** (`Tags: {` with its entries at the
//!   indentation of `Tags`) are accepted, as PyYAML and CloudFormation accept them, though the
//!   YAML spec and saphyr do not: see `pad_flow_lines`.
//! - Nesting deeper than [`MAX_DEPTH`] levels, or indentation wider than [`MAX_INDENT`] columns,
//!   is an error rather than a stack overflow.
//!
//! `Fn::ForEach::Name` loops of `Resources` (`Transform: AWS::LanguageExtensions`) are expanded,
//! and templates with macros marked unknown, in [`super::cloudformation_foreach`].

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use saphyr::{LoadableYamlNode, MarkedYaml, Marker, Scalar, ScanError, Tag, YamlData};
use serde_json::{Map, Number, Value};

use super::cloudformation_foreach as foreach;
use super::suppressions;
use crate::error::Located;
use crate::model::{Anchor, InputFormat, Location, Resource, SourceFile, readings_marker};

mod policies;
mod yaml11;

/// A YAML document converted to JSON, with short-form tags in their long form.
pub struct YamlDocument {
    pub value: Value,
    /// Locations of the logical-id keys under `Resources`, by logical id.
    pub resource_locations: std::collections::HashMap<String, crate::model::Location>,
}

/// The deepest nesting of sequences and mappings accepted in a YAML template.
pub const MAX_DEPTH: usize = 256;

/// The widest indentation accepted (spaces and `- `/`? ` indicators before a line's content).
/// saphyr's parser recurses once per nesting level and overflows a 2 MiB thread stack near a
/// thousand levels of block nesting; each level takes at least one column, so this bounds it.
pub const MAX_INDENT: usize = 512;

/// The first line indented wider than [`MAX_INDENT`]: `(line, width)`.
fn deepest_indent(text: &str) -> Option<(usize, usize)> {
    text.split('\n').enumerate().find_map(|(i, line)| {
        let width = line
            .bytes()
            .take_while(|b| matches!(b, b' ' | b'-' | b'?' | b'\t'))
            .count();
        (width > MAX_INDENT).then_some((i + 1, width))
    })
}

/// The transform that marks a SAM template.
#[cfg(test)]
const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// Resource type prefixes that mark a CloudFormation template.
const TYPE_PREFIXES: [&str; 3] = ["AWS::", "Custom::", "Alexa::"];

/// Short-form tags other than `!Ref` and `!Condition`; each `!X` stands for `Fn::X`. The
/// condition functions, the `Rules` assertions and the language-extension functions included.
const FN_TAGS: [&str; 25] = [
    "And",
    "Base64",
    "Cidr",
    "Contains",
    "EachMemberEquals",
    "EachMemberIn",
    "Equals",
    "FindInMap",
    "ForEach",
    "GetAZs",
    "GetAtt",
    "If",
    "ImportValue",
    "Join",
    "Length",
    "Not",
    "Or",
    "RefAll",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
    "ValueOf",
    "ValueOfAll",
];

const CORE_SCHEMA_HANDLE: &str = "tag:yaml.org,2002:";

/// Parse YAML text. Errors carry file, line and column.
pub fn parse_yaml(source: &SourceFile) -> Result<YamlDocument, Located> {
    let text = source.text.as_str();
    if let Some((line, width)) = deepest_indent(text) {
        return Err(Located::new(
            &source.display,
            line,
            width + 1,
            format!("YAML indented deeper than {MAX_INDENT} columns"),
        )
        .with_help("a CloudFormation template is never nested this deep: check the file"));
    }
    let original = CharOffsets::new(text);
    let padding = match MarkedYaml::load_from_str(text) {
        Ok(docs) => return convert(source, docs, &original, &Padding::default()),
        Err(e) => pad_flow_lines(text).ok_or_else(|| scan_error(source, &original, &e))?,
    };
    let padded = padding.text.as_deref().unwrap_or(text);
    let docs = MarkedYaml::load_from_str(padded).map_err(|e| scan_error(source, &original, &e))?;
    convert(source, docs, &original, &padding)
}

/// The documents are consumed: their scalars move into the JSON value rather than being copied,
/// so a template that is one large scalar costs the text and one copy of it (see [`take_text`]).
fn convert(
    source: &SourceFile,
    docs: Vec<MarkedYaml<'_>>,
    original: &CharOffsets<'_>,
    padding: &Padding,
) -> Result<YamlDocument, Located> {
    let parsed = match &padding.text {
        Some(t) => CharOffsets::new(t),
        None => original.clone(),
    };
    let conv = Converter {
        source,
        original: original.clone(),
        parsed,
        padding,
        anchored: RefCell::new(HashMap::new()),
    };

    let mut chosen: Option<usize> = None;
    for (i, doc) in docs.iter().enumerate() {
        if matches!(doc.data, YamlData::Value(Scalar::Null) | YamlData::BadValue) {
            continue; // an empty document (`---` alone)
        }
        if chosen.is_some() {
            return Err(conv
                .error_at(doc.span.start, "a second YAML document starts here")
                .with_help(
                    "a CloudFormation template is a single YAML document: split the documents into separate files",
                ));
        }
        chosen = Some(i);
    }
    let Some(doc) = chosen.and_then(|i| docs.into_iter().nth(i)) else {
        return Ok(YamlDocument {
            value: Value::Null,
            resource_locations: HashMap::new(),
        });
    };
    // Before `value` takes the document apart.
    let resource_locations = conv.resource_locations(&doc);
    let value = conv.value(doc, 0)?;
    Ok(YamlDocument {
        value,
        resource_locations,
    })
}

/// Spaces inserted at the start of lines inside flow collections (see [`pad_flow_lines`]).
#[derive(Default)]
struct Padding {
    /// The padded text; `None` when nothing was padded.
    text: Option<String>,
    /// `(line, character index in the padded text where the spaces start)`, in text order.
    lines: Vec<(usize, usize)>,
}

impl Padding {
    /// Spaces inserted at the start of each padded line.
    const WIDTH: usize = 128;

    /// The character index in the original text of character `index` of the padded text.
    fn original_index(&self, index: usize) -> usize {
        let mut shift = 0;
        for &(_, at) in &self.lines {
            if index >= at + Self::WIDTH {
                shift += Self::WIDTH;
            } else if index >= at {
                return at.saturating_sub(shift);
            } else {
                break;
            }
        }
        index.saturating_sub(shift)
    }

    /// The 0-based column in the original text of a marker of the padded text.
    fn original_col(&self, mark: Marker) -> usize {
        match self.lines.iter().any(|&(line, _)| line == mark.line()) {
            true => mark.col().saturating_sub(Self::WIDTH),
            false => mark.col(),
        }
    }
}

/// Work around saphyr rejecting flow-collection lines indented less than the enclosing block
/// (`Tags: {` / `  a: 1` / `}` under an indented key: saphyr-rs/saphyr PR #108). The YAML spec
/// asks for that indentation, but PyYAML, and so CloudFormation, accept such templates, and AWS
/// publishes some. Indentation carries no meaning inside a flow collection, so each line saphyr
/// rejects as "invalid indentation" is shifted right and the text parsed again; the result is
/// kept only if every shifted line turns out to be inside a flow collection, so a block-structure
/// mistake is still reported as written. Returns the padded text, or `None` to report the
/// original error.
fn pad_flow_lines(text: &str) -> Option<Padding> {
    const MAX_LINES: usize = 256;
    let mut padded = text.to_string();
    let mut lines: Vec<(usize, usize)> = Vec::new();
    for _ in 0..MAX_LINES {
        let outcome = MarkedYaml::load_from_str(&padded).map(|docs| {
            let flows = flow_spans(&docs, &CharOffsets::new(&padded));
            lines.iter().all(|&(_, at)| {
                let token = at + Padding::WIDTH;
                flows.iter().any(|&(start, end)| start < token && token <= end)
            })
        });
        let error = match outcome {
            Ok(all_in_flow) => {
                return all_in_flow.then_some(Padding {
                    text: Some(padded),
                    lines,
                });
            }
            Err(e) => e,
        };
        let mark = error.marker();
        if error.info() != "invalid indentation" || lines.iter().any(|&(line, _)| line == mark.line()) {
            return None;
        }
        let line_start = mark.index().checked_sub(mark.col())?;
        if lines.last().is_some_and(|&(_, at)| at >= line_start) {
            return None;
        }
        let offsets = CharOffsets::new(&padded);
        let (start_byte, token_byte) = (offsets.byte(line_start), offsets.byte(mark.index()));
        if !padded.get(start_byte..token_byte)?.bytes().all(|b| b == b' ') {
            return None;
        }
        padded.insert_str(start_byte, &" ".repeat(Padding::WIDTH));
        lines.push((mark.line(), line_start));
    }
    None
}

/// The character spans `(start of the bracket, closing bracket)` of the flow collections.
fn flow_spans(docs: &[MarkedYaml<'_>], offsets: &CharOffsets<'_>) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut stack: Vec<&MarkedYaml<'_>> = docs.iter().collect();
    while let Some(node) = stack.pop() {
        match &node.data {
            YamlData::Sequence(items) => stack.extend(items.iter()),
            YamlData::Mapping(map) => stack.extend(map.values()),
            YamlData::Tagged(_, inner) => {
                stack.push(inner);
                continue;
            }
            _ => continue,
        }
        // The span of a collection starts at its tag or anchor, if any.
        let (start, end) = (node.span.start.index(), node.span.end.index());
        let written = offsets.slice(start, end.saturating_add(1));
        let mut rest = written.trim_start();
        while rest.starts_with(['!', '&']) {
            rest = rest.split_once(char::is_whitespace).map_or("", |(_, r)| r).trim_start();
        }
        if rest.starts_with(['[', '{']) {
            spans.push((start, end));
        }
    }
    spans
}

/// Whether a parsed document is a CloudFormation (or SAM) template.
pub fn is_template(value: &Value) -> bool {
    let Some(top) = value.as_object() else {
        return false;
    };
    if top.contains_key("AWSTemplateFormatVersion") {
        return true;
    }
    let Some(resources) = top.get("Resources").and_then(Value::as_object) else {
        return false;
    };
    let has_aws_type = resources.values().any(|r| {
        r.get("Type")
            .and_then(Value::as_str)
            .is_some_and(|t| TYPE_PREFIXES.iter().any(|p| t.starts_with(p)))
    });
    // A transform (SAM, the language extensions, a macro) or a loop may stand for every AWS type.
    has_aws_type || top.contains_key("Transform") || resources.keys().any(|k| k.starts_with("Fn::ForEach::"))
}

/// The resources of a template. `yaml` carries their locations for YAML files; JSON files are
/// anchored by JSON pointer (`/Resources/<id>`) and located lazily. The template is copied: see
/// [`into_resources`], which takes it over.
pub fn resources(
    source: &Arc<SourceFile>,
    template: &Value,
    yaml: Option<&YamlDocument>,
) -> Result<Vec<Resource>, Located> {
    into_resources(source, template.clone(), yaml)
}

/// [`resources`], taking the template apart: each resource's properties (and the parameters) move
/// into the resources instead of being copied, so a template that is one large value is held
/// once, not twice. `yaml.value` is not read (it may have been taken out to pass here).
pub fn into_resources(
    source: &Arc<SourceFile>,
    mut template: Value,
    yaml: Option<&YamlDocument>,
) -> Result<Vec<Resource>, Located> {
    let file = source.display.as_str();
    let Some(top) = template.as_object() else {
        return Err(
            Located::file(file, format!("a template must be a mapping, found {}", kind(&template)))
                .with_help("a CloudFormation template is a mapping with a `Resources` section"),
        );
    };
    let Some(declared) = top.get("Resources") else {
        return Ok(Vec::new());
    };
    let Some(declared) = declared.as_object() else {
        let (line, column) = match yaml {
            None => super::json_position(&source.text, "/Resources"),
            Some(_) => (0, 0),
        };
        return Err(Located::new(
            file,
            line,
            column,
            format!(
                "`Resources` must be a mapping of logical ids to resources, found {}",
                kind(declared)
            ),
        )
        .with_help("declare each resource under `Resources` as `LogicalId: {Type: AWS::…, Properties: {…}}`"));
    };

    let location_of = |id: &str| yaml.and_then(|y| y.resource_locations.get(id)).copied();
    // JSON templates have no spans from parsing: find the line of the resource only on error.
    let error_at = |id: &str, message: String| {
        let (line, column) = match (location_of(id), yaml) {
            (Some(l), _) => (l.line, l.column),
            (None, None) => super::json_position(&source.text, &format!("/Resources/{}", escape_pointer(id))),
            (None, Some(_)) => (0, 0),
        };
        Located::new(file, line, column, message)
    };

    // YAML: the lines of each resource run to the line before the next resource's logical id,
    // which is where comments that try to skip checks are looked for.
    let mut starts: Vec<usize> = yaml
        .map(|y| y.resource_locations.values().map(|l| l.line).collect())
        .unwrap_or_default();
    starts.sort_unstable();
    let lines = LineStarts::new(&source.text);
    let lines_of = |line: usize| {
        let next = starts.get(starts.partition_point(|s| *s <= line));
        (line, next.map_or(lines.count(), |n| n - 1))
    };

    // `Fn::ForEach` loops expanded and macros applied (as far as they can be before deployment):
    // the resources CloudFormation will create. Generated resources are located at their loop.
    let locate_pointer =
        |pointer: &str| yaml.map(|y| foreach::yaml_location(&source.text, &y.resource_locations, pointer));
    let error_at_pointer = |pointer: &str, message: String| {
        let (line, column) = match locate_pointer(pointer) {
            Some(l) => (l.line, l.column),
            None => super::json_position(&source.text, pointer),
        };
        Located::new(file, line, column, message)
    };
    let entries = match foreach::needed(top, declared) {
        true => foreach::entries(top, declared, &error_at_pointer)?,
        false => foreach::plain(declared),
    };
    // References may name generated resources.
    let ids: Map<String, Value> = match entries.iter().any(|e| e.generated.is_some()) {
        true => entries.iter().map(|e| (e.id.clone(), Value::Null)).collect(),
        false => declared.keys().map(|id| (id.clone(), Value::Null)).collect(),
    };
    let (mut entries, wanted) = detach(entries);
    take_bodies(file, &mut template, &mut entries, wanted)?;
    let parameters = match template.get_mut("Parameters") {
        Some(p @ Value::Object(_)) => Some(Arc::new(std::mem::take(p))),
        _ => None,
    };
    let mut out = Vec::with_capacity(entries.len());
    for entry in &mut entries {
        let (id, body) = (&entry.id, entry.body.to_mut());
        let generated = entry.generated.as_ref().map(|g| g.pointer.as_str());
        let location_of = |id: &str| match generated {
            Some(p) => locate_pointer(p),
            None => location_of(id),
        };
        let error_at = |id: &str, message: String| match generated {
            Some(p) => error_at_pointer(p, message),
            None => error_at(id, message),
        };
        let Some(body) = body.as_object_mut() else {
            return Err(
                error_at(id, format!("resource `{id}` must be a mapping, found {}", kind(body)))
                    .with_help("a resource is a mapping with `Type` and, usually, `Properties`"),
            );
        };
        let resource_type = match body.get("Type") {
            Some(Value::String(t)) => t.clone(),
            Some(other) => {
                return Err(error_at(
                    id,
                    format!("resource `{id}` has a `Type` that is {}, not a string", kind(other)),
                )
                .with_help("`Type` names the resource type, e.g. `Type: AWS::S3::Bucket`"));
            }
            None => {
                return Err(error_at(id, format!("resource `{id}` has no `Type`"))
                    .with_help("add the resource type, e.g. `Type: AWS::S3::Bucket`"));
            }
        };
        let properties = match body.get_mut("Properties").map(std::mem::take) {
            None | Some(Value::Null) => Value::Object(Map::new()),
            // A mapping, or an intrinsic standing for one (`Fn::If`): kept as written.
            Some(p @ Value::Object(_)) => p,
            Some(other) => {
                return Err(error_at(
                    id,
                    format!(
                        "resource `{id}` has `Properties` that are {}, not a mapping",
                        kind(&other)
                    ),
                )
                .with_help("`Properties` maps property names to values"));
            }
        };
        let mut properties = properties;
        policies::decode(&resource_type, &mut properties);
        let (tags, unknown_tags, tag_map_unknown) = tags_of(&properties);
        let anchor = match yaml {
            Some(_) => Anchor::Span(location_of(id).unwrap_or_else(|| Location::from_offset(&source.text, 0, 0))),
            None => Anchor::JsonPointer(
                generated.map_or_else(|| format!("/Resources/{}", escape_pointer(id)), String::from),
            ),
        };
        let mut inline_suppressions = suppressions::from_metadata(body.get("Metadata"));
        if let Some(l) = location_of(id) {
            let (first, last) = lines_of(l.line);
            inline_suppressions.extend(suppressions::from_comment_lines(
                lines.block(first, last).lines(),
                first,
            ));
        }
        let references = properties
            .as_object()
            .map(|props| {
                props
                    .iter()
                    .map(|(k, v)| (k.clone(), references_in(v, &ids)))
                    .filter(|(_, r)| !r.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        out.push(Resource {
            sensitive_values: Vec::new(),
            region: None,
            inline_suppressions,
            references,
            declared: None,
            parameters: parameters.clone(),
            undecided_parameters: None,
            configured: properties.as_object().map(|m| m.keys().cloned().collect()),
            address: id.clone(),
            resource_type,
            format: InputFormat::Cloudformation,
            properties,
            tags,
            unknown_tags,
            tag_map_unknown,
            action: None,
            unknown_paths: Vec::new(),
            sensitive_paths: Vec::new(),
            source: Arc::clone(source),
            anchor,
            opaque: entry.opaque.take(),
        });
    }
    Ok(out)
}

/// The entries, with each body borrowed from the template's `Resources` (a resource as written)
/// left to be moved in by [`take_bodies`], by the body's address: the address of the very value
/// the entry was made from.
fn detach(entries: Vec<foreach::Entry<'_>>) -> (Vec<foreach::Entry<'static>>, Wanted) {
    let mut wanted = Wanted::new();
    let entries = entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let body = match e.body {
                Cow::Owned(v) => v,
                Cow::Borrowed(b) => {
                    wanted.entry(std::ptr::from_ref(b)).or_default().push(i);
                    Value::Null
                }
            };
            foreach::Entry {
                id: e.id,
                body: Cow::Owned(body),
                generated: e.generated,
                opaque: e.opaque,
            }
        })
        .collect();
    (entries, wanted)
}

/// The entries whose body is to be moved out of `Resources`, by the address of the body.
type Wanted = HashMap<*const Value, Vec<usize>>;

/// Move the bodies [`detach`] left out of the template's `Resources`, rather than copy them.
fn take_bodies(
    file: &str,
    template: &mut Value,
    entries: &mut [foreach::Entry<'static>],
    mut wanted: Wanted,
) -> Result<(), Located> {
    if let Some(Value::Object(declared)) = template.get_mut("Resources") {
        for v in declared.values_mut() {
            let Some(indices) = wanted.remove(&std::ptr::from_ref::<Value>(v)) else {
                continue;
            };
            // One entry per body as written; should two share one, the others get copies.
            for &i in indices.iter().skip(1) {
                entries[i].body = Cow::Owned(v.clone());
            }
            entries[indices[0]].body = Cow::Owned(std::mem::take(v));
        }
    }
    // Every borrowed body comes from `Resources`; were one not found, its resource would be read
    // as null: refuse rather than judge it.
    match wanted.values().flatten().next() {
        Some(&i) => Err(Located::file(
            file,
            format!(
                "internal error: the body of resource `{}` was not found in the template",
                entries[i].id
            ),
        )),
        None => Ok(()),
    }
}

/// The logical ids of `resources` that `value` refers to through `Ref`, `Fn::GetAtt` or the
/// `${Id}`/`${Id.Attr}` variables of `Fn::Sub` (parameters and pseudo parameters are not
/// resources and are left out).
fn references_in(value: &Value, resources: &Map<String, Value>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![value];
    let add = |id: &str, out: &mut BTreeSet<String>| {
        if resources.contains_key(id) {
            out.insert(id.to_string());
        }
    };
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(id)) = m.get("Ref") {
                    add(id, &mut out);
                }
                match m.get("Fn::GetAtt") {
                    Some(Value::Array(a)) => {
                        if let Some(Value::String(id)) = a.first() {
                            add(id, &mut out);
                        }
                    }
                    Some(Value::String(s)) => add(s.split('.').next().unwrap_or_default(), &mut out),
                    _ => {}
                }
                let sub = match m.get("Fn::Sub") {
                    Some(Value::String(s)) => Some(s.as_str()),
                    Some(Value::Array(a)) => a.first().and_then(Value::as_str),
                    _ => None,
                };
                for part in sub.unwrap_or_default().split("${").skip(1) {
                    let var = part.split('}').next().unwrap_or_default();
                    add(var.split('.').next().unwrap_or_default(), &mut out);
                }
                stack.extend(m.values());
            }
            Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    out
}

/// The tags of a resource: `Tags` as `[{Key, Value}]` or as a map (SAM, SSM). Keys whose value
/// an intrinsic (`!Ref`, `!Sub`, …) sets at deploy time are returned apart: the tag exists, its
/// value is unknown. When an intrinsic decides which tags there are (`Tags: !If [...]`, an entry
/// `- !If [...]`, a key `!Ref K`), the whole set is unknown: the third value is true.
pub(crate) fn tags_of(properties: &Value) -> (BTreeMap<String, String>, BTreeSet<String>, bool) {
    let mut tags = BTreeMap::new();
    let mut unknown = BTreeSet::new();
    let mut map_unknown = false;
    let mut entries: Vec<(Option<&Value>, Option<&Value>)> = Vec::new();
    match properties.get("Tags") {
        Some(Value::Array(items)) => {
            for item in items {
                match item.as_object() {
                    Some(m) if is_intrinsic(m) => map_unknown = true,
                    _ => entries.push((item.get("Key"), item.get("Value"))),
                }
            }
        }
        Some(Value::Object(map)) if is_intrinsic(map) => map_unknown = true,
        Some(Value::Object(map)) => {
            for (k, v) in map {
                match scalar_string(v) {
                    Some(v) => {
                        tags.insert(k.clone(), v);
                    }
                    None if v.is_object() => {
                        unknown.insert(k.clone());
                    }
                    None => {}
                }
            }
        }
        _ => {}
    }
    for (key, value) in entries {
        let Some(k) = key.and_then(scalar_string) else {
            map_unknown |= key.is_some_and(Value::is_object);
            continue;
        };
        match value.and_then(scalar_string) {
            Some(v) => {
                tags.insert(k, v);
            }
            None if value.is_some_and(Value::is_object) => {
                unknown.insert(k);
            }
            None => {}
        }
    }
    (tags, unknown, map_unknown)
}

/// Whether a mapping is an intrinsic function call (`{"Ref": …}`, `{"Fn::If": …}`).
fn is_intrinsic(map: &Map<String, Value>) -> bool {
    map.len() == 1
        && map
            .keys()
            .all(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
}

fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// RFC 6901 escaping of one reference token.
fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

pub(super) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn scan_error(source: &SourceFile, offsets: &CharOffsets<'_>, e: &ScanError) -> Located {
    let mark = e.marker();
    let info = e.info();
    let (message, help) = if info.contains("duplicated key") {
        let key = offsets.key_text_at(mark.index());
        let message = match key {
            Some(k) => format!("duplicate key `{k}` in a mapping"),
            None => "duplicate key in a mapping".to_string(),
        };
        (
            message,
            "CloudFormation rejects a mapping that repeats a key: remove or rename one of them".to_string(),
        )
    } else if info.contains("unknown anchor") {
        (
            "alias `*…` refers to an anchor `&…` not defined before it".to_string(),
            "define the anchor (`&name`) on a node earlier in the file, or write the value out".to_string(),
        )
    } else if info.contains("tab") {
        (
            format!("invalid YAML: {info}"),
            "indent YAML with spaces, not tabs".to_string(),
        )
    } else {
        (
            format!("invalid YAML: {info}"),
            "check the indentation and that every bracket and quote opened before this point is closed".to_string(),
        )
    };
    Located::new(&source.display, mark.line(), mark.col() + 1, message).with_help(help)
}

/// Converts saphyr nodes to JSON values, with positions for errors.
struct Converter<'a> {
    source: &'a SourceFile,
    /// Offsets in the source text.
    original: CharOffsets<'a>,
    /// Offsets in the text saphyr parsed (the source text unless it was padded).
    parsed: CharOffsets<'a>,
    padding: &'a Padding,
    /// The values of the scalars read so far with an anchor (`&name`), by name. saphyr gives the
    /// copy of an anchored scalar the span of its alias (`*name`), where its written form, and
    /// so its readings, cannot be seen.
    anchored: RefCell<HashMap<String, Value>>,
}

impl Converter<'_> {
    fn error_at(&self, mark: Marker, message: impl Into<String>) -> Located {
        Located::new(
            &self.source.display,
            mark.line(),
            self.padding.original_col(mark) + 1,
            message,
        )
    }

    /// The source text of a node (empty when its span is not known).
    fn text_of(&self, node: &MarkedYaml<'_>) -> &str {
        self.parsed.slice(node.span.start.index(), node.span.end.index())
    }

    /// The location of a node in the source text.
    fn location(&self, node: &MarkedYaml<'_>) -> Location {
        let (start, end) = (node.span.start, node.span.end);
        let offset = self.original.byte(self.padding.original_index(start.index()));
        let end = self.original.byte(self.padding.original_index(end.index())).max(offset);
        Location {
            line: start.line(),
            column: self.padding.original_col(start) + 1,
            offset,
            length: end - offset,
        }
    }

    /// The node is taken apart: its contents move into the value, and what is left of it (its
    /// span) locates the errors.
    fn value(&self, mut node: MarkedYaml<'_>, depth: usize) -> Result<Value, Located> {
        if depth > MAX_DEPTH {
            return Err(self
                .error_at(node.span.start, format!("YAML nested deeper than {MAX_DEPTH} levels"))
                .with_help("a CloudFormation template is never nested this deep: check the file"));
        }
        match std::mem::replace(&mut node.data, YamlData::BadValue) {
            YamlData::Value(scalar) => Ok(self.scalar(scalar, &node)),
            YamlData::Sequence(items) => items
                .into_iter()
                .map(|item| self.value(item, depth + 1))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            YamlData::Mapping(map) => self.mapping(map, depth),
            YamlData::Tagged(tag, inner) => self.tagged(&tag, *inner, &node, depth),
            YamlData::Representation(text, _, _) => Ok(Value::String(take_text(text))),
            YamlData::Alias(_) => Err(self
                .error_at(node.span.start, "YAML aliases are not supported here")
                .with_help("write the value out instead of referring to an anchor")),
            YamlData::BadValue => {
                let written = self.text_of(&node);
                Err(self
                    .error_at(node.span.start, format!("cannot read the YAML value `{}`", truncate(written)))
                    .with_help(
                        "a `!!` tag must match its value (`!!int 5`, `!!str x`); `!!binary`, `!!timestamp`, `!!set` and the like are not supported by CloudFormation",
                    ))
            }
        }
    }

    /// A scalar's value; a plain scalar that YAML 1.1 (CloudFormation's reading) and YAML 1.2
    /// read differently is a readings marker holding both, which rules judge like the branches
    /// of an `Fn::If`.
    fn scalar(&self, scalar: Scalar<'_>, node: &MarkedYaml<'_>) -> Value {
        let raw = self.text_of(node).trim();
        if let Some(alias) = raw.strip_prefix('*') {
            if let Some(value) = self.anchored.borrow().get(alias) {
                return value.clone();
            }
            // An anchor this reader did not record (on a mapping key): judge the value as if it
            // were written plain here, which can only add a reading.
            return match scalar {
                Scalar::String(s) => self.readings(Value::String(s.to_string()), &s),
                other => {
                    let text = scalar_text(&other);
                    self.readings(self.core_schema(other, node), &text)
                }
            };
        }
        let is_string = matches!(scalar, Scalar::String(_));
        let value = self.core_schema(scalar, node);
        // Quoted and block scalars have one reading (their written text starts with the quote or
        // the indicator), and so have tagged ones (`!!int 026`, `! yes`). A node's span starts
        // at its anchor, if any.
        let written = self.scalar_text_of(node);
        let plain = match &value {
            // The string saphyr read, moved into `value`.
            Value::String(s) if is_string => written == s && !self.is_block_scalar(node),
            _ => !written.starts_with('!'),
        };
        let value = if written.is_empty() || !plain {
            value
        } else {
            self.readings(value, written)
        };
        if let Some(name) = raw.strip_prefix('&').and_then(|r| r.split(char::is_whitespace).next()) {
            self.anchored.borrow_mut().insert(name.to_string(), value.clone());
        }
        value
    }

    /// `value` (the YAML 1.2 reading of a plain scalar written `written`), or a readings marker
    /// when YAML 1.1 reads it differently.
    fn readings(&self, value: Value, written: &str) -> Value {
        match (yaml11::reading(written), &value) {
            (Some(v11), _) if v11 != value => readings_marker(value, v11),
            (None, Value::String(_)) | (Some(_), _) => value,
            (None, _) => readings_marker(value, Value::String(written.to_string())),
        }
    }

    /// The text of a scalar node as written, without its anchor (a node's span starts at it).
    fn scalar_text_of(&self, node: &MarkedYaml<'_>) -> &str {
        let written = self.text_of(node).trim();
        match written.strip_prefix('&') {
            Some(rest) => rest
                .split_once(char::is_whitespace)
                .map_or("", |(_, value)| value.trim_start()),
            None => written,
        }
    }

    /// Whether a string node is a block scalar (`|`, `>-`): its span holds only its content,
    /// which starts a line after the header. In doubt, no (then it is judged as plain, which may
    /// only add a reading).
    fn is_block_scalar(&self, node: &MarkedYaml<'_>) -> bool {
        let text = self.parsed.text;
        let before = text.get(..self.parsed.byte(node.span.start.index())).unwrap_or("");
        let mut lines = before.rsplit('\n');
        if !lines.next().unwrap_or("").trim().is_empty() {
            return false;
        }
        let Some(header) = lines.find(|l| !l.trim().is_empty()) else {
            return false;
        };
        let header = header.split(" #").next().unwrap_or(header);
        header.split_whitespace().last().is_some_and(|t| {
            t.starts_with(['|', '>']) && t[1..].bytes().all(|b| matches!(b, b'-' | b'+' | b'1'..=b'9'))
        })
    }

    /// A scalar's value as the YAML 1.2 core schema reads it (with leading zeros kept).
    fn core_schema(&self, scalar: Scalar<'_>, node: &MarkedYaml<'_>) -> Value {
        match scalar {
            Scalar::Null => Value::Null,
            Scalar::Boolean(b) => Value::Bool(b),
            Scalar::String(s) => Value::String(take_text(s)),
            Scalar::Integer(i) => {
                let written = self.scalar_text_of(node);
                if has_leading_zero(written) {
                    Value::String(written.to_string())
                } else {
                    Value::from(i)
                }
            }
            Scalar::FloatingPoint(f) => {
                let written = self.scalar_text_of(node);
                if !written.is_empty() && written.bytes().all(|b| b.is_ascii_digit()) {
                    // An integer too large for i64: exact as u64 if it fits, else as written.
                    return match written.parse::<u64>() {
                        Ok(u) if !has_leading_zero(written) => Value::from(u),
                        _ => Value::String(written.to_string()),
                    };
                }
                if has_leading_zero(written) {
                    return Value::String(written.to_string());
                }
                match Number::from_f64(f.0) {
                    Some(n) => Value::Number(n),
                    None if written.is_empty() => Value::String(f.0.to_string()),
                    None => Value::String(written.to_string()),
                }
            }
        }
    }

    fn mapping(&self, map: saphyr::AnnotatedMapping<'_, MarkedYaml<'_>>, depth: usize) -> Result<Value, Located> {
        let mut out = Map::with_capacity(map.len());
        let mut merges = Vec::new();
        for (k, v) in map {
            let key = self.key(&k)?;
            if key == "<<" && self.text_of(&k) == "<<" {
                merges.push(v);
                continue;
            }
            let value = self.value(v, depth + 1)?;
            if out.insert(key.clone(), value).is_some() {
                return Err(self
                    .error_at(k.span.start, format!("duplicate key `{key}` in a mapping"))
                    .with_help("CloudFormation rejects a mapping that repeats a key: remove or rename one of them"));
            }
        }
        for m in merges {
            let start = m.span.start;
            let sources = match self.value(m, depth + 1)? {
                Value::Object(o) => vec![o],
                Value::Array(items) if items.iter().all(Value::is_object) => items
                    .into_iter()
                    .filter_map(|i| if let Value::Object(o) = i { Some(o) } else { None })
                    .collect(),
                _ => {
                    return Err(self
                        .error_at(start, "a merge key `<<` needs a mapping or a list of mappings")
                        .with_help("write `<<: *anchor` where `&anchor` names a mapping"));
                }
            };
            for source in sources {
                for (k, v) in source {
                    out.entry(k).or_insert(v);
                }
            }
        }
        Ok(Value::Object(out))
    }

    /// A mapping key as a JSON object key: strings as they are, other scalars as written.
    fn key(&self, node: &MarkedYaml<'_>) -> Result<String, Located> {
        match &node.data {
            YamlData::Value(Scalar::String(s)) => Ok(s.to_string()),
            YamlData::Value(scalar) => {
                let written = self.text_of(node).trim();
                Ok(if written.is_empty() {
                    scalar_text(scalar)
                } else {
                    written.to_string()
                })
            }
            YamlData::Representation(text, _, _) => Ok(text.to_string()),
            // `! "Ref": x` (a non-specific tag) or `!!str 1: x`: the key as a string.
            YamlData::Tagged(tag, inner)
                if (is_non_specific(tag) || tag.handle == CORE_SCHEMA_HANDLE)
                    && matches!(inner.data, YamlData::Value(_) | YamlData::Representation(..)) =>
            {
                Ok(self.tagged_scalar_text((**inner).clone(), node))
            }
            _ => Err(self
                .error_at(node.span.start, "a mapping key must be a plain scalar")
                .with_help("CloudFormation keys are names: tags, lists and mappings cannot be keys")),
        }
    }

    fn tagged(
        &self,
        tag: &Tag,
        mut inner: MarkedYaml<'_>,
        node: &MarkedYaml<'_>,
        depth: usize,
    ) -> Result<Value, Located> {
        if tag.handle == CORE_SCHEMA_HANDLE {
            // `!!int 026`: the tag gives the scalar its one reading.
            return match std::mem::replace(&mut inner.data, YamlData::BadValue) {
                YamlData::Value(scalar) => Ok(self.core_schema(scalar, &inner)),
                data => {
                    inner.data = data;
                    self.value(inner, depth)
                }
            };
        }
        let is_scalar = matches!(inner.data, YamlData::Value(_) | YamlData::Representation(..));
        if is_non_specific(tag) {
            // The non-specific tag `!`: a scalar is a string.
            return if is_scalar {
                Ok(Value::String(self.tagged_scalar_text(inner, node)))
            } else {
                self.value(inner, depth)
            };
        }
        let suffix = tag.suffix.as_str();
        let long = match suffix {
            "Ref" | "Condition" if tag.handle == "!" => suffix.to_string(),
            _ if tag.handle == "!" && FN_TAGS.contains(&suffix) => format!("Fn::{suffix}"),
            _ if suffix.starts_with("Rain::") => {
                return Err(self
                    .error_at(node.span.start, format!("unknown tag `{tag}`"))
                    .with_help(
                        "`!Rain::` directives are expanded by `rain pkg`: check the packaged template instead",
                    ));
            }
            _ => {
                return Err(self
                    .error_at(node.span.start, format!("unknown tag `{tag}`"))
                    .with_help(
                        "CloudFormation short forms are !Ref, !GetAtt, !Sub, !If, !Join, !Select, !Split, !FindInMap, !Base64, !Cidr, !GetAZs, !ImportValue, !Equals, !And, !Or, !Not, !Condition, !Transform, !ToJsonString, !Length, !ForEach: check the spelling, or write the long form (`Fn::Name:`)",
                    ));
            }
        };
        let value = if is_scalar {
            let text = self.tagged_scalar_text(inner, node);
            if suffix == "GetAtt" {
                match text.split_once('.') {
                    Some((resource, attribute)) => Value::Array(vec![
                        Value::String(resource.to_string()),
                        Value::String(attribute.to_string()),
                    ]),
                    None => Value::Array(vec![Value::String(text)]),
                }
            } else {
                Value::String(text)
            }
        } else {
            self.value(inner, depth + 1)?
        };
        let mut out = Map::with_capacity(1);
        out.insert(long, value);
        Ok(Value::Object(out))
    }

    /// The text of a tagged scalar: a string as read, anything else (`!Ref 123`, `!GetAZs`) as
    /// written after the tag. The inner node of a tagged scalar has no span: the tagged node's
    /// span (tag included) is used.
    fn tagged_scalar_text(&self, inner: MarkedYaml<'_>, node: &MarkedYaml<'_>) -> String {
        match inner.data {
            YamlData::Value(Scalar::String(s)) => take_text(s),
            YamlData::Representation(text, _, _) => take_text(text),
            YamlData::Value(scalar) => {
                let written = self.text_of(node).trim();
                if written.starts_with('!') {
                    return match written.split_once(char::is_whitespace) {
                        Some((_, rest)) => rest.trim().to_string(),
                        None => String::new(),
                    };
                }
                match scalar {
                    Scalar::Null => String::new(),
                    other => scalar_text(&other),
                }
            }
            _ => String::new(),
        }
    }

    /// Locations of the keys of the top-level `Resources` mapping.
    fn resource_locations(&self, doc: &MarkedYaml<'_>) -> HashMap<String, Location> {
        let mut out = HashMap::new();
        let YamlData::Mapping(top) = &doc.data else {
            return out;
        };
        let resources = top.iter().find_map(|(k, v)| match &k.data {
            YamlData::Value(Scalar::String(s)) if s == "Resources" => Some(v),
            _ => None,
        });
        let Some(YamlData::Mapping(resources)) = resources.map(|r| &r.data) else {
            return out;
        };
        for k in resources.keys() {
            let Ok(id) = self.key(k) else { continue };
            out.insert(id, self.location(k));
        }
        out
    }
}

/// The non-specific tag `!`, which makes a scalar a string.
fn is_non_specific(tag: &Tag) -> bool {
    (tag.handle.is_empty() && tag.suffix == "!") || (tag.handle == "!" && tag.suffix.is_empty())
}

/// A scalar's text when its source text is not available.
fn scalar_text(scalar: &Scalar<'_>) -> String {
    match scalar {
        Scalar::Null => "null".to_string(),
        Scalar::Boolean(b) => b.to_string(),
        Scalar::Integer(i) => i.to_string(),
        Scalar::FloatingPoint(f) => f.0.to_string(),
        Scalar::String(s) => s.to_string(),
    }
}

/// A scalar's text taken over from saphyr, not copied: a template may be one large scalar. saphyr
/// grows a scalar by pushing characters, so a large one holds up to twice its length: the spare
/// capacity is handed back (in place: the allocator shrinks a block without copying it).
fn take_text(text: Cow<'_, str>) -> String {
    const SPARE: usize = 64 * 1024;
    let mut text = text.into_owned();
    if text.capacity() - text.len() > SPARE {
        text.shrink_to_fit();
    }
    text
}

/// `0123`, `-01`, `+007`: a number whose written form a decimal reading would change.
fn has_leading_zero(written: &str) -> bool {
    let digits = written.strip_prefix(['-', '+']).unwrap_or(written);
    let bytes = digits.as_bytes();
    bytes.len() > 1 && bytes[0] == b'0' && bytes[1].is_ascii_digit()
}

fn truncate(text: &str) -> String {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// The byte offset where each line of a text starts, to slice out line ranges without walking
/// the text from its start each time (which made reading a template quadratic in its size).
struct LineStarts<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineStarts<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .filter(|&s| s < text.len())
            .collect();
        LineStarts { text, starts }
    }

    /// The number of lines, as `str::lines` counts them.
    fn count(&self) -> usize {
        self.starts.len()
    }

    /// Lines `first..=last` (1-based), each with its line break.
    fn block(&self, first: usize, last: usize) -> &'a str {
        let start = self.starts.get(first.max(1) - 1).copied().unwrap_or(self.text.len());
        let end = self.starts.get(last).copied().unwrap_or(self.text.len()).max(start);
        &self.text[start..end]
    }
}

/// Converts saphyr's character indices to byte offsets.
///
/// ASCII text maps one to one; otherwise the byte offset of every [`Self::STRIDE`]th character is
/// kept, and the rest is walked from the nearest checkpoint.
#[derive(Clone)]
struct CharOffsets<'a> {
    text: &'a str,
    /// Byte offsets of characters 0, STRIDE, 2·STRIDE, …; empty for ASCII text.
    checkpoints: Vec<usize>,
}

impl<'a> CharOffsets<'a> {
    const STRIDE: usize = 64;

    fn new(text: &'a str) -> Self {
        let checkpoints = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().step_by(Self::STRIDE).map(|(b, _)| b).collect()
        };
        CharOffsets { text, checkpoints }
    }

    /// The byte offset of character `index` (the text's length past its end).
    fn byte(&self, index: usize) -> usize {
        if self.checkpoints.is_empty() {
            return index.min(self.text.len());
        }
        let Some(&start) = self.checkpoints.get(index / Self::STRIDE) else {
            return self.text.len();
        };
        let rest = self.text.get(start..).unwrap_or("");
        match rest.char_indices().nth(index % Self::STRIDE) {
            Some((b, _)) => start + b,
            None => self.text.len(),
        }
    }

    /// The text between two character indices.
    fn slice(&self, start: usize, end: usize) -> &'a str {
        let (s, e) = (self.byte(start), self.byte(end));
        if s >= e { "" } else { self.text.get(s..e).unwrap_or("") }
    }

    /// The key written at character `index`: up to the `:` on its line, quotes removed.
    fn key_text_at(&self, index: usize) -> Option<&'a str> {
        let rest = self.text.get(self.byte(index)..)?;
        let line = rest.lines().next()?;
        let key = line.split(": ").next().unwrap_or(line).trim_end_matches(':').trim();
        let key = key.trim_matches(|c| c == '"' || c == '\'');
        (!key.is_empty() && key.chars().count() <= 80).then_some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::PathBuf;

    fn source(text: &str) -> SourceFile {
        SourceFile {
            path: PathBuf::from("t.yaml"),
            display: "t.yaml".to_string(),
            repo_path: "t.yaml".to_string(),
            text: text.to_string(),
        }
    }

    fn parse(text: &str) -> Result<Value, Located> {
        parse_yaml(&source(text)).map(|d| d.value)
    }

    fn value_of(snippet: &str) -> Value {
        match parse(&format!("v: {snippet}\n")) {
            Ok(v) => v["v"].clone(),
            Err(e) => panic!("{snippet}: {e}"),
        }
    }

    fn parse_err(text: &str) -> Located {
        match parse(text) {
            Ok(v) => panic!("expected an error, got {v}"),
            Err(e) => e,
        }
    }

    fn load(text: &str) -> Vec<Resource> {
        let src = Arc::new(source(text));
        let doc = parse_yaml(&src).expect("parse");
        resources(&src, &doc.value, Some(&doc)).expect("resources")
    }

    #[test]
    fn ref_and_condition_short_forms() {
        assert_eq!(value_of("!Ref Bucket"), json!({"Ref": "Bucket"}));
        assert_eq!(value_of("!Ref AWS::Region"), json!({"Ref": "AWS::Region"}));
        assert_eq!(value_of("!Condition IsProd"), json!({"Condition": "IsProd"}));
    }

    #[test]
    fn getatt_dot_and_list_forms() {
        assert_eq!(value_of("!GetAtt Bucket.Arn"), json!({"Fn::GetAtt": ["Bucket", "Arn"]}));
        assert_eq!(
            value_of("!GetAtt Db.Endpoint.Address"),
            json!({"Fn::GetAtt": ["Db", "Endpoint.Address"]})
        );
        assert_eq!(
            value_of("!GetAtt [Bucket, Arn]"),
            json!({"Fn::GetAtt": ["Bucket", "Arn"]})
        );
        assert_eq!(
            value_of("!GetAtt\n  - Bucket\n  - Arn"),
            json!({"Fn::GetAtt": ["Bucket", "Arn"]})
        );
    }

    #[test]
    fn sub_string_and_list_forms() {
        assert_eq!(
            value_of("!Sub 'arn:${AWS::Partition}:s3:::${B}'"),
            json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::${B}"})
        );
        assert_eq!(
            value_of("!Sub\n  - '${A}-x'\n  - A: !Ref B"),
            json!({"Fn::Sub": ["${A}-x", {"A": {"Ref": "B"}}]})
        );
        assert_eq!(value_of("!Sub |\n  line ${X}\n"), json!({"Fn::Sub": "line ${X}\n"}));
    }

    #[test]
    fn function_short_forms() {
        let cases = [
            (
                "!If [IsProd, a, !Ref AWS::NoValue]",
                json!({"Fn::If": ["IsProd", "a", {"Ref": "AWS::NoValue"}]}),
            ),
            (
                "!Join ['', [a, !Ref B]]",
                json!({"Fn::Join": ["", ["a", {"Ref": "B"}]]}),
            ),
            (
                "!Select [0, !GetAZs '']",
                json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
            ),
            ("!Split [',', !Ref L]", json!({"Fn::Split": [",", {"Ref": "L"}]})),
            (
                "!FindInMap [M, !Ref AWS::Region, Ami]",
                json!({"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "Ami"]}),
            ),
            ("!Base64 hello", json!({"Fn::Base64": "hello"})),
            (
                "!Cidr [!GetAtt V.CidrBlock, 6, 5]",
                json!({"Fn::Cidr": [{"Fn::GetAtt": ["V", "CidrBlock"]}, 6, 5]}),
            ),
            ("!GetAZs", json!({"Fn::GetAZs": ""})),
            ("!GetAZs us-east-1", json!({"Fn::GetAZs": "us-east-1"})),
            ("!ImportValue Shared-Vpc", json!({"Fn::ImportValue": "Shared-Vpc"})),
            (
                "!ImportValue {'Fn::Sub': '${S}-Vpc'}",
                json!({"Fn::ImportValue": {"Fn::Sub": "${S}-Vpc"}}),
            ),
            (
                "!Equals [!Ref Env, prod]",
                json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]}),
            ),
            (
                "!And [!Condition A, !Condition B]",
                json!({"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
            ),
            (
                "!Or [!Condition A, !Condition B]",
                json!({"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
            ),
            ("!Not [!Condition A]", json!({"Fn::Not": [{"Condition": "A"}]})),
            (
                "!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}",
                json!({"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}),
            ),
            ("!ToJsonString {a: 1}", json!({"Fn::ToJsonString": {"a": 1}})),
            ("!Length [1, 2]", json!({"Fn::Length": [1, 2]})),
        ];
        for (yaml, expected) in cases {
            assert_eq!(value_of(yaml), expected, "{yaml}");
        }
    }

    #[test]
    fn tagged_scalars_are_the_text_written() {
        assert_eq!(value_of("!Ref 123"), json!({"Ref": "123"}));
        assert_eq!(value_of("[!Ref true , x] # c"), json!([{"Ref": "true"}, "x"]));
        assert_eq!(value_of("!Ref\n  Multi"), json!({"Ref": "Multi"}));
    }

    #[test]
    fn unknown_tag_is_an_error_with_its_line() {
        let e = parse_err("a: 1\nb:\n  c: !Reff X\n");
        assert_eq!((e.line, e.column), (3, 6));
        assert!(e.message.contains("!Reff"), "{}", e.message);
        assert!(e.help.is_some());
        let e = parse_err("a: !foo!bar [1]\n");
        assert_eq!(e.line, 1);
        let e = parse_err("a: !Rain::Embed x.sh\n");
        assert!(e.help.as_deref().is_some_and(|h| h.contains("rain pkg")));
    }

    #[test]
    fn core_schema_tags_are_honoured() {
        assert_eq!(value_of("!!str 5"), json!("5"));
        assert_eq!(value_of("!!int 42"), json!(42));
        assert_eq!(value_of("!!map {a: 1}"), json!({"a": 1}));
        let e = parse_err("a: 1\nb: !!binary aGVsbG8=\n");
        assert_eq!((e.line, e.column), (2, 4));
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let v = parse("a: ~\nb: true\nc: 12\nd: 1.5\ne: '12'\nf: yes\ng: \"true\"\nh:\n").expect("parse");
        assert_eq!(
            v,
            json!({"a": null, "b": true, "c": 12, "d": 1.5, "e": "12", "f": readings_marker(json!("yes"), json!(true)), "g": "true", "h": null})
        );
    }

    #[test]
    fn numbers_that_would_change_stay_strings() {
        assert_eq!(value_of("012345678901"), json!("012345678901"));
        assert_eq!(value_of("123456789012"), json!(123456789012_i64));
        assert_eq!(value_of("18446744073709551615"), json!(18446744073709551615_u64));
        assert_eq!(value_of("123456789012345678901234"), json!("123456789012345678901234"));
        assert_eq!(value_of(".inf"), json!(".inf"));
        assert_eq!(value_of("0"), json!(0));
    }

    #[test]
    fn non_string_keys_become_their_text() {
        let v = parse("1: a\ntrue: b\n0x10: c\n").expect("parse");
        assert_eq!(v, json!({"1": "a", "true": "b", "0x10": "c"}));
    }

    #[test]
    fn parse_error_has_line_and_column() {
        let e = parse_err("Resources:\n  A:\n    Type: [x, y\n  B: 1\n");
        assert!(e.line >= 3, "{e}");
        assert!(e.column >= 1);
        assert!(e.message.starts_with("invalid YAML"), "{}", e.message);
        assert!(e.help.is_some());
        let e = parse_err("a:\n\tb: 1\n");
        assert_eq!(e.line, 2);
        assert_eq!(e.file, "t.yaml");
    }

    #[test]
    fn duplicate_key_is_an_error_at_the_duplicate() {
        let e = parse_err("Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n");
        assert_eq!((e.line, e.column), (4, 3));
        assert!(e.message.contains("duplicate key `A`"), "{}", e.message);
        // Distinct in YAML, the same as JSON keys.
        let e = parse_err("m:\n  1: a\n  '1': b\n");
        assert_eq!((e.line, e.column), (3, 3));
    }

    #[test]
    fn several_documents_are_an_error() {
        let e = parse_err("a: 1\n---\nb: 2\n");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("second YAML document"));
        // Empty documents around a template are tolerated.
        assert_eq!(parse("---\na: 1\n---\n").expect("parse"), json!({"a": 1}));
    }

    #[test]
    fn empty_file_is_null() {
        assert_eq!(parse("").expect("parse"), Value::Null);
        assert_eq!(parse("# only a comment\n").expect("parse"), Value::Null);
        assert!(!is_template(&Value::Null));
    }

    #[test]
    fn aliases_and_merge_keys_are_resolved() {
        let v = parse("base: &b {x: 1, y: !Ref Y}\nc: *b\nd:\n  <<: *b\n  x: 2\n").expect("parse");
        assert_eq!(v["c"], json!({"x": 1, "y": {"Ref": "Y"}}));
        assert_eq!(v["d"], json!({"x": 2, "y": {"Ref": "Y"}}));
        let e = parse_err("a: *missing\n");
        assert_eq!(e.line, 1);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let nested = |levels: usize| {
            let mut text = String::new();
            for i in 0..levels {
                text.push_str(&" ".repeat(i));
                text.push_str("k:\n");
            }
            text
        };
        let e = parse_err(&nested(300));
        assert!(e.message.contains("nested deeper"), "{}", e.message);
        let e = parse_err(&nested(3000));
        assert!(e.message.contains("indented deeper"), "{}", e.message);
        assert_eq!(e.line, MAX_INDENT + 2);
        let e = parse_err(&format!("a: {}x{}\n", "[".repeat(5000), "]".repeat(5000)));
        assert_eq!(e.line, 1);
    }

    #[test]
    fn resource_locations_are_lines_and_columns() {
        let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  \"Quoted\":\n    Type: AWS::SNS::Topic\n";
        let doc = parse_yaml(&source(text)).expect("parse");
        let b = doc.resource_locations["Bucket"];
        assert_eq!((b.line, b.column, b.length), (3, 3, 6));
        assert_eq!(&text[b.offset..b.offset + b.length], "Bucket");
        let q = doc.resource_locations["Quoted"];
        assert_eq!((q.line, q.column), (5, 3));
    }

    #[test]
    fn resource_locations_after_non_ascii_text() {
        let text = "Description: café 🚀 déployé\nResources:\n  # é\n  Bücket:\n    Type: AWS::S3::Bucket\n  Topic: {Type: AWS::SNS::Topic}\n";
        let doc = parse_yaml(&source(text)).expect("parse");
        let b = doc.resource_locations["Bücket"];
        assert_eq!((b.line, b.column), (4, 3));
        assert_eq!(&text[b.offset..b.offset + b.length], "Bücket");
        let t = doc.resource_locations["Topic"];
        assert_eq!((t.line, t.column), (6, 3));
        assert_eq!(&text[t.offset..t.offset + t.length], "Topic");
        let rs = load(text);
        assert_eq!(rs[1].anchor, Anchor::Span(t));
    }

    #[test]
    fn plain_scalars_read_differently_by_yaml_1_1_carry_both_readings() {
        let both = |v12: Value, v11: Value| readings_marker(v12, v11);
        let cases = [
            ("yes", both(json!("yes"), json!(true))),
            ("No", both(json!("No"), json!(false))),
            ("on", both(json!("on"), json!(true))),
            ("OFF", both(json!("OFF"), json!(false))),
            ("y", both(json!("y"), json!(true))),
            ("N", both(json!("N"), json!(false))),
            ("026", both(json!("026"), json!(22))),
            ("-026", both(json!("-026"), json!(-22))),
            ("0b10110", both(json!("0b10110"), json!(22))),
            ("-0x16", both(json!("-0x16"), json!(-22))),
            ("0x1_6", both(json!("0x1_6"), json!(22))),
            ("2_2", both(json!("2_2"), json!(22))),
            ("0:22", json!("0:22")),
            ("1:00", both(json!("1:00"), json!(60))),
            ("190:20:30", both(json!("190:20:30"), json!(685_230))),
            ("1_0.5", both(json!("1_0.5"), json!(10.5))),
            ("1:30.5", both(json!("1:30.5"), json!(90.5))),
            ("0o26", both(json!(22), json!("0o26"))),
            ("1e3", both(json!(1000.0), json!("1e3"))),
            ("yes # a comment", both(json!("yes"), json!(true))),
            // One reading: the same in both, or not plain.
            ("22", json!(22)),
            ("+22", json!(22)),
            ("0x16", json!(22)),
            ("true", json!(true)),
            ("FALSE", json!(false)),
            ("1.5", json!(1.5)),
            ("~", Value::Null),
            ("NULL", Value::Null),
            ("012345678901", json!("012345678901")),
            ("09", json!("09")),
            (".inf", json!(".inf")),
            ("'yes'", json!("yes")),
            ("\"026\"", json!("026")),
            ("!!str yes", json!("yes")),
            ("!!int 026", json!(26)),
            ("|\n  yes\n", json!("yes\n")),
            (">-\n  on\n", json!("on")),
            ("!Ref yes", json!({"Ref": "yes"})),
            ("yes and no", json!("yes and no")),
            ("\n  on", both(json!("on"), json!(true))),
            ("# c\n\n  026", both(json!("026"), json!(22))),
            ("|+ # c\n\n  yes", json!("\nyes\n")),
            ("&a yes", both(json!("yes"), json!(true))),
            ("&a 026", both(json!("026"), json!(22))),
            ("! yes", json!("yes")),
        ];
        for (snippet, want) in cases {
            assert_eq!(value_of(snippet), want, "{snippet}");
        }
        // In flow collections and nested mappings too; keys are names, read as written.
        assert_eq!(
            value_of("[yes, {a: off}, 'on']"),
            json!([both(json!("yes"), json!(true)), {"a": both(json!("off"), json!(false))}, "on"])
        );
        assert_eq!(parse("yes: 1\n").expect("parse"), json!({"yes": 1}));
        // An alias is a copy of its anchor's readings.
        assert_eq!(
            parse("a: &p on\nb: *p\nc: [&q 026, *q, &r 'no', *r]\nd: &m {x: off}\ne: *m\n").expect("parse"),
            json!({"a": both(json!("on"), json!(true)), "b": both(json!("on"), json!(true)),
                   "c": [both(json!("026"), json!(22)), both(json!("026"), json!(22)), "no", "no"],
                   "d": {"x": both(json!("off"), json!(false))}, "e": {"x": both(json!("off"), json!(false))}})
        );
        // An anchor redefined: the alias takes the latest.
        assert_eq!(
            value_of("[&a yes, &a '1', *a]"),
            json!([both(json!("yes"), json!(true)), "1", "1"])
        );
        // An anchor on a key, aliased as a value: judged as if written plain.
        assert_eq!(
            parse("&k off: 1\nv: *k\n").expect("parse")["v"],
            both(json!("off"), json!(false))
        );
    }

    #[test]
    fn line_starts_slice_the_lines_str_lines_yields() {
        for text in ["", "a", "a\n", "a\nb", "a\r\nb\r\n\n", "\n\nx\n", "é\nü\n"] {
            let lines = LineStarts::new(text);
            let all: Vec<&str> = text.lines().collect();
            assert_eq!(lines.count(), all.len(), "{text:?}");
            for first in 1..=all.len() {
                for last in first..=all.len() + 1 {
                    let want: Vec<&str> = all.iter().copied().skip(first - 1).take(last + 1 - first).collect();
                    let got: Vec<&str> = lines.block(first, last).lines().collect();
                    assert_eq!(got, want, "{text:?} {first}..={last}");
                }
            }
            assert_eq!(lines.block(all.len() + 1, all.len() + 3), "");
        }
    }

    #[test]
    fn char_offsets_past_many_checkpoints() {
        let text = "é".repeat(300) + "x";
        let offsets = CharOffsets::new(&text);
        assert_eq!(offsets.byte(300), 600);
        assert_eq!(offsets.byte(64), 128);
        assert_eq!(offsets.byte(10_000), text.len());
        assert_eq!(offsets.slice(299, 301), "éx");
    }

    #[test]
    fn flow_lines_indented_less_than_their_block_are_read() {
        // Rejected by saphyr (spec-strict), accepted by PyYAML and CloudFormation.
        let text = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: [\n      {Key: Owner, Value: é},\n      {Key: Env, Value: prod}\n      ]\n      Other: {\n    a: 1\n    }\n  Topic:\n    Type: AWS::SNS::Topic\n";
        let doc = parse_yaml(&source(text)).expect("parse");
        assert_eq!(
            doc.value["Resources"]["Bucket"]["Properties"],
            json!({"Tags": [{"Key": "Owner", "Value": "é"}, {"Key": "Env", "Value": "prod"}], "Other": {"a": 1}})
        );
        let t = doc.resource_locations["Topic"];
        assert_eq!((t.line, t.column), (12, 3));
        assert_eq!(&text[t.offset..t.offset + t.length], "Topic");
        // Errors on a shifted line keep their original column.
        let e = parse_err("a:\n  b: [\n  !Bogus x\n  ]\n");
        assert_eq!((e.line, e.column), (3, 3));
        assert!(e.message.contains("!Bogus"), "{}", e.message);
    }

    #[test]
    fn padding_maps_back_to_original_indices() {
        let w = Padding::WIDTH;
        let padding = Padding {
            text: None,
            lines: vec![(2, 10), (4, 20 + w)],
        };
        assert_eq!(padding.original_index(5), 5);
        assert_eq!(padding.original_index(10 + w), 10);
        assert_eq!(padding.original_index(12), 10);
        assert_eq!(padding.original_index(15 + w), 15);
        assert_eq!(padding.original_index(20 + 2 * w), 20);
        assert_eq!(padding.original_index(25 + 2 * w), 25);
    }

    #[test]
    fn non_specific_tag_on_a_key_is_a_string() {
        let v = value_of("[a, ! \"Ref\": \"AWS::AccountId\"]");
        assert_eq!(v, json!(["a", {"Ref": "AWS::AccountId"}]));
        assert_eq!(value_of("! 12"), json!("12"));
    }

    #[test]
    fn properties_and_parameters_are_moved_not_copied() {
        let template = json!({
            "Parameters": {"P": {"Type": "String", "Default": "p".repeat(1000)}},
            "Resources": {
                "A": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "a".repeat(1000)}},
                "B": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "b"}},
            }
        });
        let at = |v: &Value, pointer: &str| v.pointer(pointer).and_then(Value::as_str).map(str::as_ptr);
        let (name, default) = (
            at(&template, "/Resources/A/Properties/BucketName"),
            at(&template, "/Parameters/P/Default"),
        );
        let src = Arc::new(source("{}"));
        let copied = resources(&src, &template, None).expect("resources");
        let rs = into_resources(&src, template, None).expect("resources");
        // The same resources either way, but the strings are the template's own.
        assert_eq!(rs.len(), 2);
        for (moved, copy) in rs.iter().zip(&copied) {
            assert_eq!((&moved.address, &moved.properties), (&copy.address, &copy.properties));
            assert_eq!(moved.parameters, copy.parameters);
        }
        assert_eq!(at(&rs[0].properties, "/BucketName"), name);
        assert_ne!(at(&copied[0].properties, "/BucketName"), name);
        let parameters = rs[1].parameters.as_deref().expect("parameters");
        assert_eq!(at(parameters, "/P/Default"), default);
        assert!(Arc::ptr_eq(
            rs[0].parameters.as_ref().unwrap(),
            rs[1].parameters.as_ref().unwrap()
        ));
    }

    #[test]
    fn bodies_are_found_by_address() {
        let mut template = json!({"Resources": {"A": {"Type": "X"}, "B": {"Type": "Y"}}});
        let borrowed = |t: &Value, id: &str| foreach::Entry {
            id: format!("e{id}"),
            body: Cow::Owned(t["Resources"][id].clone()),
            generated: None,
            opaque: None,
        };
        let entries: Vec<foreach::Entry<'_>> = {
            let declared = template["Resources"].as_object().unwrap();
            let mut e = foreach::plain(declared);
            // A body borrowed twice, and one that is owned already.
            e.push(foreach::Entry {
                id: "again".to_string(),
                body: Cow::Borrowed(&declared["B"]),
                generated: None,
                opaque: None,
            });
            e.push(borrowed(&template, "A"));
            e
        };
        let (mut entries, wanted) = detach(entries);
        take_bodies("t.json", &mut template, &mut entries, wanted).expect("all found");
        let bodies: Vec<(&str, &Value)> = entries.iter().map(|e| (e.id.as_str(), e.body.as_ref())).collect();
        assert_eq!(
            bodies,
            [
                ("A", &json!({"Type": "X"})),
                ("B", &json!({"Type": "Y"})),
                ("again", &json!({"Type": "Y"})),
                ("eA", &json!({"Type": "X"})),
            ]
        );
        // Taken out of the template.
        assert_eq!(template["Resources"], json!({"A": null, "B": null}));

        // A body that is not among the template's resources is an error, not a null resource.
        let other = json!({"Type": "Z"});
        let (mut entries, wanted) = detach(vec![foreach::Entry {
            id: "Lost".to_string(),
            body: Cow::Borrowed(&other),
            generated: None,
            opaque: None,
        }]);
        let e = take_bodies("t.json", &mut template, &mut entries, wanted).expect_err("not found");
        assert!(e.message.contains("Lost"), "{}", e.message);
    }

    #[test]
    fn large_scalars_give_back_spare_capacity() {
        let mut grown = String::with_capacity(4 << 20);
        grown.push_str(&"x".repeat(1 << 20));
        let text = take_text(Cow::Owned(grown));
        assert_eq!(text.len(), 1 << 20);
        assert!(text.capacity() < (1 << 20) + (64 << 10), "{}", text.capacity());
        assert_eq!(take_text(Cow::Borrowed("abc")), "abc");
        // Scalars read from YAML keep their text whatever their size.
        let big = "y".repeat(300_000);
        assert_eq!(value_of(&big), json!(big));
        assert_eq!(value_of(&format!("!Sub {big}")), json!({"Fn::Sub": big}));
        assert_eq!(value_of(&format!("\"{big}\"")), json!(big));
    }

    #[test]
    fn json_templates_are_anchored_by_escaped_pointer() {
        let template =
            json!({"Resources": {"a/b~c": {"Type": "AWS::S3::Bucket"}, "Plain": {"Type": "AWS::SNS::Topic"}}});
        let src = Arc::new(source("{}"));
        let rs = resources(&src, &template, None).expect("resources");
        assert_eq!(rs[0].anchor, Anchor::JsonPointer("/Resources/a~1b~0c".to_string()));
        assert_eq!(rs[1].anchor, Anchor::JsonPointer("/Resources/Plain".to_string()));
        assert_eq!(rs[0].address, "a/b~c");
    }

    #[test]
    fn resources_keep_template_order_and_fields() {
        let rs = load(
            "Resources:\n  Zeta:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '${AWS::StackName}-z'\n  Alpha:\n    Type: AWS::SNS::Topic\n",
        );
        let ids: Vec<_> = rs.iter().map(|r| r.address.as_str()).collect();
        assert_eq!(ids, ["Zeta", "Alpha"]);
        assert_eq!(rs[0].resource_type, "AWS::S3::Bucket");
        assert_eq!(rs[0].format, InputFormat::Cloudformation);
        assert_eq!(rs[0].action, None);
        assert_eq!(
            rs[0].properties,
            json!({"BucketName": {"Fn::Sub": "${AWS::StackName}-z"}})
        );
        // Properties absent → {}.
        assert_eq!(rs[1].properties, json!({}));
    }

    #[test]
    fn tags_from_list_and_map_forms() {
        let rs = load(
            "Resources:
  B:
    Type: AWS::S3::Bucket
    Properties:
      Tags:
        - {Key: Owner, Value: team-a}
        - {Key: CostCenter, Value: 42}
        - {Key: Enabled, Value: true}
        - {Key: Env, Value: !Ref Env}
        - !If [C, {Key: X, Value: y}, !Ref AWS::NoValue]
  F:
    Type: AWS::Serverless::Function
    Properties:
      Tags:
        Owner: team-b
        Stage: !Ref Stage
  P:
    Type: AWS::SSM::Parameter
    Properties:
      Tags: !Ref TagParam
",
        );
        let expected: BTreeMap<String, String> = [("CostCenter", "42"), ("Enabled", "true"), ("Owner", "team-a")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        assert_eq!(rs[0].tags, expected);
        // Tags themselves are left in the properties.
        assert_eq!(rs[0].properties["Tags"].as_array().map(Vec::len), Some(5));
        let expected: BTreeMap<String, String> = [("Owner".to_string(), "team-b".to_string())].into();
        assert_eq!(rs[1].tags, expected);
        assert!(rs[2].tags.is_empty());
        // A value from an intrinsic: the tag exists, its value is unknown.
        assert!(rs[0].unknown_tags.contains("Env") && rs[1].unknown_tags.contains("Stage"));
        // An intrinsic decides which tags there are: the whole set is unknown.
        assert!(rs[0].tag_map_unknown, "`- !If` entry");
        assert!(!rs[1].tag_map_unknown);
        assert!(rs[2].tag_map_unknown, "`Tags: !Ref`");
        assert_eq!(rs[2].tag("Owner"), crate::model::TagValue::Unknown);
        assert_eq!(rs[1].tag("Stage"), crate::model::TagValue::ValueUnknown);
        assert_eq!(rs[1].tag("Missing"), crate::model::TagValue::Absent);
    }

    #[test]
    fn resource_errors_name_the_line() {
        let src = Arc::new(source(
            "Resources:\n  Ok:\n    Type: AWS::S3::Bucket\n  NoType:\n    Properties: {}\n",
        ));
        let doc = parse_yaml(&src).expect("parse");
        let e = resources(&src, &doc.value, Some(&doc)).expect_err("no Type");
        assert_eq!((e.line, e.column), (4, 3));
        assert!(e.message.contains("NoType"), "{}", e.message);

        let bad = [
            "Resources: [a]\n",
            "Resources:\n",
            "Resources:\n  A: x\n",
            "Resources:\n  A:\n    Type: [x]\n",
            "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: [x]\n",
        ];
        for text in bad {
            let src = Arc::new(source(text));
            let doc = parse_yaml(&src).expect("parse");
            assert!(resources(&src, &doc.value, Some(&doc)).is_err(), "{text}");
        }
        let src = Arc::new(source("{}"));
        let e = resources(&src, &json!({"Resources": {"A": {"Properties": {}}}}), None).expect_err("no Type");
        assert_eq!((e.file.as_str(), e.line), ("t.yaml", 0));
    }

    #[test]
    fn intrinsic_or_null_properties_are_kept() {
        let rs = load(
            "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: !If [C, {BucketName: a}, {BucketName: b}]\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n",
        );
        assert_eq!(
            rs[0].properties,
            json!({"Fn::If": ["C", {"BucketName": "a"}, {"BucketName": "b"}]})
        );
        assert_eq!(rs[1].properties, json!({}));
    }

    #[test]
    fn foreach_loops_yield_their_resources() {
        let rs = load(
            "Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Topics:
    - Name
    - [A, B]
    - 'Topic${Name}':
        Type: AWS::SNS::Topic
  Queue:
    Type: AWS::SQS::Queue
",
        );
        let ids: Vec<_> = rs.iter().map(|r| r.address.as_str()).collect();
        assert_eq!(ids, ["TopicA", "TopicB", "Queue"]);
    }

    #[test]
    fn detects_templates() {
        assert!(is_template(&json!({"AWSTemplateFormatVersion": "2010-09-09"})));
        assert!(is_template(&json!({"Resources": {"A": {"Type": "AWS::S3::Bucket"}}})));
        assert!(is_template(&json!({"Resources": {"A": {"Type": "Custom::Thing"}}})));
        assert!(is_template(&json!({"Resources": {"A": {"Type": "Alexa::ASK::Skill"}}})));
        let sam =
            parse("Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n")
                .expect("parse");
        assert!(is_template(&sam));
        assert!(is_template(
            &json!({"Transform": ["AWS::LanguageExtensions", SAM_TRANSFORM], "Resources": {}})
        ));
    }

    #[test]
    fn detects_non_templates() {
        let k8s = parse("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n")
            .expect("parse");
        assert!(!is_template(&k8s));
        let plan = json!({"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": [{"type": "aws_s3_bucket"}]});
        assert!(!is_template(&plan));
        assert!(!is_template(
            &json!({"name": "pkg", "version": "1.0.0", "dependencies": {}})
        ));
        assert!(!is_template(&json!({"Resources": {"A": {"Type": "Other::Thing"}}})));
        assert!(!is_template(&json!({"Transform": SAM_TRANSFORM})));
        assert!(!is_template(&json!([1, 2])));
    }

    /// Every template of the shared corpus: no panic; prints counts and parse errors.
    #[test]
    fn corpus_sweep() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/cfn");
        if !root.is_dir() {
            println!("corpus not found, skipped");
            return;
        }
        let mut files = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| matches!(e, "yaml" | "yml" | "json" | "template"))
                {
                    files.push(path);
                }
            }
        }
        files.sort();
        let (mut templates, mut others, mut resource_count) = (0, 0, 0);
        let (mut errors, mut misplaced, mut non_templates) = (Vec::new(), Vec::new(), Vec::new());
        for path in &files {
            let Ok(bytes) = std::fs::read(path) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
            let display = path.strip_prefix(&root).unwrap_or(path).display().to_string();
            let src = Arc::new(SourceFile {
                path: path.clone(),
                repo_path: display.clone(),
                display,
                text,
            });
            let trimmed = src.text.trim_start();
            let parsed = if trimmed.starts_with('{') || trimmed.starts_with('[') {
                match serde_json::from_str::<Value>(&src.text) {
                    Ok(v) => Ok((v, None)),
                    // JSON is YAML: a JSON parse failure may still be a YAML flow document.
                    Err(_) => parse_yaml(&src).map(|d| (d.value.clone(), Some(d))),
                }
            } else {
                parse_yaml(&src).map(|d| (d.value.clone(), Some(d)))
            };
            match parsed {
                Err(e) => errors.push(e.to_string()),
                Ok((value, yaml)) if is_template(&value) => {
                    templates += 1;
                    match resources(&src, &value, yaml.as_ref()) {
                        Ok(rs) => {
                            resource_count += rs.len();
                            // Every YAML resource is anchored at its logical id.
                            for r in &rs {
                                if let Anchor::Span(l) = &r.anchor {
                                    let written = src.text.get(l.offset..l.offset + l.length).unwrap_or("");
                                    let written = written.trim_matches(|c| c == '"' || c == '\'');
                                    // A generated resource is anchored at its loop's output key.
                                    let pattern = written.contains("${") || written.contains("&{");
                                    if written != r.address && !pattern {
                                        misplaced
                                            .push(format!("{}: {} at {}:{}", src.display, r.address, l.line, l.column));
                                    }
                                }
                            }
                        }
                        Err(e) => errors.push(format!("[resources] {e}")),
                    }
                }
                Ok(_) => {
                    others += 1;
                    non_templates.push(src.display.clone());
                }
            }
        }
        println!(
            "corpus: {} files, {templates} templates ({resource_count} resources), {others} non-templates, {} errors",
            files.len(),
            errors.len()
        );
        for e in &errors {
            println!("  {e}");
        }
        println!("non-templates: {non_templates:?}");
        assert!(!files.is_empty());
        assert!(
            misplaced.is_empty(),
            "resource anchors not at their logical id: {misplaced:#?}"
        );
    }

    #[test]
    fn references_through_ref_getatt_and_sub() {
        let rs = load(
            "Parameters:
  Env: {Type: String}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Statement:
          - Resource: !Sub '${Bucket.Arn}/*'
            Condition: {StringEquals: {env: !Ref Env}}
  Ingress:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Group.GroupId
      SourceSecurityGroupId: !GetAtt [Other, GroupId]
  Group:
    Type: AWS::EC2::SecurityGroup
  Other:
    Type: AWS::EC2::SecurityGroup
",
        );
        let refs = |id: &str, attr: &str| -> Vec<String> {
            rs.iter()
                .find(|r| r.address == id)
                .unwrap()
                .references
                .get(attr)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default()
        };
        assert_eq!(refs("Policy", "Bucket"), vec!["Bucket"]);
        assert_eq!(
            refs("Policy", "PolicyDocument"),
            vec!["Bucket"],
            "Fn::Sub variables count; the parameter is not a resource"
        );
        assert_eq!(refs("Ingress", "GroupId"), vec!["Group"]);
        assert_eq!(refs("Ingress", "SourceSecurityGroupId"), vec!["Other"]);
        assert!(rs.iter().find(|r| r.address == "Bucket").unwrap().references.is_empty());
        let written: Vec<&str> = rs[1].configured.as_ref().unwrap().iter().map(String::as_str).collect();
        assert_eq!(written, vec!["Bucket", "PolicyDocument"]);
    }
}
