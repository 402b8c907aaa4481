//! Evaluating a compiled condition on a resource: three-valued verdicts with the facts that
//! explain them.

use serde_json::Value;

use super::deploy_time::*;
use super::ops::{Op, judge};
use super::query::{Query, display_path};
use super::spec::Quantifier;
use super::{Condition, Subject};
use crate::engine::{Neighbours, Truth, Verdict};
use crate::model::{Resource, is_unknown, readings_of};

impl Condition {
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
                                format!("`{}` {why}", crate::pointer::display(&pointer)),
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
            Condition::ChangeRecord(want) => {
                let named = nb.change_record();
                let fact = match named {
                    Some(id) => format!("the run names change record `{}`", crate::text::shorten(id, 80)),
                    None => "the run names no change record".to_string(),
                };
                let truth = if named.is_some() == *want {
                    Truth::True
                } else {
                    Truth::False
                };
                Verdict::new(truth, fact)
            }
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
pub(super) fn on_companions(
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

/// `all` (every verdict true) or `any` (one true), in three values: a decisive verdict wins,
/// then unknown; `all` of nothing is true, `any` of nothing false. The facts are those of the
/// verdicts that decided.
pub(super) fn combine(verdicts: impl IntoIterator<Item = Verdict>, q: Quantifier) -> Verdict {
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

pub(super) fn eval_tag(resource: &Resource, key: &str, op: &Op) -> Verdict {
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

pub(super) fn eval_path(
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
            let name = crate::pointer::display(&format!("{prefix}{p}"));
            return Ok(Verdict::new(Truth::Unknown, format!("`{name}` {why}")));
        }
        // `!If [C, x, !Ref AWS::NoValue]`: whether the property will exist depends on C.
        if let Some((_, p, _)) = matches.iter().find(|(v, _, _)| may_be_removed(v)) {
            let name = crate::pointer::display(&format!("{prefix}{p}"));
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
            .map(|(_, p, _)| format!("`{}`", crate::pointer::display(&format!("{prefix}{p}"))))
            .collect();
        return Ok(Verdict::new(truth, format!("{} is set", paths.join(", "))));
    }
    Ok(combine(
        matches.into_iter().map(|(value, pointer, why)| {
            let pointer = format!("{prefix}{pointer}");
            let name = crate::pointer::display(&pointer);
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
pub(super) fn eval_port_range(
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
pub(super) fn port_range_verdict(
    (lo, lo_shown): (&Value, &str),
    (hi, hi_shown): (&Value, &str),
    ports: &[i64],
) -> Verdict {
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
pub(super) fn as_port(value: &Value) -> Option<i64> {
    let n = as_number(value)?;
    (n.is_finite() && n.fract() == 0.0 && n.abs() <= 1e15).then_some(n as i64)
}

/// A short rendering of a value for messages.
pub(super) fn render(value: &Value) -> String {
    crate::text::shorten(&value.to_string(), 80)
}
