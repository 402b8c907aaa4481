//! The plan's `configuration`: which resources each attribute refers to, and which attributes
//! the author wrote.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rayon::prelude::*;
use serde_json::Value;

use super::addresses::{address_parts, parse_instance, split_index};
use crate::model::Resource;

/// One resource block of the configuration: each top-level attribute's references, the
/// references of its `for_each`/`count` expression, and every attribute it sets.
struct ConfigBlock {
    references: BTreeMap<String, Vec<String>>,
    iteration: Vec<String>,
    /// Shared with every instance of the block (`count`, `for_each`).
    attributes: std::sync::Arc<BTreeSet<String>>,
    /// Nested blocks written in the configuration: per block name, the arguments each written
    /// block sets (`dynamic` blocks are not shown).
    nested: BTreeMap<String, Vec<BTreeSet<String>>>,
}

/// Configuration blocks by module path and resource (`aws_x.y`).
type ConfigRefs = HashMap<(String, String), ConfigBlock>;

fn collect_references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(refs)) = m.get("references") {
                out.extend(refs.iter().filter_map(Value::as_str).map(str::to_string));
            }
            m.iter()
                .filter(|(k, _)| *k != "references")
                .for_each(|(_, v)| collect_references(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| collect_references(v, out)),
        _ => {}
    }
}

fn config_references(plan: &Value) -> ConfigRefs {
    let mut out = ConfigRefs::new();
    let Some(root) = plan.pointer("/configuration/root_module") else {
        return out;
    };
    let mut stack: Vec<(&Value, String)> = vec![(root, String::new())];
    while let Some((module, path)) = stack.pop() {
        for r in module.get("resources").and_then(Value::as_array).into_iter().flatten() {
            let Some(address) = r.get("address").and_then(Value::as_str) else {
                continue;
            };
            let mut attrs = BTreeMap::new();
            let attributes: BTreeSet<String> = r
                .get("expressions")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone())
                .collect();
            for (k, v) in r.get("expressions").and_then(Value::as_object).into_iter().flatten() {
                let mut refs = Vec::new();
                collect_references(v, &mut refs);
                if !refs.is_empty() {
                    attrs.insert(k.clone(), refs);
                }
            }
            let nested = r
                .get("expressions")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| {
                    let blocks = v.as_array()?;
                    let keys = blocks
                        .iter()
                        .map(|b| b.as_object().map(|o| o.keys().cloned().collect::<BTreeSet<String>>()))
                        .collect::<Option<Vec<_>>>()?;
                    Some((k.clone(), keys))
                })
                .collect();
            let mut iteration = Vec::new();
            for key in ["for_each_expression", "count_expression"] {
                if let Some(e) = r.get(key) {
                    collect_references(e, &mut iteration);
                }
            }
            out.insert(
                (path.clone(), address.to_string()),
                ConfigBlock {
                    references: attrs,
                    iteration,
                    attributes: attributes.into(),
                    nested,
                },
            );
        }
        for (name, call) in module
            .get("module_calls")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(m) = call.get("module") {
                let child = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                stack.push((m, child));
            }
        }
    }
    out
}

/// The resource a reference names (`aws_s3_bucket.b.id` → `aws_s3_bucket.b`, with a static index
/// if written), or `None` for variables, locals, data sources, module outputs and the like.
pub(super) fn referenced_resource(reference: &str) -> Option<(String, &str)> {
    let parts = address_parts(reference);
    let kind = *parts.first()?;
    if [
        "var",
        "local",
        "each",
        "count",
        "path",
        "terraform",
        "module",
        "data",
        "self",
    ]
    .contains(&kind)
        || !kind.contains('_')
    {
        return None;
    }
    let (name, index) = split_index(parts.get(1)?);
    Some((format!("{kind}.{name}"), index))
}

/// Fill `references` and `configured` of every resource from the plan's `configuration`, and
/// remove the computed arguments it shows the author did not write. References name
/// resources, not instances: an instance is paired with the instance of the same key (count
/// index or for_each key) when the referenced resource is iterated too, which is how a
/// companion written with `[count.index]`, `[each.key]` or `for_each = aws_x.y` is meant.
pub(super) fn link_references(plan: &Value, resources: &mut [Resource]) {
    let config = config_references(plan);
    if config.is_empty() {
        return;
    }
    let present: HashSet<String> = resources.iter().map(|r| r.address.clone()).collect();
    resources.par_iter_mut().for_each(|r| {
        let Some(me) = parse_instance(&r.address) else { return };
        let Some(block) = config.get(&(me.module_path.clone(), me.resource.clone())) else {
            return;
        };
        r.configured = Some(std::sync::Arc::clone(&block.attributes));
        let (attrs, iteration) = (&block.references, &block.iteration);
        let resolve = |reference: &str| -> Option<String> {
            let (target, static_index) = referenced_resource(reference)?;
            let base = format!("{}{target}", me.prefix);
            [format!("{base}{static_index}"), format!("{base}{}", me.index)]
                .into_iter()
                .find(|a| present.contains(a))
        };
        for (attr, refs) in attrs {
            let mut targets: BTreeSet<String> = refs.iter().filter_map(|x| resolve(x)).collect();
            // `for_each = aws_x.y` with `each.value...` in the attribute: the same-key instance.
            if refs.iter().any(|x| x.starts_with("each.")) {
                targets.extend(iteration.iter().filter_map(|x| resolve(x)));
            }
            targets.remove(&r.address);
            if !targets.is_empty() {
                r.references.insert(attr.clone(), targets);
            }
        }
        crate::input::terraform_unwritten::forget_unwritten(r, None);
        crate::input::terraform_unwritten::forget_unwritten_nested(r, &block.nested);
    });
}
