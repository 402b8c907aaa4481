//! IAM policy documents and EC2 protocols, written every way AWS reads them. IAM matches actions
//! as case-insensitive globs (`iam:P*Role`, `IAM:passrole`, `*`), CloudFormation takes a policy
//! document as a mapping or as a JSON string, and EC2 reads `IpProtocol` as a name in any case, a
//! number, `-1` or `all`. Each class is generated, and each generated resource must be flagged by
//! its rule: a spelling the gate does not know is a silent pass.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::{Case, Run};

const PASSROLE: &str = "iam-passrole-on-all-resources";
const ADMIN: &str = "iam-policy-allows-all-actions-on-all-resources";
const SG_INLINE: &str = "security-group-open-admin-port";
const SG_RULE: &str = "security-group-rule-open-admin-port";

/// Every spelling of an action pattern that grants `iam:PassRole`: letter cases, each substring
/// replaced by `*`, each character by `?`, and the wildcards that grant everything.
fn passrole_spellings() -> Vec<String> {
    let action = "iam:PassRole";
    let mut out = vec![
        action.to_string(),
        action.to_uppercase(),
        action.to_lowercase(),
        "Iam:pASSrOLE".to_string(),
        "*".to_string(),
        "*:*".to_string(),
        "**".to_string(),
    ];
    let chars: Vec<char> = action.chars().collect();
    for i in 0..chars.len() {
        for j in i + 1..=chars.len() {
            let glob: String = chars[..i].iter().chain(['*'].iter()).chain(chars[j..].iter()).collect();
            // Alternate the letter case, which IAM ignores in actions.
            out.push(if (i + j) % 2 == 0 { glob.to_uppercase() } else { glob });
        }
        let marked: String = chars
            .iter()
            .enumerate()
            .map(|(k, c)| if k == i { '?' } else { *c })
            .collect();
        out.push(marked);
    }
    out.sort();
    out.dedup();
    out
}

/// Resource patterns that take in every role of an account.
const EVERY_ROLE: &[&str] = &[
    "*",
    "arn:aws:iam::111122223333:role/*",
    "arn:aws:iam::*:role/*",
    "arn:aws:iam::*:*",
    "arn:*:iam::*:role/*",
    "*:role/*",
    "arn:aws:iam::11112222333?:role/?*",
    "arn:aws-us-gov:iam::*",
];

/// Action patterns that grant every action, and resource patterns that take in every resource.
const EVERY_ACTION: &[&str] = &["*", "**", "*:*", "?*:*", "*:?*", "*?", "**:**", "?*:?*"];
const EVERY_RESOURCE: &[&str] = &["*", "**", "arn:*", "arn:aws:*", "*:*", "arn:aws-cn:*"];

/// A statement allowing `action` (a string, or in a list) on `resource`.
fn statement(action: &str, resource: &str, listed: bool) -> Value {
    match listed {
        true => json!({"Effect": "Allow", "Action": ["s3:GetObject", action], "Resource": [resource]}),
        false => json!({"Effect": "Allow", "Action": action, "Resource": resource}),
    }
}

/// A CloudFormation resource holding `document` (a mapping, or its JSON text), in one of the
/// policy-bearing places: a managed policy, an inline policy, a role's `Policies`.
fn cfn_policy(n: usize, document: Value, as_text: bool) -> Value {
    let document = if as_text {
        Value::String(document.to_string())
    } else {
        document
    };
    match n % 3 {
        0 => json!({"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": document}}),
        1 => {
            json!({"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": ["r"], "PolicyDocument": document}})
        }
        _ => json!({"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "p", "PolicyDocument": document}]}}),
    }
}

/// A Terraform plan creating `resources` (address → `change.after`).
fn plan(resources: &BTreeMap<String, Value>) -> String {
    let changes: Vec<Value> = resources
        .iter()
        .map(|(address, after)| {
            let (kind, name) = address.split_once('.').unwrap();
            json!({"address": address, "mode": "managed", "type": kind, "name": name,
                   "provider_name": "registry.terraform.io/hashicorp/aws",
                   "change": {"actions": ["create"], "before": null, "after": after, "after_unknown": {"id": true}}})
        })
        .collect();
    json!({"format_version": "1.2", "terraform_version": "1.9.5", "resource_changes": changes}).to_string()
}

/// A Terraform IAM resource whose `policy` is `document` as the provider keeps it: JSON text.
fn tf_policy(n: usize, document: &Value) -> (String, Value) {
    let text = document.to_string();
    match n % 2 {
        0 => (
            format!("aws_iam_policy.p{n}"),
            json!({"name": format!("p{n}"), "policy": text}),
        ),
        _ => (
            format!("aws_iam_role_policy.p{n}"),
            json!({"name": format!("p{n}"), "role": "r", "policy": text}),
        ),
    }
}

/// The resources `rule` reported with one of `outcomes`, from a JSON report.
fn reported(run: &Run, rule: &str, outcomes: &[&str]) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["ruleId"] == rule && outcomes.iter().any(|o| f["outcome"] == *o))
        .filter_map(|f| f["resource"].as_str().map(str::to_string))
        .collect()
}

/// Check `file` holding `text` and assert that `rule` gives every one of `ids` an outcome in
/// `outcomes` (and so the gate does not pass).
#[track_caller]
fn assert_each(file: &str, text: &str, rule: &str, ids: &[String], outcomes: &[&str], what: &str) {
    assert!(!ids.is_empty(), "{what}: nothing generated");
    let case = Case::new();
    case.write(file, text);
    let run = case.run(&["check", "--format", "json", file]);
    run.assert_not_pass(what);
    let flagged = reported(&run, rule, outcomes);
    let missed: Vec<&String> = ids.iter().filter(|id| !flagged.contains(id)).collect();
    assert!(
        missed.is_empty(),
        "{what}: {rule} did not report {outcomes:?} on {missed:?}"
    );
}

fn template(resources: BTreeMap<String, Value>) -> String {
    json!({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}).to_string()
}

/// Every spelling of iam:PassRole × every role-wide resource × string or list × mapping or JSON
/// text × managed policy, inline policy or role, in templates and plans: each fails.
#[test]
fn passrole_spellings_never_pass() {
    let (mut cfn, mut tf) = (BTreeMap::new(), BTreeMap::new());
    let mut n = 0;
    for action in passrole_spellings() {
        for listed in [false, true] {
            let resource = EVERY_ROLE[n % EVERY_ROLE.len()];
            let document = json!({"Version": "2012-10-17", "Statement": [statement(&action, resource, listed)]});
            for as_text in [false, true] {
                cfn.insert(
                    format!("P{n}T{}", as_text as u8),
                    cfn_policy(n, document.clone(), as_text),
                );
            }
            let (address, after) = tf_policy(n, &document);
            tf.insert(address, after);
            n += 1;
        }
    }
    assert!(n > 150, "only {n} spellings");
    let ids: Vec<String> = cfn.keys().cloned().collect();
    assert_each(
        "t.json",
        &template(cfn),
        PASSROLE,
        &ids,
        &["fail"],
        "PassRole spellings, template",
    );
    let ids: Vec<String> = tf.keys().cloned().collect();
    assert_each(
        "plan.json",
        &plan(&tf),
        PASSROLE,
        &ids,
        &["fail"],
        "PassRole spellings, plan",
    );
}

/// A NotAction that leaves iam:PassRole in, and a NotResource that leaves roles in, each fail.
#[test]
fn not_action_and_not_resource_never_pass() {
    let not_actions = ["s3:*", "iam:Get*", "iam:PassRoles", "ec2:*", "iam:Pass?Role"];
    let not_resources = [
        "arn:aws:iam::111122223333:role/admin",
        "arn:aws:iam::*:role/app-*",
        "arn:aws:s3:::*",
    ];
    let (mut cfn, mut tf) = (BTreeMap::new(), BTreeMap::new());
    let mut n = 0;
    for listed in [false, true] {
        let wrap = |v: &str| if listed { json!([v]) } else { json!(v) };
        let mut statements: Vec<Value> = not_actions
            .iter()
            .map(|a| json!({"Effect": "Allow", "NotAction": wrap(a), "Resource": "*"}))
            .collect();
        statements.extend(
            not_resources
                .iter()
                .map(|r| json!({"Effect": "Allow", "Action": "iam:PassRole", "NotResource": wrap(r)})),
        );
        for s in statements {
            let document = json!({"Statement": s});
            cfn.insert(format!("N{n}"), cfn_policy(n, document.clone(), n % 2 == 0));
            let (address, after) = tf_policy(n, &document);
            tf.insert(address, after);
            n += 1;
        }
    }
    let ids: Vec<String> = cfn.keys().cloned().collect();
    assert_each(
        "t.json",
        &template(cfn),
        PASSROLE,
        &ids,
        &["fail"],
        "NotAction/NotResource, template",
    );
    let ids: Vec<String> = tf.keys().cloned().collect();
    assert_each(
        "plan.json",
        &plan(&tf),
        PASSROLE,
        &ids,
        &["fail"],
        "NotAction/NotResource, plan",
    );
}

/// Every wildcard spelling of "every action" × "every resource" × string or list × mapping or
/// JSON text, in templates and plans: each fails the full-admin rule.
#[test]
fn admin_spellings_never_pass() {
    let (mut cfn, mut tf) = (BTreeMap::new(), BTreeMap::new());
    let mut n = 0;
    for action in EVERY_ACTION {
        for resource in EVERY_RESOURCE {
            for listed in [false, true] {
                let document = json!({"Statement": statement(action, resource, listed)});
                for as_text in [false, true] {
                    cfn.insert(
                        format!("A{n}T{}", as_text as u8),
                        cfn_policy(n, document.clone(), as_text),
                    );
                }
                let (address, after) = tf_policy(n, &document);
                tf.insert(address, after);
                n += 1;
            }
        }
    }
    let ids: Vec<String> = cfn.keys().cloned().collect();
    assert_each(
        "t.json",
        &template(cfn),
        ADMIN,
        &ids,
        &["fail"],
        "admin spellings, template",
    );
    let ids: Vec<String> = tf.keys().cloned().collect();
    assert_each("plan.json", &plan(&tf), ADMIN, &ids, &["fail"], "admin spellings, plan");
}

/// A policy string cut at every length, with a key written twice, holding no object, or built
/// by `Fn::Sub`/`Fn::Join`: both policy rules are unknown (never pass) on each, in YAML and JSON.
#[test]
fn unreadable_policy_strings_are_unknown() {
    let full = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}).to_string();
    let mut texts: Vec<String> = (0..full.len()).map(|k| full[..k].to_string()).collect();
    texts.extend([
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Action": "s3:GetObject", "Resource": "*"}}"#.to_string(),
        r#"{"Statement": [], "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#.to_string(),
        r#"[{"Effect": "Allow", "Action": "*", "Resource": "*"}]"#.to_string(),
        "\"*\"".to_string(),
        format!("{full} {{}}"),
        format!("{}{}", "[".repeat(5000), "]".repeat(5000)),
    ]);
    let mut cfn = BTreeMap::new();
    for (n, text) in texts.iter().enumerate() {
        cfn.insert(format!("U{n}"), cfn_policy(n, Value::String(text.clone()), false));
    }
    let built = [
        json!({"Fn::Sub": "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"${A}\", \"Resource\": \"*\"}}"}),
        json!({"Fn::Join": ["", ["{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"", {"Ref": "A"}, "\", \"Resource\": \"*\"}}"]]}),
    ];
    for (k, b) in built.iter().enumerate() {
        for n in 0..3 {
            cfn.insert(format!("B{k}{n}"), cfn_policy(n, b.clone(), false));
        }
    }
    let ids: Vec<String> = cfn.keys().cloned().collect();
    let json_text = json!({"Parameters": {"A": {"Type": "String"}}, "Resources": cfn}).to_string();
    for rule in [ADMIN, PASSROLE] {
        assert_each(
            "t.json",
            &json_text,
            rule,
            &ids,
            &["unknown"],
            "unreadable policy text, JSON",
        );
    }
    // The same in YAML, with the text in a quoted scalar, a literal block and a folded block.
    let mut yaml = String::from("Resources:\n");
    for (n, text) in texts.iter().take(120).enumerate() {
        let kind = ["AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"][n % 2];
        let written = match n % 3 {
            0 => format!("'{}'", text.replace('\'', "''")),
            1 => format!("|\n        {text}"),
            _ => format!(">-\n        {text}"),
        };
        yaml.push_str(&format!(
            "  Y{n}:\n    Type: {kind}\n    Properties:\n      PolicyDocument: {written}\n"
        ));
    }
    let ids: Vec<String> = (0..texts.len().min(120)).map(|n| format!("Y{n}")).collect();
    assert_each(
        "t.yaml",
        &yaml,
        ADMIN,
        &ids,
        &["unknown"],
        "unreadable policy text, YAML",
    );
}

/// Patterns of a megabyte, and many of them, are judged in time and bounded memory.
#[test]
fn huge_patterns_stay_bounded() {
    let long = "*a".repeat(500_000);
    let document = json!({"Statement": [
        {"Effect": "Allow", "Action": long, "Resource": long},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": format!("{}*", "*".repeat(500_000))},
    ]});
    let case = Case::new();
    case.write(
        "t.json",
        template(BTreeMap::from([(
            "Big".to_string(),
            cfn_policy(0, document.clone(), true),
        )])),
    );
    let run = case.run(&["check", "--format", "json", "t.json"]);
    run.assert_not_pass("megabyte patterns");
    assert!(
        reported(&run, PASSROLE, &["fail"]).contains(&"Big".to_string()),
        "{run:#?}"
    );
}

/// Spellings of TCP, UDP and every protocol that EC2 accepts.
fn case_variants(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    (0..1u32 << chars.len())
        .map(|mask| {
            chars
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if mask & (1 << i) != 0 {
                        c.to_ascii_uppercase()
                    } else {
                        *c
                    }
                })
                .collect()
        })
        .collect()
}

/// (protocol as JSON, from port, to port): SSH over every spelling of TCP and UDP, and every
/// spelling of "all protocols" with ports that say 80 (all ports, whatever they say) or none.
fn open_protocols() -> Vec<(Value, Option<i64>, Option<i64>)> {
    let mut out = Vec::new();
    for word in ["tcp", "udp"] {
        for spelling in case_variants(word) {
            out.push((json!(spelling), Some(22), Some(22)));
        }
    }
    for number in [6, 17] {
        out.push((json!(number), Some(22), Some(22)));
        out.push((json!(number.to_string()), Some(20), Some(30)));
    }
    let mut all: Vec<Value> = case_variants("all").into_iter().map(Value::String).collect();
    all.extend([json!(-1), json!("-1")]);
    for spelling in all {
        out.push((spelling.clone(), Some(80), Some(80)));
        out.push((spelling, None, None));
    }
    out
}

/// Every protocol spelling × inline or separate rule, in templates (YAML, where `-1` and `6` are
/// numbers or quoted text) and plans (aws_security_group ingress, aws_security_group_rule,
/// aws_vpc_security_group_ingress_rule): each fails.
#[test]
fn protocol_spellings_never_pass() {
    let protocols = open_protocols();
    let (mut groups, mut rules) = (String::from("Resources:\n"), String::from("Resources:\n"));
    let (mut group_ids, mut rule_ids) = (Vec::new(), Vec::new());
    let (mut tf_groups, mut tf_rules) = (BTreeMap::new(), BTreeMap::new());
    for (n, (protocol, from, to)) in protocols.iter().enumerate() {
        let ports = match (from, to) {
            (Some(f), Some(t)) => format!(", FromPort: {f}, ToPort: {t}"),
            _ => String::new(),
        };
        let written = match protocol {
            Value::String(s) if n % 2 == 0 => format!("\"{s}\""),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        groups.push_str(&format!(
            "  G{n}:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - {{IpProtocol: {written}{ports}, CidrIp: 0.0.0.0/0}}\n"
        ));
        group_ids.push(format!("G{n}"));
        rules.push_str(&format!(
            "  R{n}:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties: {{GroupId: sg-1, IpProtocol: {written}{ports}, CidrIpv6: '::/0'}}\n"
        ));
        rule_ids.push(format!("R{n}"));
        // Terraform keeps the protocol as text; the ports are 0 when not written.
        let text = match protocol {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let (f, t) = (from.unwrap_or(0), to.unwrap_or(0));
        tf_groups.insert(
            format!("aws_security_group.g{n}"),
            json!({"name": format!("g{n}"), "ingress": [{"protocol": text, "from_port": f, "to_port": t,
                   "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [], "self": false}]}),
        );
        tf_rules.insert(
            format!("aws_security_group_rule.r{n}"),
            json!({"type": "ingress", "protocol": text, "from_port": f, "to_port": t, "cidr_blocks": ["0.0.0.0/0"], "security_group_id": "sg-1"}),
        );
        let mut vpc = json!({"ip_protocol": text, "cidr_ipv6": "::/0", "security_group_id": "sg-1"});
        if let (Some(f), Some(t)) = (from, to) {
            vpc["from_port"] = json!(f);
            vpc["to_port"] = json!(t);
        }
        tf_rules.insert(format!("aws_vpc_security_group_ingress_rule.v{n}"), vpc);
    }
    assert_each(
        "g.yaml",
        &groups,
        SG_INLINE,
        &group_ids,
        &["fail"],
        "protocols, inline, template",
    );
    assert_each(
        "r.yaml",
        &rules,
        SG_RULE,
        &rule_ids,
        &["fail"],
        "protocols, separate, template",
    );
    let ids: Vec<String> = tf_groups.keys().cloned().collect();
    assert_each(
        "g.json",
        &plan(&tf_groups),
        SG_INLINE,
        &ids,
        &["fail"],
        "protocols, inline, plan",
    );
    let ids: Vec<String> = tf_rules.keys().cloned().collect();
    assert_each(
        "r.json",
        &plan(&tf_rules),
        SG_RULE,
        &ids,
        &["fail"],
        "protocols, separate, plan",
    );
}

/// A protocol EC2 rejects, on an internet-open SSH rule, is unknown, never "not TCP".
#[test]
fn rejected_protocols_are_unknown() {
    let mut yaml = String::from("Resources:\n");
    let mut ids = Vec::new();
    for (n, p) in ["ssh", "tcp6", "TCP ", "256", "6.5", "-2", "''", "nan"]
        .iter()
        .enumerate()
    {
        yaml.push_str(&format!(
            "  R{n}:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties: {{GroupId: sg-1, IpProtocol: \"{}\", FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}}\n",
            p.trim_matches('\'')
        ));
        ids.push(format!("R{n}"));
    }
    assert_each("r.yaml", &yaml, SG_RULE, &ids, &["unknown"], "rejected protocols");
}
