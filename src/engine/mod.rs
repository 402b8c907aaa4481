//! Rule engines. A rule is evaluated on one resource at a time and yields a [`Verdict`].

pub mod aws;
pub mod jsonpath;

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
