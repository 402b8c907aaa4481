//! CloudFormation YAML → the JSON model that JSON templates parse to, with the positions of
//! resources, so rules see one shape whatever the file format.
//!
//! YAML is read with saphyr (YAML 1.2 core schema) and converted as follows:
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

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use saphyr::{LoadableYamlNode, MarkedYaml, Marker, Scalar, ScanError, Tag, YamlData};
use serde_json::{Map, Number, Value};

use super::yaml11;
use crate::error::Located;
use crate::model::{Location, SourceFile, readings_marker};

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
pub(super) struct Padding {
    /// The padded text; `None` when nothing was padded.
    pub(super) text: Option<String>,
    /// `(line, character index in the padded text where the spaces start)`, in text order.
    pub(super) lines: Vec<(usize, usize)>,
}

impl Padding {
    /// Spaces inserted at the start of each padded line.
    pub(super) const WIDTH: usize = 128;

    /// The character index in the original text of character `index` of the padded text.
    pub(super) fn original_index(&self, index: usize) -> usize {
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
                    .error_at(node.span.start, format!("cannot read the YAML value `{}`", crate::text::shorten(written, 63)))
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
pub(super) fn take_text(text: Cow<'_, str>) -> String {
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

/// Converts saphyr's character indices to byte offsets.
///
/// ASCII text maps one to one; otherwise the byte offset of every [`Self::STRIDE`]th character is
/// kept, and the rest is walked from the nearest checkpoint.
#[derive(Clone)]
pub(super) struct CharOffsets<'a> {
    text: &'a str,
    /// Byte offsets of characters 0, STRIDE, 2·STRIDE, …; empty for ASCII text.
    checkpoints: Vec<usize>,
}

impl<'a> CharOffsets<'a> {
    const STRIDE: usize = 64;

    pub(super) fn new(text: &'a str) -> Self {
        let checkpoints = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().step_by(Self::STRIDE).map(|(b, _)| b).collect()
        };
        CharOffsets { text, checkpoints }
    }

    /// The byte offset of character `index` (the text's length past its end).
    pub(super) fn byte(&self, index: usize) -> usize {
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
    pub(super) fn slice(&self, start: usize, end: usize) -> &'a str {
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
