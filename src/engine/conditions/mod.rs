//! The condition language, the native engine: declarative conditions over a resource's
//! properties and tags, with JSONPath (RFC 9535, `jsonpath-rust`) selecting the values. Paths
//! are parsed once, when the rule is loaded.
//!
//! Grammar (one YAML mapping per condition):
//! - `all: [..]`, `any: [..]`, `not: ..` combine conditions;
//! - `forEach: <path>` with `require: ..`: every selected element satisfies `require`, whose
//!   paths are rooted at the element (none selected → true);
//! - a leaf: `path: <jsonpath>` or `tag: <key>`, and one operator of the table in [`ops`]
//!   (`exists`, `equals`, `gte`, `matches`, ...); `match: all|any` says whether every selected
//!   value or one must satisfy it (default `all`; nothing selected is false for value operators);
//! - `portRange: {from: <path>, to: <path>}` with `includesAny: [ports]`;
//! - `related` / `refersTo`: resources of the same file that refer to this one, or that it refers
//!   to; `sibling`: any of a type; `undecidable: <why>`: always unknown (a setting inherited from
//!   outside the input);
//! - `changeRecord: true|false`: whether the run names a change record, a fact of the run.

mod compile;
mod deploy_time;
mod eval;
mod ops;
mod query;
mod spec;

pub use ops::{OPERATORS, Operator, docs_table};
pub use spec::ConditionSpec;

use std::sync::Arc;

use serde_saphyr::Spanned;

use super::{CompiledRule, Engine, Neighbours, Parameters, Verdict};
use crate::error::Located;
use crate::model::Resource;

use ops::Op;
use query::Query;
use spec::Quantifier;

#[derive(Debug, Clone)]
pub enum Subject {
    Path(Query),
    Tag(String),
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    ForEach {
        each: Query,
        require: Box<Condition>,
    },
    Leaf {
        subject: Subject,
        quantifier: Quantifier,
        op: Op,
    },
    PortRange {
        from: Query,
        to: Query,
        ports: Vec<i64>,
    },
    /// The author wrote this top-level attribute (as opposed to leaving it to the provider).
    Configured(String),
    /// Every one of these tags is set.
    TagsExist(Vec<String>),
    /// A resource of one of `types` in the same file satisfies `require`.
    Sibling {
        types: Vec<String>,
        require: Box<Condition>,
    },
    /// Companions referring to this resource satisfy `require` (`match: any`, the default: one of
    /// them; `all`: every one, and at least one exists).
    Related {
        types: Vec<String>,
        via: String,
        require: Box<Condition>,
        quantifier: Quantifier,
    },
    /// Resources this resource's attribute `via` refers to satisfy `require` (or, without it,
    /// exist), with the same quantifiers as `Related`.
    RefersTo {
        types: Vec<String>,
        via: String,
        require: Option<Box<Condition>>,
        quantifier: Quantifier,
    },
    /// The run names a change record (`true`), or names none (`false`).
    ChangeRecord(bool),
    /// Never decidable from the input (a setting inherited from something outside it): unknown,
    /// with the reason as the observation.
    Undecidable(String),
}

/// The native engine: rules written in the condition language.
#[derive(Debug, Clone, Copy, Default)]
pub struct Conditions;

impl Engine for Conditions {
    type Spec = Spanned<ConditionSpec>;

    fn compile(&self, file: &str, spec: &Self::Spec, params: &Parameters) -> Result<Arc<dyn CompiledRule>, Located> {
        Ok(Arc::new(Condition::compile_with(file, spec, params)?))
    }
}

impl CompiledRule for Condition {
    fn evaluate(&self, resource: &Resource, neighbours: &dyn Neighbours) -> Result<Verdict, String> {
        Condition::evaluate(self, resource, neighbours)
    }
}

#[cfg(test)]
mod tests;
