//! The control catalog and its rules: the built-in pack embedded in the binary, and packs read
//! from directories (`controls/*.yaml`, `rules/**/*.yaml`).

pub mod control;
pub mod framework;
#[cfg(feature = "guard")]
mod guard;
pub mod rule;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

pub use control::{Control, Severity};
pub use rule::{Rule, Target};

use crate::error::Located;

// Only what a run loads is embedded: `policies/tests/` (the pack's policy tests) stays out.
static BUILTIN_CONTROLS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/policies/controls");
static BUILTIN_RULES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/policies/rules");

/// Where policies come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackSource {
    /// The pack compiled into the binary (`policies/` of this repository).
    Builtin,
    Dir(PathBuf),
    /// An AWS Guard Rules Registry rule set mapping (`mappings/rule_set_*.json`).
    GuardMapping(PathBuf),
}

/// All controls and rules of a run.
#[derive(Debug, Default)]
pub struct Catalog {
    pub controls: BTreeMap<String, Control>,
    /// Sorted by id.
    pub rules: Vec<Rule>,
    /// What a reader should know about the policies loaded (a mapped Guard file with no rule).
    pub notes: Vec<String>,
    /// Every policy file the catalog was read from, with its digest: the run record's policy
    /// bundle.
    pub files: Vec<PolicyDigest>,
    /// The framework control lists of the Guard rule set mappings loaded (`catalog --framework`).
    pub references: Vec<framework::FrameworkReference>,
}

/// One file of the policies a run loaded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct PolicyDigest {
    /// `control`, `rule`, `guard`, `pack` (a `pack.yaml`), `mapping` or `mapped-guard`.
    pub role: String,
    /// A name that does not depend on the working directory: `<builtin>/policies/...` for the
    /// built-in pack, else the pack's (or registry's) folder name and the path inside it.
    pub name: String,
    /// SHA-256 of the file's text, in hex.
    pub sha256: String,
}

impl PolicyDigest {
    pub fn new(role: &str, name: String, text: &str) -> Self {
        PolicyDigest {
            role: role.into(),
            name,
            sha256: crate::text::sha256_hex(text.as_bytes()),
        }
    }
}

/// The name of `path` inside the folder `root`, prefixed with that folder's own name
/// (`policies/controls/X.yaml`): the same wherever the folder is and whatever the working directory.
pub fn name_in(root: &Path, path: &Path) -> String {
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let full = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let top = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let inside = full.strip_prefix(&root).unwrap_or(&full);
    std::iter::once(top)
        .chain(
            inside
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned()),
        )
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// One policy file: its display name and text.
struct PolicyFile {
    name: String,
    /// [`PolicyDigest::name`].
    canonical: String,
    text: String,
    kind: Kind,
    /// Where the file is published, from its pack's `helpBaseUrl` (`pack.yaml`).
    help_uri: Option<String>,
}

/// A pack's own settings, `PACK/pack.yaml` (optional).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PackManifest {
    /// Where the pack's files are published (`https://git.example.com/org/policies/blob/v3`): a
    /// control's SARIF `helpUri` is this URL and the control file's path in the pack. Without
    /// it, a pack's controls link nowhere (unless a control sets its own `helpUri`).
    #[serde(default)]
    help_base_url: Option<String>,
}

/// The pack manifest's file name.
pub const PACK_MANIFEST: &str = "pack.yaml";

/// The `helpBaseUrl` of the pack at `root`, if its `pack.yaml` gives one.
fn help_base_url(root: &Path, errors: &mut Vec<Located>) -> Option<String> {
    let path = root.join(PACK_MANIFEST);
    if std::fs::symlink_metadata(&path).is_err() {
        return None;
    }
    let shown = path.display().to_string();
    let manifest: PackManifest =
        match crate::input::read::read_text(&path, &shown).and_then(|text| crate::yaml::from_str(&shown, &text)) {
            Ok(m) => m,
            Err(e) => {
                errors.push(e);
                return None;
            }
        };
    let url = manifest.help_base_url?;
    // A link code scanning shows must be an absolute web address.
    let web = ["https://", "http://"]
        .iter()
        .any(|s| url.get(..s.len()).is_some_and(|p| p.eq_ignore_ascii_case(s)) && url.len() > s.len());
    if !web || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        errors.push(
            Located::file(&shown, format!("`helpBaseUrl` is not an http(s) URL: `{url}`"))
                .with_help("give the address the pack's files are published under, e.g. https://git.example.com/org/policies/blob/v3"),
        );
        return None;
    }
    Some(url.trim_end_matches('/').to_string())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Control,
    Rule,
    /// A `.guard` file under `rules/`.
    Guard,
}

fn is_guard(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("guard"))
}

/// A cfn-guard test file beside its Guard file (`rules/**/tests/NAME_tests.yml` with
/// `rules/**/NAME.guard`): `controlgate test` runs it; it is not a rule.
fn is_guard_test(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let Some(stem) = ["_tests.yml", "_tests.yaml"].iter().find_map(|s| name.strip_suffix(s)) else {
        return false;
    };
    let Some(tests) = path.parent().filter(|p| p.file_name().is_some_and(|n| n == "tests")) else {
        return false;
    };
    tests
        .parent()
        .is_some_and(|dir| dir.join(format!("{stem}.guard")).is_file())
}

fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// How the built-in pack's files are named (they are in the binary, not on disk).
pub const BUILTIN_PREFIX: &str = "<builtin>/";

fn builtin_files() -> Vec<PolicyFile> {
    fn walk(dir: &Dir<'static>, top: &str, kind: Kind, out: &mut Vec<PolicyFile>) {
        for f in dir.files() {
            let path = f.path();
            if is_yaml(path) {
                let name = format!("{BUILTIN_PREFIX}policies/{top}/{}", path.display());
                out.push(PolicyFile {
                    canonical: name.clone(),
                    name,
                    text: f.contents_utf8().unwrap_or_default().to_string(),
                    kind,
                    // Linked by the SARIF writer, at this version's release tag.
                    help_uri: None,
                });
            }
        }
        for d in dir.dirs() {
            walk(d, top, kind, out);
        }
    }
    let mut out = Vec::new();
    walk(&BUILTIN_CONTROLS, "controls", Kind::Control, &mut out);
    walk(&BUILTIN_RULES, "rules", Kind::Rule, &mut out);
    out
}

fn dir_files(root: &Path, errors: &mut Vec<Located>) -> Vec<PolicyFile> {
    let mut out = Vec::new();
    let shown = root.display().to_string();
    if !root.join("controls").is_dir() && !root.join("rules").is_dir() {
        errors.push(
            Located::file(
                &shown,
                "not a policy pack: it has neither a `controls/` nor a `rules/` directory",
            )
            .with_help("a pack holds controls/<ID>.yaml and rules/**/<rule-id>.yaml"),
        );
        return out;
    }
    let base = help_base_url(root, errors);
    for (sub, kind) in [("controls", Kind::Control), ("rules", Kind::Rule)] {
        let dir = root.join(sub);
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir).follow_links(true).sort_by_file_name() {
            let entry = match entry {
                Ok(e) => e,
                // A link back to a directory being walked holds nothing new.
                Err(e) if e.loop_ancestor().is_some() => continue,
                Err(e) => {
                    errors.push(Located::file(
                        e.path().map_or(shown.clone(), |p| p.display().to_string()),
                        format!("cannot read: {e}"),
                    ));
                    continue;
                }
            };
            // Links are followed; a FIFO or device named `*.yaml` is refused by the read, located.
            if entry.file_type().is_dir() {
                continue;
            }
            let kind = match kind {
                Kind::Rule if is_guard(entry.path()) => Kind::Guard,
                Kind::Rule if is_guard_test(entry.path()) => continue,
                _ if is_yaml(entry.path()) => kind,
                _ => continue,
            };
            let name = entry.path().display().to_string();
            let help_uri = base.as_ref().map(|b| {
                let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
                let relative: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                let relative = relative.join("/");
                format!("{b}/{}", crate::paths::uri_path(&relative))
            });
            match crate::input::read::read_text(entry.path(), &name) {
                Ok(text) => out.push(PolicyFile {
                    canonical: name_in(root, entry.path()),
                    name,
                    text,
                    kind,
                    help_uri,
                }),
                Err(e) => errors.push(e),
            }
        }
    }
    out
}

/// Load and cross-check every control and rule of `sources`. All problems are reported.
pub fn load(sources: &[PackSource]) -> Result<Catalog, Vec<Located>> {
    load_with(sources, &BTreeMap::new(), "")
}

/// `load`, with rule parameters set by a config file (`origin`), by rule id.
pub fn load_with(
    sources: &[PackSource],
    overrides: &BTreeMap<String, crate::engine::Parameters>,
    origin: &str,
) -> Result<Catalog, Vec<Located>> {
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for source in sources {
        match source {
            PackSource::Builtin => files.extend(builtin_files()),
            PackSource::Dir(dir) => files.extend(dir_files(dir, &mut errors)),
            PackSource::GuardMapping(_) => {}
        }
    }
    let mut catalog = Catalog::default();
    catalog.files.extend(files.iter().map(|f| {
        let role = match f.kind {
            Kind::Control => "control",
            Kind::Rule => "rule",
            Kind::Guard => "guard",
        };
        PolicyDigest::new(role, f.canonical.clone(), &f.text)
    }));
    for f in files.iter().filter(|f| f.kind == Kind::Control) {
        match control::parse(&f.name, &f.text) {
            Ok(mut c) => {
                // The control's own `helpUri` wins over its pack's published file.
                if c.help_uri.is_none() {
                    c.help_uri.clone_from(&f.help_uri);
                }
                if let Some(prev) = catalog.controls.get(&c.id) {
                    errors.push(
                        Located {
                            message: format!(
                                "duplicate control id {}: also defined at {}:{}",
                                c.id, prev.origin.file, prev.origin.line
                            ),
                            ..c.origin.clone()
                        }
                        .with_help("control ids are permanent and unique; give the new control its own id"),
                    );
                } else {
                    catalog.controls.insert(c.id.clone(), c);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    let mut rules: BTreeMap<String, Rule> = BTreeMap::new();
    for f in files.iter().filter(|f| f.kind != Kind::Control) {
        let shared = |control: &str| catalog.controls.get(control).map(|c| c.parameters.clone());
        let parsed = if f.kind == Kind::Guard {
            guard_rules(f, &catalog)
        } else {
            rule::parse_in(&f.name, &f.text, &shared, None)
                .and_then(|r| match overrides.get(&r.id) {
                    Some(o) => rule::parse_in(&f.name, &f.text, &shared, Some(o)),
                    None => Ok(r),
                })
                .map(|r| vec![r])
        };
        let parsed = match parsed {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        for rule in parsed {
            match catalog.controls.get(&rule.control) {
                None => errors.push(
                    Located {
                        message: format!("rule {} names unknown control {}", rule.id, rule.control),
                        ..rule.control_origin.clone()
                    }
                    .with_help("add the control to controls/, or tag the rule with an existing control id"),
                ),
                Some(control) => {
                    for target in [&rule.terraform, &rule.cloudformation].into_iter().flatten() {
                        for t in &target.resource_types {
                            // A native rule on every type needs a control on every type; a
                            // Guard rule selects its own resources.
                            let outside = if t == crate::engine::EVERY_TYPE {
                                rule.guard_text.is_none() && !control.scope.resource_types.contains(t)
                            } else {
                                !control.scope.resource_types.contains(t) && !control.scope.every_type()
                            };
                            if outside {
                                errors.push(
                                    Located {
                                        message: format!(
                                            "rule {} targets {t}, which is outside the scope of control {}",
                                            rule.id, control.id
                                        ),
                                        ..rule.origin.clone()
                                    }
                                    .with_help(format!(
                                        "add {t} to scope.resourceTypes of {} ({})",
                                        control.id, control.origin.file
                                    )),
                                );
                            }
                        }
                    }
                }
            }
            if let Some(prev) = rules.get(&rule.id) {
                errors.push(Located {
                    message: format!("duplicate rule id {}: also defined in {}", rule.id, prev.origin.file),
                    ..rule.origin.clone()
                });
            } else {
                rules.insert(rule.id.clone(), rule);
            }
        }
    }
    for source in sources {
        if let PackSource::GuardMapping(path) = source {
            mapped_rules(path, &mut catalog, &mut rules, &mut errors);
        }
    }
    for id in overrides.keys().filter(|id| !rules.contains_key(*id)) {
        errors.push(
            Located::file(origin, format!("`parameters` names rule {id}, which no pack defines"))
                .with_help("`controlgate controls` lists the rules"),
        );
    }
    catalog.rules = rules.into_values().collect();
    if errors.is_empty() { Ok(catalog) } else { Err(errors) }
}

/// Add the controls and rules of a Guard rule set mapping. A Guard file two mappings name gives
/// one control, with both mappings' framework controls.
#[cfg(feature = "guard")]
fn mapped_rules(path: &Path, catalog: &mut Catalog, rules: &mut BTreeMap<String, Rule>, errors: &mut Vec<Located>) {
    let mut mapped = match guard::load_mapping(path) {
        Ok(m) => m,
        Err(e) => {
            errors.extend(e);
            return;
        }
    };
    catalog.files.append(&mut mapped.files);
    if let Some(r) = mapped.reference.take() {
        // Two mappings of one rule set name give one list.
        match catalog.references.iter_mut().find(|k| k.key == r.key) {
            Some(known) => {
                for id in r.controls {
                    if !known.controls.contains(&id) {
                        known.controls.push(id);
                    }
                }
            }
            None => catalog.references.push(r),
        }
    }
    if !mapped.empty.is_empty() {
        let stems: Vec<&str> = mapped
            .empty
            .iter()
            .map(|f| Path::new(f).file_stem().and_then(|s| s.to_str()).unwrap_or(f))
            .collect();
        catalog.notes.push(format!(
            "{} names {} Guard file{} with no rule yet (the registry stages them), so nothing checks {}: {}",
            path.display(),
            stems.len(),
            crate::text::plural(stems.len()),
            if stems.len() == 1 { "it" } else { "them" },
            stems.join(", ")
        ));
    }
    for (control, rule) in mapped.controls.into_iter().zip(mapped.rules) {
        match catalog.controls.get_mut(&control.id) {
            Some(prev) if prev.origin.file == control.origin.file => {
                for (framework, ids) in control.frameworks {
                    let known = prev.frameworks.entry(framework).or_default();
                    for id in ids {
                        if !known.contains(&id) {
                            known.push(id);
                        }
                    }
                }
                continue;
            }
            Some(prev) => {
                errors.push(
                    Located {
                        message: format!(
                            "Guard rule {} of {} takes the id of control {} ({}:{})",
                            control.id,
                            path.display(),
                            prev.id,
                            prev.origin.file,
                            prev.origin.line
                        ),
                        ..control.origin.clone()
                    }
                    .with_help("ids are permanent and unique: rename the pack's control or rule"),
                );
                continue;
            }
            None => {}
        }
        if let Some(prev) = rules.get(&rule.id) {
            errors.push(Located {
                message: format!("duplicate rule id {}: also defined in {}", rule.id, prev.origin.file),
                ..rule.origin.clone()
            });
            continue;
        }
        catalog.controls.insert(control.id.clone(), control);
        rules.insert(rule.id.clone(), rule);
    }
}

#[cfg(not(feature = "guard"))]
fn mapped_rules(path: &Path, _: &mut Catalog, _: &mut BTreeMap<String, Rule>, errors: &mut Vec<Located>) {
    errors.push(
        Located::file(
            path.display().to_string(),
            "this build of controlgate has no Guard engine",
        )
        .with_help("build with the default feature `guard` to run Guard rule set mappings"),
    );
}

/// The rules of a `.guard` file.
#[cfg(feature = "guard")]
fn guard_rules(f: &PolicyFile, catalog: &Catalog) -> Result<Vec<Rule>, Located> {
    guard::parse(&f.name, &f.text, &|id| catalog.controls.get(id).cloned())
}

#[cfg(not(feature = "guard"))]
fn guard_rules(f: &PolicyFile, _: &Catalog) -> Result<Vec<Rule>, Located> {
    Err(Located::file(&f.name, "this controlgate was built without Guard rules")
        .with_help("build with the default feature `guard`, or move the .guard file out of the pack's rules/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_pack_loads_and_every_control_has_rules() {
        let catalog = load(&[PackSource::Builtin]).unwrap_or_else(|e| panic!("{e:?}"));
        for id in ["BCK-001", "DP-ENC-001", "NET-001", "LOG-001", "TAG-001"] {
            assert!(catalog.controls.contains_key(id), "missing {id}");
            let rules: Vec<_> = catalog.rules.iter().filter(|r| r.control == id).collect();
            assert!(
                rules.iter().any(|r| r.terraform.is_some()),
                "{id} has no Terraform rule"
            );
            assert!(
                rules.iter().any(|r| r.cloudformation.is_some()),
                "{id} has no CloudFormation rule"
            );
        }
    }

    #[test]
    fn a_rule_on_every_type_needs_a_control_on_every_type() {
        let dir = tempfile::tempdir().unwrap();
        let pack = dir.path();
        std::fs::create_dir_all(pack.join("controls")).unwrap();
        std::fs::create_dir_all(pack.join("rules")).unwrap();
        let control = |types: &str| {
            format!(
                "id: ORG-001\nversion: 1\ntitle: t\nintent: i\nseverity: low\nscope:\n  resourceTypes: {types}\nevidenceSources: [cloudformation-template]\nexception:\n  allowed: false\nremediation:\n  mode: manual\n  hint: h\nframeworks: {{}}\n"
            )
        };
        std::fs::write(
            pack.join("rules/r.yaml"),
            "id: org-change-unnamed\ncontrol: ORG-001\ntitle: t\nmessage: m\ncloudformation:\n  resourceTypes: [\"*\"]\n  assert:\n    changeRecord: true\n",
        )
        .unwrap();
        std::fs::write(pack.join("controls/ORG-001.yaml"), control("[AWS::S3::Bucket]")).unwrap();
        let errors = load(&[PackSource::Dir(pack.to_path_buf())]).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.message.contains("targets *, which is outside the scope")),
            "{errors:?}"
        );
        std::fs::write(pack.join("controls/ORG-001.yaml"), control("[\"*\"]")).unwrap();
        let catalog = load(&[PackSource::Dir(pack.to_path_buf())]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(catalog.rules[0].cloudformation.as_ref().unwrap().resource_types, ["*"]);
    }

    #[test]
    fn builtin_pack_twice_is_a_duplicate_error() {
        let errors = load(&[PackSource::Builtin, PackSource::Builtin]).unwrap_err();
        assert!(errors.iter().any(|e| e.message.starts_with("duplicate control id")));
    }

    #[cfg(unix)]
    #[test]
    fn pack_files_follow_links_and_refuse_fifos() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let (pack, shared) = (dir.path().join("pack"), dir.path().join("shared"));
        std::fs::create_dir_all(pack.join("controls")).unwrap();
        std::fs::create_dir_all(pack.join("rules")).unwrap();
        std::fs::create_dir_all(&shared).unwrap();
        std::fs::write(pack.join("controls/a.yaml"), "a: 1\n").unwrap();
        std::fs::write(shared.join("b.yaml"), "b: 1\n").unwrap();
        std::fs::write(shared.join("r.yml"), "r: 1\n").unwrap();
        symlink(shared.join("b.yaml"), pack.join("controls/B.YAML")).unwrap();
        symlink(&shared, pack.join("rules/shared")).unwrap();
        symlink("..", pack.join("rules/loop")).unwrap();
        let mut errors = Vec::new();
        let files = dir_files(&pack, &mut errors);
        let texts: Vec<&str> = files.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(texts, vec!["b: 1\n", "a: 1\n", "b: 1\n", "r: 1\n"]);
        assert!(errors.is_empty(), "{errors:?}");
        let fifo = std::process::Command::new("mkfifo")
            .arg(pack.join("rules/f.yaml"))
            .status();
        if fifo.is_ok_and(|s| s.success()) {
            let mut errors = Vec::new();
            dir_files(&pack, &mut errors);
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(errors[0].message.contains("FIFO"));
        }
    }
}
