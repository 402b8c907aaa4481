//! Rules: one YAML file each, tagged with the one control it enforces, with a section per input
//! format naming the resource types it targets and the condition they must meet.

use std::sync::Arc;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::engine::conditions::{ConditionSpec, Conditions};
use crate::engine::{CompiledRule, Engine, Parameters};
use crate::error::Located;
use crate::model::{InputFormat, PlannedAction};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RuleFile {
    id: Spanned<String>,
    control: Spanned<String>,
    title: String,
    message: String,
    #[serde(default)]
    description: Option<String>,
    /// Why the requirement matters, in a sentence or two: the risk a failing resource carries.
    #[serde(default)]
    why: Option<Spanned<String>>,
    /// A failing and a passing snippet per format; `controlgate test` proves each.
    #[serde(default)]
    examples: Option<Spanned<Examples>>,
    terraform: Option<Spanned<TargetSpec>>,
    cloudformation: Option<Spanned<TargetSpec>>,
    /// Values conditions may name (`tagsExist: {parameter: tags}`), overridable per rule in the
    /// config file.
    #[serde(default)]
    parameters: Parameters,
    /// Why the rule is retired (and what replaces it). Ids are permanent: a retired rule stays
    /// in the catalog, listed, and is no longer evaluated.
    #[serde(default)]
    deprecated: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct TargetSpec {
    resource_types: Vec<String>,
    /// Terraform only: the rule is about the resources the plan does one of these to.
    #[serde(default)]
    actions: Option<Spanned<Vec<PlannedAction>>>,
    #[serde(default)]
    when: Option<Spanned<ConditionSpec>>,
    assert: Spanned<ConditionSpec>,
}

/// A rule's examples, per input format. The CloudFormation ones are templates, evaluated by
/// `controlgate test`; the Terraform ones are `.tf` source (HCL), which must parse and declare
/// a resource the rule targets (a plan, not HCL, is what the rule reads).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terraform: Option<Example>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudformation: Option<Example>,
}

/// A snippet the rule fails on, and the same resource written to pass ("Use instead").
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub fail: String,
    pub pass: String,
    /// The change record the run of `pass` names (`--change-id`), for a rule about the run's
    /// change record; `fail` runs without one.
    #[serde(default, rename = "changeId", skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
}

impl Example {
    /// How the passing example is introduced: `words` ("Use instead"), and in what run.
    pub fn use_instead(&self, words: &str) -> String {
        match &self.change_id {
            Some(id) => format!("{words} (in a run that names change record `{id}`)"),
            None => words.to_string(),
        }
    }
}

impl Examples {
    pub fn get(&self, format: InputFormat) -> Option<&Example> {
        match format {
            InputFormat::TerraformPlan => self.terraform.as_ref(),
            InputFormat::Cloudformation => self.cloudformation.as_ref(),
        }
    }
}

/// What a rule checks in one input format.
#[derive(Debug, Clone)]
pub struct Target {
    /// The types targeted; [`crate::engine::EVERY_TYPE`] alone targets every resource.
    pub resource_types: Vec<String>,
    /// Terraform: only resources the plan does one of these to are in reach (`None`: any).
    pub actions: Option<Vec<PlannedAction>>,
    /// Resources for which this is not true are out of the rule's reach.
    pub when: Option<Arc<dyn CompiledRule>>,
    /// What every targeted resource must satisfy.
    pub assert: Arc<dyn CompiledRule>,
}

/// A loaded rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Permanent, lower-case slug naming the violation: `rds-backup-retention-too-short`.
    pub id: String,
    /// The control this rule enforces.
    pub control: String,
    /// The requirement, stated positively.
    pub title: String,
    /// What is wrong when the rule fails.
    pub message: String,
    pub description: Option<String>,
    /// Why the requirement matters.
    pub why: Option<String>,
    pub examples: Examples,
    /// The rule's parameters: its defaults with the config file's overrides. Its control's
    /// shared parameters are in force too, under these.
    pub parameters: Parameters,
    /// Set on a retired rule: why, and what replaces it. It is not evaluated.
    pub deprecated: Option<String>,
    pub terraform: Option<Target>,
    pub cloudformation: Option<Target>,
    /// Where the rule was defined.
    pub origin: Located,
    /// Where its `control` field is, for errors about the control.
    pub control_origin: Located,
    /// A rule written in the Guard DSL: its `rule NAME { ... }` block as written.
    pub guard_text: Option<String>,
}

impl Rule {
    /// The engine that evaluates it: `guard` for a Guard-DSL rule, else `native`.
    pub fn engine(&self) -> &'static str {
        if self.guard_text.is_some() { "guard" } else { "native" }
    }

    pub fn target(&self, format: InputFormat) -> Option<&Target> {
        match format {
            InputFormat::TerraformPlan => self.terraform.as_ref(),
            InputFormat::Cloudformation => self.cloudformation.as_ref(),
        }
    }
}

fn is_rule_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Parse and compile one rule file. Its control is checked against the catalog by the caller.
pub fn parse(file: &str, text: &str) -> Result<Rule, Located> {
    parse_with(file, text, None)
}

/// Parse and compile one rule file with parameter values that override its defaults; an
/// override of a parameter the rule does not declare is an error.
pub fn parse_with(file: &str, text: &str, overrides: Option<&Parameters>) -> Result<Rule, Located> {
    parse_in(file, text, &|_| None, overrides)
}

/// [`parse_with`], the rule's parameters defaulting to those its control declares (`shared`, by
/// control id); the rule's own declaration of a parameter wins.
pub fn parse_in(
    file: &str,
    text: &str,
    shared: &dyn Fn(&str) -> Option<Parameters>,
    overrides: Option<&Parameters>,
) -> Result<Rule, Located> {
    let mut r: RuleFile = crate::yaml::from_str(file, text)?;
    let shared = shared(&r.control.value).unwrap_or_default();
    for (name, value) in overrides.into_iter().flatten() {
        if !r.parameters.contains_key(name) && !shared.contains_key(name) {
            let (l, c) = crate::yaml::position(&r.id);
            return Err(Located::new(
                file,
                l,
                c,
                format!("rule {} has no parameter `{name}` to set", r.id.value),
            )
            .with_help(format!(
                "its parameters: {}",
                shared
                    .keys()
                    .chain(r.parameters.keys())
                    .cloned()
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        r.parameters.insert(name.clone(), value.clone());
    }
    // In force: the control's shared parameters under the rule's own.
    let mut params = shared;
    params.extend(r.parameters.clone());
    let (line, column) = crate::yaml::position(&r.id);
    let id = r.id.value;
    if !is_rule_id(&id) {
        return Err(
            Located::new(file, line, column, format!("`{id}` is not a rule id")).with_help(
                "rule ids are lower-case words joined by '-', naming the violation, e.g. s3-bucket-unencrypted",
            ),
        );
    }
    if r.terraform.is_none() && r.cloudformation.is_none() {
        return Err(Located::new(
            file,
            line,
            column,
            format!("rule {id} has neither a `terraform` nor a `cloudformation` section"),
        ));
    }
    let target = |spec: Option<Spanned<TargetSpec>>, format: InputFormat| -> Result<Option<Target>, Located> {
        let Some(spec) = spec else { return Ok(None) };
        let (l, c) = crate::yaml::position(&spec);
        if spec.value.resource_types.is_empty() {
            return Err(Located::new(file, l, c, format!("rule {id}: `resourceTypes` is empty")));
        }
        let every = spec.value.resource_types.iter().any(|t| t == crate::engine::EVERY_TYPE);
        if every && spec.value.resource_types.len() > 1 {
            return Err(Located::new(
                file,
                l,
                c,
                format!("rule {id}: `*` targets every resource type and stands alone in `resourceTypes`"),
            ));
        }
        for t in spec.value.resource_types.iter().filter(|_| !every) {
            let ok = match format {
                InputFormat::TerraformPlan => {
                    t.starts_with("aws_")
                        && t.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                }
                InputFormat::Cloudformation => t.split("::").count() == 3 && t.starts_with("AWS::"),
            };
            if !ok {
                return Err(Located::new(file, l, c, format!("rule {id}: `{t}` is not a {} resource type", format.as_str())).with_help(
                    "Terraform types look like aws_s3_bucket, CloudFormation types like AWS::S3::Bucket; each goes in its own section",
                ));
            }
        }
        let actions = match spec.value.actions {
            None => None,
            Some(a) => {
                let (al, ac) = crate::yaml::position(&a);
                if format == InputFormat::Cloudformation {
                    return Err(Located::new(file, al, ac, format!("rule {id}: `actions` filters a plan's resources; a template plans no actions (its deployment touches every resource it declares)"))
                        .with_help("move `actions` to the rule's `terraform` section"));
                }
                if a.value.is_empty() {
                    return Err(Located::new(file, al, ac, format!("rule {id}: `actions` is empty")));
                }
                Some(a.value)
            }
        };
        Ok(Some(Target {
            actions,
            resource_types: spec.value.resource_types,
            when: spec
                .value
                .when
                .as_ref()
                .map(|w| Conditions.compile(file, w, &params))
                .transpose()?,
            assert: Conditions.compile(file, &spec.value.assert, &params)?,
        }))
    };
    if let Some(why) = &r.why
        && why.value.trim().is_empty()
    {
        let (l, c) = crate::yaml::position(why);
        return Err(Located::new(file, l, c, format!("rule {id}: `why` is empty"))
            .with_help("say in a sentence or two what risk a failing resource carries, or leave `why` out"));
    }
    let examples = match r.examples {
        None => Examples::default(),
        Some(e) => {
            let (l, c) = crate::yaml::position(&e);
            let examples = e.value;
            if examples.terraform.is_none() && examples.cloudformation.is_none() {
                return Err(Located::new(
                    file,
                    l,
                    c,
                    format!("rule {id}: `examples` has neither `terraform` nor `cloudformation`"),
                ));
            }
            for (name, example, section) in [
                ("terraform", &examples.terraform, r.terraform.is_some()),
                ("cloudformation", &examples.cloudformation, r.cloudformation.is_some()),
            ] {
                let Some(example) = example else { continue };
                if !section {
                    return Err(Located::new(
                        file,
                        l,
                        c,
                        format!("rule {id}: an example for `{name}`, which the rule has no section for"),
                    )
                    .with_help("give examples only for the formats the rule checks"));
                }
                for (kind, text) in [("fail", &example.fail), ("pass", &example.pass)] {
                    if text.trim().is_empty() {
                        return Err(Located::new(
                            file,
                            l,
                            c,
                            format!("rule {id}: `examples.{name}.{kind}` is empty"),
                        ));
                    }
                }
            }
            examples
        }
    };
    let (cl, cc) = crate::yaml::position(&r.control);
    Ok(Rule {
        why: r.why.map(|w| w.value),
        examples,
        terraform: target(r.terraform, InputFormat::TerraformPlan)?,
        cloudformation: target(r.cloudformation, InputFormat::Cloudformation)?,
        origin: Located::new(file, line, column, String::new()),
        control_origin: Located::new(file, cl, cc, String::new()),
        id,
        control: r.control.value,
        title: r.title,
        message: r.message,
        description: r.description,
        parameters: r.parameters,
        deprecated: r.deprecated,
        guard_text: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "id: rds-backup-retention-too-short
control: BCK-001
title: RDS keeps backups for at least 7 days
message: backup retention is shorter than 7 days
terraform:
  resourceTypes: [aws_db_instance]
  assert:
    path: $.backup_retention_period
    gte: 7
";

    #[test]
    fn parses_a_rule() {
        let r = parse("r.yaml", GOOD).unwrap();
        assert_eq!(r.control, "BCK-001");
        assert!(r.terraform.is_some() && r.cloudformation.is_none());
    }

    #[test]
    fn parameters_are_overridden_only_when_declared() {
        let text = "id: tags-missing\ncontrol: TAG-001\ntitle: t\nmessage: m\nparameters:\n  tags: [Owner]\nterraform:\n  resourceTypes: [aws_s3_bucket]\n  assert:\n    tagsExist: {parameter: tags}\n";
        assert_eq!(
            parse("r.yaml", text).unwrap().parameters["tags"],
            serde_json::json!(["Owner"])
        );
        let o: Parameters = [("tags".to_string(), serde_json::json!(["CostCenter"]))].into();
        assert_eq!(
            parse_with("r.yaml", text, Some(&o)).unwrap().parameters["tags"],
            serde_json::json!(["CostCenter"])
        );
        let o: Parameters = [("tag".to_string(), serde_json::json!(["x"]))].into();
        let e = parse_with("r.yaml", text, Some(&o)).unwrap_err();
        assert!(e.message.contains("has no parameter `tag`"), "{e}");
    }

    #[test]
    fn a_controls_shared_parameters_are_defaults_the_rule_and_config_may_override() {
        let text = GOOD.replace("gte: 7", "gte: {parameter: days}");
        let shared = |c: &str| (c == "BCK-001").then(|| Parameters::from([("days".to_string(), serde_json::json!(7))]));
        assert!(
            parse("r.yaml", &text)
                .unwrap_err()
                .message
                .contains("`days` is not declared")
        );
        assert!(parse_in("r.yaml", &text, &shared, None).is_ok());
        let o: Parameters = [("days".to_string(), serde_json::json!("x"))].into();
        let e = parse_in("r.yaml", &text, &shared, Some(&o)).unwrap_err();
        assert!(e.message.contains("parameter `days` must be a number"), "{e}");
        let own = text.replace("terraform:", "parameters:\n  days: abc\nterraform:");
        let e = parse_in("r.yaml", &own, &shared, None).unwrap_err();
        assert!(e.message.contains("must be a number, found \"abc\""), "{e}");
    }

    #[test]
    fn every_type_stands_alone_and_actions_filter_plans_only() {
        let every = GOOD.replace("[aws_db_instance]", "[\"*\"]");
        assert_eq!(
            parse("r.yaml", &every).unwrap().terraform.unwrap().resource_types,
            ["*"]
        );
        let e = parse("r.yaml", &GOOD.replace("[aws_db_instance]", "[\"*\", aws_db_instance]")).unwrap_err();
        assert!(e.message.contains("stands alone"), "{e}");
        let with = GOOD.replace("  assert:", "  actions: [create, update]\n  assert:");
        let t = parse("r.yaml", &with).unwrap().terraform.unwrap();
        assert_eq!(t.actions, Some(vec![PlannedAction::Create, PlannedAction::Update]));
        let e = parse("r.yaml", &GOOD.replace("  assert:", "  actions: [build]\n  assert:")).unwrap_err();
        assert!(e.message.contains("build"), "{e}");
        let e = parse("r.yaml", &GOOD.replace("  assert:", "  actions: []\n  assert:")).unwrap_err();
        assert!(e.message.contains("`actions` is empty"), "{e}");
        let cfn = "id: x-missing\ncontrol: C-001\ntitle: t\nmessage: m\ncloudformation:\n  resourceTypes: [AWS::S3::Bucket]\n  actions: [create]\n  assert:\n    changeRecord: true\n";
        let e = parse("r.yaml", cfn).unwrap_err();
        assert!(e.message.contains("a template plans no actions"), "{e}");
    }

    #[test]
    fn invalid_jsonpath_is_located() {
        let e = parse("r.yaml", &GOOD.replace("$.backup_retention_period", "$.[bad")).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("r.yaml", 8));
        assert!(e.message.contains("invalid JSONPath"), "{e}");
    }

    #[test]
    fn rejects_two_operators_and_types_of_the_wrong_format() {
        let e = parse("r.yaml", &GOOD.replace("gte: 7", "gte: 7\n    lt: 30")).unwrap_err();
        assert!(e.message.contains("exactly one operator"), "{e}");
        let e = parse("r.yaml", &GOOD.replace("[aws_db_instance]", "[AWS::RDS::DBInstance]")).unwrap_err();
        assert!(e.message.contains("not a terraform-plan resource type"), "{e}");
        let e = parse("r.yaml", &GOOD.replace("gte: 7", "matches: '('")).unwrap_err();
        assert!(e.message.contains("invalid regex"), "{e}");
        let e = parse("r.yaml", &GOOD.replace("id: rds", "id: RDS")).unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn why_and_examples_are_checked() {
        let with = |extra: &str| GOOD.replace("terraform:\n", &format!("{extra}terraform:\n"));
        let r = parse("r.yaml", &with("why: backups are what a restore needs\nexamples:\n  terraform:\n    fail: 'resource \"aws_db_instance\" \"a\" {}'\n    pass: 'resource \"aws_db_instance\" \"b\" {}'\n")).unwrap();
        assert_eq!(r.why.as_deref(), Some("backups are what a restore needs"));
        assert!(r.examples.terraform.is_some() && r.examples.cloudformation.is_none());
        let e = parse("r.yaml", &with("why: ' '\n")).unwrap_err();
        assert!(e.message.contains("`why` is empty"), "{e}");
        let e = parse(
            "r.yaml",
            &with("examples:\n  cloudformation:\n    fail: a\n    pass: b\n"),
        )
        .unwrap_err();
        assert!(e.message.contains("no section for"), "{e}");
        let e = parse(
            "r.yaml",
            &with("examples:\n  terraform:\n    fail: a\n    pass: b\n    good: c\n"),
        )
        .unwrap_err();
        assert!(e.message.contains("good"), "{e}");
        let e = parse("r.yaml", &with("examples: {}\n")).unwrap_err();
        assert!(e.message.contains("neither"), "{e}");
    }
}
