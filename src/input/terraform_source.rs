//! Where a Terraform plan's resources are written: the `resource "TYPE" "NAME"` block in the
//! `.tf` files of the root module and of the local modules it calls, so findings land on the
//! line a reviewer sees in the pull request, not in a generated plan file.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hcl_edit::Span;
use serde_json::Value;

use super::Places;
use crate::error::Located;
use crate::model::{Location, SourceFile};

/// Resource blocks by module path (`a.b`, empty for the root) and resource (`aws_x.y`).
#[derive(Debug, Default)]
pub struct SourceIndex {
    blocks: HashMap<(String, String), (Arc<SourceFile>, Location)>,
    /// What each block writes: its attributes, its nested blocks and the labels of its `dynamic`
    /// blocks, which the plan's configuration leaves out.
    written: HashMap<(String, String), BTreeSet<String>>,
    /// `.tf` files that are not regular files or are too large: a FIFO named `main.tf` must not
    /// hang the run, nor a link to `/dev/zero` fill its memory, and neither may pass unnoticed.
    pub errors: Vec<Located>,
}

impl SourceIndex {
    /// The block of a module path and resource.
    pub fn get(&self, module_path: &str, resource: &str) -> Option<&(Arc<SourceFile>, Location)> {
        self.blocks.get(&(module_path.to_string(), resource.to_string()))
    }

    /// The names a block writes (attributes, nested blocks, `dynamic` labels).
    pub fn written(&self, module_path: &str, resource: &str) -> Option<&BTreeSet<String>> {
        self.written.get(&(module_path.to_string(), resource.to_string()))
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }
}

/// The resource blocks of the root module, found in the first of `roots` that holds `.tf`
/// files, and of the local modules (`source = "./..."`) the plan's configuration calls.
/// Files that do not parse are passed over: the finding then stays on the plan. Files that cannot
/// be read (not regular, over the size limit) are errors.
pub fn index(plan: &Value, roots: &[PathBuf], places: &Places<'_>) -> SourceIndex {
    let mut out = SourceIndex::default();
    let Some(root_dir) = roots.iter().find(|d| has_tf(d)) else {
        return out;
    };
    let mut stack: Vec<(String, PathBuf, Option<&Value>)> = vec![(
        String::new(),
        root_dir.clone(),
        plan.pointer("/configuration/root_module"),
    )];
    while let Some((path, dir, module)) = stack.pop() {
        read_module(&path, &dir, places, &mut out);
        for (name, call) in module
            .and_then(|m| m.get("module_calls"))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let Some(source) = call.get("source").and_then(Value::as_str) else {
                continue;
            };
            if !(source.starts_with("./") || source.starts_with("../")) {
                continue; // registry and remote modules are not in the repository
            }
            let child = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            stack.push((child, dir.join(source), call.get("module")));
        }
    }
    out
}

fn has_tf(dir: &Path) -> bool {
    !tf_files(dir).is_empty()
}

/// The `*.tf` entries of `dir` that are not directories (Terraform passes over directories; a
/// FIFO or device is kept, for the read to refuse), sorted.
fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf") && !p.is_dir())
        .collect();
    files.sort();
    files
}

fn read_module(module_path: &str, dir: &Path, places: &Places<'_>, out: &mut SourceIndex) {
    for path in tf_files(dir) {
        let display = super::display_path(&path, places.cwd);
        let text = match super::read::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => continue,
            },
            // Unreadable for another reason (permissions): the findings stay on the plan.
            Err(super::read::ReadError::Io(_)) => continue,
            Err(e) => {
                out.errors.push(e.located(&display));
                continue;
            }
        };
        let Ok(body) = hcl_edit::parser::parse_body(&text) else {
            continue;
        };
        let source = Arc::new(SourceFile {
            display,
            repo_path: super::repo_path(&path, places.cwd, places.root),
            path,
            text,
        });
        for block in body.blocks().filter(|b| b.ident.value().as_str() == "resource") {
            let [kind, name] = block.labels.as_slice() else {
                continue;
            };
            let Some(span) = block.span() else { continue };
            let location = Location::from_offset(&source.text, span.start, block.ident.value().as_str().len());
            let key = (module_path.to_string(), format!("{}.{}", kind.as_str(), name.as_str()));
            out.written.insert(key.clone(), written_names(&block.body));
            out.blocks.insert(key, (Arc::clone(&source), location));
        }
    }
}

/// The top-level names a resource body writes: attributes, nested blocks, and for a
/// `dynamic "x"` block both `dynamic` and `x`.
fn written_names(body: &hcl_edit::structure::Body) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = body.attributes().map(|a| a.key.as_str().to_string()).collect();
    for b in body.blocks() {
        let ident = b.ident.as_str();
        if ident == "dynamic" {
            // A label that is missing is a body Terraform refuses; nothing is left out by it.
            out.extend(b.labels.first().map(|l| l.as_str().to_string()));
        }
        out.insert(ident.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blocks_of_the_root_and_of_local_modules() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("modules/db")).unwrap();
        std::fs::write(
            root.join("main.tf"),
            "# root\n\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n",
        )
        .unwrap();
        std::fs::write(
            root.join("modules/db/main.tf"),
            "variable \"n\" {}\n\nresource \"aws_db_instance\" \"main\" {\n  count = 2\n}\n",
        )
        .unwrap();
        let plan = json!({"configuration": {"root_module": {"module_calls": {
            "data": {"source": "./modules/db", "module": {}},
            "remote": {"source": "terraform-aws-modules/vpc/aws", "module": {}}
        }}}});
        let places = Places {
            cwd: root,
            root,
            source_roots: &[],
        };
        let idx = index(&plan, &[root.to_path_buf()], &places);
        let (file, at) = idx.get("", "aws_s3_bucket.logs").unwrap();
        assert_eq!((file.display.as_str(), at.line, at.column), ("main.tf", 3, 1));
        let (file, at) = idx.get("data", "aws_db_instance.main").unwrap();
        assert_eq!((file.display.as_str(), at.line), ("modules/db/main.tf", 3));
        assert!(idx.get("remote", "aws_vpc.this").is_none());
        let written: Vec<&str> = idx
            .written("", "aws_s3_bucket.logs")
            .unwrap()
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(written, ["bucket"]);
        assert_eq!(file.repo_path, "modules/db/main.tf");
        assert!(index(&plan, &[root.join("modules/nothing")], &places).is_empty());
        assert!(idx.errors.is_empty());
    }

    #[test]
    fn written_names_include_blocks_and_dynamic_labels() {
        let body = hcl_edit::parser::parse_body(
            "resource \"aws_security_group\" \"g\" {\n  name = \"g\"\n  egress {\n    from_port = 0\n  }\n  dynamic \"ingress\" {\n    for_each = var.rules\n    content {\n      from_port = ingress.value\n    }\n  }\n}\n",
        )
        .unwrap();
        let block = body.blocks().next().unwrap();
        let names: Vec<String> = written_names(&block.body).into_iter().collect();
        assert_eq!(names, ["dynamic", "egress", "ingress", "name"]);
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_tf_files_are_errors_and_directories_are_passed_over() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("main.tf"), "resource \"aws_s3_bucket\" \"b\" {}\n").unwrap();
        std::fs::create_dir(root.join("vendor.tf")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("zero.tf")).unwrap();
        let fifo = std::process::Command::new("mkfifo").arg(root.join("pipe.tf")).status();
        let places = Places {
            cwd: root,
            root,
            source_roots: &[],
        };
        let idx = index(&serde_json::json!({}), &[root.to_path_buf()], &places);
        assert!(idx.get("", "aws_s3_bucket.b").is_some());
        let mut failed: Vec<&str> = idx.errors.iter().map(|e| e.file.as_str()).collect();
        failed.sort();
        let mut want = vec!["zero.tf"];
        if fifo.is_ok_and(|s| s.success()) {
            want.insert(0, "pipe.tf");
        }
        assert_eq!(failed, want, "{:?}", idx.errors);
    }
}
