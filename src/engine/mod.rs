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
