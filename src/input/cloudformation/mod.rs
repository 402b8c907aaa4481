//! CloudFormation templates, JSON and YAML (short-form intrinsics, SAM) → resources.
//!
//! YAML is converted to the JSON model that JSON templates parse to in [`yaml`], so what follows
//! reads one shape whatever the file format. `Fn::ForEach::Name` loops of `Resources`
//! (`Transform: AWS::LanguageExtensions`) are expanded, and templates with macros marked
//! unknown, in [`foreach`]; policy documents written as strings are decoded in `policies`.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::suppressions;
use crate::error::Located;
use crate::model::{Anchor, InputFormat, Location, Resource, SourceFile, is_intrinsic};
use crate::pointer::escape;

pub mod foreach;
mod policies;
mod yaml;
mod yaml11;

pub use yaml::{MAX_DEPTH, MAX_INDENT, YamlDocument, parse_yaml};

/// The transform that marks a SAM template.
#[cfg(test)]
const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// Resource type prefixes that mark a CloudFormation template.
const TYPE_PREFIXES: [&str; 3] = ["AWS::", "Custom::", "Alexa::"];

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
            (None, None) => super::json_position(&source.text, &format!("/Resources/{}", escape(id))),
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
            None => Anchor::JsonPointer(generated.map_or_else(|| format!("/Resources/{}", escape(id)), String::from)),
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
        let configured = properties.as_object().map(|m| Arc::new(m.keys().cloned().collect()));
        out.push(Resource {
            inline_suppressions,
            references,
            parameters: parameters.clone(),
            configured,
            tags,
            unknown_tags,
            tag_map_unknown,
            opaque: entry.opaque.take(),
            ..Resource::new(
                id.clone(),
                resource_type,
                InputFormat::Cloudformation,
                properties,
                Arc::clone(source),
                anchor,
            )
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
                    Some(m) if sets_tags_at_deploy_time(m) => map_unknown = true,
                    _ => entries.push((item.get("Key"), item.get("Value"))),
                }
            }
        }
        Some(Value::Object(map)) if sets_tags_at_deploy_time(map) => map_unknown = true,
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

/// Whether a `Tags` entry or map is set by an intrinsic function. A lone `Condition:` key is a
/// literal tag key there, as CloudFormation reads it (see [`crate::model::is_intrinsic`]): a tag
/// named `Condition` is known, not set at deploy time.
fn sets_tags_at_deploy_time(map: &Map<String, Value>) -> bool {
    is_intrinsic(map)
}

fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
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

#[cfg(test)]
mod tests;
