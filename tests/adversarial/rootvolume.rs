//! An instance's root volume: left undeclared it takes the encryption of the AMI's snapshot,
//! which neither a plan nor a template shows, so it fails unless the same plan turns the
//! account's EBS encryption by default on. Leaving the block out is no way around the rule.

use serde_json::{Value, json};

use crate::{Case, Run};

const RULE: &str = "instance-block-device-unencrypted";

/// A plan creating `aws_instance.x` with `after`, the provider computing the block devices the
/// author left out, and a configuration writing `expressions`; `extra` adds resources.
fn plan(after: Value, expressions: Value, extra: &[(&str, Value)]) -> String {
    let mut changes = vec![
        json!({"address": "aws_instance.x", "mode": "managed", "type": "aws_instance", "name": "x",
        "change": {"actions": ["create"], "before": null, "after": after,
                   "after_unknown": {"root_block_device": true, "ebs_block_device": true, "id": true}}}),
    ];
    let mut config = vec![
        json!({"address": "aws_instance.x", "mode": "managed", "type": "aws_instance",
        "name": "x", "expressions": expressions}),
    ];
    for (kind, after) in extra {
        changes.push(
            json!({"address": format!("{kind}.this"), "mode": "managed", "type": kind, "name": "this",
            "change": {"actions": ["create"], "before": null, "after": after, "after_unknown": {}}}),
        );
        config.push(
            json!({"address": format!("{kind}.this"), "mode": "managed", "type": kind, "name": "this",
            "expressions": {"enabled": {"constant_value": after["enabled"]}}}),
        );
    }
    json!({"format_version": "1.2", "terraform_version": "1.9.5", "resource_changes": changes,
           "configuration": {"root_module": {"resources": config}}})
    .to_string()
}

fn outcome(run: &Run) -> Option<String> {
    assert!(!run.timed_out && matches!(run.code, Some(0 | 1)), "{run:#?}");
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["ruleId"] == RULE)
        .map(|f| f["outcome"].as_str().unwrap().to_string())
}

fn check(plan: &str, tf: Option<&str>) -> Run {
    let case = Case::new();
    case.write("plan.json", plan);
    if let Some(tf) = tf {
        case.write("main.tf", tf);
    }
    case.run(&["check", "--no-config", "--format", "json", "plan.json"])
}

const BARE_TF: &str = "resource \"aws_instance\" \"x\" {\n  ami = \"ami-1\"\n  instance_type = \"t3.micro\"\n}\n";

fn bare() -> (Value, Value) {
    (
        json!({"ami": "ami-1", "instance_type": "t3.micro", "launch_template": []}),
        json!({"ami": {"constant_value": "ami-1"}, "instance_type": {"constant_value": "t3.micro"}}),
    )
}

#[test]
fn an_instance_without_a_root_block_device_fails() {
    let (after, expr) = bare();
    let run = check(&plan(after, expr, &[]), Some(BARE_TF));
    assert_eq!(outcome(&run).as_deref(), Some("fail"), "{}", run.stdout);
}

#[test]
fn without_the_tf_file_a_dynamic_block_cannot_be_ruled_out_and_the_root_volume_is_unknown() {
    let (after, expr) = bare();
    let run = check(&plan(after, expr, &[]), None);
    assert_eq!(outcome(&run).as_deref(), Some("unknown"), "{}", run.stdout);
}

#[test]
fn a_dynamic_root_block_device_stays_unknown_not_failed_or_passed() {
    let (after, expr) = bare();
    let tf = "resource \"aws_instance\" \"x\" {\n  ami = \"ami-1\"\n  instance_type = \"t3.micro\"\n  dynamic \"root_block_device\" {\n    for_each = var.roots\n    content {\n      encrypted = root_block_device.value\n    }\n  }\n}\n";
    let run = check(&plan(after, expr, &[]), Some(tf));
    assert_eq!(outcome(&run).as_deref(), Some("unknown"), "{}", run.stdout);
}

#[test]
fn the_account_default_in_the_same_plan_passes_an_undeclared_root_volume() {
    let (after, expr) = bare();
    let on = plan(
        after.clone(),
        expr.clone(),
        &[("aws_ebs_encryption_by_default", json!({"enabled": true}))],
    );
    assert_eq!(outcome(&check(&on, Some(BARE_TF))), None);
    // Turned off in the plan it proves nothing.
    let off = plan(
        after,
        expr,
        &[("aws_ebs_encryption_by_default", json!({"enabled": false}))],
    );
    assert_eq!(outcome(&check(&off, Some(BARE_TF))).as_deref(), Some("fail"));
}

#[test]
fn an_instance_launched_from_a_template_is_left_to_the_template() {
    let after = json!({"ami": null, "instance_type": null, "launch_template": [{"id": "lt-1", "version": "1"}]});
    let expr = json!({"launch_template": [{"id": {"constant_value": "lt-1"}, "version": {"constant_value": "1"}}]});
    let tf = "resource \"aws_instance\" \"x\" {\n  launch_template {\n    id = \"lt-1\"\n    version = \"1\"\n  }\n}\n";
    assert_eq!(outcome(&check(&plan(after, expr, &[]), Some(tf))), None);
}

#[test]
fn a_template_instance_without_a_root_mapping_fails_and_a_data_volume_is_no_root() {
    let case = Case::new();
    case.write(
        "t.yaml",
        "Resources:\n  Bare:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-1\n  Data:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-1\n      BlockDeviceMappings:\n        - DeviceName: /dev/sdf\n          Ebs: {Encrypted: true}\n  Root:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-1\n      BlockDeviceMappings:\n        - DeviceName: /dev/xvda\n          Ebs: {Encrypted: true}\n",
    );
    let run = case.run(&["check", "--no-config", "--format", "json", "t.yaml"]);
    let failed: Vec<String> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["ruleId"] == RULE && f["outcome"] == "fail")
        .map(|f| f["resource"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(failed, ["Bare", "Data"], "{}", run.stdout);
}

/// A plan creating `aws_instance.x` whose written blocks are `written` (configuration) and whose
/// planned devices are `after`, `encrypted` computed in each.
fn device_plan(after: Value, after_unknown: Value, written: Value) -> String {
    json!({"format_version": "1.2", "terraform_version": "1.9.5",
        "resource_changes": [{"address": "aws_instance.x", "mode": "managed", "type": "aws_instance", "name": "x",
            "change": {"actions": ["create"], "before": null, "after": after, "after_unknown": after_unknown}}],
        "configuration": {"root_module": {"resources": [{"address": "aws_instance.x", "mode": "managed",
            "type": "aws_instance", "name": "x", "expressions": written}]}}})
    .to_string()
}

#[test]
fn encrypted_left_out_of_a_written_block_takes_the_default_and_fails() {
    let after = json!({"ami": "ami-1", "launch_template": [],
        "root_block_device": [{"volume_size": 50}],
        "ebs_block_device": [{"device_name": "/dev/sdf", "volume_size": 100}]});
    let unknown = json!({"root_block_device": [{"encrypted": true}], "ebs_block_device": [{"encrypted": true}]});
    let written = json!({"ami": {"constant_value": "ami-1"},
        "root_block_device": [{"volume_size": {"constant_value": 50}}],
        "ebs_block_device": [{"device_name": {"constant_value": "/dev/sdf"}, "volume_size": {"constant_value": 100}}]});
    let run = check(&device_plan(after, unknown, written), None);
    assert_eq!(outcome(&run).as_deref(), Some("fail"), "{}", run.stdout);
}

#[test]
fn a_dynamic_device_beside_a_written_one_keeps_the_devices_unknown() {
    // Two devices planned, one block written: the other comes from a dynamic block, which may
    // set encrypted = false or true; neither may be judged on the default.
    let after = json!({"ami": "ami-1", "launch_template": [],
        "root_block_device": [{"volume_size": 50, "encrypted": true}],
        "ebs_block_device": [{"device_name": "/dev/sdf"}, {"device_name": "/dev/sdg"}]});
    let unknown = json!({"ebs_block_device": [{"encrypted": true}, {"encrypted": true}]});
    let written = json!({"ami": {"constant_value": "ami-1"},
        "root_block_device": [{"volume_size": {"constant_value": 50}, "encrypted": {"constant_value": true}}],
        "ebs_block_device": [{"device_name": {"constant_value": "/dev/sdf"}}]});
    let run = check(&device_plan(after, unknown, written), None);
    assert_eq!(outcome(&run).as_deref(), Some("unknown"), "{}", run.stdout);
}
