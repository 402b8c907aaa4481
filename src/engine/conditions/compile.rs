//! Compiling a condition as written into a [`Condition`], once, when the rule loads.

use regex::Regex;
use serde_json::Value;
use serde_saphyr::Spanned;

use super::ops::{Cmp, Op};
use super::query::Query;
use super::spec::*;
use super::{Condition, Subject};
use crate::engine::Parameters;
use crate::engine::aws::{self, Family};
use crate::error::Located;

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
}
