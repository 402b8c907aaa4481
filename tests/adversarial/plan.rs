//! Terraform plan shapes Terraform never writes, JSON objects with a key twice, and values marked
//! sensitive: none of them reads as a pass, and no secret reaches standard output or error.

use serde_json::{Value, json};

use crate::{Case, Run};

const FORMATS: [&str; 5] = ["human", "sarif", "json", "markdown", "github"];

/// A security group open to the internet on SSH: NET-001 fails it.
fn open_group() -> Value {
    json!({"name": "sg", "description": "d", "tags": {"Owner": "o", "Environment": "dev", "DataClassification": "internal"},
           "tags_all": {"Owner": "o", "Environment": "dev", "DataClassification": "internal"},
           "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": []}]})
}

fn change(address: &str, actions: Value, after: Value) -> Value {
    let kind = address.trim_start_matches("data.").split('.').next().unwrap();
    let mode = if address.starts_with("data.") {
        "data"
    } else {
        "managed"
    };
    json!({"address": address, "mode": mode, "type": kind, "name": "n",
           "change": {"actions": actions, "before": null, "after": after, "after_unknown": {}}})
}

fn plan(changes: Vec<Value>, planned: Option<Vec<Value>>) -> Value {
    let mut p = json!({"format_version": "1.2", "terraform_version": "1.9.5", "resource_changes": changes});
    if let Some(resources) = planned {
        p["planned_values"] = json!({"root_module": {"resources": resources}});
    }
    p
}

fn run_plan(text: &str) -> Run {
    let case = Case::new();
    case.write("plan.json", text);
    case.run(&["check", "plan.json"])
}

#[test]
fn every_after_kind_under_every_action_that_creates() {
    let actions = [
        json!(["create"]),
        json!(["update"]),
        json!(["delete", "create"]),
        json!(["create", "delete"]),
        json!(["create", "forget"]),
        json!(["forget", "create"]),
        json!(["open"]),
        json!(["create", "reticulate"]),
    ];
    let afters = [
        json!(null),
        json!("sg"),
        json!([open_group()]),
        json!(22),
        json!(true),
        open_group(),
    ];
    let mut runs = 0;
    for action in &actions {
        for after in &afters {
            for listed in [false, true] {
                // planned_values holding the failing values: a fallback must not hide them.
                let planned = listed.then(|| {
                    vec![
                        json!({"address": "aws_security_group.sg", "mode": "managed", "type": "aws_security_group",
                                "name": "sg", "values": open_group()}),
                    ]
                });
                let text = serde_json::to_string_pretty(&plan(
                    vec![change("aws_security_group.sg", action.clone(), after.clone())],
                    planned,
                ))
                .unwrap();
                let what = format!("actions {action} after {after} listed {listed}");
                let run = run_plan(&text);
                run.assert_not_pass(&what);
                if after.is_object() {
                    run.assert_code(1, &what);
                    assert!(run.stdout.contains("NET-001"), "{what}: {}", run.stdout);
                }
                runs += 1;
            }
        }
    }
    assert_eq!(runs, 96);
}

#[test]
fn actions_the_reader_does_not_know_are_evaluated_with_a_located_note() {
    for action in [
        json!(["open"]),
        json!(["close"]),
        json!(["create", "frobnicate"]),
        json!(["delete", "open"]),
    ] {
        let text = serde_json::to_string_pretty(&plan(
            vec![change("aws_security_group.sg", action.clone(), open_group())],
            None,
        ))
        .unwrap();
        let run = run_plan(&text);
        run.assert_code(1, &action.to_string());
        assert!(
            run.stderr.contains("note: plan.json:") && run.stderr.contains("does not know"),
            "{action}: {}",
            run.stderr
        );
    }
}

#[test]
fn planned_values_of_the_wrong_type_without_resource_changes() {
    let group = |values: Value| json!({"address": "aws_security_group.sg", "mode": "managed", "type": "aws_security_group", "name": "sg", "values": values});
    let shapes = [
        json!([group(open_group())]),
        json!("root_module"),
        json!(7),
        json!(true),
        json!({"root_module": [group(open_group())]}),
        json!({"root_module": "x"}),
        json!({"root_module": {"resources": {"aws_security_group.sg": open_group()}}}),
        json!({"root_module": {"resources": group(open_group())}}),
        json!({"root_module": {"resources": [group(json!("x"))]}}),
        json!({"root_module": {"resources": [group(json!([open_group()]))]}}),
        json!({"root_module": {"child_modules": {"resources": [group(open_group())]}}}),
        json!({"root_module": {"child_modules": ["module.m"]}}),
        json!({"root_module": {"child_modules": [{"resources": "x"}]}}),
        json!({"root_module": {"resources": [group(open_group()), group(json!({}))]}}),
        json!({"root_module": {"resources": [{"address": "aws_security_group.sg", "mode": 1, "type": "aws_security_group", "values": {}}]}}),
    ];
    for pv in shapes {
        let text = serde_json::to_string_pretty(&json!({"format_version": "1.2", "planned_values": pv})).unwrap();
        let run = run_plan(&text);
        run.assert_code(2, &pv.to_string());
        assert!(run.stderr.contains("plan.json:"), "located: {}", run.stderr);
    }
}

#[test]
fn data_sources_with_an_action_that_creates_are_refused() {
    for action in [
        json!(["create"]),
        json!(["update"]),
        json!(["delete", "create"]),
        json!(["create", "forget"]),
    ] {
        let text = serde_json::to_string_pretty(&plan(
            vec![change("data.aws_security_group.sg", action.clone(), open_group())],
            None,
        ))
        .unwrap();
        run_plan(&text).assert_code(2, &action.to_string());
    }
}

#[test]
fn the_same_address_twice_is_refused_whichever_comes_first() {
    let safe = {
        let mut g = open_group();
        g["ingress"] = json!([]);
        g
    };
    for (first, second) in [
        (open_group(), safe.clone()),
        (safe.clone(), open_group()),
        (safe.clone(), safe.clone()),
    ] {
        let changes = vec![
            change("aws_security_group.sg", json!(["create"]), first.clone()),
            change("aws_security_group.sg", json!(["create"]), second.clone()),
        ];
        let text = serde_json::to_string_pretty(&plan(changes, None)).unwrap();
        run_plan(&text).assert_code(2, "twice in resource_changes");
        let planned = vec![
            json!({"address": "aws_security_group.sg", "mode": "managed", "type": "aws_security_group", "values": first}),
            json!({"address": "aws_security_group.sg", "mode": "managed", "type": "aws_security_group", "values": second}),
        ];
        let text = serde_json::to_string_pretty(&plan(Vec::new(), Some(planned))).unwrap();
        run_plan(&text).assert_code(2, "twice in planned_values");
    }
}

/// A key written twice in one object, the second one compliant: a last-wins reading passes.
/// Each entry is (text before, the duplicated member's two spellings, text after).
#[test]
fn duplicate_keys_at_every_depth_of_plans_and_templates() {
    let failing = serde_json::to_string(&change("aws_security_group.sg", json!(["create"]), open_group())).unwrap();
    let mut safe_group = open_group();
    safe_group["ingress"][0]["cidr_blocks"] = json!(["10.0.0.0/8"]);
    let safe = serde_json::to_string(&change("aws_security_group.sg", json!(["create"]), safe_group.clone())).unwrap();
    let head = "{\"format_version\": \"1.2\",\n";
    // (file, the text with `@@` where the duplicate pair goes, the failing member, the safe one)
    let cases: Vec<(&str, String, String, String)> = vec![
        (
            "plan.json",
            format!("{head}@@\n}}\n"),
            format!("\"resource_changes\": [{failing}]"),
            format!("\"resource_changes\": [{safe}]"),
        ),
        (
            "plan.json",
            format!("{head}\"resource_changes\": [{{\"address\": \"aws_security_group.sg\", \"mode\": \"managed\", \"type\": \"aws_security_group\",\n@@\n}}]}}\n"),
            format!("\"change\": {}", serde_json::to_string(&json!({"actions": ["create"], "after": open_group()})).unwrap()),
            format!("\"change\": {}", serde_json::to_string(&json!({"actions": ["create"], "after": safe_group})).unwrap()),
        ),
        (
            "plan.json",
            format!("{head}\"resource_changes\": [{{\"address\": \"aws_security_group.sg\", \"mode\": \"managed\", \"type\": \"aws_security_group\",\n\"change\": {{\"actions\": [\"create\"], \"after\": {{\"name\": \"sg\",\n@@\n}}}}}}]}}\n"),
            "\"ingress\": [{\"from_port\": 22, \"to_port\": 22, \"protocol\": \"tcp\", \"cidr_blocks\": [\"0.0.0.0/0\"]}]".to_string(),
            "\"ingress\": []".to_string(),
        ),
        (
            "plan.json",
            format!("{head}\"resource_changes\": [{{\"address\": \"aws_security_group.sg\", \"mode\": \"managed\", \"type\": \"aws_security_group\",\n\"change\": {{\"actions\": [\"create\"], \"after\": {{\"name\": \"sg\",\n\"ingress\": [{{\"from_port\": 22, \"to_port\": 22, \"protocol\": \"tcp\",\n@@\n}}]}}}}}}]}}\n"),
            "\"cidr_blocks\": [\"0.0.0.0/0\"]".to_string(),
            "\"cidr_blocks\": [\"10.0.0.0/8\"]".to_string(),
        ),
        (
            "plan.json",
            format!("{head}\"resource_changes\": [{{\"address\": \"aws_security_group.sg\", \"mode\": \"managed\", \"type\": \"aws_security_group\",\n\"change\": {{\n@@,\n\"after\": {}}}}}]}}\n", serde_json::to_string(&open_group()).unwrap()),
            "\"actions\": [\"create\"]".to_string(),
            "\"actions\": [\"delete\"]".to_string(),
        ),
        (
            "t.json",
            "{\"Resources\": {\"Sg\": {\"Type\": \"AWS::EC2::SecurityGroup\", \"Properties\": {\"GroupDescription\": \"d\",\n\"SecurityGroupIngress\": [{\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22,\n@@\n}]}}}}\n".to_string(),
            "\"CidrIp\": \"0.0.0.0/0\"".to_string(),
            "\"CidrIp\": \"10.0.0.0/8\"".to_string(),
        ),
        (
            "t.json",
            "{\"Resources\": {\"Sg\": {\"Type\": \"AWS::EC2::SecurityGroup\",\n@@\n}}}\n".to_string(),
            "\"Properties\": {\"GroupDescription\": \"d\", \"SecurityGroupIngress\": [{\"IpProtocol\": \"-1\", \"CidrIp\": \"0.0.0.0/0\"}]}".to_string(),
            "\"Properties\": {\"GroupDescription\": \"d\"}".to_string(),
        ),
        (
            "t.json",
            "{\n@@\n}\n".to_string(),
            "\"Resources\": {\"Sg\": {\"Type\": \"AWS::EC2::SecurityGroup\", \"Properties\": {\"GroupDescription\": \"d\", \"SecurityGroupIngress\": [{\"IpProtocol\": \"-1\", \"CidrIp\": \"0.0.0.0/0\"}]}}}".to_string(),
            "\"Resources\": {\"Sg\": {\"Type\": \"AWS::SNS::Topic\"}}".to_string(),
        ),
    ];
    for (file, text, bad, good) in &cases {
        let case = Case::new();
        // Each half alone is read as written: the failing one blocks and the safe one does not
        // fail NET-001, so only the duplicate decides the runs below.
        case.write(file, text.replace("@@", bad));
        let alone = case.run(&["check", file, "--format", "json"]);
        alone.assert_code(1, &format!("{file} failing half alone"));
        case.write(file, text.replace("@@", good));
        let alone = case.run(&["check", file, "--format", "json"]);
        let findings = alone.json()["findings"].as_array().cloned().unwrap_or_default();
        assert!(
            alone.code.is_some_and(|c| c < 2) && findings.iter().all(|f| f["controlId"] != "NET-001"),
            "{file}: the safe half fails NET-001: {alone:#?}"
        );
        for (a, b) in [(bad, good), (good, bad), (bad, bad)] {
            let doubled = text.replace("@@", &format!("{a},\n{b}"));
            // The second spelling starts the line after the first one ends.
            let line = doubled[..text.find("@@").unwrap() + a.len()].lines().count() + 1;
            case.write(file, &doubled);
            let run = case.run(&["check", file]);
            run.assert_code(2, &format!("{file}: {a} then {b}"));
            assert!(
                run.stderr.contains(&format!("{file}:{line}:")) && run.stderr.contains("duplicate key"),
                "{file}: expected line {line}: {}",
                run.stderr
            );
        }
    }
}

/// A plan whose secrets sit in tags, in an ingress rule's ports and beside a failing value, on
/// lines an excerpt shows.
fn secret_plans() -> Vec<(&'static str, String, Vec<&'static str>)> {
    let tag = "Zq7-owner-secret-Zq7";
    let environment = "zq7-environment-secret";
    let password = "Zq7-password-secret";
    let mut db = json!({"identifier": "db", "storage_encrypted": false, "password": password,
                        "tags": {"Owner": tag, "Environment": environment}, "tags_all": {"Owner": tag, "Environment": environment}});
    db["backup_retention_period"] = json!(1);
    let mut sg = open_group();
    sg["ingress"][0]["from_port"] = json!(3301);
    sg["ingress"][0]["to_port"] = json!(3309);
    sg["tags"]["Owner"] = json!(tag);
    sg["tags_all"]["Owner"] = json!(tag);
    sg["tags"]["Environment"] = json!(environment);
    sg["tags_all"]["Environment"] = json!(environment);
    let marks = [
        (
            "tag and password marks",
            json!({"password": true, "tags": {"Owner": true}, "tags_all": {"Owner": true}}),
            json!({"ingress": [{"from_port": true, "to_port": true}], "tags": {"Owner": true}, "tags_all": {"Owner": true}}),
        ),
        (
            "whole-map marks",
            json!({"password": true, "tags": true, "tags_all": true}),
            json!({"ingress": true, "tags": true, "tags_all": true}),
        ),
    ];
    let mut out = Vec::new();
    for (what, db_marks, sg_marks) in marks {
        let entry = |address: &str, t: &str, after: &Value, m: &Value| {
            json!({"address": address, "mode": "managed", "type": t, "name": "n",
                   "change": {"actions": ["update"], "before": after, "after": after, "after_unknown": {},
                              "before_sensitive": m, "after_sensitive": m}})
        };
        let changes = [
            entry("aws_db_instance.db", "aws_db_instance", &db, &db_marks),
            entry("aws_security_group.sg", "aws_security_group", &sg, &sg_marks),
        ];
        let planned: Vec<Value> = [("aws_db_instance.db", "aws_db_instance", &db, &db_marks), ("aws_security_group.sg", "aws_security_group", &sg, &sg_marks)]
            .iter()
            .map(|(a, t, v, m)| json!({"address": a, "mode": "managed", "type": t, "name": "n", "values": v, "sensitive_values": m}))
            .collect();
        let whole = json!({"format_version": "1.2", "planned_values": {"root_module": {"resources": planned}}, "resource_changes": changes});
        // The environment tag is marked only with the whole map.
        let mut secrets = vec![tag, password, "3301", "3309"];
        if what == "whole-map marks" {
            secrets.push(environment);
        }
        out.push((what, serde_json::to_string_pretty(&whole).unwrap(), secrets));
        // One entry a line, each short enough (400 bytes) to be excerpted whole.
        let slim = |c: &Value| {
            let mut c = c.clone();
            c.as_object_mut()
                .unwrap()
                .retain(|k, _| ["address", "type", "change"].contains(&k.as_str()));
            c["change"]["after"]["tags"] = json!({"Owner": tag});
            let change = c["change"].as_object_mut().unwrap();
            change.retain(|k, _| ["actions", "after", "after_sensitive"].contains(&k.as_str()));
            let after = change["after"].as_object_mut().unwrap();
            after.retain(|k, _| ["password", "storage_encrypted", "tags", "ingress"].contains(&k.as_str()));
            let line = serde_json::to_string(&c).unwrap();
            assert!(line.len() < 400, "{line}");
            line
        };
        let lines: Vec<String> = changes.iter().map(slim).collect();
        let compact = format!(
            "{{\"format_version\": \"1.2\",\n\"resource_changes\": [\n{}\n]}}\n",
            lines.join(",\n")
        );
        out.push(("one entry a line", compact, vec![tag, password, "3301", "3309"]));
    }
    out
}

/// Rules whose facts would echo the values: a tag compared, a path compared, a port range.
const PACK_CONTROL: &str = "id: SEC-001\nversion: 1\ntitle: t\nintent: i\nseverity: high\nscope:\n  resourceTypes: [aws_db_instance, aws_security_group]\nevidenceSources: [terraform-plan]\nexception:\n  allowed: false\nremediation:\n  mode: iac-change\n  hint: h\nframeworks:\n  nist-800-53: [SC-28]\n";

const PACK_RULES: [(&str, &str); 4] = [
    (
        "owner.yaml",
        "id: owner-is-nobody\ncontrol: SEC-001\ntitle: t\nmessage: m\nterraform:\n  resourceTypes: [aws_db_instance, aws_security_group]\n  assert:\n    tag: Owner\n    equals: nobody\n",
    ),
    (
        "password.yaml",
        "id: password-long\ncontrol: SEC-001\ntitle: t\nmessage: m\nterraform:\n  resourceTypes: [aws_db_instance]\n  assert:\n    path: $.password\n    matches: '^.{64,}$'\n",
    ),
    (
        "ports.yaml",
        "id: ports-closed\ncontrol: SEC-001\ntitle: t\nmessage: m\nterraform:\n  resourceTypes: [aws_security_group]\n  assert:\n    forEach: $.ingress[*]\n    require:\n      not:\n        portRange:\n          from: $.from_port\n          to: $.to_port\n        includesAny: [3306]\n",
    ),
    (
        "classified.yaml",
        "id: classified-encrypted\ncontrol: SEC-001\ntitle: t\nmessage: m\nterraform:\n  resourceTypes: [aws_db_instance]\n  when:\n    tag: Owner\n    matches: '^Zq7'\n  assert:\n    path: $.storage_encrypted\n    equals: true\n",
    ),
];

#[test]
fn sensitive_values_reach_no_output_in_any_format() {
    let mut runs = 0;
    for (what, text, secrets) in secret_plans() {
        let case = Case::new();
        case.write("plan.json", &text);
        case.write("pack/controls/SEC-001.yaml", PACK_CONTROL);
        for (name, rule) in PACK_RULES {
            case.write(&format!("pack/rules/{name}"), rule);
        }
        for format in FORMATS {
            for builtin in [true, false] {
                let mut args = vec!["check", "plan.json", "--format", format, "--policies", "pack"];
                if !builtin {
                    args.push("--no-builtin");
                }
                let run = case.run(&args);
                run.assert_code(1, &format!("{what} {format}"));
                for secret in &secrets {
                    assert!(
                        !run.stdout.contains(secret) && !run.stderr.contains(secret),
                        "{what} --format {format} (builtin {builtin}) shows {secret}:\n{}\n{}",
                        run.stdout,
                        run.stderr
                    );
                }
                if format == "human" && what == "one entry a line" {
                    // The excerpt of the resource's line is shown, redacted.
                    assert!(run.stdout.contains("\"(sensitive)\""), "{}", run.stdout);
                }
                if format == "json" {
                    // The findings are there, their facts redacted.
                    let facts = run.json().to_string();
                    assert!(facts.contains("(sensitive)"), "{what}: {facts}");
                }
                runs += 1;
            }
        }
    }
    assert_eq!(runs, 40);
}
