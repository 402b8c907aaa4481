//! Rule engines. A rule is evaluated on one resource at a time and yields a [`Verdict`].

pub mod aws;
pub mod conditions;

use crate::model::Resource;

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
