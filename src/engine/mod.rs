//! Rule engines. An engine compiles the condition a rule file writes in its language once, when
//! the rule loads; the compiled rule is evaluated on one resource at a time, with the resource's
//! companions in the same input, and yields a [`Verdict`]. The native engine is the condition
//! language ([`conditions`]); nothing here assumes how an engine selects values.

pub mod aws;
pub mod conditions;
#[cfg(feature = "guard")]
pub mod guard;

use std::sync::Arc;

use crate::error::Located;
use crate::model::Resource;

/// The resource type a target names when its rule selects its own resources from the whole input
/// file (Guard): it is evaluated on every resource and says by [`CompiledRule::applies`] which
/// are its own.
pub const EVERY_TYPE: &str = "*";

/// A rule engine: the language a rule file's conditions are written in.
pub trait Engine {
    /// A condition as written in a rule file, with its position.
    type Spec;

    /// Compile a condition of a rule with the rule's `params` in force, reporting problems at
    /// their line in `file`.
    fn compile(&self, file: &str, spec: &Self::Spec, params: &Parameters) -> Result<Arc<dyn CompiledRule>, Located>;
}

/// A condition compiled by an engine.
pub trait CompiledRule: std::fmt::Debug + Send + Sync {
    /// The verdict on `resource`, whose companions in the same input `neighbours` finds.
    ///
    /// An error means the rule cannot be evaluated on this input: the caller fails the run, it
    /// never counts as a pass.
    fn evaluate(&self, resource: &Resource, neighbours: &dyn Neighbours) -> Result<Verdict, String>;

    /// Whether the rule is about `resource` at all. A rule that selects its own resources from
    /// the whole input (Guard) says so here; the caller then neither counts nor reports it.
    fn applies(&self, _resource: &Resource, _neighbours: &dyn Neighbours) -> Result<bool, String> {
        Ok(true)
    }
}

/// A rule's parameters: defaults from the rule file, overridden by the config file.
pub type Parameters = std::collections::BTreeMap<String, serde_json::Value>;

/// The resources of an input file that refer to others, for `related` conditions.
pub trait Neighbours {
    /// Resources of one of `types` whose attribute `via` refers to `address`.
    fn referrers(&self, address: &str, via: &str, types: &[String]) -> Vec<&Resource>;
    /// Resources of one of `types` that the attribute `via` of `resource` refers to.
    fn referenced<'a>(&'a self, resource: &Resource, via: &str, types: &[String]) -> Vec<&'a Resource>;
    /// Resources of one of `types` in the same file.
    fn of_types(&self, types: &[String]) -> Vec<&Resource>;
    /// The whole input file, for engines that evaluate a file at once; `None` when the resource
    /// is evaluated on its own.
    fn file(&self) -> Option<FileView<'_>> {
        None
    }
    /// The id of the change record the run names (`--change-id`, the pull request, a tag), for
    /// `changeRecord` conditions: a fact of the run, the same for every resource.
    fn change_record(&self) -> Option<&str> {
        None
    }
}

/// One input file as a whole: its resources, and a place where an engine keeps what it
/// computed once for the file.
#[derive(Clone, Copy)]
pub struct FileView<'a> {
    pub resources: &'a [Resource],
    pub memo: &'a FileMemo,
}

/// Results an engine computed once per input file, by a key the engine chooses. Lives as long as
/// one evaluation of the file: nothing carries over to other files or runs.
#[derive(Default)]
pub struct FileMemo {
    slots: std::sync::Mutex<std::collections::HashMap<usize, Arc<MemoSlot>>>,
}

type MemoSlot = std::sync::OnceLock<Result<Arc<dyn std::any::Any + Send + Sync>, String>>;

impl FileMemo {
    /// The value under `key`, computed by `compute` the first time (once, even when resources are
    /// evaluated in parallel). A value of another type under the key is an error.
    pub fn get_or_compute<T: std::any::Any + Send + Sync>(
        &self,
        key: usize,
        compute: impl FnOnce() -> Result<T, String>,
    ) -> Result<Arc<T>, String> {
        let slot = {
            let mut slots = self.slots.lock().map_err(|e| e.to_string())?;
            slots.entry(key).or_default().clone()
        };
        let value = slot.get_or_init(|| compute().map(|v| Arc::new(v) as Arc<dyn std::any::Any + Send + Sync>));
        match value {
            Ok(v) => v
                .clone()
                .downcast::<T>()
                .map_err(|_| "a file memo slot holds another type".to_string()),
            Err(e) => Err(e.clone()),
        }
    }
}

/// No neighbours: a resource evaluated on its own.
pub struct Alone;

impl Neighbours for Alone {
    fn referrers(&self, _: &str, _: &str, _: &[String]) -> Vec<&Resource> {
        Vec::new()
    }
    fn of_types(&self, _: &[String]) -> Vec<&Resource> {
        Vec::new()
    }
    fn referenced<'a>(&'a self, _: &Resource, _: &str, _: &[String]) -> Vec<&'a Resource> {
        Vec::new()
    }
}

/// The three-valued truth of a condition: a "known after apply" value, or one that an
/// intrinsic function sets at deploy time, is neither passed nor failed silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Truth {
    True = 0,
    False = 1,
    Unknown = 2,
}

/// A truth value with the observations that explain it (`` `backup_retention_period` is 1 ``).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub truth: Truth,
    pub facts: Vec<String>,
}

impl Verdict {
    pub fn new(truth: Truth, fact: impl Into<String>) -> Self {
        Verdict {
            truth,
            facts: vec![fact.into()],
        }
    }
}
