//! Arguments the provider computes when the author leaves them out: judged on the rule's default
//! only on evidence that the author did not write them (the plan's configuration for attributes,
//! the `.tf` block too for blocks, which may be `dynamic`), and otherwise exactly as a plan
//! without configuration is judged — unknown, never a pass.

use std::collections::BTreeSet;

use controlgate::catalog::{self, PackSource};
use controlgate::input::terraform_unwritten::{Form, computed_arguments};
use serde_json::{Map, Value, json};

use crate::{Case, Run};

/// Tags that bring every tag-scoped rule (DataClassification) into play.
fn tags() -> Value {
    json!({"Owner": "o", "Environment": "prod", "DataClassification": "confidential"})
}

/// A plan of one `KIND.x` whose `after` is `after`, with `unknown` known only after apply, and a
/// configuration writing `expressions` (none at all when `None`).
fn plan(kind: &str, after: &Value, unknown: &[&str], expressions: Option<Value>) -> String {
    let address = format!("{kind}.x");
    let after_unknown: Map<String, Value> = unknown.iter().map(|k| (k.to_string(), json!(true))).collect();
    let mut p = json!({
        "format_version": "1.2", "terraform_version": "1.9.5",
        "planned_values": {"root_module": {"resources": [
            {"address": address, "mode": "managed", "type": kind, "name": "x", "values": after}]}},
        "resource_changes": [{"address": address, "mode": "managed", "type": kind, "name": "x",
            "change": {"actions": ["create"], "before": null, "after": after, "after_unknown": after_unknown}}],
    });
    if let Some(expressions) = expressions {
        p["configuration"] = json!({"root_module": {"resources": [
            {"address": address, "mode": "managed", "type": kind, "name": "x", "expressions": expressions}]}});
    }
    p.to_string()
}

fn written(names: &[&str]) -> Value {
    let mut e = Map::new();
    for n in names {
        e.insert(n.to_string(), json!({"constant_value": "x"}));
    }
    e.insert("tags".into(), json!({"constant_value": tags()}));
    Value::Object(e)
}

/// The (rule, outcome) pairs of the resource's findings, after a run that did not error.
fn outcomes(run: &Run, what: &str) -> BTreeSet<(String, String)> {
    assert!(!run.timed_out && matches!(run.code, Some(0 | 1)), "{what}\n{run:#?}");
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["ruleId"].as_str().unwrap().to_string(),
                f["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn check(plan: &str, tf: Option<&str>) -> Run {
    let case = Case::new();
    case.write("plan.json", plan);
    if let Some(tf) = tf {
        case.write("main.tf", tf);
    }
    case.run(&["check", "--no-config", "--format", "json", "plan.json"])
}

#[test]
fn every_rule_judges_unwritten_computed_arguments_on_their_defaults() {
    let catalog = catalog::load(&[PackSource::Builtin]).unwrap();
    let mut kinds: BTreeSet<&str> = BTreeSet::new();
    for rule in catalog.rules.iter().filter(|r| r.deprecated.is_none()) {
        if let Some(t) = &rule.terraform {
            kinds.extend(t.resource_types.iter().map(String::as_str));
        }
    }
    let mut covered = 0;
    let mut unread = Vec::new();
    for kind in kinds {
        let args: Vec<&str> = computed_arguments()
            .filter(|(t, _, _)| *t == kind)
            .map(|(_, a, _)| a)
            .collect();
        let mut after = json!({"name": "x", "tags": tags()});
        // Rules that judge only some resources of a type: make this one of them.
        if kind.ends_with("_listener") {
            after["protocol"] = json!("HTTPS");
        }
        // The `.tf` block agrees with the configuration and writes none of them.
        let tf = format!("resource \"{kind}\" \"x\" {{\n  name = \"x\"\n  tags = {{}}\n}}\n");
        let run = check(&plan(kind, &after, &args, Some(written(&["name"]))), Some(&tf));
        let got = outcomes(&run, kind);
        let unknown: Vec<_> = got.iter().filter(|(_, o)| o == "unknown").collect();
        assert!(unknown.is_empty(), "{kind} with {args:?} unwritten: {unknown:?}");
        // The same plan without configuration keeps today's reading: unknown wherever read.
        if !args.is_empty() {
            covered += 1;
            let blind = outcomes(&check(&plan(kind, &after, &args, None), Some(&tf)), kind);
            if blind == got {
                unread.push(kind);
            }
        }
    }
    assert!(unread.is_empty(), "no rule reads the computed arguments of {unread:?}");
    assert!(covered >= 20, "{covered} resource types with computed arguments");
}

#[test]
fn without_evidence_an_unwritten_argument_is_judged_as_without_configuration() {
    for (kind, arg, form) in computed_arguments() {
        let after = json!({"name": "x", "tags": tags()});
        let unknown = [arg];
        let baseline = outcomes(&check(&plan(kind, &after, &unknown, None), None), kind);
        let mut variants: Vec<(String, Value, Option<String>)> = vec![
            // Written, with a value known only after apply.
            (
                "written".into(),
                written(&["name", arg]),
                Some(format!("resource \"{kind}\" \"x\" {{\n  name = \"x\"\n}}\n")),
            ),
        ];
        if form == Form::Block {
            variants.extend([
                ("no .tf".to_string(), written(&["name"]), None),
                (
                    "dynamic".into(),
                    written(&["name"]),
                    Some(format!(
                        "resource \"{kind}\" \"x\" {{\n  name = \"x\"\n  dynamic \"{arg}\" {{\n    for_each = var.v\n    content {{}}\n  }}\n}}\n"
                    )),
                ),
                (
                    "block".into(),
                    written(&["name"]),
                    Some(format!("resource \"{kind}\" \"x\" {{\n  name = \"x\"\n  {arg} {{\n  }}\n}}\n")),
                ),
                (
                    "stale .tf".into(),
                    written(&["name", "description"]),
                    Some(format!("resource \"{kind}\" \"x\" {{\n  name = \"x\"\n}}\n")),
                ),
            ]);
        }
        for (what, expressions, tf) in variants {
            let what = format!("{kind}.{arg} ({what})");
            let got = outcomes(
                &check(&plan(kind, &after, &unknown, Some(expressions)), tf.as_deref()),
                &what,
            );
            assert_eq!(got, baseline, "{what}");
        }
    }
}

#[test]
fn dynamic_ingress_with_an_open_port_is_never_a_pass() {
    let after = json!({"name": "x", "tags": tags(), "egress": []});
    for tf_ingress in [
        "dynamic \"ingress\" {\n    for_each = aws_vpc.v.cidr_block == \"\" ? [] : [22]\n    content {\n      from_port = 22\n      to_port = 22\n      protocol = \"tcp\"\n      cidr_blocks = [\"0.0.0.0/0\"]\n    }\n  }",
        "ingress {\n    from_port = 22\n    to_port = 22\n    protocol = \"tcp\"\n    cidr_blocks = [aws_vpc.v.cidr_block]\n  }",
    ] {
        let tf =
            format!("resource \"aws_security_group\" \"x\" {{\n  name = \"x\"\n  tags = {{}}\n  {tf_ingress}\n}}\n");
        let p = plan("aws_security_group", &after, &["ingress"], Some(written(&["name"])));
        let run = check(&p, Some(&tf));
        run.assert_not_pass(tf_ingress);
        let got = outcomes(&run, tf_ingress);
        assert!(
            got.contains(&("security-group-open-admin-port".into(), "unknown".into())),
            "{tf_ingress}: {got:?}"
        );
    }
}

#[test]
fn many_resources_with_unwritten_arguments_stay_bounded() {
    let n = 3000;
    let mut planned = Vec::new();
    let mut changes = Vec::new();
    let mut config = Vec::new();
    let mut tf = String::new();
    for i in 0..n {
        let address = format!("aws_dynamodb_table.t{i}");
        let after = json!({"name": format!("t{i}"), "tags": tags()});
        planned.push(json!({"address": address, "mode": "managed", "type": "aws_dynamodb_table", "name": format!("t{i}"), "values": after}));
        changes.push(json!({"address": address, "mode": "managed", "type": "aws_dynamodb_table", "name": format!("t{i}"),
            "change": {"actions": ["create"], "before": null, "after": after,
                       "after_unknown": {"point_in_time_recovery": true, "server_side_encryption": true, "arn": true}}}));
        config.push(
            json!({"address": address, "mode": "managed", "type": "aws_dynamodb_table", "name": format!("t{i}"),
            "expressions": {"name": {"constant_value": format!("t{i}")}, "tags": {"constant_value": tags()}}}),
        );
        tf.push_str(&format!(
            "resource \"aws_dynamodb_table\" \"t{i}\" {{\n  name = \"t{i}\"\n  tags = {{}}\n}}\n"
        ));
    }
    let p = json!({"format_version": "1.2", "planned_values": {"root_module": {"resources": planned}},
                   "resource_changes": changes, "configuration": {"root_module": {"resources": config}}});
    let run = check(&p.to_string(), Some(&tf));
    // Point-in-time recovery left out is off: every table fails, none is unknown.
    run.assert_code(1, "3000 tables without point-in-time recovery");
    let findings = run.json()["findings"].as_array().unwrap().clone();
    let pitr = |outcome: &str| {
        findings
            .iter()
            .filter(|f| f["ruleId"] == "dynamodb-point-in-time-recovery-disabled" && f["outcome"] == outcome)
            .count()
    };
    assert_eq!((pitr("fail"), pitr("unknown")), (n, 0));
}
