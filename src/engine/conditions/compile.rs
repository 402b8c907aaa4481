//! Compiling a condition as written into a [`Condition`], once, when the rule loads.

use serde_saphyr::Spanned;

use super::ops::{self, Cx};
use super::query::Query;
use super::spec::*;
use super::{Condition, Subject};
use crate::engine::Parameters;
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
            s.change_record.is_some(),
        ];
        if forms.iter().filter(|f| **f).count() != 1 {
            return Err(err(
                "a condition needs exactly one of `all`, `any`, `not`, `forEach`, `path`/`tag`, `portRange`, `related`, `refersTo`, `undecidable`, `sibling`, `configured`, `tagsExist`, `changeRecord`"
                    .into(),
            )
            .with_help("split combined checks into `all: [...]`"));
        }
        let cx = Cx {
            file,
            at: (line, column),
            params,
        };
        let ops = ops::written(s).len();
        let is_leaf = s.path.is_some() || s.tag.is_some();
        if !is_leaf && (ops > 0 || (s.quantifier.is_some() && s.related.is_none() && s.refers_to.is_none())) {
            return Err(err(
                "operators (`equals`, `exists`, ...) belong to a `path` or `tag` condition, `match` to those, `related` and `refersTo`"
                    .into(),
            ));
        }
        if let Some(named) = s.change_record {
            return Ok(Condition::ChangeRecord(named));
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
                ports: cx.resolve(ports, "a list of port numbers")?,
            });
        }
        if s.path.is_some() && s.tag.is_some() {
            return Err(err("a condition tests either a `path` or a `tag`, not both".into()));
        }
        if ops != 1 {
            return Err(err(format!(
                "a `path`/`tag` condition needs exactly one operator, found {ops}"
            ))
            .with_help(format!("operators: {}", ops::names())));
        }
        let subject = match (&s.path, &s.tag) {
            (Some(p), _) => Subject::Path(Query::parse(p).map_err(err)?),
            (_, Some(t)) => Subject::Tag(t.clone()),
            _ => unreachable!("checked above"),
        };
        let op = ops::compile(s, &cx)?.ok_or_else(|| err("a `path`/`tag` condition needs an operator".into()))?;
        Ok(Condition::Leaf {
            subject,
            quantifier: s.quantifier.unwrap_or_default(),
            op,
        })
    }
}
