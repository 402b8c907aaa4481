//! Reference lists of framework controls: what `catalog --framework` counts as covered or not.
//!
//! The built-in lists (`policies/frameworks/<key>.yaml`) hold ids only, the texts being the
//! frameworks' own. A Guard rule set mapping brings its own list: every framework control it
//! names, including those of Guard files that hold no rule yet.

use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

use crate::error::Located;

static BUILTIN_FRAMEWORKS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/policies/frameworks");

/// One framework's controls, in the framework's order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FrameworkReference {
    /// The key controls' `frameworks` use (`nist-800-53`, or a Guard rule set's key).
    pub key: String,
    pub name: String,
    /// Where the list of ids comes from.
    pub source: String,
    /// Which part of the framework the list covers.
    pub scope: String,
    pub controls: Vec<String>,
}

/// Parse one reference list; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<FrameworkReference, Located> {
    let r: FrameworkReference = crate::yaml::from_str(file, text)?;
    if !super::control::FRAMEWORKS.contains(&r.key.as_str()) {
        return Err(Located::file(file, format!("unknown framework key `{}`", r.key))
            .with_help(format!("known frameworks: {}", super::control::FRAMEWORKS.join(", "))));
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(dup) = r.controls.iter().find(|id| !seen.insert(id.as_str())) {
        return Err(Located::file(
            file,
            format!("framework control `{dup}` is listed twice"),
        ));
    }
    if r.controls.is_empty() {
        return Err(Located::file(file, "`controls` is empty"));
    }
    Ok(r)
}

/// The built-in reference lists, by key order.
pub fn builtin() -> Result<Vec<FrameworkReference>, Located> {
    let mut out = Vec::new();
    for f in BUILTIN_FRAMEWORKS.files() {
        let name = format!("{}policies/frameworks/{}", super::BUILTIN_PREFIX, f.path().display());
        out.push(parse(&name, f.contents_utf8().unwrap_or_default())?);
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_list_loads_and_holds_what_the_builtin_pack_maps_to() {
        let lists = builtin().expect("built-in framework lists load");
        let keys: Vec<&str> = lists.iter().map(|l| l.key.as_str()).collect();
        let mut known = super::super::control::FRAMEWORKS.to_vec();
        known.sort();
        assert_eq!(keys, known, "one list per known framework");
        let catalog = super::super::load(&[super::super::PackSource::Builtin]).expect("built-in pack loads");
        for c in catalog.controls.values() {
            for (key, ids) in &c.frameworks {
                let list = lists.iter().find(|l| &l.key == key).expect("list of a known framework");
                for id in ids {
                    assert!(
                        list.controls.contains(id),
                        "{} maps to {key} {id}, missing from its list",
                        c.id
                    );
                }
            }
        }
    }

    #[test]
    fn a_list_twice_naming_a_control_or_of_an_unknown_framework_is_refused() {
        let head = "name: N\nsource: S\nscope: S\n";
        let dup = parse("f.yaml", &format!("key: soc2\n{head}controls: [CC6.1, CC6.1]\n")).unwrap_err();
        assert!(dup.message.contains("listed twice"), "{}", dup.message);
        let unknown = parse("f.yaml", &format!("key: pci\n{head}controls: [\"1.1\"]\n")).unwrap_err();
        assert!(unknown.message.contains("unknown framework key"), "{}", unknown.message);
        assert!(parse("f.yaml", &format!("key: soc2\n{head}controls: []\n")).is_err());
    }
}
