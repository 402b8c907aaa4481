//! YAML 1.1 readings and values that are not numbers. CloudFormation reads YAML 1.1, where
//! `yes`/`on`/`y` are true, `026` is 22 and `0b10110`, `2_2`, `0:22`… are integers; a template
//! written for one reading must not pass on the other. Each class is generated: every spelling of
//! every restricted port, every YAML 1.1 boolean on every security property, every non-number
//! in every port field, in YAML, JSON and Terraform plans.

use std::collections::BTreeSet;

use crate::{Case, Run};

const ADMIN_PORTS: [u32; 11] = [22, 3389, 1433, 1521, 3306, 5432, 5439, 6379, 9200, 11211, 27017];

/// The spellings that YAML 1.1 reads as the integer `n` and YAML 1.2 does not.
fn yaml11_spellings(n: u32) -> Vec<String> {
    let mut out = vec![
        format!("0{n:o}"),
        format!("0_{n:o}"),
        format!("0b{n:b}"),
        format!("0b_{n:b}"),
        format!("0x_{n:x}"),
        format!("+0{n:o}"),
    ];
    let digits = n.to_string();
    if digits.len() > 1 {
        out.push(format!("{}_{}", &digits[..1], &digits[1..]));
    }
    if n >= 60 {
        out.push(format!("{}:{:02}", n / 60, n % 60));
        out.push(format!("{}:{}", n / 60, n % 60));
    }
    if n >= 3600 {
        out.push(format!("{}:{:02}:{:02}", n / 3600, n / 60 % 60, n % 60));
    }
    out
}

/// The logical ids of resources with a non-passing finding of `rule` in a JSON report.
fn flagged(run: &Run, rule: &str) -> BTreeSet<String> {
    run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["ruleId"] == rule && matches!(f["outcome"].as_str(), Some("fail" | "unknown")))
        .filter_map(|f| f["resource"].as_str().map(str::to_string))
        .collect()
}

/// Check `template` (with resources `ids`) and assert that `rule` flags every one of them.
#[track_caller]
fn assert_every_resource_flagged(file: &str, template: &str, rule: &str, ids: &[String], what: &str) {
    let case = Case::new();
    case.write(file, template);
    let run = case.run(&["check", "--format", "json", file]);
    run.assert_not_pass(what);
    let flagged = flagged(&run, rule);
    let passed: Vec<&String> = ids.iter().filter(|id| !flagged.contains(*id)).collect();
    assert!(passed.is_empty(), "{what}: {rule} passed {passed:?}");
}

fn ingress_group(id: &str, protocol: &str, from: &str, to: &str) -> String {
    format!(
        "  {id}:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - IpProtocol: {protocol}\n          FromPort: {from}\n          ToPort: {to}\n          CidrIp: 0.0.0.0/0\n"
    )
}

fn ingress_rule(id: &str, protocol: &str, from: &str, to: &str) -> String {
    format!(
        "  {id}:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: sg-1\n      IpProtocol: {protocol}\n      FromPort: {from}\n      ToPort: {to}\n      CidrIp: 0.0.0.0/0\n"
    )
}

/// Every restricted port, in every spelling YAML 1.1 reads as that port, as a single port and
/// as both ends of a range, in inline ingress and in separate ingress resources.
#[test]
fn yaml11_integer_spellings_of_admin_ports_never_pass() {
    let (mut groups, mut rules) = (String::from("Resources:\n"), String::from("Resources:\n"));
    let mut ids = Vec::new();
    for port in ADMIN_PORTS {
        for (k, spelling) in yaml11_spellings(port).iter().enumerate() {
            let id = format!("P{port}S{k}");
            groups += &ingress_group(&id, "tcp", spelling, spelling);
            rules += &ingress_rule(&id, "tcp", spelling, spelling);
            ids.push(id);
        }
    }
    // Ranges whose YAML 1.1 ends enclose 22: 0b0 (0) to 1:00 (60), 020 (16) to 0x_1F (31).
    for (k, (from, to)) in [
        ("0b0", "1:00"),
        ("020", "0x_1F"),
        ("0", "0b1_0000_0000"),
        ("0_0", "0:59"),
    ]
    .iter()
    .enumerate()
    {
        let id = format!("Range{k}");
        groups += &ingress_group(&id, "tcp", from, to);
        rules += &ingress_rule(&id, "tcp", from, to);
        ids.push(id);
    }
    assert!(ids.len() > 80, "{} cases", ids.len());
    assert_every_resource_flagged(
        "g.yaml",
        &groups,
        "security-group-open-admin-port",
        &ids,
        "inline ingress",
    );
    assert_every_resource_flagged(
        "r.yaml",
        &rules,
        "security-group-rule-open-admin-port",
        &ids,
        "ingress rules",
    );
}

/// Protocols that YAML 1.1 reads as tcp (6), udp (17) or all (-1), on an SSH rule.
#[test]
fn yaml11_spellings_of_protocols_never_pass() {
    let protocols = [
        "06", "0b110", "0_6", "0x_6", "021", "0b10001", "1_7", "-01", "-0b1", "-0x_1",
    ];
    let mut template = String::from("Resources:\n");
    let mut ids = Vec::new();
    for (k, p) in protocols.iter().enumerate() {
        let id = format!("Proto{k}");
        template += &ingress_rule(&id, p, "22", "22");
        ids.push(id);
    }
    assert_every_resource_flagged(
        "p.yaml",
        &template,
        "security-group-rule-open-admin-port",
        &ids,
        "protocols",
    );
}

const TRUE_11: [&str; 11] = ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "True", "TRUE", "true"];
const FALSE_11: [&str; 11] = [
    "n", "N", "no", "No", "NO", "off", "Off", "OFF", "False", "FALSE", "false",
];

/// A YAML 1.1 boolean on a security property: the reading that fails the rule is never dropped.
#[test]
fn yaml11_booleans_on_security_properties_never_pass() {
    // (rule, resource type, properties with `{}` for the value, the values that violate it)
    let classes: [(&str, &str, &str, &[&str]); 8] = [
        (
            "rds-instance-publicly-accessible",
            "AWS::RDS::DBInstance",
            "DBSubnetGroupName: private\n      StorageEncrypted: true\n      PubliclyAccessible: {}",
            &TRUE_11[..8],
        ),
        (
            "rds-storage-unencrypted",
            "AWS::RDS::DBInstance",
            "StorageEncrypted: {}",
            &FALSE_11[..8],
        ),
        (
            "redshift-cluster-unencrypted",
            "AWS::Redshift::Cluster",
            "Encrypted: {}",
            &FALSE_11[..8],
        ),
        (
            "sqs-queue-unencrypted",
            "AWS::SQS::Queue",
            "SqsManagedSseEnabled: {}",
            &FALSE_11[..8],
        ),
        (
            "ebs-volume-unencrypted",
            "AWS::EC2::Volume",
            "Encrypted: {}",
            &FALSE_11[..8],
        ),
        (
            "efs-file-system-unencrypted",
            "AWS::EFS::FileSystem",
            "Encrypted: {}",
            &FALSE_11[..8],
        ),
        (
            "elasticache-at-rest-unencrypted",
            "AWS::ElastiCache::ReplicationGroup",
            "AtRestEncryptionEnabled: {}",
            &FALSE_11[..8],
        ),
        (
            "cloudtrail-logging-disabled",
            "AWS::CloudTrail::Trail",
            "IsLogging: {}",
            &FALSE_11[..8],
        ),
    ];
    for (rule, resource_type, properties, values) in classes {
        let mut template = String::from("Resources:\n");
        let mut ids = Vec::new();
        // As written, inside an `!If`, in a flow mapping, behind an anchor and alias.
        for (k, v) in values.iter().enumerate() {
            for (form, written) in [
                ("Plain", v.to_string()),
                ("If", format!("!If [C, {v}, {v}]")),
                ("Anchor", format!("&a{k} {v}")),
            ] {
                let id = format!("{form}{k}");
                let props = properties.replace("{}", &written);
                template += &format!("  {id}:\n    Type: {resource_type}\n    Properties:\n      {props}\n");
                ids.push(id);
            }
            let id = format!("Alias{k}");
            let props = properties.replace("{}", &format!("*a{k}"));
            template += &format!("  {id}:\n    Type: {resource_type}\n    Properties:\n      {props}\n");
            ids.push(id);
        }
        assert_every_resource_flagged("b.yaml", &template, rule, &ids, rule);
    }
}

/// Parameters whose allowed values are YAML 1.1 booleans, referred to by a security property.
#[test]
fn yaml11_booleans_as_allowed_values_never_pass() {
    let mut template = String::from("Parameters:\n");
    let mut resources = String::from("Resources:\n");
    let mut ids = Vec::new();
    for (k, v) in TRUE_11[..8].iter().enumerate() {
        template += &format!("  P{k}:\n    Type: String\n    AllowedValues: [{v}]\n");
        let id = format!("Db{k}");
        resources += &format!(
            "  {id}:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      DBSubnetGroupName: private\n      PubliclyAccessible: !Ref P{k}\n"
        );
        ids.push(id);
    }
    template += &resources;
    assert_every_resource_flagged(
        "a.yaml",
        &template,
        "rds-instance-publicly-accessible",
        &ids,
        "allowed values",
    );
}

/// Port fields that are no number at all: not-a-number, infinities, overflow, fractions, words.
const NOT_PORTS: [&str; 14] = [
    ".nan",
    ".NaN",
    ".inf",
    "-.inf",
    "+.INF",
    "1e400",
    "-1e400",
    "'nan'",
    "\"inf\"",
    "\"Infinity\"",
    "21.5",
    "'22.5'",
    "ssh",
    "\"\"",
];

#[test]
fn ports_that_are_not_numbers_never_pass_in_yaml() {
    let (mut groups, mut rules) = (String::from("Resources:\n"), String::from("Resources:\n"));
    let mut ids = Vec::new();
    for (k, bad) in NOT_PORTS.iter().enumerate() {
        for (end, (from, to)) in [(*bad, "22"), ("22", *bad), (*bad, *bad)].iter().enumerate() {
            let id = format!("N{k}E{end}");
            groups += &ingress_group(&id, "tcp", from, to);
            rules += &ingress_rule(&id, "tcp", from, to);
            ids.push(id);
        }
    }
    assert_every_resource_flagged(
        "g.yaml",
        &groups,
        "security-group-open-admin-port",
        &ids,
        "inline ingress",
    );
    assert_every_resource_flagged(
        "r.yaml",
        &rules,
        "security-group-rule-open-admin-port",
        &ids,
        "ingress rules",
    );
}

#[test]
fn ports_that_are_not_numbers_never_pass_in_json_templates() {
    let values = [
        "\"nan\"",
        "\"NaN\"",
        "\"inf\"",
        "\"-Infinity\"",
        "\"1e400\"",
        "21.5",
        "\"ssh\"",
        "\"\"",
        "true",
    ];
    let mut resources = Vec::new();
    let mut ids = Vec::new();
    for (k, bad) in values.iter().enumerate() {
        for (end, (from, to)) in [(*bad, "22"), ("22", *bad)].iter().enumerate() {
            let id = format!("N{k}E{end}");
            resources.push(format!(
                "\"{id}\": {{\"Type\": \"AWS::EC2::SecurityGroupIngress\", \"Properties\": {{\"GroupId\": \"sg-1\", \"IpProtocol\": \"tcp\", \"FromPort\": {from}, \"ToPort\": {to}, \"CidrIp\": \"0.0.0.0/0\"}}}}"
            ));
            ids.push(id);
        }
    }
    let template = format!(
        "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{{}}}}}",
        resources.join(", ")
    );
    assert_every_resource_flagged(
        "t.json",
        &template,
        "security-group-rule-open-admin-port",
        &ids,
        "JSON template",
    );
}

#[test]
fn ports_that_are_not_numbers_never_pass_in_terraform_plans() {
    let plan = include_str!("../../policies/tests/security-group-open-admin-port/terraform/fail-ssh-open/plan.json");
    assert!(plan.contains("\"from_port\": 22") && plan.contains("\"to_port\": 22"));
    let values = [
        "\"nan\"",
        "\"inf\"",
        "\"-inf\"",
        "\"Infinity\"",
        "1e400",
        "-1e400",
        "\"1e400\"",
        "21.5",
        "\"ssh\"",
    ];
    for bad in values {
        for field in ["from_port", "to_port"] {
            let case = Case::new();
            case.write(
                "plan.json",
                plan.replace(&format!("\"{field}\": 22"), &format!("\"{field}\": {bad}")),
            );
            case.run(&["check", "plan.json"])
                .assert_not_pass(&format!("{field} {bad}"));
        }
    }
}

/// A scalar of tens of megabytes is read in time and within the address-space limit.
#[test]
fn a_huge_plain_scalar_is_bounded() {
    for (name, scalar) in [("digits", "7".repeat(64 << 20)), ("word", "y".repeat(64 << 20))] {
        let case = Case::new();
        case.write(
            "t.yaml",
            format!(
                "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      DBSubnetGroupName: x\n      PubliclyAccessible: {scalar}\n      StorageEncrypted: true\n"
            ),
        );
        case.run(&["check", "t.yaml"]).assert_not_pass(name);
    }
}
