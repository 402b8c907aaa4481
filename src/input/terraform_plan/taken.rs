//! The objects of a plan that become resources' properties, moved out rather than copied.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// Where an object of the plan was taken to in [`Taken`].
#[derive(Clone)]
pub(super) enum TakenAt {
    /// `change.after` of `resource_changes[i]`.
    Change(usize),
    /// `values` of the planned resource at this JSON pointer.
    Planned(String),
}

/// The objects that may become resources' properties (`change.after`, the planned `values`),
/// taken out of the plan before it is read, so that they are moved into the resources rather
/// than copied. Each leaves an empty object in its place, which reads as it did for everything
/// the reader checks of a plan's shape; [`build`] finds the object here. A slot emptied by
/// [`Taken::take`] stays, so that a second request is an error rather than an empty object.
#[derive(Default)]
pub(super) struct Taken {
    afters: HashMap<usize, Option<Value>>,
    values: HashMap<String, Option<Value>>,
}

impl Taken {
    pub(super) fn from_plan(plan: &mut Value) -> Self {
        let mut taken = Taken::default();
        let placeholder = || Value::Object(Map::new());
        if let Some(Value::Array(list)) = plan.get_mut("resource_changes") {
            for (i, rc) in list.iter_mut().enumerate() {
                if let Some(after @ Value::Object(_)) = rc.pointer_mut("/change/after") {
                    taken.afters.insert(i, Some(std::mem::replace(after, placeholder())));
                }
            }
        }
        // The modules of `planned_values`, with the pointers `take_resources` gives them.
        let root = "/planned_values/root_module";
        let mut stack: Vec<(&mut Value, String)> = plan
            .pointer_mut(root)
            .map(|m| (m, root.to_string()))
            .into_iter()
            .collect();
        while let Some((module, at)) = stack.pop() {
            let Value::Object(module) = module else { continue };
            if let Some(Value::Array(list)) = module.get_mut("resources") {
                for (i, r) in list.iter_mut().enumerate() {
                    if let Some(values @ Value::Object(_)) = r.get_mut("values") {
                        let taken_values = std::mem::replace(values, placeholder());
                        taken.values.insert(format!("{at}/resources/{i}"), Some(taken_values));
                    }
                }
            }
            if let Some(Value::Array(children)) = module.get_mut("child_modules") {
                for (i, child) in children.iter_mut().enumerate() {
                    stack.push((child, format!("{at}/child_modules/{i}")));
                }
            }
        }
        taken
    }

    fn slot(&mut self, at: &TakenAt) -> Option<&mut Option<Value>> {
        match at {
            TakenAt::Change(i) => self.afters.get_mut(i),
            TakenAt::Planned(p) => self.values.get_mut(p),
        }
    }

    /// The object taken from `at`, or `written` (the plan's own) when none was taken there.
    pub(super) fn look<'v>(
        &'v self,
        at: Option<&TakenAt>,
        written: Option<&'v Value>,
        address: &str,
    ) -> Result<Option<&'v Value>, String> {
        let slot = match at {
            Some(TakenAt::Change(i)) => self.afters.get(i),
            Some(TakenAt::Planned(p)) => self.values.get(p),
            None => None,
        };
        match slot {
            None => Ok(written),
            Some(Some(v)) => Ok(Some(v)),
            Some(None) => Err(format!("internal error: the values of {address} were read twice")),
        }
    }

    /// The object taken from `at`, moved out (`None` when none was taken there).
    pub(super) fn take(&mut self, at: &TakenAt) -> Option<Value> {
        self.slot(at).and_then(Option::take)
    }
}
