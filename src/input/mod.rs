//! Finding input files, reading them, and telling plans from templates by their content.

pub mod cloudformation;
pub mod exclusions;
pub mod json;
mod pointer_scan;
pub mod read;
pub mod suppressions;
pub mod terraform_plan;
pub mod terraform_source;
pub mod terraform_unwritten;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;

use crate::error::Located;
use crate::model::{InputFormat, Location, Resource, SourceFile};
use exclusions::{SkipPath, SkippedFile};

pub use crate::paths::display_path;

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
    /// The resources a plan deletes, as they were (action `delete`): not among `resources`,
    /// judged only by rules whose `actions` name `delete`.
    pub deleted: Vec<Resource>,
    /// SHA-256 of the bytes as read, before decoding (what `sha256sum` prints): the run record
    /// names the file by it. Empty for text that was not read from a file.
    pub sha256: String,
}

/// What a whole-template engine (Guard) sees of a template beyond each resource's `Type` and
/// `Properties` as controlgate read them.
#[derive(Debug, Default, Clone)]
pub struct TemplateParts {
    /// Every top-level section but `Resources` (`Parameters`, `Conditions`, ...).
    pub sections: serde_json::Map<String, Value>,
    /// Per logical id written under `Resources`: its other attributes (`Metadata` without other
    /// scanners' suppression entries, `DependsOn`, `Condition`, `DeletionPolicy`, ...).
    pub attributes: std::collections::BTreeMap<String, serde_json::Map<String, Value>>,
    /// The logical ids written without `Properties`.
    pub without_properties: std::collections::BTreeSet<String>,
}

/// The [`TemplateParts`] of a parsed template.
pub fn template_parts(template: &Value) -> TemplateParts {
    let mut parts = TemplateParts::default();
    let Some(top) = template.as_object() else {
        return parts;
    };
    for (k, v) in top {
        if k != "Resources" {
            parts.sections.insert(k.clone(), v.clone());
        }
    }
    for (id, resource) in top.get("Resources").and_then(Value::as_object).into_iter().flatten() {
        let Some(resource) = resource.as_object() else { continue };
        if !resource.contains_key("Properties") {
            parts.without_properties.insert(id.clone());
        }
        let attributes: serde_json::Map<String, Value> = resource
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "Type" | "Properties"))
            .map(|(k, v)| match (k.as_str(), v) {
                ("Metadata", Value::Object(m)) => (k.clone(), Value::Object(suppressions::without_markers(m))),
                _ => (k.clone(), v.clone()),
            })
            .collect();
        if !attributes.is_empty() {
            parts.attributes.insert(id.clone(), attributes);
        }
    }
    parts
}

/// The [`TemplateParts`] of the template `source`, read again from its text: only engines that
/// evaluate a whole template need them, and a run without such an engine holds nothing more.
pub fn template_parts_of(source: &SourceFile) -> Result<TemplateParts, String> {
    let value = if source_is_json(source) {
        json::parse(&source.text).map_err(|e| format!("{}:{}:{}: {}", source.display, e.line, e.column, e.message))?
    } else {
        cloudformation::parse_yaml(source).map_err(|e| e.to_string())?.value
    };
    Ok(template_parts(&value))
}

/// Whether a file is read as JSON: by its extension, else by its first character.
fn source_is_json(source: &SourceFile) -> bool {
    match source.path.extension().and_then(|e| e.to_str()) {
        Some("json") => true,
        Some("yaml" | "yml") => false,
        _ => source.text.trim_start().starts_with(['{', '[']),
    }
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
    /// Always noted: it failed to parse, or is a link not followed; otherwise it is some other
    /// JSON/YAML (listed with `--verbose`).
    pub unparseable: bool,
}

/// What reading one candidate gave: its resources (with notes), a skip, or an error.
#[derive(Debug)]
pub enum Outcome {
    Loaded(LoadedFile, Vec<Located>),
    Skipped(Skipped),
    Failed(Located),
}

/// What discovery found: the files to read, each once, and what it refused.
#[derive(Debug, Default)]
pub struct Discovery {
    pub candidates: Vec<Candidate>,
    pub errors: Vec<Located>,
    /// Links not followed because what they lead to is walked already (always noted).
    pub skipped: Vec<Skipped>,
    /// Files a `--skip-path` pattern left out, in walk order.
    pub excluded: Vec<SkippedFile>,
    /// Named files a `--skip-path` pattern matches, checked all the same (file, pattern).
    pub named_matches: Vec<(String, String)>,
}

impl Discovery {
    /// Add `path` unless its canonical path is a candidate already (`x` and `./x`, a directory
    /// and a file in it, a link and its target): each file is checked once, where first met, and
    /// strictly if it was ever named.
    fn add(&mut self, path: PathBuf, named: bool, seen: &mut HashMap<PathBuf, usize>) {
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        match seen.get(&key) {
            Some(&i) => self.candidates[i].named |= named,
            None => {
                seen.insert(key, self.candidates.len());
                self.candidates.push(Candidate { path, named });
            }
        }
    }
}

/// The files under `paths`, in a stable order. A path that does not exist is an error.
pub fn discover(paths: &[PathBuf]) -> (Vec<Candidate>, Vec<Located>) {
    let found = walk(paths, Path::new(""), None);
    (found.candidates, found.errors)
}

/// The files under `paths`: named files whatever their name, and in directories the files with
/// a plan or template extension, in file-name order, each once.
///
/// Symbolic links are followed, to files and to directories, when they lead inside `root` (the
/// repository) or inside the directory walked; a link leading elsewhere is refused with an
/// error (its target may hold plans: name it to check it). A directory reached a second time
/// (a link loop, or two links to one directory) is not walked again. Files that are not regular
/// (FIFOs, devices) are kept as candidates so that reading them refuses them, located.
pub fn walk(paths: &[PathBuf], cwd: &Path, root: Option<&Path>) -> Discovery {
    walk_skipping(paths, cwd, root, &Exclusions::default())
}

/// What `--skip-path` leaves out of a walk.
#[derive(Debug, Default)]
pub struct Exclusions<'a> {
    pub patterns: &'a [SkipPath],
    /// Named files are matched too (`--skip-other-files`: named files are a walk by another
    /// name, as pre-commit passes them); otherwise a named file is always checked.
    pub named: bool,
}

/// [`walk`], leaving out the files `skip` matches. A file is left out only when a pattern
/// matches its path as walked and its path with links resolved (both relative to the
/// repository root, or to `cwd` without one): a link out of a skipped directory to a file that
/// is checked, or a link into one, leaves nothing out unseen. An entry a walk could not read in
/// a skipped directory is left out too, rather than failing the run.
pub fn walk_skipping(paths: &[PathBuf], cwd: &Path, root: Option<&Path>, skip: &Exclusions<'_>) -> Discovery {
    let mut found = Discovery::default();
    let rel_root = root
        .map(Path::to_path_buf)
        .unwrap_or_else(|| cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf()));
    // The first pattern matching both the path as walked and the resolved path.
    let excluded_by = |p: &Path, resolved: bool| -> Option<&SkipPath> {
        if skip.patterns.is_empty() {
            return None;
        }
        let walked = display_path(&cwd.join(p), &rel_root);
        let real = repo_path(p, cwd, &rel_root);
        skip.patterns
            .iter()
            .find(|g| g.matches(&walked) && (!resolved || g.matches(&real)))
    };
    let exclude = |found: &mut Discovery, p: &Path, g: &SkipPath| {
        found.excluded.push(SkippedFile {
            file: display_path(p, cwd),
            pattern: g.glob.clone(),
            source: g.source.clone(),
        });
    };
    let mut seen = HashMap::new();
    // Directories walked, canonical: none is walked twice, whichever paths and links lead to it.
    let mut walked_dirs: HashSet<PathBuf> = HashSet::new();
    let root = root.and_then(|r| r.canonicalize().ok());
    let considered = |p: &Path| {
        p.extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()))
    };
    for path in paths {
        // `-` is standard input (a file named `-` is `./-`), read once however often named.
        if is_stdin(path) {
            if !found.candidates.iter().any(|c| is_stdin(&c.path)) {
                found.candidates.push(Candidate {
                    path: path.clone(),
                    named: true,
                });
            }
            continue;
        }
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                let what = if std::fs::symlink_metadata(path).is_ok() {
                    format!("a symbolic link whose target cannot be read: {e}")
                } else {
                    "no such file or directory".into()
                };
                found.errors.push(
                    Located::file(display_path(path, cwd), what)
                        .with_help("pass plan JSON files, templates, or directories holding them"),
                );
                continue;
            }
        };
        if !meta.is_dir() {
            if let Some(g) = excluded_by(path, true) {
                if skip.named {
                    exclude(&mut found, path, g);
                    continue;
                }
                found.named_matches.push((display_path(path, cwd), g.glob.clone()));
            }
            found.add(path.clone(), true, &mut seen);
            continue;
        }
        let base = path.canonicalize().unwrap_or_else(|_| path.clone());
        let inside = |t: &Path| t.starts_with(&base) || root.as_ref().is_some_and(|r| t.starts_with(r));
        let mut entries = walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !(e.file_type().is_dir() && e.file_name().to_str().is_some_and(|n| SKIP_DIRS.contains(&n)))
            });
        while let Some(entry) = entries.next() {
            let e = match entry {
                Ok(e) => e,
                Err(err) => {
                    let at = err.path().unwrap_or(path);
                    if let Some(g) = excluded_by(at, false) {
                        exclude(&mut found, at, g);
                        continue;
                    }
                    let shown = display_path(at, cwd);
                    if let Some(ancestor) = err.loop_ancestor() {
                        found.skipped.push(Skipped {
                            file: shown,
                            reason: format!(
                                "a symbolic link back to {}, which is walked already: not followed",
                                Some(display_path(ancestor, cwd))
                                    .filter(|p| !p.is_empty())
                                    .unwrap_or_else(|| ".".into())
                            ),
                            unparseable: true,
                        });
                    } else {
                        let broken = std::fs::symlink_metadata(at).is_ok_and(|m| m.file_type().is_symlink());
                        let what = if broken {
                            format!("a symbolic link whose target cannot be read: {err}")
                        } else {
                            format!("cannot read: {err}")
                        };
                        found.errors.push(
                            Located::file(shown, what)
                                .with_help("remove the link or make it point at a plan, a template or a directory"),
                        );
                    }
                    continue;
                }
            };
            let is_dir = e.file_type().is_dir();
            let canonical = if is_dir || e.path_is_symlink() {
                std::fs::canonicalize(e.path()).ok()
            } else {
                None
            };
            // A link out of the repository in a skipped directory is not followed, and not an error.
            if e.depth() > 0
                && e.path_is_symlink()
                && !canonical.as_deref().is_some_and(inside)
                && let Some(g) = excluded_by(e.path(), false)
            {
                if is_dir {
                    entries.skip_current_dir();
                }
                if is_dir || considered(e.path()) {
                    exclude(&mut found, e.path(), g);
                }
                continue;
            }
            if e.path_is_symlink() && e.depth() > 0 && !canonical.as_deref().is_some_and(inside) {
                if is_dir {
                    entries.skip_current_dir();
                }
                if is_dir || considered(e.path()) {
                    found.errors.push(
                        Located::file(
                            display_path(e.path(), cwd),
                            format!(
                                "a symbolic link out of the repository (to {}): not followed",
                                canonical.as_deref().unwrap_or(Path::new("?")).display()
                            ),
                        )
                        .with_help("name its target on the command line to check it, or remove the link"),
                    );
                }
                continue;
            }
            if is_dir {
                // Two links to one directory (or a chain of them) would walk it again and again.
                if !walked_dirs.insert(canonical.unwrap_or_else(|| e.path().to_path_buf())) {
                    entries.skip_current_dir();
                }
                continue;
            }
            if considered(e.path()) {
                match excluded_by(e.path(), true) {
                    Some(g) => exclude(&mut found, e.path(), g),
                    None => found.add(e.into_path(), false, &mut seen),
                }
            }
        }
    }
    // A file left out once but met again as a candidate (named, or through another path) is
    // checked; one left out by two paths is listed once.
    let mut listed = HashSet::new();
    found.excluded.retain(|x| {
        let p = cwd.join(&x.file);
        let key = std::fs::canonicalize(&p).unwrap_or(p);
        !seen.contains_key(&key) && listed.insert(key)
    });
    found
}

/// The error of a run that found no plan or template: it names the paths searched, since the
/// likeliest cause is a wrong path, and a gate that checked nothing must not pass.
pub fn nothing_found(paths: &[PathBuf], cwd: &Path) -> Located {
    let searched: Vec<String> = paths
        .iter()
        .map(|p| display_path(p, cwd))
        .map(|p| if p.is_empty() { ".".into() } else { p })
        .collect();
    Located::file(
        "command line",
        format!("no Terraform plan or CloudFormation template found in {}", searched.join(", ")),
    )
    .with_help("pass the plan JSON (`terraform show -json plan.out > plan.json`) or template to check; `--allow-empty` passes a run with nothing to check")
}

/// Read and parse every candidate, in parallel; results keep the candidates' order.
pub fn load_all(candidates: &[Candidate], cwd: &Path) -> Loaded {
    load_all_with(candidates, cwd, &[])
}

/// `load_all`, also looking for Terraform sources in `source_roots` (after the plan's own
/// directory and before the working directory).
pub fn load_all_with(candidates: &[Candidate], cwd: &Path, source_roots: &[PathBuf]) -> Loaded {
    let root = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    load_all_in(
        candidates,
        &Places {
            cwd,
            root: &root,
            source_roots,
        },
    )
}

/// Where a run reads from.
#[derive(Debug, Clone, Copy)]
pub struct Places<'a> {
    /// Paths on the command line and in reports are relative to it.
    pub cwd: &'a Path,
    /// The repository root, canonical: the paths that decide verdicts (environment patterns, exception
    /// scopes, fingerprints) are relative to it, so any working directory gives the same verdicts.
    pub root: &'a Path,
    /// Extra directories holding the `.tf` files of plans.
    pub source_roots: &'a [PathBuf],
}

/// `load_all_with`, with the repository root of [`Places`].
pub fn load_all_in(candidates: &[Candidate], places: &Places<'_>) -> Loaded {
    let outcomes: Vec<(Outcome, Vec<Located>)> = candidates.par_iter().map(|c| load(c, places)).collect();
    let mut loaded = Loaded::default();
    for (o, errors) in outcomes {
        match o {
            Outcome::Loaded(f, notes) => {
                loaded.files.push(f);
                loaded.notes.extend(notes);
            }
            Outcome::Skipped(s) => loaded.skipped.push(s),
            Outcome::Failed(e) => loaded.errors.push(e),
        }
        loaded.errors.extend(errors);
    }
    loaded
}

/// The path of `path` (relative to `cwd`, or absolute) relative to the repository `root` (a
/// canonical path), `/`-separated: what environment patterns and exception `paths` scopes are
/// matched against. Links are resolved: a link `envs/dev/x.yaml` to `envs/prod/db.yaml` is the
/// production file, whichever of the two paths the walk met first.
pub fn repo_path(path: &Path, cwd: &Path, root: &Path) -> String {
    let absolute = cwd.join(path);
    display_path(&std::fs::canonicalize(&absolute).unwrap_or(absolute), root)
}

/// Bytes → text: UTF-8 with or without a byte-order mark, or UTF-16 with one (PowerShell `>`).
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    decode_owned(bytes.to_vec()).map_err(|(e, _)| e)
}

/// `decode`, reusing the buffer for UTF-8 (no copy of a large plan); on failure the bytes are
/// handed back.
fn decode_owned(mut bytes: Vec<u8>) -> Result<String, (String, Vec<u8>)> {
    let utf16 = |bytes: Vec<u8>, be: bool| -> Result<String, (String, Vec<u8>)> {
        let body = &bytes[2..];
        if !body.len().is_multiple_of(2) {
            return Err(("UTF-16 text with an odd number of bytes".into(), bytes));
        }
        let units = body.chunks_exact(2).map(|p| {
            if be {
                u16::from_be_bytes([p[0], p[1]])
            } else {
                u16::from_le_bytes([p[0], p[1]])
            }
        });
        match char::decode_utf16(units).collect::<Result<String, _>>() {
            Ok(t) => Ok(t),
            Err(e) => Err((format!("invalid UTF-16: {e}"), bytes)),
        }
    };
    let utf8 = |bytes: Vec<u8>| {
        String::from_utf8(bytes).map_err(|e| (format!("invalid UTF-8: {}", e.utf8_error()), e.into_bytes()))
    };
    match bytes.as_slice() {
        [0xEF, 0xBB, 0xBF, ..] => {
            bytes.drain(..3);
            utf8(bytes)
        }
        [0xFF, 0xFE, ..] => utf16(bytes, false),
        [0xFE, 0xFF, ..] => utf16(bytes, true),
        _ => utf8(bytes),
    }
}

/// Text that a plan or template would contain: a parse failure in such a file is an error even
/// when it was only met in a directory walk.
fn looks_like_iac(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion") || text.contains("AWS::") || text.contains("resource_changes")
}

/// Read, decode and parse one candidate; also the errors of its `.tf` sources.
fn load(candidate: &Candidate, places: &Places<'_>) -> (Outcome, Vec<Located>) {
    let mut extra = Vec::new();
    let outcome = load_one(candidate, places, &mut extra);
    (outcome, extra)
}

/// Whether `path` names standard input (`-`).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How standard input is named in messages and reports.
pub const STDIN_NAME: &str = "<stdin>";

fn load_one(candidate: &Candidate, places: &Places<'_>, extra: &mut Vec<Located>) -> Outcome {
    let cwd = places.cwd;
    let stdin = is_stdin(&candidate.path);
    let shown = if stdin {
        STDIN_NAME.to_string()
    } else {
        display_path(&candidate.path, cwd)
    };
    let read = if stdin {
        read::read_stdin()
    } else {
        read::read(&candidate.path)
    };
    let bytes = match read {
        Ok(b) => b,
        Err(e) => return Outcome::Failed(e.located(&shown)),
    };
    load_bytes(candidate, places, bytes, extra)
}

/// Decode and parse the bytes read from `candidate` (its path names it and decides JSON or
/// YAML): what reading the file gives, and the errors of a plan's `.tf` sources in `extra`.
pub fn load_bytes(candidate: &Candidate, places: &Places<'_>, bytes: Vec<u8>, extra: &mut Vec<Located>) -> Outcome {
    let cwd = places.cwd;
    let stdin = is_stdin(&candidate.path);
    let shown = if stdin {
        STDIN_NAME.to_string()
    } else {
        display_path(&candidate.path, cwd)
    };
    let sha256 = crate::text::sha256_hex(&bytes);
    let text = match decode_owned(bytes) {
        Ok(t) => t,
        Err((e, bytes)) if candidate.named || looks_like_iac(&String::from_utf8_lossy(&bytes)) => {
            return Outcome::Failed(
                Located::file(shown, format!("cannot decode: {e}"))
                    .with_help("save the file as UTF-8 (or UTF-16 with a byte-order mark)"),
            );
        }
        Err((e, _)) => {
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
        repo_path: if stdin {
            STDIN_NAME.to_string()
        } else {
            repo_path(&candidate.path, cwd, places.root)
        },
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

    let is_json = source_is_json(&source);
    let mut notes = Vec::new();
    let mut deleted = Vec::new();
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
            let mut value = value;
            terraform_plan::take_resources_and_deleted(&source, &mut value, &mut notes).map(|(mut r, d)| {
                deleted = d;
                let plan_dir = candidate.path.parent().map(Path::to_path_buf).unwrap_or_default();
                let roots: Vec<PathBuf> = std::iter::once(plan_dir)
                    .chain(places.source_roots.iter().cloned())
                    .chain(std::iter::once(cwd.to_path_buf()))
                    .collect();
                extra.extend(terraform_plan::locate_sources(&value, &mut r, &roots, places));
                free_in_background(std::mem::take(&mut value), source.text.len());
                (InputFormat::TerraformPlan, r)
            })
        } else if cloudformation::is_template(&value) {
            cloudformation::into_resources(&source, value, None).map(|r| (InputFormat::Cloudformation, r))
        } else {
            return not_iac(
                candidate,
                shown,
                "JSON that is neither a Terraform plan nor a CloudFormation template",
            );
        }
    } else {
        let mut doc = match cloudformation::parse_yaml(&source) {
            Ok(d) => d,
            Err(e) => return fail_or_skip(e),
        };
        if cloudformation::is_template(&doc.value) {
            // Taken out, so that the resources' properties are moved rather than copied.
            let template = std::mem::take(&mut doc.value);
            cloudformation::into_resources(&source, template, Some(&doc)).map(|r| (InputFormat::Cloudformation, r))
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
                deleted,
                sha256,
            },
            notes,
        ),
        Err(e) => Outcome::Failed(e),
    }
}

/// A CloudFormation template given as YAML text rather than read from a file (a rule's example),
/// named `name` in findings.
pub fn template_from_text(name: &str, text: &str) -> Result<LoadedFile, Located> {
    let source = Arc::new(SourceFile {
        path: PathBuf::from(name),
        display: name.to_string(),
        repo_path: name.to_string(),
        text: text.to_string(),
    });
    let mut doc = cloudformation::parse_yaml(&source)?;
    if !cloudformation::is_template(&doc.value) {
        return Err(Located::file(name, "YAML that is not a CloudFormation template"));
    }
    let template = std::mem::take(&mut doc.value);
    let resources = cloudformation::into_resources(&source, template, Some(&doc))?;
    Ok(LoadedFile {
        source,
        format: InputFormat::Cloudformation,
        resources,
        deleted: Vec::new(),
        sha256: String::new(),
    })
}

/// A CloudFormation template already parsed from `source` (a case of a Guard test file), read
/// into resources as a template file is (`Fn::ForEach` expanded). Its resources are not located.
pub fn template_from_value(source: &Arc<SourceFile>, template: Value) -> Result<LoadedFile, Located> {
    let unlocated = cloudformation::YamlDocument {
        value: Value::Null,
        resource_locations: Default::default(),
    };
    let resources = cloudformation::into_resources(source, template, Some(&unlocated))?;
    Ok(LoadedFile {
        source: source.clone(),
        format: InputFormat::Cloudformation,
        resources,
        deleted: Vec::new(),
        sha256: String::new(),
    })
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

/// Free what is left of a parsed plan of `size` bytes, once its resources are taken out, on a
/// thread of its own: freeing a large plan costs about a quarter of parsing it, and nothing
/// needs to wait for it. A small plan, or one whose thread cannot start, is freed here.
fn free_in_background(rest: Value, size: usize) {
    if size >= 1 << 20 {
        // When the thread cannot start, the closure, and the value with it, is dropped here.
        let _ = std::thread::Builder::new()
            .name("controlgate-free".into())
            .spawn(move || drop(rest));
    }
}

/// Resolve JSON pointers in `text` to locations in one scan of the text. A pointer that does
/// not resolve (or text that does not parse) gives `None`.
pub fn json_locations(text: &str, pointers: &[&str]) -> Vec<Option<Location>> {
    let spans = pointer_scan::spans(text, pointers);
    let found: Vec<(usize, usize)> = spans.iter().flatten().copied().collect();
    let mut located = crate::model::locations(text, &found).into_iter();
    spans.iter().map(|s| s.and_then(|_| located.next())).collect()
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
