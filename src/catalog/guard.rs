//! `.guard` files in a pack's `rules/`: each Guard rule inside becomes a rule of the control
//! the file's leading comments name (`# control: ID`), with the Guard rule's name as its id.

use std::collections::BTreeMap;
use std::path::{Component, Path};
use std::sync::Arc;

use serde::Deserialize;

use super::control::{Control, ExceptionPolicy, Remediation, RemediationMode, Scope, Severity};
use super::rule::{Examples, Rule, Target};
use crate::engine::EVERY_TYPE;
use crate::engine::guard::{GuardBatch, GuardFile, GuardRule};
use crate::error::Located;

/// The control a `.guard` file's leading comment lines name, with its line.
fn control_tag(file: &str, text: &str) -> Result<(String, usize), Located> {
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix('#') else { break };
        if let Some(id) = comment.trim().strip_prefix("control:") {
            let id = id.trim();
            if id.is_empty() {
                return Err(Located::new(file, n + 1, 1, "`# control:` names no control")
                    .with_help("write the control's id: `# control: S3-001`"));
            }
            return Ok((id.to_string(), n + 1));
        }
    }
    Err(Located::file(file, "this Guard file names no control")
        .with_help("begin the file with a comment line `# control: ID` naming the control its rules enforce"))
}

/// The rules of a `.guard` file, bound to their control (looked up by `control`).
pub fn parse(file: &str, text: &str, control: &dyn Fn(&str) -> Option<Control>) -> Result<Vec<Rule>, Located> {
    let (id, line) = control_tag(file, text)?;
    let control_origin = Located::new(file, line, 1, "");
    let Some(control) = control(&id) else {
        return Err(Located {
            message: format!("Guard file names unknown control {id}"),
            ..control_origin
        }
        .with_help("add the control to controls/, or tag the file with an existing control id"));
    };
    let compiled = Arc::new(crate::engine::guard::GuardFile::compile(file, text)?);
    Ok(compiled
        .names()
        .iter()
        .map(|name| {
            let assert = GuardRule::alone(compiled.clone(), name, control.scope.resource_types.clone());
            guard_rule(assert, &id, &control_origin)
        })
        .collect())
}

/// The rule of one Guard rule `name` in `file`, bound to `control`. Guard selects its own
/// resources from the whole input, so the rule runs on every resource of the formats its types
/// belong to (`AWS::S3::Bucket`: CloudFormation templates; `aws_s3_bucket`: Terraform plans; none
/// named: templates, which registry rules are written for) and its report says which are its
/// own; `types` are the ones it reports on when it passes.
fn guard_rule(assert: GuardRule, control: &str, control_origin: &Located) -> Rule {
    let (file, name) = (assert.file.clone(), assert.name.clone());
    let named: Vec<&String> = assert.types.iter().filter(|t| t.as_str() != EVERY_TYPE).collect();
    let on_plans = named.iter().any(|t| !t.contains("::"));
    let on_templates = named.is_empty() || named.iter().any(|t| t.contains("::"));
    let target = Target {
        resource_types: vec![EVERY_TYPE.to_string()],
        actions: None,
        when: None,
        assert: Arc::new(assert),
    };
    Rule {
        id: name.to_string(),
        control: control.to_string(),
        title: format!("Guard rule {name} holds"),
        message: format!("Guard rule {name} fails"),
        description: None,
        why: None,
        examples: Examples::default(),
        parameters: Default::default(),
        deprecated: None,
        terraform: on_plans.then(|| target.clone()),
        cloudformation: on_templates.then_some(target),
        origin: Located::new(file.file(), rule_line(file.text(), &name), 1, ""),
        control_origin: control_origin.clone(),
        guard_text: Some(rule_block(file.text(), &name)),
    }
}

/// A rule set of the AWS Guard Rules Registry (`mappings/rule_set_*.json`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct MappingFile {
    rule_set_name: String,
    // Known, and of no use to a run.
    #[serde(default, rename = "version")]
    _version: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "owner")]
    _owner: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "description")]
    _description: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "contact")]
    _contact: Option<serde::de::IgnoredAny>,
    mappings: Vec<MappingEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct MappingEntry {
    guard_file_path: String,
    #[serde(default)]
    controls: Vec<String>,
}

/// What a registry mapping adds to the catalog: per Guard rule a control of its own (its id the
/// rule's name, so an exception names exactly one Guard rule) and the rule.
#[derive(Debug, Default)]
pub struct Mapped {
    pub controls: Vec<Control>,
    pub rules: Vec<Rule>,
    /// Guard files the mapping names that hold no rule yet (the registry stages placeholders):
    /// nothing checks their framework controls.
    pub empty: Vec<String>,
    /// The mapping and every Guard file it named, with their digests.
    pub files: Vec<super::PolicyDigest>,
    /// Every framework control the mapping names, covered by a rule or not.
    pub reference: Option<super::framework::FrameworkReference>,
}

/// The framework key of a rule set (`NIST800-53Rev5` → `nist800-53rev5`), as SARIF tags and
/// `frameworks` show it.
pub fn framework_key(rule_set: &str) -> String {
    let mut key = String::new();
    for c in rule_set.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.ends_with('-') {
            key.push('-');
        }
    }
    key.trim_matches('-').to_string()
}

/// Load the registry mapping at `path`. Its `guardFilePath`s resolve against the registry root,
/// the folder that holds `mappings/`, and may not leave it.
pub fn load_mapping(path: &Path) -> Result<Mapped, Vec<Located>> {
    let shown = path.display().to_string();
    let text = crate::input::read::read_text(path, &shown).map_err(|e| vec![e])?;
    let mapping: MappingFile = serde_json::from_str(&text).map_err(|e| {
        vec![Located::new(&shown, e.line(), e.column(), format!("not a Guard rule set mapping: {e}"))
            .with_help("a mapping is the registry's JSON: {\"ruleSetName\": ..., \"mappings\": [{\"guardFilePath\": \"rules/...guard\", \"controls\": [...]}]}")]
    })?;
    let root = match path.parent() {
        Some(dir) if dir.file_name().is_some_and(|n| n == "mappings") => dir.parent().unwrap_or(Path::new("")),
        _ => {
            return Err(vec![Located::file(&shown, "a Guard rule set mapping must be in a folder named `mappings`")
                .with_help("its guardFilePaths resolve against the registry root, the folder that holds mappings/; keep the registry's layout")]);
        }
    };
    let framework = framework_key(&mapping.rule_set_name);
    if framework.is_empty() {
        return Err(vec![Located::file(&shown, "`ruleSetName` is empty")]);
    }
    let mut out = Mapped::default();
    out.files
        .push(super::PolicyDigest::new("mapping", super::name_in(root, path), &text));
    let every: Vec<String> = mapping
        .mappings
        .iter()
        .flat_map(|m| m.controls.iter().cloned())
        .collect();
    out.reference = Some(super::framework::FrameworkReference {
        key: framework.clone(),
        name: mapping.rule_set_name.clone(),
        source: format!("the AWS Guard Rules Registry mapping {}", super::name_in(root, path)),
        scope: "every framework control the mapping names, including those of Guard files that hold no rule yet".into(),
        controls: dedup(&every),
    });
    let mut errors = Vec::new();
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    let mut files: Vec<Arc<GuardFile>> = Vec::new();
    let mut rules: Vec<(usize, String, Vec<String>, Located)> = Vec::new();
    for entry in &mapping.mappings {
        let relative = Path::new(&entry.guard_file_path);
        let inside = relative
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !inside {
            errors.push(
                Located::file(&shown, format!("guardFilePath `{}` leaves the registry root", entry.guard_file_path))
                    .with_help("write the path relative to the folder that holds mappings/, e.g. rules/aws/amazon_s3/s3_bucket_versioning_enabled.guard"),
            );
            continue;
        }
        let file_path = root.join(relative);
        let file_shown = file_path.display().to_string();
        let text = match crate::input::read::read_text(&file_path, &file_shown) {
            Ok(t) => t,
            Err(e) => {
                errors.push(Located {
                    message: format!("{} (named by {shown})", e.message),
                    ..e
                });
                continue;
            }
        };
        out.files.push(super::PolicyDigest::new(
            "mapped-guard",
            super::name_in(root, &file_path),
            &text,
        ));
        if crate::engine::guard::rule_names(&text).is_empty() {
            out.empty.push(file_shown);
            continue;
        }
        let compiled = match GuardFile::compile(&file_shown, &text) {
            Ok(c) => Arc::new(c),
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let types = named_types(&text);
        let description = description(&text);
        for name in compiled.names() {
            let origin = Located::new(&file_shown, rule_line(&text, name), 1, "");
            if let Some(&at) = by_name.get(name) {
                let prev = &out.controls[at];
                if prev.origin.file != file_shown {
                    errors.push(Located {
                        message: format!("duplicate Guard rule name {name}: also in {}", prev.origin.file),
                        ..origin
                    });
                }
                continue;
            }
            let hint = fix_hint(&text)
                .unwrap_or_else(|| format!("change the resource so that Guard rule {name} ({file_shown}) holds"));
            let control = Control {
                id: name.clone(),
                version: 1,
                title: description
                    .clone()
                    .map_or_else(|| format!("Guard rule {name} holds"), |d| first_sentence(&d)),
                intent: description
                    .clone()
                    .unwrap_or_else(|| format!("Guard rule {name} of rule set {} holds.", mapping.rule_set_name)),
                severity: Severity::Medium,
                scope: Scope {
                    environments: Vec::new(),
                    unknown_environment: Default::default(),
                    resource_types: if types.is_empty() {
                        vec![EVERY_TYPE.to_string()]
                    } else {
                        types.clone()
                    },
                },
                evidence_sources: vec![format!("AWS Guard rule set {} ({shown})", mapping.rule_set_name)],
                exception: ExceptionPolicy {
                    allowed: true,
                    max_duration_days: None,
                    approval_role: None,
                },
                remediation: Remediation {
                    mode: RemediationMode::IacChange,
                    hint,
                    terraform: None,
                    cloudformation: None,
                },
                frameworks: BTreeMap::from([(framework.clone(), dedup(&entry.controls))]),
                help_uri: None,
                parameters: Default::default(),
                origin: origin.clone(),
            };
            by_name.insert(name.clone(), out.controls.len());
            out.controls.push(control);
            rules.push((files.len(), name.clone(), types.clone(), origin));
        }
        files.push(compiled);
    }
    // The mapping's files are one batch: Guard parses an input once per group of them.
    let batch = GuardBatch::new(files.clone());
    for (index, name, types, origin) in rules {
        let assert = GuardRule {
            file: files[index].clone(),
            batch: batch.clone(),
            index,
            name: name.clone(),
            types,
        };
        out.rules.push(guard_rule(assert, &name, &origin));
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// The framework control ids of a mapping entry, each once, in order.
fn dedup(ids: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
    out
}

/// The resource types a Guard file names in full (`AWS::S3::Bucket`), outside comments, sorted.
fn named_types(text: &str) -> Vec<String> {
    static TYPE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\b[A-Z][A-Za-z0-9]*::[A-Za-z0-9]+::[A-Za-z0-9]+\b").expect("valid regex")
    });
    let mut types: Vec<String> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| TYPE.find_iter(l).map(|m| m.as_str().to_string()))
        .collect();
    types.sort();
    types.dedup();
    types
}

/// The registry's `# Description:` comment block, joined into one paragraph.
fn description(text: &str) -> Option<String> {
    let mut lines = text.lines().map(str::trim);
    lines.find(|l| l.trim_start_matches('#').trim().eq_ignore_ascii_case("Description:"))?;
    let mut words = Vec::new();
    for l in lines {
        let Some(body) = l.strip_prefix('#') else { break };
        let body = body.trim();
        if body.is_empty() || body.ends_with(':') {
            break;
        }
        words.push(body);
    }
    (!words.is_empty()).then(|| words.join(" "))
}

fn first_sentence(text: &str) -> String {
    let end = text.find(". ").map_or(text.len(), |i| i + 1);
    text[..end].trim_end_matches('.').to_string()
}

/// The text after `Fix:` in the file's first custom message.
fn fix_hint(text: &str) -> Option<String> {
    let at = text.find("Fix:")? + "Fix:".len();
    let rest = &text[at..];
    let end = rest.find(">>").unwrap_or(rest.len());
    let hint = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
    (!hint.is_empty()).then_some(hint)
}

/// The `rule NAME ... { ... }` block of `name` as written: from its line to the brace that
/// closes the first one opened, braces in strings and comments not counted.
fn rule_block(text: &str, name: &str) -> String {
    let first = rule_line(text, name).saturating_sub(1);
    let mut depth = 0usize;
    let mut opened = false;
    let mut out = Vec::new();
    for line in text.lines().skip(first) {
        out.push(line);
        let mut quote: Option<char> = None;
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, '{') => {
                    depth += 1;
                    opened = true;
                }
                (None, '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if opened && depth == 0 {
            break;
        }
    }
    out.join("\n")
}

/// The 1-based line of `rule NAME`.
fn rule_line(text: &str, name: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start().strip_prefix("rule ").is_some_and(|r| {
                r.trim_start()
                    .strip_prefix(name)
                    .is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
            })
        })
        .map_or(0, |n| n + 1)
}
