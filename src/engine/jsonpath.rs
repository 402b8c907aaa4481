//! The native engine: declarative conditions over a resource's properties and tags, with
//! JSONPath (RFC 9535, `jsonpath-rust`) selecting the values. Paths are parsed once, when the
//! rule is loaded.
//!
//! Grammar (one YAML mapping per condition):
//! - `all: [..]`, `any: [..]`, `not: ..` combine conditions;
//! - `forEach: <path>` with `require: ..`: every selected element satisfies `require`, whose
//!   paths are rooted at the element (none selected → true);
//! - a leaf: `path: <jsonpath>` or `tag: <key>`, and one operator: `exists`, `equals`,
//!   `notEquals`, `oneOf`, `gt`, `gte`, `lt`, `lte`, `matches` (regex), `contains` (an array
//!   holds the value); `match: all|any` says whether every selected value or one must satisfy
//!   it (default `all`; nothing selected is false for value operators); `actionMatches`,
//!   `resourceCovers` and `protocolIn` read values as IAM and EC2 do (see [`super::aws`]);
//! - `portRange: {from: <path>, to: <path>}` with `includesAny: [ports]`;
//! - `related` / `refersTo`: resources of the same file that refer to this one, or that it refers
//!   to; `sibling`: any of a type; `undecidable: <why>`: always unknown (a setting inherited from
//!   outside the input).

use std::fmt::Write as _;

use jsonpath_rust::parser::model::JpQuery;
use jsonpath_rust::parser::parse_json_path;
use jsonpath_rust::query::js_path_process;
use regex::Regex;
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

use super::aws::{self, Family};
use super::{Truth, Verdict};
use crate::error::Located;
use crate::model::{Resource, is_unknown, readings_of, unreadable_json_reason};

/// A condition as written in a rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConditionSpec {
    all: Option<Vec<Spanned<ConditionSpec>>>,
    any: Option<Vec<Spanned<ConditionSpec>>>,
    not: Option<Box<Spanned<ConditionSpec>>>,
    for_each: Option<String>,
    require: Option<Box<Spanned<ConditionSpec>>>,
    path: Option<String>,
    tag: Option<String>,
    port_range: Option<PortRangeSpec>,
    #[serde(rename = "match")]
    quantifier: Option<Quantifier>,
    exists: Option<bool>,
    equals: Option<Value>,
    not_equals: Option<Value>,
    one_of: Option<Value>,
    gt: Option<f64>,
    gte: Option<f64>,
    lt: Option<f64>,
    lte: Option<f64>,
    matches: Option<Value>,
    contains: Option<Value>,
    action_matches: Option<Vec<String>>,
    resource_covers: Option<String>,
    protocol_in: Option<Vec<Value>>,
    includes_any: Option<Vec<i64>>,
    related: Option<RelatedSpec>,
    refers_to: Option<RefersToSpec>,
    undecidable: Option<String>,
    configured: Option<String>,
    tags_exist: Option<TagListSpec>,
    sibling: Option<SiblingSpec>,
}

/// `sibling`: resources of the given types anywhere in the same file (an account-level companion
/// such as a Config delivery channel, which refers to nothing).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiblingSpec {
    types: Vec<String>,
    require: Box<Spanned<ConditionSpec>>,
}

/// A list of tag keys, written out or named as a rule parameter (`{parameter: tags}`), which a
/// config file may set per rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum TagListSpec {
    Keys(Vec<String>),
    Parameter { parameter: String },
}

/// A rule's parameters: defaults from the rule file, overridden by the config file.
pub type Parameters = std::collections::BTreeMap<String, Value>;

/// `related`: the resources of the same file, of the given types, whose attribute `via` refers
/// to this resource (an `aws_s3_bucket_versioning` whose `bucket` is this bucket).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RelatedSpec {
    types: Vec<String>,
    via: String,
    require: Box<Spanned<ConditionSpec>>,
}

/// `refersTo`: the resources of the same file, of the given types, that this resource's
/// attribute `via` refers to (the source of a read replica, the snapshot a volume is made from).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefersToSpec {
    types: Vec<String>,
    via: String,
    require: Option<Box<Spanned<ConditionSpec>>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PortRangeSpec {
    from: String,
    to: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Quantifier {
    #[default]
    All,
    Any,
}

/// A selected value, its JSON pointer, and why it cannot be judged before deployment, if so.
type Selected<'a> = (&'a Value, String, Option<&'static str>);

/// A parsed JSONPath with its text, for messages.
#[derive(Debug, Clone)]
pub struct Query {
    text: String,
    query: JpQuery,
}

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
    /// Never decidable from the input (a setting inherited from something outside it): unknown,
    /// with the reason as the observation.
    Undecidable(String),
}

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

impl Condition {
    /// Compile a condition, reporting problems at their line in `file`.
    pub fn compile(file: &str, spec: &Spanned<ConditionSpec>) -> Result<Condition, Located> {
        Condition::compile_with(file, spec, &Parameters::new())
    }

    /// Compile a condition of a rule with `params`.
    pub fn compile_with(file: &str, spec: &Spanned<ConditionSpec>, params: &Parameters) -> Result<Condition, Located> {
        let (line, column) = crate::yaml::position(spec);
        let err = |msg: String| Located::new(file, line, column, msg);
        let s = &spec.value;
        let forms = [
            s.all.is_some(),
            s.any.is_some(),
            s.not.is_some(),
            s.for_each.is_some(),
            s.path.is_some() || s.tag.is_some(),
            s.port_range.is_some(),
            s.related.is_some(),
            s.refers_to.is_some(),
            s.undecidable.is_some(),
            s.configured.is_some(),
            s.tags_exist.is_some(),
            s.sibling.is_some(),
        ];
        if forms.iter().filter(|f| **f).count() != 1 {
            return Err(err(
                "a condition needs exactly one of `all`, `any`, `not`, `forEach`, `path`/`tag`, `portRange`, `related`, `refersTo`, `undecidable`, `sibling`, `configured`, `tagsExist`"
                    .into(),
            )
            .with_help("split combined checks into `all: [...]`"));
        }
        let ops = [
            s.exists.is_some(),
            s.equals.is_some(),
            s.not_equals.is_some(),
            s.one_of.is_some(),
            s.gt.is_some(),
            s.gte.is_some(),
            s.lt.is_some(),
            s.lte.is_some(),
            s.matches.is_some(),
            s.contains.is_some(),
            s.action_matches.is_some(),
            s.resource_covers.is_some(),
            s.protocol_in.is_some(),
        ]
        .iter()
        .filter(|o| **o)
        .count();
        let is_leaf = s.path.is_some() || s.tag.is_some();
        if !is_leaf && (ops > 0 || (s.quantifier.is_some() && s.related.is_none() && s.refers_to.is_none())) {
            return Err(err(
                "operators (`equals`, `exists`, ...) belong to a `path` or `tag` condition, `match` to those, `related` and `refersTo`"
                    .into(),
            ));
        }
        if let Some(attribute) = &s.configured {
            return Ok(Condition::Configured(attribute.clone()));
        }
        if let Some(sib) = &s.sibling {
            if sib.types.is_empty() {
                return Err(err("`sibling` needs `types`".into()));
            }
            return Ok(Condition::Sibling {
                types: sib.types.clone(),
                require: Box::new(Condition::compile_with(file, &sib.require, params)?),
            });
        }
        if let Some(list) = &s.tags_exist {
            let keys = match list {
                TagListSpec::Keys(k) => k.clone(),
                TagListSpec::Parameter { parameter } => {
                    let value = params.get(parameter).ok_or_else(|| {
                        err(format!("parameter `{parameter}` is not declared"))
                            .with_help("declare it under the rule's `parameters:`")
                    })?;
                    serde_json::from_value::<Vec<String>>(value.clone()).map_err(|_| {
                        err(format!(
                            "parameter `{parameter}` must be a list of tag keys, found {value}"
                        ))
                    })?
                }
            };
            if keys.is_empty() {
                return Err(err("`tagsExist` needs at least one tag key".into()));
            }
            return Ok(Condition::TagsExist(keys));
        }
        if let Some(why) = &s.undecidable {
            if why.trim().is_empty() {
                return Err(err("`undecidable` needs the reason, which findings show".into()));
            }
            return Ok(Condition::Undecidable(why.clone()));
        }
        if let Some(r) = &s.refers_to {
            if r.types.is_empty() || r.via.trim().is_empty() {
                return Err(err("`refersTo` needs `types` and `via`".into()));
            }
            let require = match &r.require {
                Some(c) => Some(Box::new(Condition::compile_with(file, c, params)?)),
                None => None,
            };
            return Ok(Condition::RefersTo {
                types: r.types.clone(),
                via: r.via.clone(),
                require,
                quantifier: s.quantifier.unwrap_or(Quantifier::Any),
            });
        }
        if let Some(r) = &s.related {
            if r.types.is_empty() || r.via.trim().is_empty() {
                return Err(err("`related` needs `types` and `via`".into()));
            }
            return Ok(Condition::Related {
                types: r.types.clone(),
                via: r.via.clone(),
                require: Box::new(Condition::compile_with(file, &r.require, params)?),
                // One companion that makes the resource compliant is enough, by default.
                quantifier: s.quantifier.unwrap_or(Quantifier::Any),
            });
        }
        if s.require.is_some() != s.for_each.is_some() {
            return Err(err("`forEach` and `require` go together".into()));
        }
        if s.includes_any.is_some() != s.port_range.is_some() {
            return Err(err("`portRange` and `includesAny` go together".into()));
        }
        let compile_all = |list: &Vec<Spanned<ConditionSpec>>, name: &str| -> Result<Vec<Condition>, Located> {
            if list.is_empty() {
                return Err(err(format!("`{name}` needs at least one condition")));
            }
            list.iter().map(|c| Condition::compile_with(file, c, params)).collect()
        };
        if let Some(list) = &s.all {
            return Ok(Condition::All(compile_all(list, "all")?));
        }
        if let Some(list) = &s.any {
            return Ok(Condition::Any(compile_all(list, "any")?));
        }
        if let Some(inner) = &s.not {
            return Ok(Condition::Not(Box::new(Condition::compile_with(file, inner, params)?)));
        }
        if let (Some(each), Some(require)) = (&s.for_each, &s.require) {
            return Ok(Condition::ForEach {
                each: Query::parse(each).map_err(err)?,
                require: Box::new(Condition::compile_with(file, require, params)?),
            });
        }
        if let (Some(range), Some(ports)) = (&s.port_range, &s.includes_any) {
            return Ok(Condition::PortRange {
                from: Query::parse(&range.from).map_err(err)?,
                to: Query::parse(&range.to).map_err(err)?,
                ports: ports.clone(),
            });
        }
        if s.path.is_some() && s.tag.is_some() {
            return Err(err("a condition tests either a `path` or a `tag`, not both".into()));
        }
        if ops != 1 {
            return Err(err(format!(
                "a `path`/`tag` condition needs exactly one operator, found {ops}"
            ))
            .with_help(
                "operators: exists, equals, notEquals, oneOf, gt, gte, lt, lte, matches, contains, actionMatches, resourceCovers, protocolIn",
            ));
        }
        let subject = match (&s.path, &s.tag) {
            (Some(p), _) => Subject::Path(Query::parse(p).map_err(err)?),
            (_, Some(t)) => Subject::Tag(t.clone()),
            _ => unreachable!("checked above"),
        };
        // An operand written `{parameter: name}` takes the rule parameter's value.
        let operand = |v: &Value| -> Result<Value, Located> {
            match v.as_object().filter(|m| m.len() == 1).and_then(|m| m.get("parameter")) {
                Some(Value::String(name)) => params.get(name).cloned().ok_or_else(|| {
                    err(format!("parameter `{name}` is not declared"))
                        .with_help("declare it under the rule's `parameters:`")
                }),
                _ => Ok(v.clone()),
            }
        };
        let op = if let Some(b) = s.exists {
            Op::Exists(b)
        } else if let Some(v) = &s.equals {
            Op::Equals(operand(v)?)
        } else if let Some(v) = &s.not_equals {
            Op::NotEquals(operand(v)?)
        } else if let Some(v) = &s.one_of {
            match operand(v)? {
                Value::Array(options) => Op::OneOf(options),
                other => return Err(err(format!("`oneOf` needs a list, found {other}"))),
            }
        } else if let Some(n) = s.gt {
            Op::Compare(Cmp::Gt, n)
        } else if let Some(n) = s.gte {
            Op::Compare(Cmp::Gte, n)
        } else if let Some(n) = s.lt {
            Op::Compare(Cmp::Lt, n)
        } else if let Some(n) = s.lte {
            Op::Compare(Cmp::Lte, n)
        } else if let Some(r) = &s.matches {
            let r = operand(r)?;
            let r = r
                .as_str()
                .ok_or_else(|| err(format!("`matches` needs a regular expression, found {r}")))?;
            Op::Matches(Regex::new(r).map_err(|e| err(format!("invalid regex `{r}`: {e}")))?)
        } else if let Some(v) = &s.contains {
            Op::Contains(operand(v)?)
        } else if let Some(actions) = &s.action_matches {
            // The operands are actions, not patterns: "does this pattern grant that action".
            let mut out = Vec::new();
            for a in actions {
                if a == "*" {
                    out.push(None);
                } else if a.contains(['*', '?']) || !a.contains(':') {
                    return Err(err(format!(
                        "`actionMatches` takes action names such as `iam:PassRole` (or `*` for every action), found `{a}`"
                    ))
                    .with_help("the document's values are the patterns; name the actions they must not grant"));
                } else {
                    out.push(Some(a.to_lowercase()));
                }
            }
            if out.is_empty() {
                return Err(err("`actionMatches` needs at least one action".into()));
            }
            Op::ActionMatches(out)
        } else if let Some(name) = &s.resource_covers {
            Op::ResourceCovers(Family::parse(name).ok_or_else(|| {
                err(format!("unknown `resourceCovers` family `{name}`")).with_help("families: all, iam-roles")
            })?)
        } else if let Some(list) = &s.protocol_in {
            let mut out = Vec::new();
            for p in list {
                out.push(aws::protocol_number(p).ok_or_else(|| {
                    err(format!("`protocolIn` takes protocol names or numbers (tcp, udp, icmp, icmpv6, all, 0-255, -1), found {p}"))
                })?);
            }
            Op::ProtocolIn(out)
        } else {
            unreachable!("one operator is set")
        };
        Ok(Condition::Leaf {
            subject,
            quantifier: s.quantifier.unwrap_or_default(),
            op,
        })
    }

    /// Evaluate on a resource, with paths rooted at its properties.
    ///
    /// An error means the rule cannot be evaluated (a JSONPath function failed on this input):
    /// the caller fails the run, it never counts as a pass.
    pub fn evaluate(&self, resource: &Resource, neighbours: &dyn Neighbours) -> Result<Verdict, String> {
        self.eval(resource, &resource.properties, "", neighbours)
    }

    /// `root` is the value paths start from; `prefix` is its JSON pointer in the properties
    /// (for sensitivity and messages).
    fn eval(&self, resource: &Resource, root: &Value, prefix: &str, nb: &dyn Neighbours) -> Result<Verdict, String> {
        let all = |list: &[Condition]| {
            list.iter()
                .map(|c| c.eval(resource, root, prefix, nb))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(match self {
            Condition::All(list) => combine(all(list)?, Quantifier::All),
            Condition::Any(list) => combine(all(list)?, Quantifier::Any),
            Condition::Not(inner) => {
                let v = inner.eval(resource, root, prefix, nb)?;
                let truth = match v.truth {
                    Truth::True => Truth::False,
                    Truth::False => Truth::True,
                    Truth::Unknown => Truth::Unknown,
                };
                Verdict { truth, facts: v.facts }
            }
            Condition::ForEach { each, require } => {
                let matches = each.select(root)?;
                if matches.is_empty() {
                    return Ok(match each.unknown_prefix(root)? {
                        Some(why) => {
                            Verdict::new(Truth::Unknown, format!("`{}` {why}", display_path(prefix, &each.text)))
                        }
                        None => Verdict::new(
                            Truth::True,
                            format!("`{}` selects nothing", display_path(prefix, &each.text)),
                        ),
                    });
                }
                let verdicts = matches
                    .into_iter()
                    .map(|(value, pointer, why)| {
                        let pointer = format!("{prefix}{pointer}");
                        match why {
                            Some(why) => Ok(Verdict::new(
                                Truth::Unknown,
                                format!("`{}` {why}", pointer_display(&pointer)),
                            )),
                            None => require.eval(resource, value, &pointer, nb),
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                combine(verdicts, Quantifier::All)
            }
            Condition::Leaf {
                subject: Subject::Tag(key),
                op,
                ..
            } => eval_tag(resource, key, op),
            Condition::Leaf {
                subject: Subject::Path(query),
                quantifier,
                op,
            } => eval_path(resource, root, prefix, query, *quantifier, op)?,
            Condition::PortRange { from, to, ports } => eval_port_range(resource, root, prefix, (from, to), ports)?,
            Condition::Sibling { types, require } => on_companions(nb.of_types(types), require, nb, Quantifier::Any)?,
            Condition::TagsExist(keys) => combine(
                keys.iter().map(|k| eval_tag(resource, k, &Op::Exists(true))),
                Quantifier::All,
            ),
            Condition::Configured(attribute) => match &resource.configured {
                Some(set) if set.contains(attribute) => {
                    Verdict::new(Truth::True, format!("`{attribute}` is set in the configuration"))
                }
                Some(_) => Verdict::new(
                    Truth::False,
                    format!("`{attribute}` is not set in the configuration: the provider's default applies"),
                ),
                None => Verdict::new(
                    Truth::Unknown,
                    format!("whether `{attribute}` is configured is not in the input"),
                ),
            },
            Condition::Related {
                types,
                via,
                require,
                quantifier,
            } => {
                let companions = nb.referrers(&resource.address, via, types);
                if companions.is_empty() {
                    // No observation to report: the rule's message says what is missing, and
                    // where `related` is one option among others, the others' facts explain.
                    return Ok(Verdict {
                        truth: Truth::False,
                        facts: Vec::new(),
                    });
                }
                on_companions(companions, require, nb, *quantifier)?
            }
            Condition::RefersTo {
                types,
                via,
                require,
                quantifier,
            } => {
                let targets = nb.referenced(resource, via, types);
                match (targets.is_empty(), require) {
                    (true, _) => Verdict::new(
                        Truth::False,
                        format!("`{via}` refers to no {} in the same file", types.join(" or ")),
                    ),
                    (false, None) => Verdict::new(
                        Truth::True,
                        format!(
                            "`{via}` refers to {}",
                            targets
                                .iter()
                                .map(|t| t.address.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ),
                    (false, Some(require)) => on_companions(targets, require, nb, *quantifier)?,
                }
            }
            Condition::Undecidable(why) => Verdict::new(Truth::Unknown, why.clone()),
        })
    }
}

/// `require` judged on each companion, with the companion's own paths, sensitivity and tags;
/// its facts name it.
fn on_companions(
    companions: Vec<&Resource>,
    require: &Condition,
    nb: &dyn Neighbours,
    q: Quantifier,
) -> Result<Verdict, String> {
    let verdicts = companions
        .into_iter()
        .map(|c| {
            let v = require.eval(c, &c.properties, "", nb)?;
            Ok(Verdict {
                truth: v.truth,
                facts: v.facts.into_iter().map(|f| format!("{}: {f}", c.address)).collect(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(combine(verdicts, q))
}

impl Query {
    pub fn parse(text: &str) -> Result<Query, String> {
        let query =
            parse_json_path(text).map_err(|e| format!("invalid JSONPath `{text}`: {}", first_line(&e.to_string())))?;
        Ok(Query {
            text: text.to_string(),
            query,
        })
    }

    /// The selected values with their JSON pointers (relative to `root`) and, for a value that
    /// is or sits inside an undecidable one, why it cannot be judged: a wildcard may otherwise
    /// select the inside of a "known after apply" marker or of an `Fn::If`.
    ///
    /// `null` is not selected: Terraform writes it for every optional attribute left unset, so it
    /// means "absent".
    fn select<'a>(&self, root: &'a Value) -> Result<Vec<Selected<'a>>, String> {
        let mut out: Vec<Selected<'a>> = Vec::new();
        for (value, path) in select_with(&self.query, root)? {
            if is_absent(value) {
                continue;
            }
            let pointer = to_pointer(&path);
            let selected = match undecidable_on_the_way(root, &pointer, &self.text) {
                // Name the undecidable value, not a path inside it (or inside the marker).
                Some((why, len)) => (value, pointer[..len].to_string(), Some(why)),
                None => (value, pointer, undecidable(value)),
            };
            if !out.iter().any(|(_, p, w)| w.is_some() && *p == selected.1) {
                out.push(selected);
            }
        }
        Ok(out)
    }

    /// Why nothing was selected, when a value on the way is known only after apply or set by an
    /// intrinsic function: the path may well select something once deployed.
    fn unknown_prefix(&self, root: &Value) -> Result<Option<&'static str>, String> {
        for k in (0..self.query.segments.len()).rev() {
            // The next step names an intrinsic function: the path inspects its form.
            let next = self.query.segments[k].to_string();
            if next.contains("Fn::") || next.contains("'Ref'") {
                continue;
            }
            let prefix = JpQuery::new(self.query.segments[..k].to_vec());
            if let Some(why) = select_with(&prefix, root)?
                .into_iter()
                .find_map(|(v, _)| undecidable(v))
            {
                return Ok(Some(why));
            }
        }
        Ok(None)
    }
}

fn select_with<'a>(query: &JpQuery, root: &'a Value) -> Result<Vec<(&'a Value, String)>, String> {
    js_path_process(query, root)
        .map(|refs| refs.into_iter().map(|r| (r.val, r.path)).collect())
        .map_err(|e| format!("JSONPath `{query}` failed: {}", first_line(&e.to_string())))
}

/// Whether a proper ancestor of `pointer` under `root` is undecidable.
/// Why it is undecidable, and the length of the ancestor's pointer.
///
/// A path that names an intrinsic function (`$.Resource['Fn::GetAtt']`) inspects the form of
/// the value on purpose: passing through that function is not undecidable.
fn undecidable_on_the_way(root: &Value, pointer: &str, query: &str) -> Option<(&'static str, usize)> {
    let mut node = root;
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    let mut len = 0;
    for (i, seg) in segments.iter().enumerate().take(segments.len().saturating_sub(1)) {
        len += 1 + seg.len();
        let seg = seg.replace("~1", "/").replace("~0", "~");
        node = match node {
            Value::Object(m) => m.get(&seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
        if let Some(why) = undecidable(node) {
            let next = segments
                .get(i + 1)
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .unwrap_or_default();
            let named = (next == "Ref" || next.starts_with("Fn::")) && query.contains(next.as_str());
            if !named {
                return Some((why, len));
            }
        }
    }
    None
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// `null` (Terraform's unset optional attribute) and CloudFormation's `!Ref AWS::NoValue`
/// (which removes the property) are absent.
fn is_absent(value: &Value) -> bool {
    value.is_null() || is_no_value(value)
}

fn is_no_value(value: &Value) -> bool {
    matches!(value, Value::Object(m) if m.len() == 1 && m.get("Ref").and_then(Value::as_str) == Some("AWS::NoValue"))
}

/// `{"Fn::If": [cond, a, b]}` with `AWS::NoValue` as a branch.
fn may_be_removed(value: &Value) -> bool {
    value
        .get("Fn::If")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().skip(1).any(|b| is_no_value(b) || may_be_removed(b)))
}

/// The values a CloudFormation intrinsic may take, when they are few and known: the branches of
/// `Fn::If` (recursively), the `AllowedValues` of a referenced parameter, `AWS::NoValue` (as
/// null: absent), both readings of a YAML scalar that YAML 1.1 and 1.2 read differently. `None`
/// when any of them is open (another function, a free parameter).
fn alternatives(value: &Value, parameters: Option<&Value>, depth: usize) -> Option<Vec<Value>> {
    if depth > 8 {
        return None;
    }
    let all_of = |options: &[Value]| {
        let mut out = Vec::new();
        for o in options {
            out.extend(alternatives(o, parameters, depth + 1)?);
        }
        (!out.is_empty()).then_some(out)
    };
    match value {
        Value::Object(m) if m.len() == 1 => {
            if is_no_value(value) {
                return Some(vec![Value::Null]);
            }
            if let Some(readings) = readings_of(value) {
                return all_of(readings);
            }
            if let Some(Value::String(p)) = m.get("Ref") {
                // `AllowedValues: [yes, no]` holds readings too.
                return all_of(parameters?.get(p)?.get("AllowedValues")?.as_array()?);
            }
            let branches = m.get("Fn::If")?.as_array()?;
            all_of(branches.get(1..)?)
        }
        Value::Object(_) | Value::Array(_) => None,
        scalar => Some(vec![scalar.clone()]),
    }
}

/// The template parameters `value` takes at deploy time: `Ref`s and `Fn::Sub` variables that name
/// a declared parameter.
fn parameters_in(resource: &Resource, value: &Value) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let Some(declared) = resource.parameters.as_deref().and_then(Value::as_object) else {
        return out;
    };
    let mut stack = vec![(value, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        let Value::Object(m) = v else {
            if let Value::Array(a) = v {
                stack.extend(a.iter().map(|x| (x, depth + 1)).filter(|_| depth < 64));
            }
            continue;
        };
        if let Some(Value::String(p)) = m.get("Ref")
            && declared.contains_key(p)
        {
            out.insert(p.clone());
        }
        let (sub, vars) = match m.get("Fn::Sub") {
            Some(Value::String(s)) => (Some(s.as_str()), None),
            Some(Value::Array(a)) => (a.first().and_then(Value::as_str), a.get(1).and_then(Value::as_object)),
            _ => (None, None),
        };
        for part in sub.unwrap_or_default().split("${").skip(1) {
            let var = part.split('}').next().unwrap_or_default().trim();
            if declared.contains_key(var) && !vars.is_some_and(|m| m.contains_key(var)) {
                out.insert(var.to_string());
            }
        }
        if depth < 64 {
            stack.extend(m.values().map(|x| (x, depth + 1)));
        }
    }
    out
}

/// Whether `value` takes the value of a `NoEcho` parameter, which output never shows.
fn refers_to_no_echo(resource: &Resource, value: &Value) -> bool {
    let Some(declared) = resource.parameters.as_deref() else {
        return false;
    };
    parameters_in(resource, value)
        .iter()
        .any(|p| declared.get(p).is_some_and(crate::parameters::is_no_echo))
}

/// Why the value at `name` is undecided; for one set by template parameters: which, why they
/// are not known, and how to decide them.
fn undecided_fact(resource: &Resource, value: &Value, name: &str, why: &str) -> String {
    let names = parameters_in(resource, value);
    if names.is_empty() {
        return format!("`{name}` {why}");
    }
    let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    let why_not: Vec<String> = names
        .iter()
        .filter_map(|n| Some(format!("`{n}`: {}", resource.undecided_parameters.as_ref()?.get(n)?)))
        .collect();
    let fix: Vec<String> = names
        .iter()
        .map(|n| format!("pass --parameters with a value for {n}, or add AllowedValues to {n}"))
        .collect();
    let set_by = format!(
        "parameter{} {}",
        if names.len() > 1 { "s" } else { "" },
        list.join(", ")
    );
    let reason = if why_not.is_empty() {
        String::new()
    } else {
        format!(" ({})", why_not.join("; "))
    };
    format!("`{name}` is set at deploy time by {set_by}{reason}: {}", fix.join("; "))
}

/// Why a value cannot be judged before deployment, if it cannot.
fn undecidable(value: &Value) -> Option<&'static str> {
    if is_unknown(value) {
        return Some("is known only after apply");
    }
    if readings_of(value).is_some() {
        return Some(READ_TWO_WAYS);
    }
    if unreadable_json_reason(value).is_some() {
        return Some("is a string that IAM cannot read as a JSON policy document");
    }
    match value {
        Value::Object(map) if map.len() == 1 => {
            let key = map.keys().next().map(String::as_str).unwrap_or_default();
            (key == "Ref" || key.starts_with("Fn::")).then_some("is set by an intrinsic function at deploy time")
        }
        _ => None,
    }
}

/// Why a YAML scalar with two readings is not judged by one of them.
const READ_TWO_WAYS: &str = "is read one way by YAML 1.2 and another by YAML 1.1, which CloudFormation reads: write `true`/`false`, a decimal number, or quoted text";

/// `all` (every verdict true) or `any` (one true), in three values: a decisive verdict wins,
/// then unknown; `all` of nothing is true, `any` of nothing false. The facts are those of the
/// verdicts that decided.
fn combine(verdicts: impl IntoIterator<Item = Verdict>, q: Quantifier) -> Verdict {
    let mut by_truth: [(usize, Vec<String>); 3] = Default::default();
    for v in verdicts {
        let slot = &mut by_truth[v.truth as usize];
        slot.0 += 1;
        slot.1.extend(v.facts);
    }
    let [t, f, u] = by_truth;
    let (decisive, lost) = match q {
        Quantifier::All => ((Truth::False, f), (Truth::True, t)),
        Quantifier::Any => ((Truth::True, t), (Truth::False, f)),
    };
    let (truth, (_, facts)) = if decisive.1.0 > 0 {
        decisive
    } else if u.0 > 0 {
        (Truth::Unknown, u)
    } else {
        lost
    };
    Verdict { truth, facts }
}

fn eval_tag(resource: &Resource, key: &str, op: &Op) -> Verdict {
    use crate::model::TagValue;
    match resource.tag(key) {
        TagValue::Known(value) => {
            let v = Value::String(value.to_string());
            let fact = if resource.tag_is_sensitive(key) {
                format!("tag `{key}` is {}", resource.mask())
            } else {
                format!("tag `{key}` is {}", render(&v))
            };
            match op {
                Op::Exists(want) => Verdict::new(
                    if *want { Truth::True } else { Truth::False },
                    format!("tag `{key}` is set"),
                ),
                _ => Verdict::new(judge(op, &v), fact),
            }
        }
        TagValue::ValueUnknown => match op {
            Op::Exists(want) => Verdict::new(
                if *want { Truth::True } else { Truth::False },
                format!("tag `{key}` is set; its value is known only at deploy time"),
            ),
            _ => Verdict::new(
                Truth::Unknown,
                format!("tag `{key}` has a value known only at deploy time"),
            ),
        },
        TagValue::Unknown => Verdict::new(
            Truth::Unknown,
            format!("tag `{key}`: the resource's tags are known only after apply"),
        ),
        TagValue::Absent => Verdict::new(
            match op {
                Op::Exists(false) => Truth::True,
                _ => Truth::False,
            },
            format!("tag `{key}` is not set"),
        ),
    }
}

fn eval_path(
    resource: &Resource,
    root: &Value,
    prefix: &str,
    query: &Query,
    q: Quantifier,
    op: &Op,
) -> Result<Verdict, String> {
    let matches = query.select(root)?;
    let shown = display_path(prefix, &query.text);
    if matches.is_empty() {
        return Ok(match (query.unknown_prefix(root)?, op) {
            // A value on the way is undecidable: whether this one will exist is too. (A value that
            // is itself known after apply is selected, and exists.)
            (Some(why), _) => Verdict::new(Truth::Unknown, format!("`{shown}`: a value on its path {why}")),
            (None, Op::Exists(false)) => Verdict::new(Truth::True, format!("`{shown}` is not set")),
            (None, _) => Verdict::new(Truth::False, format!("`{shown}` is not set")),
        });
    }
    if let Op::Exists(want) = op {
        // Selected inside an undecidable value (`$.Policies[*]` of an `!If`, or of a value known
        // only after apply): whether it will exist is undecidable too.
        if let Some((_, p, Some(why))) = matches
            .iter()
            .find(|(v, _, why)| why.is_some() && undecidable(v).is_none())
        {
            let name = pointer_display(&format!("{prefix}{p}"));
            return Ok(Verdict::new(Truth::Unknown, format!("`{name}` {why}")));
        }
        // `!If [C, x, !Ref AWS::NoValue]`: whether the property will exist depends on C.
        if let Some((_, p, _)) = matches.iter().find(|(v, _, _)| may_be_removed(v)) {
            let name = pointer_display(&format!("{prefix}{p}"));
            return Ok(Verdict::new(
                Truth::Unknown,
                format!("`{name}` is removed by AWS::NoValue under a condition"),
            ));
        }
        // An empty string is how a plan shows an optional string left unset on an existing resource.
        if matches.iter().all(|(v, _, _)| v.as_str() == Some("")) {
            let truth = if *want { Truth::False } else { Truth::True };
            return Ok(Verdict::new(truth, format!("`{shown}` is empty")));
        }
        let truth = if *want { Truth::True } else { Truth::False };
        let paths: Vec<String> = matches
            .iter()
            .map(|(_, p, _)| format!("`{}`", pointer_display(&format!("{prefix}{p}"))))
            .collect();
        return Ok(Verdict::new(truth, format!("{} is set", paths.join(", "))));
    }
    Ok(combine(
        matches.into_iter().map(|(value, pointer, why)| {
            let pointer = format!("{prefix}{pointer}");
            let name = pointer_display(&pointer);
            if let Some(why) = why {
                // An `!If` between literals, or a parameter with `AllowedValues`: judge every
                // value it may take; only a split verdict is unknown.
                let own = undecidable(value).is_some() && !is_unknown(value);
                if let Some(options) = own
                    .then(|| alternatives(value, resource.parameters.as_deref(), 0))
                    .flatten()
                {
                    let results = options
                        .iter()
                        .map(|o| if is_absent(o) { Truth::False } else { judge(op, o) });
                    let shown: Vec<String> = options
                        .iter()
                        .map(|o| if is_absent(o) { "unset".into() } else { render(o) })
                        .collect();
                    let fact = match readings_of(value) {
                        _ if resource.is_sensitive(&pointer) || refers_to_no_echo(resource, value) => {
                            format!("`{name}` is {} at deploy time", resource.mask())
                        }
                        Some(_) => format!(
                            "`{name}` is {} as YAML 1.2 reads it, {} as YAML 1.1 (CloudFormation) reads it: write `true`/`false`, a decimal number, or quoted text",
                            shown[0],
                            shown[1..].join(", ")
                        ),
                        None => format!("`{name}` is one of {} at deploy time", shown.join(", ")),
                    };
                    return Verdict::new(agreed(results), fact);
                }
                return Verdict::new(Truth::Unknown, undecided_fact(resource, value, &name, why));
            }
            let shown = if resource.is_sensitive(&pointer) {
                resource.mask().to_string()
            } else {
                render(value)
            };
            Verdict::new(judge(op, value), format!("`{name}` is {shown}"))
        }),
        q,
    ))
}

/// A port range's verdict. A bound marked sensitive is never echoed, nor the ports it lets in.
fn eval_port_range(
    resource: &Resource,
    root: &Value,
    prefix: &str,
    (from, to): (&Query, &Query),
    ports: &[i64],
) -> Result<Verdict, String> {
    let parameters = resource.parameters.as_deref();
    // The values a bound may take: one, or each branch of an `!If`, each allowed value of a
    // parameter, each reading of a YAML scalar.
    let mut why_several: Vec<String> = Vec::new();
    let mut sensitive = false;
    let mut bound = |q: &Query| -> Result<Result<Vec<Value>, Verdict>, String> {
        let shown = display_path(prefix, &q.text);
        Ok(match q.select(root)?.first() {
            None => Err(match q.unknown_prefix(root)? {
                Some(why) => Verdict::new(Truth::Unknown, format!("`{shown}` {why}")),
                None => Verdict::new(Truth::False, format!("`{shown}` is not set")),
            }),
            Some((v, pointer, why)) => {
                sensitive |= resource.is_sensitive(&format!("{prefix}{pointer}")) || refers_to_no_echo(resource, v);
                match why {
                    None => Ok(vec![(*v).clone()]),
                    Some(why) => match undecidable(v).and_then(|_| alternatives(v, parameters, 0)) {
                        Some(options) => {
                            why_several.push(format!("`{shown}` {why}"));
                            Ok(options)
                        }
                        None => Err(Verdict::new(Truth::Unknown, undecided_fact(resource, v, &shown, why))),
                    },
                }
            }
        })
    };
    let (los, his) = match (bound(from)?, bound(to)?) {
        (Ok(lo), Ok(hi)) => (lo, hi),
        (Err(v), _) | (_, Err(v)) => return Ok(v),
    };
    let (from_shown, to_shown) = (display_path(prefix, &from.text), display_path(prefix, &to.text));
    if los.len().saturating_mul(his.len()) > 1024 {
        return Ok(Verdict::new(
            Truth::Unknown,
            format!("`{from_shown}` and `{to_shown}` may take too many values to judge each"),
        ));
    }
    let mut verdicts = Vec::new();
    for lo in &los {
        for hi in &his {
            verdicts.push(port_range_verdict((lo, &from_shown), (hi, &to_shown), ports));
        }
    }
    let truth = agreed(verdicts.iter().map(|v| v.truth));
    // A split verdict says why there are several values first.
    let mut facts: Vec<String> = if truth == Truth::Unknown {
        why_several
    } else {
        Vec::new()
    };
    for fact in verdicts.into_iter().flat_map(|v| v.facts) {
        if !facts.contains(&fact) {
            facts.push(fact);
        }
    }
    if sensitive {
        facts = vec![match truth {
            Truth::True => format!("the port range {} includes a restricted port", resource.mask()),
            Truth::False => format!(
                "the port range {} includes none of the restricted ports",
                resource.mask()
            ),
            Truth::Unknown => format!("the port range {} cannot be judged before deployment", resource.mask()),
        }];
    }
    Ok(Verdict { truth, facts })
}

/// Whether one `from`-`to` range includes one of `ports`. A bound that is not a whole number
/// (`.nan`, `1e400`, `22.5`, `ssh`) is no port EC2 accepts: unknown, never "includes none".
fn port_range_verdict((lo, lo_shown): (&Value, &str), (hi, hi_shown): (&Value, &str), ports: &[i64]) -> Verdict {
    if is_absent(lo) || is_absent(hi) {
        let shown = if is_absent(lo) { lo_shown } else { hi_shown };
        return Verdict::new(Truth::False, format!("`{shown}` is not set"));
    }
    let (lo, hi) = match (as_port(lo), as_port(hi)) {
        (Some(lo), Some(hi)) => (lo, hi),
        (None, _) => {
            return Verdict::new(
                Truth::Unknown,
                format!("`{lo_shown}` is {}, not a port number", render(lo)),
            );
        }
        (_, None) => {
            return Verdict::new(
                Truth::Unknown,
                format!("`{hi_shown}` is {}, not a port number", render(hi)),
            );
        }
    };
    // EC2 uses -1 for "all ports" (ICMP and protocol -1).
    let hit: Vec<String> = ports
        .iter()
        .filter(|p| lo == -1 || (lo <= **p && **p <= hi))
        .map(|p| p.to_string())
        .collect();
    if hit.is_empty() {
        Verdict::new(
            Truth::False,
            format!("ports {lo}-{hi} include none of the restricted ports"),
        )
    } else {
        Verdict::new(Truth::True, format!("ports {lo}-{hi} include {}", hit.join(", ")))
    }
}

/// A port bound: a whole, finite number (`22`, `"22"`, `22.0`); anything else is none.
fn as_port(value: &Value) -> Option<i64> {
    let n = as_number(value)?;
    (n.is_finite() && n.fract() == 0.0 && n.abs() <= 1e15).then_some(n as i64)
}

/// The truth of an operator on a value. A comparison on a value that is not a finite number
/// (`.nan`, `1e400`, `inf`, `abc`) is unknown: it is no number the deploy engine would accept,
/// and answering false would pass it under a `not`.
fn judge(op: &Op, value: &Value) -> Truth {
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

/// The verdict on a value that may be any of several: true or false when all agree, else
/// unknown.
fn agreed(truths: impl IntoIterator<Item = Truth>) -> Truth {
    let mut seen: Option<Truth> = None;
    for t in truths {
        match seen {
            None => seen = Some(t),
            Some(s) if s != t => return Truth::Unknown,
            Some(_) => {}
        }
    }
    seen.unwrap_or(Truth::Unknown)
}

/// The operators other than comparisons, which every value answers.
fn apply(op: &Op, value: &Value) -> bool {
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

/// Equality as CloudFormation coerces: `"7"` equals 7 and `"true"` equals true.
fn loose_eq(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::String(s), Value::Bool(b)) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        (Value::String(_), Value::Number(_)) | (Value::Number(_), Value::Number(_)) => {
            matches!((as_number(actual), as_number(expected)), (Some(a), Some(b)) if a == b)
        }
        (Value::Number(n), Value::String(s)) => n.to_string() == *s,
        (Value::Bool(b), Value::String(s)) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        _ => actual == expected,
    }
}

fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

/// A short rendering of a value for messages.
fn render(value: &Value) -> String {
    let mut s = value.to_string();
    if s.len() > 80 {
        let cut = (0..=77).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
        s.truncate(cut);
        s.push_str("...");
    }
    s
}

/// `$['a'][0]['b']` → `/a/0/b` (RFC 6901).
fn to_pointer(normalized: &str) -> String {
    let mut out = String::new();
    let mut rest = normalized.strip_prefix('$').unwrap_or(normalized);
    while let Some(r) = rest.strip_prefix('[') {
        if let Some(r) = r.strip_prefix('\'') {
            // A quoted name: read to the closing quote, honouring escapes.
            let mut name = String::new();
            let mut chars = r.char_indices();
            let mut end = r.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, e)) = chars.next() {
                            name.push(e);
                        }
                    }
                    '\'' => {
                        end = i + 1;
                        break;
                    }
                    c => name.push(c),
                }
            }
            let _ = write!(out, "/{}", name.replace('~', "~0").replace('/', "~1"));
            rest = r[end..].strip_prefix(']').unwrap_or(&r[end..]);
        } else {
            let end = r.find(']').unwrap_or(r.len());
            let _ = write!(out, "/{}", &r[..end]);
            rest = r.get(end + 1..).unwrap_or("");
        }
    }
    out
}

/// `/a/0/b` → `a[0].b`, the way people write Terraform and CloudFormation paths.
pub fn pointer_display(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            let _ = write!(out, "[{seg}]");
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

/// A rule's path for messages: `$.a.b` under element `/ingress/0` → `ingress[0].a.b`.
fn display_path(prefix: &str, path: &str) -> String {
    let tail = path
        .strip_prefix("$.")
        .or_else(|| path.strip_prefix('$'))
        .unwrap_or(path);
    let head = pointer_display(prefix);
    match (head.is_empty(), tail.is_empty()) {
        (true, _) => tail.to_string(),
        (false, true) => head,
        (false, false) if tail.starts_with('[') => format!("{head}{tail}"),
        (false, false) => format!("{head}.{tail}"),
    }
}

#[cfg(test)]
mod tests;
