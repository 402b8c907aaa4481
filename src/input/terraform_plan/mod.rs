//! Terraform plan JSON (`terraform show -json plan.out`) → resources.
//!
//! Resources come from `planned_values` (the root module and `child_modules` at any depth),
//! joined by address with `resource_changes` for the action, `after_unknown` and
//! `after_sensitive`. Data sources and resources being deleted (or forgotten) are not evaluated.
//! Shapes Terraform never writes (a create without an object, the same address twice, a data
//! source being created, `planned_values` that is not an object) are located errors: any reading
//! of them would be a guess.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::error::Located;
use crate::model::{Anchor, InputFormat, PlannedAction, Resource, SourceFile, is_unknown};
use addresses::parse_instance;
use configuration::link_references;
use taken::{Taken, TakenAt};
use values::{collect_true, decode_json_documents, mark_unknown, marked_scalars};

mod addresses;
mod configuration;
mod taken;
mod values;

/// Whether a parsed JSON document is a plan (not a state file or anything else).
pub fn is_plan(value: &Value) -> bool {
    let Some(obj) = value.as_object() else {
        return false;
    };
    obj.contains_key("resource_changes") || (obj.contains_key("planned_values") && obj.contains_key("format_version"))
}

/// The action of a `resource_changes[].change.actions` list; `None` when it is not a list of
/// action names at all.
pub fn parse_actions(actions: &[Value]) -> Option<PlannedAction> {
    let names: Vec<&str> = actions.iter().map(Value::as_str).collect::<Option<_>>()?;
    Some(match names.as_slice() {
        [] => return None,
        ["create"] => PlannedAction::Create,
        ["update"] => PlannedAction::Update,
        ["delete"] => PlannedAction::Delete,
        ["delete", "create"] | ["create", "delete"] => PlannedAction::Replace,
        // Replacement whose old object is forgotten rather than destroyed (Terraform writes
        // create first, OpenTofu forget first): a new object is still created.
        ["create", "forget"] | ["forget", "create"] => PlannedAction::Replace,
        ["no-op"] => PlannedAction::NoOp,
        ["read"] => PlannedAction::Read,
        ["forget"] => PlannedAction::Forget,
        _ => PlannedAction::Other,
    })
}

/// Whether the object will exist after apply with the values of `change.after`, which must then
/// be an object (or wholly unknown).
fn will_exist(action: PlannedAction) -> bool {
    matches!(
        action,
        PlannedAction::Create | PlannedAction::Update | PlannedAction::Replace | PlannedAction::Other
    )
}

struct Change<'a> {
    index: usize,
    action: PlannedAction,
    change: &'a Map<String, Value>,
    mode: &'a str,
    resource_type: &'a str,
    after: After<'a>,
}

/// What `change.after` says about the object after apply.
#[derive(Clone, Copy)]
enum After<'a> {
    Known(&'a Value),
    /// Known only after apply as a whole (`after: null` with `after_unknown: true`), or an action
    /// this reader does not know with no object to read.
    Unknown,
    /// Null for an action that needs none (delete, forget, a no-op of a null object): the planned
    /// values, if any, tell.
    Absent,
}

/// `after_unknown: true`, for an object known only after apply as a whole.
static WHOLLY_UNKNOWN: Value = Value::Bool(true);

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Read `change.after` as Terraform writes it for `action`; anything else is refused.
fn after_of<'a>(address: &str, action: PlannedAction, change: &'a Map<String, Value>) -> Result<After<'a>, String> {
    match change.get("after").unwrap_or(&Value::Null) {
        v @ Value::Object(_) => Ok(After::Known(v)),
        Value::Null if change.get("after_unknown") == Some(&Value::Bool(true)) => Ok(After::Unknown),
        Value::Null if action == PlannedAction::Other => Ok(After::Unknown),
        Value::Null if will_exist(action) => Err(format!(
            "resource change {address} will create or update an object but its `change.after` is null"
        )),
        Value::Null => Ok(After::Absent),
        other => Err(format!(
            "resource change {address} has `change.after` that is {}, where Terraform writes an object or null",
            type_name(other)
        )),
    }
}

/// The mode of a resource entry: `managed` when not written (old plans), else `managed` or `data`.
fn mode_of<'a>(entry: &'a Value, address: &str) -> Result<&'a str, String> {
    match entry.get("mode") {
        None => Ok("managed"),
        Some(Value::String(m)) if m == "managed" || m == "data" => Ok(m),
        Some(other) => Err(format!(
            "{address} has mode {other}, where Terraform writes \"managed\" or \"data\""
        )),
    }
}

/// `key` of `entry`, which must be a list when present.
fn list_at<'a>(entry: &'a Value, key: &str) -> Result<&'a [Value], String> {
    match entry.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(list)) => Ok(list),
        Some(other) => Err(format!(
            "`{key}` is {}, where Terraform writes a list",
            type_name(other)
        )),
    }
}

/// The resources of a plan that controls are evaluated on. Actions this reader does not know are
/// evaluated as resources that will exist, with a note in `notes` each. The plan is copied: see
/// [`take_resources`].
pub fn resources(source: &Arc<SourceFile>, plan: &Value, notes: &mut Vec<Located>) -> Result<Vec<Resource>, Located> {
    take_resources(source, &mut plan.clone(), notes)
}

/// [`resources`], moving the objects that become the resources' properties (`change.after`,
/// planned `values`) out of the plan instead of copying them: a plan may be one large value.
/// What is left of the plan reads the same for everything but those objects.
pub fn take_resources(
    source: &Arc<SourceFile>,
    plan: &mut Value,
    notes: &mut Vec<Located>,
) -> Result<Vec<Resource>, Located> {
    take_resources_and_deleted(source, plan, notes).map(|(live, _)| live)
}

/// [`take_resources`], and the managed resources the plan deletes (`["delete"]`), as they are
/// before the change (`change.before`), with action `delete`: they are not among the resources
/// (nothing of them will exist), and only rules that ask for deletions judge them.
pub fn take_resources_and_deleted(
    source: &Arc<SourceFile>,
    plan: &mut Value,
    notes: &mut Vec<Located>,
) -> Result<(Vec<Resource>, Vec<Resource>), Located> {
    let mut taken = Taken::from_plan(plan);
    let plan = &*plan;
    let file = source.display.as_str();
    let invalid = |pointer: &str, msg: String| {
        let (line, column) = super::json_position(&source.text, pointer);
        Located::new(file, line, column, msg)
            .with_help("regenerate it with `terraform show -json plan.out > plan.json`")
    };
    let mut changes: HashMap<&str, Change<'_>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    if let Some(rc) = plan.get("resource_changes") {
        let list = rc
            .as_array()
            .ok_or_else(|| invalid("/resource_changes", "`resource_changes` is not a list".into()))?;
        for (index, rc) in list.iter().enumerate() {
            let at = format!("/resource_changes/{index}");
            let (address, resource_type) = address_and_type(rc, "resource change").map_err(|m| invalid(&at, m))?;
            let mode = mode_of(rc, address).map_err(|m| invalid(&at, format!("resource change {m}")))?;
            let change = rc
                .get("change")
                .and_then(Value::as_object)
                .ok_or_else(|| invalid(&at, format!("resource change {address} has no `change` object")))?;
            let actions = change
                .get("actions")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid(&at, format!("resource change {address} has no `change.actions` list")))?;
            let shown_actions = || Value::Array(actions.clone());
            let action = parse_actions(actions).ok_or_else(|| {
                invalid(
                    &at,
                    format!(
                        "resource change {address} has actions {}, which are not action names",
                        shown_actions()
                    ),
                )
            })?;
            let after = after_of(address, action, change).map_err(|m| invalid(&at, m))?;
            // A deposed object (left over from a create-before-destroy) is an old object of the
            // same address: it is only ever destroyed or forgotten.
            if rc.get("deposed").is_some_and(|d| !d.is_null()) {
                if !matches!(
                    action,
                    PlannedAction::Delete | PlannedAction::Forget | PlannedAction::NoOp
                ) {
                    return Err(invalid(
                        &at,
                        format!(
                            "deposed object of {address} has actions {}, where Terraform only deletes or forgets one",
                            shown_actions()
                        ),
                    ));
                }
                continue;
            }
            if mode == "data"
                && !matches!(
                    action,
                    PlannedAction::Read | PlannedAction::NoOp | PlannedAction::Delete | PlannedAction::Forget
                )
            {
                return Err(invalid(
                    &at,
                    format!(
                        "data source {address} has actions {}, where Terraform only reads one",
                        shown_actions()
                    ),
                ));
            }
            if action == PlannedAction::Other {
                notes.push(
                    invalid(
                        &at,
                        format!(
                            "resource change {address} has actions {}, which controlgate does not know: it is evaluated as an object that will exist{}",
                            shown_actions(),
                            if matches!(after, After::Unknown) {
                                ", whose values are unknown"
                            } else {
                                ""
                            }
                        ),
                    )
                    .with_help("a newer Terraform may write actions this version does not read: check for a newer controlgate"),
                );
            }
            if let Some(first) = changes.get(address) {
                return Err(invalid(
                    &format!("{at}/address"),
                    format!(
                        "resource change {address} appears twice (first at resource_changes[{}]): which one is applied is not defined",
                        first.index
                    ),
                ));
            }
            order.push(address);
            changes.insert(
                address,
                Change {
                    index,
                    action,
                    change,
                    mode,
                    resource_type,
                    after,
                },
            );
        }
    }

    let provider = Provider {
        region: plan
            .pointer("/configuration/provider_config/aws/expressions/region/constant_value")
            .and_then(Value::as_str),
        // Without a configuration section, default tags may exist for all we know.
        default_tags: match plan.pointer("/configuration/provider_config") {
            Some(Value::Object(providers)) => providers.values().any(|p| {
                p.get("name").and_then(Value::as_str) == Some("aws") && p.pointer("/expressions/default_tags").is_some()
            }),
            // A configuration with no `provider_config` has no provider block at all, so no
            // default tags (Terraform leaves the key out when it would be empty).
            None if plan.pointer("/configuration/root_module").is_some_and(Value::is_object) => false,
            _ => true,
        },
    };
    let mut pending = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let root = match plan.get("planned_values") {
        None | Some(Value::Null) => None,
        Some(pv @ Value::Object(_)) => match pv.get("root_module") {
            Some(root @ Value::Object(_)) => Some(root),
            None | Some(Value::Null) => None,
            Some(other) => {
                return Err(invalid(
                    "/planned_values/root_module",
                    format!(
                        "`planned_values.root_module` is {}, where Terraform writes an object",
                        type_name(other)
                    ),
                ));
            }
        },
        Some(other) => {
            return Err(invalid(
                "/planned_values",
                format!(
                    "`planned_values` is {}, where Terraform writes an object",
                    type_name(other)
                ),
            ));
        }
    };
    if let Some(root) = root {
        // Depth-first over child modules, without recursion: nesting depth is the input's choice.
        let mut stack: Vec<(&Value, String)> = vec![(root, "/planned_values/root_module".to_string())];
        while let Some((module, at)) = stack.pop() {
            if !module.is_object() {
                return Err(invalid(
                    &at,
                    format!("a module of `planned_values` is {}", type_name(module)),
                ));
            }
            let list = list_at(module, "resources").map_err(|m| invalid(&at, format!("a module's {m}")))?;
            for (i, r) in list.iter().enumerate() {
                let rat = format!("{at}/resources/{i}");
                let (address, resource_type) = address_and_type(r, "planned resource").map_err(|m| invalid(&rat, m))?;
                let mode = mode_of(r, address).map_err(|m| invalid(&rat, format!("planned resource {m}")))?;
                let values = match r.get("values") {
                    None | Some(Value::Null) => None,
                    Some(v @ Value::Object(_)) => Some(v),
                    Some(other) => {
                        return Err(invalid(
                            &rat,
                            format!(
                                "planned resource {address} has `values` that is {}, where Terraform writes an object",
                                type_name(other)
                            ),
                        ));
                    }
                };
                if !seen.insert(address) {
                    return Err(invalid(
                        &rat,
                        format!("planned resource {address} appears twice in `planned_values`"),
                    ));
                }
                let change = changes.get(address);
                if let Some(c) = change.filter(|c| c.mode != mode) {
                    return Err(invalid(
                        &rat,
                        format!(
                            "{address} is a {mode} resource in `planned_values` but a {} one in resource_changes[{}]",
                            c.mode, c.index
                        ),
                    ));
                }
                if mode == "data" {
                    continue;
                }
                let action = change.map_or(PlannedAction::NoOp, |c| c.action);
                if matches!(action, PlannedAction::Delete | PlannedAction::Forget) {
                    continue;
                }
                let from_values = TakenAt::Planned(rat.clone());
                let (after, after_at, unknown, anchor) = match change {
                    Some(c) => {
                        let (after, after_at, unknown) = match c.after {
                            After::Known(a) => (Some(a), Some(TakenAt::Change(c.index)), c.change.get("after_unknown")),
                            After::Unknown => (None, None, Some(&WHOLLY_UNKNOWN)),
                            After::Absent => (values, Some(from_values.clone()), c.change.get("after_unknown")),
                        };
                        (
                            after,
                            after_at,
                            unknown,
                            format!("/resource_changes/{}/address", c.index),
                        )
                    }
                    None => (values, Some(from_values.clone()), None, format!("{rat}/address")),
                };
                let sensitive = change
                    .and_then(|c| c.change.get("after_sensitive"))
                    .or_else(|| r.get("sensitive_values"));
                let also_sensitive = [
                    (
                        change.and_then(|c| c.change.get("before")),
                        change.and_then(|c| c.change.get("before_sensitive")),
                    ),
                    (values, r.get("sensitive_values")),
                ];
                let planned = Planned {
                    address,
                    resource_type,
                    action,
                    after,
                    after_at,
                    values_at: Some(from_values),
                    unknown,
                    sensitive,
                    also_sensitive,
                    anchor,
                };
                pending.push(prepare(planned, &mut taken).map_err(|m| invalid(&rat, m))?);
            }
            let children = list_at(module, "child_modules").map_err(|m| invalid(&at, format!("a module's {m}")))?;
            for (i, child) in children.iter().enumerate().rev() {
                stack.push((child, format!("{at}/child_modules/{i}")));
            }
        }
    }
    // Deleted objects, from what they were: `before` is never taken out of the plan.
    let mut deleted = Vec::new();
    for address in &order {
        let c = &changes[address];
        if c.mode != "managed" || c.action != PlannedAction::Delete {
            continue;
        }
        let at = format!("/resource_changes/{}", c.index);
        let planned = Planned {
            address,
            resource_type: c.resource_type,
            action: c.action,
            after: c.change.get("before").filter(|b| b.is_object()),
            after_at: None,
            values_at: None,
            unknown: None,
            sensitive: c.change.get("before_sensitive"),
            also_sensitive: [(None, None), (None, None)],
            anchor: format!("{at}/address"),
        };
        deleted.push(build(source, &provider, planned, &mut Taken::default()).map_err(|m| invalid(&at, m))?);
    }
    // Changes that planned_values does not list (plans written without it).
    for address in order {
        let c = &changes[address];
        if seen.contains(address)
            || c.mode == "data"
            || matches!(
                c.action,
                PlannedAction::Delete | PlannedAction::Forget | PlannedAction::Read
            )
        {
            continue;
        }
        let (after, after_at, unknown) = match c.after {
            After::Known(a) => (a, Some(TakenAt::Change(c.index)), c.change.get("after_unknown")),
            After::Unknown => (&Value::Null, None, Some(&WHOLLY_UNKNOWN)),
            // A no-op of a null object, listed nowhere else: nothing will exist.
            After::Absent => continue,
        };
        let at = format!("/resource_changes/{}", c.index);
        let planned = Planned {
            address,
            resource_type: c.resource_type,
            action: c.action,
            after: Some(after),
            after_at,
            values_at: None,
            unknown,
            sensitive: c.change.get("after_sensitive"),
            also_sensitive: [(c.change.get("before"), c.change.get("before_sensitive")), (None, None)],
            anchor: format!("{at}/address"),
        };
        pending.push(prepare(planned, &mut taken).map_err(|m| invalid(&at, m))?);
    }
    let mut out: Vec<Resource> = pending.into_par_iter().map(|p| finish(source, &provider, p)).collect();
    link_references(plan, &mut out);
    Ok((out, deleted))
}

/// The `address` and `type` every resource entry of a plan has.
fn address_and_type<'a>(entry: &'a Value, what: &str) -> Result<(&'a str, &'a str), String> {
    let address = entry
        .get("address")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{what} without an `address`"))?;
    let kind = entry
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{what} {address} has no `type`"))?;
    Ok((address, kind))
}

/// Set `declared` of every resource whose `resource` block is found in the `.tf` sources.
/// Also returns the `.tf` files that could not be read (a FIFO, a device, too large).
pub fn locate_sources(
    plan: &Value,
    resources: &mut [Resource],
    roots: &[std::path::PathBuf],
    places: &super::Places<'_>,
) -> Vec<crate::error::Located> {
    let mut index = super::terraform_source::index(plan, roots, places);
    let errors = std::mem::take(&mut index.errors);
    if index.is_empty() {
        return errors;
    }
    for r in resources.iter_mut() {
        if let Some(me) = parse_instance(&r.address) {
            r.declared = index.get(&me.module_path, &me.resource).cloned();
            // The `.tf` block tells the blocks the configuration does not show (`dynamic`).
            if let Some(written) = index.written(&me.module_path, &me.resource) {
                super::terraform_unwritten::forget_unwritten(r, Some(written));
            }
        }
    }
    errors
}

/// One resource's parts as the plan gives them.
struct Planned<'a> {
    address: &'a str,
    resource_type: &'a str,
    action: PlannedAction,
    /// `change.after` or the planned values; an empty object in the plan where it was taken out
    /// into [`Taken`], from `after_at`.
    after: Option<&'a Value>,
    after_at: Option<TakenAt>,
    /// Where the resource's planned values (the first of `also_sensitive`'s second pair) were
    /// taken to, for a resource of `planned_values`.
    values_at: Option<TakenAt>,
    unknown: Option<&'a Value>,
    sensitive: Option<&'a Value>,
    /// Other values of the plan for the same object with their sensitive marks (`before`, the
    /// planned values), whose marked scalars are redacted from excerpts too.
    also_sensitive: [(Option<&'a Value>, Option<&'a Value>); 2],
    /// JSON pointer of its `address` key.
    anchor: String,
}

/// What the AWS provider configuration tells about every resource of the plan.
struct Provider<'a> {
    /// The default provider's region when written as a constant (aliases and variables are
    /// not resolved): exceptions scoped to regions need it.
    region: Option<&'a str>,
    /// Whether any AWS provider configures `default_tags`.
    default_tags: bool,
}

/// A resource from its parts; its properties are moved out of `taken`. Errs (with a message) only
/// should an object taken from the plan be asked for twice, which would read as empty.
fn build(
    source: &Arc<SourceFile>,
    provider: &Provider<'_>,
    p: Planned<'_>,
    taken: &mut Taken,
) -> Result<Resource, String> {
    Ok(finish(source, provider, prepare(p, taken)?))
}

/// A resource's values moved out of [`Taken`], with the sensitive scalars read beside them:
/// what is left to build it reads only the plan, so resources are finished in parallel.
struct Prepared<'a> {
    address: &'a str,
    resource_type: &'a str,
    action: PlannedAction,
    properties: Value,
    unknown: Option<&'a Value>,
    sensitive: Option<&'a Value>,
    sensitive_values: Vec<Value>,
    anchor: String,
}

fn prepare<'a>(p: Planned<'a>, taken: &mut Taken) -> Result<Prepared<'a>, String> {
    let Planned {
        address,
        resource_type,
        action,
        after,
        after_at,
        values_at,
        unknown,
        sensitive,
        also_sensitive,
        anchor,
    } = p;
    let mut sensitive_values = Vec::new();
    {
        let [before, (values, values_marks)] = also_sensitive;
        let after = taken.look(after_at.as_ref(), after, address)?;
        let values = taken.look(values_at.as_ref(), values, address)?;
        for (value, marks) in [(after, sensitive), before, (values, values_marks)] {
            if let (Some(v), Some(m)) = (value, marks) {
                marked_scalars(v, m, &mut sensitive_values);
            }
        }
    }
    let moved = after_at.and_then(|at| taken.take(&at));
    let properties = moved
        .or_else(|| after.filter(|a| a.is_object()).cloned())
        .unwrap_or_else(|| Value::Object(Map::new()));
    Ok(Prepared {
        address,
        resource_type,
        action,
        properties,
        unknown,
        sensitive,
        sensitive_values,
        anchor,
    })
}

fn finish(source: &Arc<SourceFile>, provider: &Provider<'_>, p: Prepared<'_>) -> Resource {
    let Prepared {
        address,
        resource_type,
        action,
        mut properties,
        unknown,
        sensitive,
        sensitive_values,
        anchor,
    } = p;
    decode_json_documents(&mut properties);
    let mut unknown_paths = Vec::new();
    if let Some(u) = unknown {
        mark_unknown(&mut properties, u, String::new(), &mut unknown_paths);
    }
    let mut sensitive_paths = Vec::new();
    if let Some(s) = sensitive {
        collect_true(s, String::new(), &mut sensitive_paths);
    }
    // tags_all includes the provider's default_tags; tags alone misses them. With no default
    // tags anywhere, a tags_all known only after apply will equal tags.
    let all_is_tags = !provider.default_tags && !properties.get("tags").is_some_and(is_unknown);
    let map = ["tags_all", "tags"]
        .iter()
        .filter(|k| !(all_is_tags && **k == "tags_all"))
        .find_map(|k| properties.get(*k).filter(|v| !is_unknown(v)).and_then(Value::as_object));
    let mut tags = BTreeMap::new();
    let mut unknown_tags = BTreeSet::new();
    for (k, v) in map.into_iter().flatten() {
        match v {
            Value::String(s) => {
                tags.insert(k.clone(), s.clone());
            }
            v if is_unknown(v) => {
                unknown_tags.insert(k.clone());
            }
            _ => {}
        }
    }
    // The provider's default tags may add any key to a tags_all known only after apply.
    let tag_map_unknown = is_unknown(&properties)
        || match properties.get("tags_all") {
            Some(all) if !all_is_tags => is_unknown(all),
            _ => properties.get("tags").is_some_and(is_unknown),
        };
    let region = properties
        .get("region")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| provider.region.map(str::to_string));
    Resource {
        region,
        tag_map_unknown,
        tags,
        unknown_tags,
        action: Some(action),
        unknown_paths,
        sensitive_paths,
        sensitive_values,
        ..Resource::new(
            address.to_string(),
            resource_type.to_string(),
            InputFormat::TerraformPlan,
            properties,
            Arc::clone(source),
            Anchor::JsonPointer(anchor),
        )
    }
}

#[cfg(test)]
mod tests;
