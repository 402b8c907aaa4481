//! Deploy-time values of CloudFormation parameters (`--parameters FILE`, config `parameterFiles`).
//!
//! A parameter file is read in one of three shapes, told apart by shape:
//! - the AWS CLI's `[{"ParameterKey": "K", "ParameterValue": "V"}]` (or `UsePreviousValue: true`);
//! - `K=V` lines, as `aws cloudformation deploy --parameter-overrides` takes them;
//! - a CodePipeline template configuration `{"Parameters": {"K": "V"}, "Tags": {...}}`.
//!
//! The values are checked against the template's declarations the way CloudFormation checks them
//! (a value it would refuse is an error here too: a file must not steer the gate to a value AWS
//! would never deploy), then put in place of `Ref` and `Fn::Sub` of the parameters, so every rule
//! judges the value the stack will get.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobMatcher};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::Located;
use crate::input::LoadedFile;
use crate::model::{InputFormat, Resource};

/// Where the three accepted shapes are described, for errors about a file's shape.
const FORMS: &str = "a parameter file is one of: the AWS CLI's `[{\"ParameterKey\": \"K\", \"ParameterValue\": \"V\"}]`, `K=V` lines (as `aws cloudformation deploy --parameter-overrides`), or a CodePipeline template configuration `{\"Parameters\": {\"K\": \"V\"}}`";

pub use crate::model::MASK;

/// Parameter files given for some templates: the command line's for every template, or one
/// `parameterFiles` entry of the config file.
#[derive(Debug, Clone)]
pub struct ParameterSource {
    /// `None`: every template. Otherwise a glob relative to `base`.
    pub templates: Option<String>,
    /// The directory the glob and relative file paths are relative to.
    pub base: PathBuf,
    pub files: Vec<PathBuf>,
    /// `command line` or the config file.
    pub origin: String,
}

/// A value a file gives for one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Given {
    Value(String),
    /// `UsePreviousValue: true`: the stack's current value, which is not known here.
    UsePrevious,
}

/// One key of a parameter file, with the line it is on (1-based; 0 when not found).
#[derive(Debug, Clone)]
pub struct Entry {
    pub given: Given,
    pub line: usize,
}

/// A parameter file, read.
#[derive(Debug, Clone)]
pub struct ParameterFile {
    pub display: String,
    pub sha256: String,
    pub form: &'static str,
    pub values: BTreeMap<String, Entry>,
}

/// A loaded [`ParameterSource`].
#[derive(Debug)]
pub struct LoadedSource {
    matcher: Option<(GlobMatcher, PathBuf)>,
    pub templates: Option<String>,
    pub origin: String,
    pub files: Vec<Arc<ParameterFile>>,
}

/// Which parameter files were applied to one template: evidence in the reports, since they
/// change verdicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParameterUse {
    pub template: String,
    pub files: Vec<UsedFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsedFile {
    pub path: String,
    pub sha256: String,
    pub form: &'static str,
    /// `command line`, or the config file with the entry's glob.
    pub source: String,
}

/// Read every source's files; the errors of all of them.
pub fn load_sources(sources: &[ParameterSource], cwd: &Path) -> Result<Vec<LoadedSource>, Vec<Located>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for s in sources {
        let matcher = match &s.templates {
            None => None,
            Some(glob) => match Glob::new(glob) {
                Ok(g) => Some((g.compile_matcher(), s.base.clone())),
                Err(e) => {
                    errors.push(
                        Located::file(
                            &s.origin,
                            format!("invalid `parameterFiles` templates pattern `{glob}`: {e}"),
                        )
                        .with_help("a glob relative to the config file's directory, e.g. `stacks/web/*.yaml`"),
                    );
                    continue;
                }
            },
        };
        let mut files = Vec::new();
        for f in &s.files {
            let path = if f.is_relative() { s.base.join(f) } else { f.clone() };
            let shown = crate::input::display_path(&path, cwd);
            match read_file(&path, &shown) {
                Ok(p) => files.push(Arc::new(p)),
                Err(e) => errors.push(e),
            }
        }
        out.push(LoadedSource {
            matcher,
            templates: s.templates.clone(),
            origin: s.origin.clone(),
            files,
        });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Read and parse one parameter file (bounded like every input).
pub fn read_file(path: &Path, shown: &str) -> Result<ParameterFile, Located> {
    let text = crate::input::read::read_text(path, shown)?;
    parse(shown, &text)
}

/// Parse the text of a parameter file named `file`.
pub fn parse(file: &str, text: &str) -> Result<ParameterFile, Located> {
    let sha256 = format!("{:x}", Sha256::digest(text.as_bytes()));
    let trimmed = text.trim_start();
    let (form, values) = if trimmed.is_empty() {
        return Err(Located::file(file, "the parameter file is empty").with_help(FORMS));
    } else if is_key_value_lines(text) {
        ("key=value", key_value_lines(file, text)?)
    } else {
        let value: Value = if trimmed.starts_with(['{', '[']) {
            crate::input::json::parse(text).map_err(|e| {
                Located::new(file, e.line, e.column, format!("invalid JSON: {}", e.message)).with_help(FORMS)
            })?
        } else {
            crate::yaml::from_str(file, text).map_err(|e| e.with_help(FORMS))?
        };
        structured(file, text, &value)?
    };
    Ok(ParameterFile {
        display: file.to_string(),
        sha256,
        form,
        values,
    })
}

/// Whether every line that is not blank or a `#` comment is `Key=...` with a parameter-like key.
fn is_key_value_lines(text: &str) -> bool {
    let mut any = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once('=') {
            Some((k, _)) if is_key(k.trim()) => any = true,
            _ => return false,
        }
    }
    any
}

/// CloudFormation parameter names: ASCII letters and digits.
fn is_key(k: &str) -> bool {
    !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn key_value_lines(file: &str, text: &str) -> Result<BTreeMap<String, Entry>, Located> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        // The value is everything after the first `=`, white space included: CloudFormation
        // receives it as written, and `true ` is not `true`.
        let Some((k, v)) = line.split_once('=') else { continue };
        insert(file, &mut out, k.trim(), Given::Value(v.to_string()), i + 1)?;
    }
    Ok(out)
}

fn insert(file: &str, out: &mut BTreeMap<String, Entry>, key: &str, given: Given, line: usize) -> Result<(), Located> {
    if let Some(first) = out.get(key) {
        return Err(Located::new(
            file,
            line,
            0,
            format!(
                "parameter `{key}` is given twice (first at line {}): which value counts would be a guess",
                first.line
            ),
        )
        .with_help("give each parameter once"));
    }
    out.insert(key.to_string(), Entry { given, line });
    Ok(())
}

/// The line of the first occurrence of `key` as a whole word in `text`, from line `from`.
fn line_of(text: &str, key: &str, from: usize) -> usize {
    let word = |l: &str| {
        l.match_indices(key).any(|(i, _)| {
            let before = l[..i].chars().next_back();
            let after = l[i + key.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric())
        })
    };
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| word(l))
        .map_or(0, |(i, _)| i + 1)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn structured(file: &str, text: &str, value: &Value) -> Result<(&'static str, BTreeMap<String, Entry>), Located> {
    let at = |line: usize, message: String| Located::new(file, line, 0, message);
    let string_value = |key: &str, v: &Value, line: usize| -> Result<String, Located> {
        match v {
            Value::String(s) => Ok(s.clone()),
            other => Err(at(
                line,
                format!("the value of parameter `{key}` is {}, not a string", kind(other)),
            )
            .with_help("write the value as a quoted string: CloudFormation receives parameter values as text")),
        }
    };
    if let Some(top) = value.as_object()
        && ["Resources", "AWSTemplateFormatVersion", "Transform"]
            .iter()
            .any(|k| top.contains_key(*k))
    {
        return Err(
            Located::file(file, "this is a CloudFormation template, not a parameter file").with_help(format!(
                "pass the template as an input to check and its values with --parameters; {FORMS}"
            )),
        );
    }
    match value {
        Value::Array(items) if !items.is_empty() && items.iter().all(|i| i.get("ParameterKey").is_some()) => {
            let mut out = BTreeMap::new();
            let mut from = 1;
            for item in items {
                let m = item.as_object().expect("has ParameterKey");
                let key = match m.get("ParameterKey") {
                    Some(Value::String(k)) => k.clone(),
                    other => {
                        return Err(at(
                            from,
                            format!("`ParameterKey` is {}, not a string", other.map_or("missing", kind)),
                        )
                        .with_help(FORMS));
                    }
                };
                let line = line_of(text, &key, from);
                from = line.max(from);
                if let Some(unknown) = m.keys().find(|k| {
                    !["ParameterKey", "ParameterValue", "UsePreviousValue", "ResolvedValue"].contains(&k.as_str())
                }) {
                    return Err(at(
                        line,
                        format!("unknown field `{unknown}` in the entry of parameter `{key}`"),
                    )
                    .with_help("an entry has `ParameterKey` and `ParameterValue` (or `UsePreviousValue: true`)"));
                }
                let previous = match m.get("UsePreviousValue") {
                    None | Some(Value::Bool(false)) => false,
                    Some(Value::Bool(true)) => true,
                    Some(other) => {
                        return Err(at(
                            line,
                            format!("`UsePreviousValue` of `{key}` is {}, not a boolean", kind(other)),
                        )
                        .with_help("write `UsePreviousValue: true` or leave it out"));
                    }
                };
                let given = match (m.get("ParameterValue"), previous) {
                    (Some(_), true) => {
                        return Err(at(
                            line,
                            format!("parameter `{key}` has both `ParameterValue` and `UsePreviousValue: true`"),
                        )
                        .with_help("CloudFormation refuses both: keep one"));
                    }
                    (None, true) => Given::UsePrevious,
                    (Some(v), false) => Given::Value(string_value(&key, v, line)?),
                    (None, false) => {
                        return Err(at(line, format!("parameter `{key}` has no `ParameterValue`"))
                            .with_help("add `ParameterValue`, or `UsePreviousValue: true`"));
                    }
                };
                insert(file, &mut out, &key, given, line)?;
            }
            Ok(("aws-cli", out))
        }
        Value::Object(top) if top.get("Parameters").is_some_and(Value::is_object) => {
            if let Some(unknown) = top
                .keys()
                .find(|k| !["Parameters", "Tags", "StackPolicy"].contains(&k.as_str()))
            {
                return Err(at(
                    line_of(text, unknown, 1),
                    format!("unknown field `{unknown}` in a template configuration"),
                )
                .with_help("a CodePipeline template configuration has `Parameters`, `Tags` and `StackPolicy`"));
            }
            let mut out = BTreeMap::new();
            for (key, v) in top["Parameters"].as_object().expect("checked") {
                let line = line_of(text, key, 1);
                insert(file, &mut out, key, Given::Value(string_value(key, v, line)?), line)?;
            }
            Ok(("template-configuration", out))
        }
        other => Err(Located::new(
            file,
            1,
            0,
            format!(
                "unrecognised parameter file: {} that is none of the accepted forms",
                kind(other)
            ),
        )
        .with_help(FORMS)),
    }
}

/// The values that apply to a template, merged from every matching source, with the file each
/// key came from.
struct Merged {
    values: BTreeMap<String, (Given, Arc<ParameterFile>, usize)>,
    used: Vec<UsedFile>,
}

fn merge(sources: &[LoadedSource], file: &LoadedFile, cwd: &Path) -> Result<Option<Merged>, Vec<Located>> {
    let absolute = cwd.join(&file.source.path);
    let absolute = absolute.canonicalize().unwrap_or(absolute);
    let mut merged = Merged {
        values: BTreeMap::new(),
        used: Vec::new(),
    };
    let mut errors = Vec::new();
    let mut any = false;
    for s in sources {
        if let Some((glob, base)) = &s.matcher {
            let base = base.canonicalize().unwrap_or_else(|_| base.clone());
            let relative = crate::input::display_path(&absolute, &base);
            if !glob.is_match(&relative) {
                continue;
            }
        }
        any = true;
        for f in &s.files {
            if merged.used.iter().any(|u| u.path == f.display) {
                continue;
            }
            merged.used.push(UsedFile {
                path: f.display.clone(),
                sha256: f.sha256.clone(),
                form: f.form,
                source: match &s.templates {
                    None => s.origin.clone(),
                    Some(g) => format!("{} (parameterFiles `{g}`)", s.origin),
                },
            });
            for (key, e) in &f.values {
                match merged.values.get(key) {
                    Some((given, other, _)) if *given != e.given => errors.push(
                        Located::new(
                            &f.display,
                            e.line,
                            0,
                            format!(
                                "parameter `{key}` for {} is given a different value in {} (line {})",
                                file.source.display, other.display, merged.values[key].2
                            ),
                        )
                        .with_help("give each parameter of a template one value: remove it from one of the files"),
                    ),
                    Some(_) => {}
                    None => {
                        merged
                            .values
                            .insert(key.clone(), (e.given.clone(), Arc::clone(f), e.line));
                    }
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(any.then_some(merged))
}

/// A parameter's value, decided or not.
#[derive(Debug, Clone)]
enum Resolved {
    Known(Value),
    /// Why the value is known only at deploy time.
    Undecided(String),
}

/// Apply the parameter sources to every CloudFormation template of `files`; what was applied
/// where, for the reports.
pub fn apply(sources: &[LoadedSource], files: &mut [LoadedFile], cwd: &Path) -> (Vec<ParameterUse>, Vec<Located>) {
    let mut uses = Vec::new();
    let mut errors = Vec::new();
    if sources.is_empty() {
        return (uses, errors);
    }
    for file in files.iter_mut().filter(|f| f.format == InputFormat::Cloudformation) {
        let merged = match merge(sources, file, cwd) {
            Ok(Some(m)) => m,
            Ok(None) => continue,
            Err(e) => {
                errors.extend(e);
                continue;
            }
        };
        uses.push(ParameterUse {
            template: file.source.display.clone(),
            files: merged.used.clone(),
        });
        let Some(first) = file.resources.first() else { continue };
        let declared = first.parameters.clone();
        let empty = Map::new();
        let declarations = declared.as_deref().and_then(Value::as_object).unwrap_or(&empty);
        match resolve(&file.source.display, declarations, &merged) {
            Ok(resolved) => {
                let undecided: BTreeMap<String, String> = resolved
                    .iter()
                    .filter_map(|(k, r)| match r {
                        Resolved::Undecided(why) => Some((k.clone(), why.clone())),
                        Resolved::Known(_) => None,
                    })
                    .collect();
                let undecided = Arc::new(undecided);
                for r in &mut file.resources {
                    substitute_resource(r, &resolved, declarations);
                    r.undecided_parameters = Some(Arc::clone(&undecided));
                }
            }
            Err(e) => errors.extend(e),
        }
    }
    (uses, errors)
}

/// Whether a declared parameter has `NoEcho: true` (or `"true"`).
pub fn is_no_echo(declaration: &Value) -> bool {
    match declaration.get("NoEcho") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// A scalar of a template as CloudFormation reads it: text.
fn text_of(v: &Value) -> Option<String> {
    crate::input::cloudformation::foreach::written_text(v)
}

/// Check each given value against its declaration and type it; parameters given no value stay
/// undecided.
fn resolve(
    template: &str,
    declarations: &Map<String, Value>,
    merged: &Merged,
) -> Result<BTreeMap<String, Resolved>, Vec<Located>> {
    let mut errors = Vec::new();
    for (key, (_, f, line)) in &merged.values {
        if !declarations.contains_key(key) {
            let near = declarations.keys().find(|d| d.eq_ignore_ascii_case(key));
            let help = match near {
                Some(d) => format!("parameter names are case-sensitive: the template declares `{d}`"),
                None => format!(
                    "CloudFormation refuses a parameter the template does not declare; {} declares {}",
                    template,
                    if declarations.is_empty() {
                        "none".to_string()
                    } else {
                        declarations
                            .keys()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
            };
            errors.push(
                Located::new(
                    &f.display,
                    *line,
                    0,
                    format!("parameter `{key}` is not declared by template {template}"),
                )
                .with_help(help),
            );
        }
    }
    let mut out = BTreeMap::new();
    for (key, decl) in declarations {
        let kind = decl.get("Type").and_then(Value::as_str).unwrap_or("String");
        let resolved = match merged.values.get(key) {
            Some((Given::UsePrevious, f, _)) => Resolved::Undecided(format!(
                "{} keeps the stack's previous value (UsePreviousValue), which is not known here",
                f.display
            )),
            Some((Given::Value(v), f, line)) => match check(key, decl, kind, v) {
                Ok(value) if kind.starts_with("AWS::SSM::Parameter::Value") => {
                    let _ = value;
                    Resolved::Undecided(format!(
                        "{} names the Systems Manager parameter; its value is read at deploy time",
                        f.display
                    ))
                }
                Ok(value) => Resolved::Known(value),
                Err(why) => {
                    errors.push(
                        Located::new(&f.display, *line, 0, format!("parameter `{key}` of {template}: {why}"))
                            .with_help("CloudFormation would refuse this value: give one the declaration allows"),
                    );
                    continue;
                }
            },
            // Not its Default: `aws cloudformation deploy` keeps a stack's previous value for a
            // key it is not given, so the Default is what a new stack gets, not what an update
            // deploys. The parameter stays as it is without files (judged on AllowedValues, or
            // unknown).
            None => Resolved::Undecided(
                "no parameter file gives it a value (on a stack update it keeps the deployed value, which need not be its Default)"
                    .into(),
            ),
        };
        out.insert(key.clone(), resolved);
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn is_list(kind: &str) -> bool {
    kind == "CommaDelimitedList" || kind.starts_with("List<") || kind.contains("<List<")
}

/// The value a `Ref` gives: text, or a list of texts for list types.
fn typed(kind: &str, v: &str) -> Value {
    if is_list(kind) {
        Value::Array(v.split(',').map(|p| Value::String(p.trim().to_string())).collect())
    } else {
        Value::String(v.to_string())
    }
}

/// Check `v` as CloudFormation does: AllowedValues, AllowedPattern, lengths and bounds, and
/// numbers for `Number` types. The reason never shows the value of a `NoEcho` parameter.
fn check(key: &str, decl: &Value, kind: &str, v: &str) -> Result<Value, String> {
    let shown = |s: &str| {
        if is_no_echo(decl) {
            MASK.to_string()
        } else {
            format!("`{s}`")
        }
    };
    let items: Vec<String> = if is_list(kind) {
        v.split(',').map(|p| p.trim().to_string()).collect()
    } else {
        vec![v.to_string()]
    };
    let numeric = kind == "Number" || kind == "List<Number>";
    if let Some(allowed) = decl.get("AllowedValues").and_then(Value::as_array) {
        let allowed: Vec<String> = allowed.iter().filter_map(text_of).collect();
        for item in &items {
            let found = allowed.iter().any(|a| {
                a == item || (numeric && matches!((a.parse::<f64>(), item.parse::<f64>()), (Ok(x), Ok(y)) if x == y))
            });
            if !found {
                return Err(format!("the value {} is not one of its AllowedValues", shown(item)));
            }
        }
    }
    if let Some(pattern) = decl.get("AllowedPattern").and_then(text_of) {
        // CloudFormation matches the whole value.
        let re = regex::Regex::new(&format!("^(?:{pattern})$"))
            .map_err(|e| format!("its AllowedPattern `{pattern}` is not a regular expression this tool reads: {e}"))?;
        for item in &items {
            if !re.is_match(item) {
                return Err(format!(
                    "the value {} does not match its AllowedPattern `{pattern}`",
                    shown(item)
                ));
            }
        }
    }
    let bound = |name: &str| {
        decl.get(name)
            .and_then(text_of)
            .and_then(|t| t.trim().parse::<f64>().ok())
    };
    for item in &items {
        let len = item.chars().count() as f64;
        if let Some(min) = bound("MinLength")
            && len < min
        {
            return Err(format!("the value {} is shorter than its MinLength {min}", shown(item)));
        }
        if let Some(max) = bound("MaxLength")
            && len > max
        {
            return Err(format!("the value {} is longer than its MaxLength {max}", shown(item)));
        }
        if numeric {
            let n = item.trim().parse::<f64>().ok().filter(|n| n.is_finite());
            let Some(n) = n else {
                return Err(format!("the value {} is not a number", shown(item)));
            };
            if let Some(min) = bound("MinValue")
                && n < min
            {
                return Err(format!("the value {} is below its MinValue {min}", shown(item)));
            }
            if let Some(max) = bound("MaxValue")
                && n > max
            {
                return Err(format!("the value {} is above its MaxValue {max}", shown(item)));
            }
        }
    }
    let _ = key;
    Ok(typed(kind, v))
}

/// Put the known values in place of `Ref`s and fully resolved `Fn::Sub`s in a resource's
/// properties; values of `NoEcho` parameters are marked sensitive, so no output shows them.
fn substitute_resource(r: &mut Resource, resolved: &BTreeMap<String, Resolved>, declarations: &Map<String, Value>) {
    let known: BTreeMap<&str, (&Value, bool)> = resolved
        .iter()
        .filter_map(|(k, v)| match v {
            Resolved::Known(value) => Some((k.as_str(), (value, declarations.get(k).is_some_and(is_no_echo)))),
            Resolved::Undecided(_) => None,
        })
        .collect();
    if known.is_empty() {
        return;
    }
    let mut secret_paths = Vec::new();
    let mut secret_values = BTreeSet::new();
    substitute(
        &mut r.properties,
        &known,
        &mut String::new(),
        &mut secret_paths,
        &mut secret_values,
        0,
    );
    if !secret_paths.is_empty() {
        r.sensitive_paths.extend(secret_paths);
        r.sensitive_values.extend(secret_values.into_iter().map(Value::String));
    }
    let (tags, unknown, map_unknown) = crate::input::cloudformation::tags_of(&r.properties);
    r.tags = tags;
    r.unknown_tags = unknown;
    r.tag_map_unknown = map_unknown;
}

fn substitute(
    value: &mut Value,
    known: &BTreeMap<&str, (&Value, bool)>,
    pointer: &mut String,
    secret_paths: &mut Vec<String>,
    secret_values: &mut BTreeSet<String>,
    depth: usize,
) {
    if depth > 256 {
        return;
    }
    let len = pointer.len();
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                pointer.push_str(&format!("/{i}"));
                substitute(item, known, pointer, secret_paths, secret_values, depth + 1);
                pointer.truncate(len);
            }
            return;
        }
        Value::Object(m) => {
            for (k, item) in m.iter_mut() {
                pointer.push('/');
                pointer.push_str(&crate::pointer::escape(k));
                substitute(item, known, pointer, secret_paths, secret_values, depth + 1);
                pointer.truncate(len);
            }
        }
        _ => return,
    }
    let Value::Object(m) = value else { return };
    if m.len() != 1 {
        return;
    }
    let mut secret = |v: &Value, paths: &mut Vec<String>| {
        paths.push(pointer.clone());
        match v {
            Value::String(s) => {
                secret_values.insert(s.clone());
            }
            Value::Array(a) => secret_values.extend(a.iter().filter_map(|x| x.as_str().map(String::from))),
            _ => {}
        }
    };
    if let Some(Value::String(name)) = m.get("Ref") {
        if let Some((v, no_echo)) = known.get(name.as_str()) {
            let v = (*v).clone();
            if *no_echo {
                secret(&v, secret_paths);
            }
            *value = v;
        }
        return;
    }
    let (template, vars) = match m.get("Fn::Sub") {
        Some(Value::String(s)) => (s.clone(), None),
        Some(Value::Array(a)) if a.len() == 2 => match (&a[0], &a[1]) {
            (Value::String(s), Value::Object(vars)) => (s.clone(), Some(vars.clone())),
            _ => return,
        },
        _ => return,
    };
    let mut no_echo = false;
    let lookup = |name: &str, no_echo: &mut bool| -> Option<String> {
        if let Some(vars) = &vars {
            // A variable of the map shadows a parameter of the same name.
            if let Some(v) = vars.get(name) {
                return match v {
                    Value::String(s) => Some(s.clone()),
                    _ => None,
                };
            }
        }
        match known.get(name)? {
            (Value::String(s), secret) => {
                *no_echo |= *secret;
                Some(s.clone())
            }
            _ => None,
        }
    };
    if let Some(text) = resolve_sub(&template, |n| lookup(n, &mut no_echo)) {
        let v = Value::String(text);
        if no_echo {
            secret(&v, secret_paths);
        }
        *value = v;
    }
}

/// The text of an `Fn::Sub` string when every `${Var}` resolves; `${!Literal}` is `${Literal}`.
fn resolve_sub(template: &str, mut lookup: impl FnMut(&str) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        if let Some(lit) = after.strip_prefix('!') {
            out.push_str("${");
            rest = lit;
            continue;
        }
        let end = after.find('}')?;
        out.push_str(&lookup(after[..end].trim())?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_forms_are_told_apart_by_shape() {
        let cli = parse(
            "a.json",
            r#"[{"ParameterKey": "A", "ParameterValue": "x"}, {"ParameterKey": "B", "UsePreviousValue": true}]"#,
        )
        .unwrap();
        assert_eq!(cli.form, "aws-cli");
        assert_eq!(cli.values["A"].given, Given::Value("x".into()));
        assert_eq!(cli.values["B"].given, Given::UsePrevious);
        let kv = parse("a.env", "# c\n\nA=x=y\nB=\n").unwrap();
        assert_eq!(kv.form, "key=value");
        assert_eq!(kv.values["A"].given, Given::Value("x=y".into()));
        assert_eq!(kv.values["A"].line, 3);
        let cp = parse("c.yaml", "Parameters:\n  A: x\nTags:\n  T: v\n").unwrap();
        assert_eq!(cp.form, "template-configuration");
        assert_eq!(cp.values["A"].line, 2);
        let e = parse("d.json", r#"{"A": "x"}"#).unwrap_err();
        assert!(e.help.as_deref().unwrap().contains("ParameterKey"), "{e:?}");
    }

    #[test]
    fn sub_resolves_only_when_every_variable_does() {
        let look = |n: &str| (n == "A").then(|| "a".to_string());
        assert_eq!(resolve_sub("x-${A}-${!B}", look).as_deref(), Some("x-a-${B}"));
        assert_eq!(resolve_sub("x-${A}-${AWS::Region}", look), None);
    }
}
