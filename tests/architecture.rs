//! Imports flow one way. Each top-level module of `src/` sits on a layer (the table below, the
//! same as docs/architecture.md); a module may use its own layer's modules and those beneath it,
//! never one above. The check parses every source file with `syn`, so `use` trees, paths in
//! code and paths inside macro calls (`format!("{}", crate::x::y())`) all count.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// The layers, lowest first. Data flows up: files are read into the model, rules are compiled and
/// evaluated into findings, exceptions are applied, the gate decides, printers write.
const LAYERS: &[(&str, &[&str])] = &[
    ("shared utilities", &["error", "yaml", "pointer", "paths", "text"]),
    ("model", &["model", "environment"]),
    ("inputs", &["input", "parameters", "change"]),
    ("engine", &["engine"]),
    ("catalog", &["catalog", "selection"]),
    ("findings", &["finding"]),
    ("evaluation", &["evaluate", "policytest", "guardtest"]),
    ("exceptions", &["exceptions"]),
    ("gate", &["gate"]),
    ("reporters", &["report"]),
    ("evidence", &["evidence"]),
    ("run", &["config", "run"]),
    ("command line", &["cli"]),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, mods)| mods.contains(&module))
}

/// The top-level module a file belongs to (`src/input/cloudformation/yaml.rs` → `input`), and
/// its module path (`input::cloudformation::yaml`).
fn module_of(src: &Path, file: &Path) -> (String, Vec<String>) {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    (parts.first().cloned().unwrap_or_default(), parts)
}

#[derive(Default)]
struct Uses {
    /// Top-level modules named through `crate::…` or a `super::` that climbs to the root.
    targets: Vec<(String, usize)>,
    module: Vec<String>,
}

impl Uses {
    fn path(&mut self, segments: &[String], line: usize) {
        let Some(first) = segments.first() else { return };
        if first == "crate" {
            if let Some(t) = segments.get(1) {
                self.targets.push((t.clone(), line));
            }
        } else if first == "super" {
            let ups = segments.iter().take_while(|s| *s == "super").count();
            // A file's own module path: `super` from `input::cloudformation` is `input`.
            let depth = self.module.len();
            if ups >= depth
                && let Some(t) = segments.get(ups)
            {
                self.targets.push((t.clone(), line));
            }
        }
    }

    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, t) in trees.iter().enumerate() {
            match t {
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Ident(id) if id == "crate" => {
                    // `crate` `:` `:` `name`
                    if let (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)), Some(TokenTree::Ident(name))) =
                        (trees.get(i + 1), trees.get(i + 2), trees.get(i + 3))
                        && a.as_char() == ':'
                        && b.as_char() == ':'
                    {
                        self.targets.push((name.to_string(), id.span().start().line));
                    }
                }
                _ => {}
            }
        }
    }
}

fn use_tree(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_tree(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut full = prefix.clone();
            full.push(n.ident.to_string());
            out.push(full);
        }
        syn::UseTree::Rename(r) => {
            let mut full = prefix.clone();
            full.push(r.ident.to_string());
            out.push(full);
        }
        syn::UseTree::Glob(_) => out.push(prefix.clone()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_tree(t, prefix, out)),
    }
}

impl<'ast> Visit<'ast> for Uses {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut paths = Vec::new();
        use_tree(&u.tree, &mut Vec::new(), &mut paths);
        let line = u.use_token.span.start().line;
        for p in paths {
            self.path(&p, line);
        }
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        let line = p.segments.first().map(|s| s.ident.span().start().line).unwrap_or(0);
        self.path(&segments, line);
        syn::visit::visit_path(self, p);
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        // An inline `mod tests { … }` is one level deeper for `super`.
        self.module.push(m.ident.to_string());
        syn::visit::visit_item_mod(self, m);
        self.module.pop();
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.tokens(m.tokens.clone());
        syn::visit::visit_macro(self, m);
    }
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Every `crate::` reference from a file of one top-level module to another, with its line.
fn references() -> BTreeMap<PathBuf, Vec<(String, String, usize)>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut out = BTreeMap::new();
    for file in files {
        let (top, module) = module_of(&src, &file);
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut uses = Uses {
            module,
            ..Uses::default()
        };
        uses.visit_file(&ast);
        let refs: Vec<_> = uses
            .targets
            .into_iter()
            .filter(|(t, _)| *t != top)
            .map(|(t, line)| (top.clone(), t, line))
            .collect();
        out.insert(file.strip_prefix(&src).unwrap().to_path_buf(), refs);
    }
    out
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut missing = Vec::new();
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "main" {
            continue;
        }
        if layer_of(&name).is_none() {
            missing.push(name);
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "modules with no layer in tests/architecture.rs (add them to LAYERS and docs/architecture.md): {missing:?}"
    );
}

#[test]
fn no_module_imports_a_higher_layer() {
    let mut upward = Vec::new();
    for (file, refs) in references() {
        for (from, to, line) in refs {
            let (Some(a), Some(b)) = (layer_of(&from), layer_of(&to)) else {
                continue;
            };
            if b > a {
                upward.push(format!(
                    "src/{}:{line}: `{from}` ({}) uses `{to}` ({})",
                    file.display(),
                    LAYERS[a].0,
                    LAYERS[b].0
                ));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that run up the layers:\n{}",
        upward.join("\n")
    );
}

/// The check itself finds what it is meant to: a file with each kind of reference.
#[test]
fn the_check_sees_use_trees_paths_and_macros() {
    let text = r#"
        use crate::{gate::Verdict, report::{self, json}};
        fn f() { let _ = crate::catalog::load(); println!("{}", crate::text::plural(2)); }
        mod m { use super::super::run::go; }
    "#;
    let ast = syn::parse_file(text).unwrap();
    let mut uses = Uses {
        module: vec!["input".into()],
        ..Uses::default()
    };
    uses.visit_file(&ast);
    let mut targets: Vec<String> = uses.targets.into_iter().map(|(t, _)| t).collect();
    targets.sort();
    targets.dedup();
    assert_eq!(targets, ["catalog", "gate", "report", "run", "text"]);
}
