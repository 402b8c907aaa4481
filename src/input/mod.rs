//! Finding input files, reading them, and telling plans from templates by their content.

pub mod cloudformation;
pub mod cloudformation_foreach;
pub mod json;
pub mod terraform_plan;
pub mod terraform_source;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use rayon::prelude::*;
use serde_json::Value;

use crate::error::Located;
use crate::model::{InputFormat, Location, Resource, SourceFile};

/// Directories never walked into.
const SKIP_DIRS: &[&str] = &[".git", ".terraform", "node_modules", "target"];
/// Files a directory walk considers; files named on the command line are read whatever their name.
const EXTENSIONS: &[&str] = &["json", "yaml", "yml", "template"];

/// A file to read, and whether the user named it (then it must be a plan or template).
#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: PathBuf,
    pub named: bool,
}

/// A file that was read and holds resources.
#[derive(Debug)]
pub struct LoadedFile {
    pub source: Arc<SourceFile>,
    pub format: InputFormat,
    pub resources: Vec<Resource>,
}

/// What loading every candidate produced. Every file is attempted; all errors are kept.
#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Vec<LoadedFile>,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<Located>,
    /// What a reader could read but not fully understand (a plan action it does not know), for
    /// standard error: the run goes on.
    pub notes: Vec<Located>,
}

/// A file met in a directory walk that is not evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub file: String,
    pub reason: String,
    /// It failed to parse (always noted) rather than being some other JSON/YAML (`--verbose`).
    pub unparseable: bool,
}

enum Outcome {
    Loaded(LoadedFile, Vec<Located>),
    Skipped(Skipped),
    Failed(Located),
}

/// The files under `paths`, in a stable order. A path that does not exist is an error.
pub fn discover(paths: &[PathBuf]) -> (Vec<Candidate>, Vec<Located>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.is_file() {
            out.push(Candidate {
                path: path.clone(),
                named: true,
            });
            continue;
        }
        if !path.is_dir() {
            errors.push(
                Located::file(path.display().to_string(), "no such file or directory")
                    .with_help("pass plan JSON files, templates, or directories holding them"),
            );
            continue;
        }
        let walker = walkdir::WalkDir::new(path)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !(e.file_type().is_dir() && e.file_name().to_str().is_some_and(|n| SKIP_DIRS.contains(&n)))
            });
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    let ext = e
                        .path()
                        .extension()
                        .and_then(|x| x.to_str())
                        .map(str::to_ascii_lowercase);
                    if ext.is_some_and(|x| EXTENSIONS.contains(&x.as_str())) {
                        out.push(Candidate {
                            path: e.into_path(),
                            named: false,
                        });
                    }
                }
                Ok(_) => {}
                Err(e) => errors.push(Located::file(
                    e.path().unwrap_or(path).display().to_string(),
                    format!("cannot read: {e}"),
                )),
            }
        }
    }
    (out, errors)
}

/// Read and parse every candidate, in parallel; results keep the candidates' order.
pub fn load_all(candidates: &[Candidate], cwd: &Path) -> Loaded {
    load_all_with(candidates, cwd, &[])
}

/// `load_all`, also looking for Terraform sources in `source_roots` (after the plan's own
/// directory and before the working directory).
pub fn load_all_with(candidates: &[Candidate], cwd: &Path, source_roots: &[PathBuf]) -> Loaded {
    let outcomes: Vec<Outcome> = candidates.par_iter().map(|c| load(c, cwd, source_roots)).collect();
    let mut loaded = Loaded::default();
    for o in outcomes {
        match o {
            Outcome::Loaded(f, notes) => {
                loaded.files.push(f);
                loaded.notes.extend(notes);
            }
            Outcome::Skipped(s) => loaded.skipped.push(s),
            Outcome::Failed(e) => loaded.errors.push(e),
        }
    }
    loaded
}

/// The path shown in reports: relative to `cwd`, `/`-separated, never absolute when avoidable.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let relative = pathdiff::diff_paths(&absolute, cwd).unwrap_or_else(|| path.to_path_buf());
    let mut parts: Vec<String> = Vec::new();
    for c in relative.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if parts.last().is_some_and(|p| p != "..") => {
                parts.pop();
            }
            c => parts.push(c.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts.join("/")
}

/// Bytes → text: UTF-8 with or without a byte-order mark, or UTF-16 with one (PowerShell `>`).
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    let utf16 = |be: bool| -> Result<String, String> {
        let body = &bytes[2..];
        if body.len() % 2 != 0 {
            return Err("UTF-16 text with an odd number of bytes".into());
        }
        let units = body.chunks_exact(2).map(|p| {
            if be {
                u16::from_be_bytes([p[0], p[1]])
            } else {
                u16::from_le_bytes([p[0], p[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|e| format!("invalid UTF-16: {e}"))
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8(rest.to_vec()).map_err(|e| format!("invalid UTF-8: {e}")),
        [0xFF, 0xFE, ..] => utf16(false),
        [0xFE, 0xFF, ..] => utf16(true),
        _ => String::from_utf8(bytes.to_vec()).map_err(|e| format!("invalid UTF-8: {e}")),
    }
}

/// Text that a plan or template would contain: a parse failure in such a file is an error even
/// when it was only met in a directory walk.
fn looks_like_iac(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion") || text.contains("AWS::") || text.contains("resource_changes")
}

fn load(candidate: &Candidate, cwd: &Path, source_roots: &[PathBuf]) -> Outcome {
    let shown = display_path(&candidate.path, cwd);
    let bytes = match std::fs::read(&candidate.path) {
        Ok(b) => b,
        Err(e) => return Outcome::Failed(Located::file(shown, format!("cannot read: {e}"))),
    };
    let text = match decode(&bytes) {
        Ok(t) => t,
        Err(e) if candidate.named || looks_like_iac(&String::from_utf8_lossy(&bytes)) => {
            return Outcome::Failed(
                Located::file(shown, format!("cannot decode: {e}"))
                    .with_help("save the file as UTF-8 (or UTF-16 with a byte-order mark)"),
            );
        }
        Err(e) => {
            return Outcome::Skipped(Skipped {
                file: shown,
                reason: format!("not text: {e}"),
                unparseable: true,
            });
        }
    };
    let source = Arc::new(SourceFile {
        path: candidate.path.clone(),
        display: shown.clone(),
        text,
    });
    let strict = candidate.named || looks_like_iac(&source.text);
    let fail_or_skip = |e: Located| {
        if strict {
            Outcome::Failed(e)
        } else {
            Outcome::Skipped(Skipped {
                file: shown.clone(),
                reason: e.to_string(),
                unparseable: true,
            })
        }
    };

    let is_json = match candidate.path.extension().and_then(|x| x.to_str()) {
        Some("json") => true,
        Some("yaml" | "yml") => false,
        _ => source.text.trim_start().starts_with(['{', '[']),
    };
    let mut notes = Vec::new();
    let result = if is_json {
        let value: Value = match json::parse(&source.text) {
            Ok(v) => v,
            Err(e) => {
                return fail_or_skip(
                    Located::new(&shown, e.line, e.column, format!("invalid JSON: {}", e.message))
                        .with_help("a Terraform plan comes from `terraform show -json plan.out > plan.json`, with nothing else in the file; a template names each key once per object"),
                );
            }
        };
        if terraform_plan::is_plan(&value) {
            terraform_plan::resources(&source, &value, &mut notes).map(|mut r| {
                let plan_dir = candidate.path.parent().map(Path::to_path_buf).unwrap_or_default();
                let roots: Vec<PathBuf> = std::iter::once(plan_dir)
                    .chain(source_roots.iter().cloned())
                    .chain(std::iter::once(cwd.to_path_buf()))
                    .collect();
                terraform_plan::locate_sources(&value, &mut r, &roots, cwd);
                (InputFormat::TerraformPlan, r)
            })
        } else if cloudformation::is_template(&value) {
            cloudformation::resources(&source, &value, None).map(|r| (InputFormat::Cloudformation, r))
        } else {
            return not_iac(
                candidate,
                shown,
                "JSON that is neither a Terraform plan nor a CloudFormation template",
            );
        }
    } else {
        let doc = match cloudformation::parse_yaml(&source) {
            Ok(d) => d,
            Err(e) => return fail_or_skip(e),
        };
        if cloudformation::is_template(&doc.value) {
            cloudformation::resources(&source, &doc.value, Some(&doc)).map(|r| (InputFormat::Cloudformation, r))
        } else {
            return not_iac(candidate, shown, "YAML that is not a CloudFormation template");
        }
    };
    match result {
        Ok((format, resources)) => Outcome::Loaded(
            LoadedFile {
                source,
                format,
                resources,
            },
            notes,
        ),
        Err(e) => Outcome::Failed(e),
    }
}

fn not_iac(candidate: &Candidate, shown: String, what: &str) -> Outcome {
    if candidate.named {
        Outcome::Failed(
            Located::file(shown, what.to_string())
                .with_help("controlgate reads `terraform show -json` plans and CloudFormation/SAM templates"),
        )
    } else {
        Outcome::Skipped(Skipped {
            file: shown,
            reason: what.to_string(),
            unparseable: false,
        })
    }
}

/// Resolve JSON pointers in `text` to locations, parsing the text once. A pointer that does not
/// resolve (or text that does not parse) gives `None`.
pub fn json_locations(text: &str, pointers: &[&str]) -> Vec<Option<Location>> {
    let Ok(parsed) = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default()) else {
        return vec![None; pointers.len()];
    };
    let Some(root) = parsed.value.as_ref() else {
        return vec![None; pointers.len()];
    };
    let spans: Vec<Option<(usize, usize)>> = pointers.iter().map(|p| span_of(root, p)).collect();
    let found: Vec<(usize, usize)> = spans.iter().flatten().copied().collect();
    let mut located = crate::model::locations(text, &found).into_iter();
    spans.iter().map(|s| s.and_then(|_| located.next())).collect()
}

/// The byte span of the key (or array element start) that names the target of `pointer`.
fn span_of(root: &ast::Value<'_>, pointer: &str) -> Option<(usize, usize)> {
    let mut node = root;
    let mut span = (0usize, 1usize);
    for raw in pointer.split('/').skip(1) {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        match node {
            ast::Value::Object(obj) => {
                let prop = obj.properties.iter().find(|p| p.name.as_str() == seg)?;
                let name_range = match &prop.name {
                    ast::ObjectPropName::String(s) => s.range,
                    ast::ObjectPropName::Word(w) => w.range,
                };
                span = (name_range.start, name_range.end - name_range.start);
                node = &prop.value;
            }
            ast::Value::Array(arr) => {
                let el = arr.elements.get(seg.parse::<usize>().ok()?)?;
                span = (el.range().start, 1);
                node = el;
            }
            _ => return None,
        }
    }
    Some(span)
}

/// The line and column of a JSON pointer, for load errors (0, 0 when it cannot be found).
pub fn json_position(text: &str, pointer: &str) -> (usize, usize) {
    json_locations(text, &[pointer])
        .pop()
        .flatten()
        .map_or((0, 0), |l| (l.line, l.column))
}

#[cfg(test)]
mod tests;
