//! The operators of a `path`/`tag` condition, declared once in [`operator_table`]: the table
//! generates the rule-file fields ([`super::ConditionSpec`]), the check that exactly one is
//! written, the error help listing them, and the operator table of `docs/policies.md`.
//! Adding an operator is one entry here (and its tests).

use std::sync::Arc;

use regex::Regex;
use serde_json::Value;

use super::deploy_time::{as_number, loose_eq};
use super::spec::{ConditionSpec, Operand};
use crate::engine::aws::{self, Family};
use crate::engine::{Parameters, Truth};
use crate::error::Located;

/// The operator table. Each entry: `field: operand type, "name", "operand (docs)", "true when the
/// value ... (docs)", compile`, where `compile` turns the written operand into an [`Op`]. The
/// order is that of the rule-file fields and of every list shown to people.
macro_rules! operator_table {
    ($then:ident) => {
        $then! {
            exists: bool, "exists", "`true` or `false`",
                "is set (`false`: is not set); an empty string is not set, and a property an `!If` removes under a condition (`!If [C, x, !Ref AWS::NoValue]`) is **unknown**",
                |want: &bool, _| Ok(Op::Exists(*want));
            equals: Value, "equals", "a value",
                "equals it, as CloudFormation coerces (`\"7\"` equals `7`, `\"true\"` equals `true`)",
                |v: &Value, cx| {
                    let expected = cx.operand(v)?;
                    Ok(Op::test(move |x| truth(loose_eq(x, &expected))))
                };
            not_equals: Value, "notEquals", "a value",
                "does not equal it (coercing as `equals` does)",
                |v: &Value, cx| {
                    let expected = cx.operand(v)?;
                    Ok(Op::test(move |x| truth(!loose_eq(x, &expected))))
                };
            one_of: Value, "oneOf", "a list of values",
                "equals one of them (coercing as `equals` does)",
                |v: &Value, cx| match cx.operand(v)? {
                    Value::Array(options) => Ok(Op::test(move |x| truth(options.iter().any(|o| loose_eq(x, o))))),
                    other => Err(cx.err(format!("`oneOf` needs a list, found {other}"))),
                };
            gt: Operand<f64>, "gt", "a number", "is a number greater than it",
                |n: &Operand<f64>, cx| Ok(compare(cx.number(n)?, |v, n| v > n));
            gte: Operand<f64>, "gte", "a number", "is a number greater than or equal to it",
                |n: &Operand<f64>, cx| Ok(compare(cx.number(n)?, |v, n| v >= n));
            lt: Operand<f64>, "lt", "a number", "is a number less than it",
                |n: &Operand<f64>, cx| Ok(compare(cx.number(n)?, |v, n| v < n));
            lte: Operand<f64>, "lte", "a number", "is a number less than or equal to it",
                |n: &Operand<f64>, cx| Ok(compare(cx.number(n)?, |v, n| v <= n));
            matches: Value, "matches", "a regular expression",
                "is a string the expression matches (anywhere, unless anchored)",
                |v: &Value, cx| {
                    let r = cx.operand(v)?;
                    let r = r
                        .as_str()
                        .ok_or_else(|| cx.err(format!("`matches` needs a regular expression, found {r}")))?;
                    let re = Regex::new(r).map_err(|e| cx.err(format!("invalid regex `{r}`: {e}")))?;
                    Ok(Op::test(move |x| truth(x.as_str().is_some_and(|s| re.is_match(s)))))
                };
            contains: Value, "contains", "a value", "is an array that holds it (coercing as `equals` does)",
                |v: &Value, cx| {
                    let expected = cx.operand(v)?;
                    Ok(Op::test(move |x| {
                        truth(x.as_array().is_some_and(|a| a.iter().any(|v| loose_eq(v, &expected))))
                    }))
                };
            action_matches: Vec<String>, "actionMatches", "a list of IAM actions (`iam:PassRole`, `'*'`)",
                "is an IAM action pattern (case-insensitive, `*` and `?` anywhere: `iam:P*Role`, `IAM:passrole`, `*`) that grants one of the listed actions; `'*'` in the list stands for every action (`*`, `*:*`, `?*:*`, ...). A list of patterns is judged with `$.Action[*]` and `match: any`; a `NotAction` grants what its patterns do not match, so test it with `not`",
                |actions: &Vec<String>, cx| {
                    // The operands are actions, not patterns: "does this pattern grant that action".
                    let mut out = Vec::new();
                    for a in actions {
                        if a == "*" {
                            out.push(None);
                        } else if a.contains(['*', '?']) || !a.contains(':') {
                            return Err(cx.err(format!(
                                "`actionMatches` takes action names such as `iam:PassRole` (or `*` for every action), found `{a}`"
                            ))
                            .with_help("the document's values are the patterns; name the actions they must not grant"));
                        } else {
                            out.push(Some(a.to_lowercase()));
                        }
                    }
                    if out.is_empty() {
                        return Err(cx.err("`actionMatches` needs at least one action".into()));
                    }
                    // A list of patterns is judged element by element (`$.Action[*]`).
                    Ok(Op::test(move |x| {
                        truth(x.as_str().is_some_and(|glob| {
                            out.iter().any(|a| match a {
                                Some(action) => aws::action_matches(glob, action),
                                None => aws::covers_every_action(glob),
                            })
                        }))
                    }))
                };
            resource_covers: String, "resourceCovers", "`all` or `iam-roles`",
                "is an IAM resource pattern (ARNs compare with case) that takes in every resource of a partition (`*`, `arn:*`, `arn:aws:*`), or every role of an account (`arn:aws:iam::111122223333:role/*`, `arn:aws:iam::*:*`, `*:role/*`), however its wildcards fall",
                |name: &String, cx| {
                    let family = Family::parse(name).ok_or_else(|| {
                        cx.err(format!("unknown `resourceCovers` family `{name}`")).with_help("families: all, iam-roles")
                    })?;
                    Ok(Op::test(move |x| truth(x.as_str().is_some_and(|glob| aws::covers_family(glob, family)))))
                };
            protocol_in: Vec<Value>, "protocolIn", "a list of protocols (`all`, `tcp`, `udp`, ...)",
                "is an EC2 IP protocol (`IpProtocol`, `protocol`, `ip_protocol`) that EC2 reads as one of these: names in any letter case, numbers 0-255 (`6` is `tcp`, `17` `udp`), `-1` or `all` for every protocol. A value EC2 rejects (`ssh`, `256`) is **unknown**",
                |list: &Vec<Value>, cx| {
                    let mut numbers = Vec::new();
                    for p in list {
                        numbers.push(aws::protocol_number(p).ok_or_else(|| {
                            cx.err(format!("`protocolIn` takes protocol names or numbers (tcp, udp, icmp, icmpv6, all, 0-255, -1), found {p}"))
                        })?);
                    }
                    // A value EC2 would reject is no protocol: neither in the list nor out of it.
                    Ok(Op::test(move |x| match aws::protocol_number(x) {
                        Some(n) => truth(numbers.contains(&n)),
                        None => Truth::Unknown,
                    }))
                };
        }
    };
}
pub(super) use operator_table;

/// One operator of the table, as the docs and error messages show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    pub name: &'static str,
    pub operand: &'static str,
    pub description: &'static str,
}

/// What an operator's `compile` may use: the rule's parameters, and the condition's position for
/// errors.
pub(super) struct Cx<'a> {
    pub(super) file: &'a str,
    pub(super) at: (usize, usize),
    pub(super) params: &'a Parameters,
}

impl Cx<'_> {
    pub(super) fn err(&self, message: String) -> Located {
        Located::new(self.file, self.at.0, self.at.1, message)
    }

    fn undeclared(&self, name: &str) -> Located {
        self.err(format!("parameter `{name}` is not declared"))
            .with_help("declare it under the rule's `parameters:`")
    }

    /// An operand written `{parameter: name}` takes the rule parameter's value.
    pub(super) fn operand(&self, v: &Value) -> Result<Value, Located> {
        match v.as_object().filter(|m| m.len() == 1).and_then(|m| m.get("parameter")) {
            Some(Value::String(name)) => self.params.get(name).cloned().ok_or_else(|| self.undeclared(name)),
            _ => Ok(v.clone()),
        }
    }

    /// A typed operand, written out or named as a rule parameter.
    pub(super) fn resolve<T: serde::de::DeserializeOwned + Clone>(
        &self,
        operand: &Operand<T>,
        what: &str,
    ) -> Result<T, Located> {
        match operand {
            Operand::Written(v) => Ok(v.clone()),
            Operand::Parameter(p) => {
                let value = self
                    .params
                    .get(&p.parameter)
                    .ok_or_else(|| self.undeclared(&p.parameter))?;
                serde_json::from_value(value.clone())
                    .map_err(|_| self.err(format!("parameter `{}` must be {what}, found {value}", p.parameter)))
            }
        }
    }

    fn number(&self, operand: &Operand<f64>) -> Result<f64, Located> {
        self.resolve(operand, "a number")
    }
}

/// A compiled operator.
#[derive(Clone)]
pub enum Op {
    /// `exists`: judged on whether values are selected, not on a value.
    Exists(bool),
    /// Every other operator: the truth it gives one value.
    Test(Arc<dyn Fn(&Value) -> Truth + Send + Sync>),
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Exists(want) => write!(f, "Exists({want})"),
            Op::Test(_) => f.write_str("Test"),
        }
    }
}

impl Op {
    fn test(judge: impl Fn(&Value) -> Truth + Send + Sync + 'static) -> Op {
        Op::Test(Arc::new(judge))
    }
}

fn truth(b: bool) -> Truth {
    if b { Truth::True } else { Truth::False }
}

/// A comparison on a value that is not a finite number (`.nan`, `1e400`, `inf`, `abc`) is
/// unknown: it is no number the deploy engine would accept, and answering false would pass it
/// under a `not`.
fn compare(n: f64, cmp: fn(f64, f64) -> bool) -> Op {
    Op::test(move |value| match as_number(value) {
        Some(v) if v.is_finite() => truth(cmp(v, n)),
        _ => Truth::Unknown,
    })
}

/// The truth of an operator on a value.
pub(super) fn judge(op: &Op, value: &Value) -> Truth {
    match op {
        Op::Exists(want) => truth(*want),
        Op::Test(judge) => judge(value),
    }
}

macro_rules! operator_defs {
    ($($field:ident : $ty:ty, $name:literal, $operand:literal, $description:literal, $compile:expr;)*) => {
        /// Every operator, in the table's order.
        pub static OPERATORS: &[Operator] = &[
            $(Operator { name: $name, operand: $operand, description: $description },)*
        ];

        /// The operators written in a condition, by name.
        pub(super) fn written(spec: &ConditionSpec) -> Vec<&'static str> {
            let mut out = Vec::new();
            $(if spec.$field.is_some() {
                out.push($name);
            })*
            out
        }

        /// The written operator, compiled (`None` when none is written).
        pub(super) fn compile(spec: &ConditionSpec, cx: &Cx<'_>) -> Result<Option<Op>, Located> {
            $(if let Some(operand) = &spec.$field {
                let compile: fn(&$ty, &Cx<'_>) -> Result<Op, Located> = $compile;
                return compile(operand, cx).map(Some);
            })*
            Ok(None)
        }
    };
}
operator_table!(operator_defs);

/// The operator names, for error help: `exists, equals, ...`.
pub(super) fn names() -> String {
    OPERATORS.iter().map(|o| o.name).collect::<Vec<_>>().join(", ")
}

/// The operator table of `docs/policies.md`, between its markers.
pub fn docs_table() -> String {
    let mut out = String::from("| operator | operand | true when the selected value |\n| --- | --- | --- |\n");
    for o in OPERATORS {
        out.push_str(&format!("| `{}` | {} | {} |\n", o.name, o.operand, o.description));
    }
    out
}
