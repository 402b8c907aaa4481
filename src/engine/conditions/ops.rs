//! The operators of a `path`/`tag` condition and how each judges a value.

use regex::Regex;
use serde_json::Value;

use super::deploy_time::{as_number, loose_eq};
use crate::engine::Truth;
use crate::engine::aws::{self, Family};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone)]
pub enum Op {
    Exists(bool),
    Equals(Value),
    NotEquals(Value),
    OneOf(Vec<Value>),
    Compare(Cmp, f64),
    Matches(Regex),
    Contains(Value),
    /// An IAM action pattern grants one of these actions (lower case; `None` is every action).
    ActionMatches(Vec<Option<String>>),
    /// An IAM resource pattern takes in every resource of the family.
    ResourceCovers(Family),
    /// An EC2 IP protocol is one of these numbers (-1: all).
    ProtocolIn(Vec<i64>),
}

/// The truth of an operator on a value. A comparison on a value that is not a finite number
/// (`.nan`, `1e400`, `inf`, `abc`) is unknown: it is no number the deploy engine would accept,
/// and answering false would pass it under a `not`.
pub(super) fn judge(op: &Op, value: &Value) -> Truth {
    let truth = |b: bool| if b { Truth::True } else { Truth::False };
    match op {
        Op::Compare(cmp, n) => match as_number(value) {
            Some(v) if v.is_finite() => truth(match cmp {
                Cmp::Gt => v > *n,
                Cmp::Gte => v >= *n,
                Cmp::Lt => v < *n,
                Cmp::Lte => v <= *n,
            }),
            _ => Truth::Unknown,
        },
        // A value EC2 would reject is no protocol: neither in the list nor out of it.
        Op::ProtocolIn(numbers) => match aws::protocol_number(value) {
            Some(n) => truth(numbers.contains(&n)),
            None => Truth::Unknown,
        },
        _ => truth(apply(op, value)),
    }
}

/// The operators other than comparisons, which every value answers.
pub(super) fn apply(op: &Op, value: &Value) -> bool {
    match op {
        Op::Exists(want) => *want,
        Op::Equals(expected) => loose_eq(value, expected),
        Op::NotEquals(expected) => !loose_eq(value, expected),
        Op::OneOf(options) => options.iter().any(|o| loose_eq(value, o)),
        Op::Compare(..) => judge(op, value) == Truth::True,
        Op::Matches(re) => value.as_str().is_some_and(|s| re.is_match(s)),
        Op::Contains(expected) => value
            .as_array()
            .is_some_and(|a| a.iter().any(|v| loose_eq(v, expected))),
        // A list of patterns is judged element by element (`$.Action[*]`).
        Op::ActionMatches(actions) => value.as_str().is_some_and(|glob| {
            actions.iter().any(|a| match a {
                Some(action) => aws::action_matches(glob, action),
                None => aws::covers_every_action(glob),
            })
        }),
        Op::ResourceCovers(family) => value.as_str().is_some_and(|glob| aws::covers_family(glob, *family)),
        Op::ProtocolIn(..) => judge(op, value) == Truth::True,
    }
}
