//! Parameter files written to steer the gate: values outside what the template allows, files too
//! large to read, a template passed as a parameter file, keys that differ only in case, keys given
//! twice, variable maps that shadow a parameter, Systems Manager names. None may pass.

use crate::Case;

/// A volume whose encryption is a parameter that may only ever be `true`, and a security group
/// whose source is a parameter that must be a private range.
const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Encrypt:
    Type: String
    AllowedValues: ["true"]
  Cidr:
    Type: String
    AllowedPattern: '10\.\d+\.\d+\.\d+/\d+'
Resources:
  Volume:
    Type: AWS::EC2::Volume
    Properties:
      AvailabilityZone: eu-west-1a
      Size: 10
      Encrypted: !Ref Encrypt
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Cidr}
"#;

fn case(params: &str, text: &str) -> Case {
    let case = Case::new();
    case.write("t.yaml", TEMPLATE);
    case.write(params, text);
    case
}

#[test]
fn values_outside_the_declaration_are_refused_not_judged() {
    let variants = [
        ("Encrypt=false\nCidr=10.0.0.0/8\n", "AllowedValues"),
        ("Encrypt=TRUE\nCidr=10.0.0.0/8\n", "AllowedValues"),
        ("Encrypt=true \nCidr=10.0.0.0/8\n", "AllowedValues"),
        // An unanchored pattern would find `10.0.0.0/8` inside.
        ("Encrypt=true\nCidr=0.0.0.0/0 10.0.0.0/8\n", "AllowedPattern"),
        ("Encrypt=true\nCidr=10.0.0.0/8\\n0.0.0.0/0\n", "AllowedPattern"),
    ];
    for (text, why) in variants {
        let c = case("p.env", text);
        let run = c.run(&["check", "--no-config", "--parameters", "p.env", "t.yaml"]);
        run.assert_code(2, text);
        assert!(
            run.stderr.contains(why) && run.stderr.contains("p.env:"),
            "{text}\n{run:#?}"
        );
    }
}

#[test]
fn a_huge_parameter_file_is_refused_by_the_size_limit() {
    let mut text = String::from("Encrypt=true\nCidr=10.0.0.0/8\n");
    text.push_str(&"# padding\n".repeat(20_000));
    let c = case("p.env", &text);
    let run = c.run(&[
        "--max-file-size",
        "64K",
        "check",
        "--no-config",
        "--parameters",
        "p.env",
        "t.yaml",
    ]);
    run.assert_code(2, "a parameter file over the limit");
    assert!(run.stderr.contains("p.env"), "{run:#?}");
    // A device is no regular file: refused, never read without end.
    let run = c.run(&["check", "--no-config", "--parameters", "/dev/zero", "t.yaml"]);
    run.assert_code(2, "/dev/zero as a parameter file");
}

#[test]
fn a_template_is_not_a_parameter_file() {
    let c = case("other.yaml", TEMPLATE);
    let run = c.run(&["check", "--no-config", "--parameters", "other.yaml", "t.yaml"]);
    run.assert_code(2, "a template as a parameter file");
    assert!(run.stderr.contains("template, not a parameter file"), "{run:#?}");
}

#[test]
fn a_key_differing_only_in_case_is_refused() {
    for text in [
        "encrypt=true\nCidr=10.0.0.0/8\n",
        r#"[{"ParameterKey": "ENCRYPT", "ParameterValue": "true"}, {"ParameterKey": "Cidr", "ParameterValue": "10.0.0.0/8"}]"#,
    ] {
        let name = if text.starts_with('[') { "p.json" } else { "p.env" };
        let c = case(name, text);
        let run = c.run(&["check", "--no-config", "--parameters", name, "t.yaml"]);
        run.assert_code(2, text);
        assert!(
            run.stderr.contains("case-sensitive") && run.stderr.contains("`Encrypt`"),
            "{run:#?}"
        );
    }
}

#[test]
fn a_key_given_twice_in_one_file_is_refused() {
    let variants = [
        (
            "p.json",
            r#"{"Parameters": {"Encrypt": "true", "Cidr": "0.0.0.0/0", "Cidr": "10.0.0.0/8"}}"#,
        ),
        (
            "p.json",
            r#"[{"ParameterKey": "Cidr", "ParameterValue": "0.0.0.0/0"}, {"ParameterKey": "Encrypt", "ParameterValue": "true"}, {"ParameterKey": "Cidr", "ParameterValue": "10.0.0.0/8"}]"#,
        ),
        (
            "p.yaml",
            "Parameters:\n  Encrypt: 'true'\n  Cidr: 0.0.0.0/0\n  Cidr: 10.0.0.0/8\n",
        ),
        ("p.env", "Cidr=0.0.0.0/0\nEncrypt=true\nCidr=10.0.0.0/8\n"),
    ];
    for (name, text) in variants {
        let c = case(name, text);
        let run = c.run(&["check", "--no-config", "--parameters", name, "t.yaml"]);
        run.assert_code(2, text);
        assert!(
            run.stderr.contains("Cidr") || run.stderr.contains("duplicate"),
            "{text}\n{run:#?}"
        );
    }
}

#[test]
fn a_sub_variable_map_shadows_the_parameter_of_the_same_name() {
    let c = Case::new();
    c.write(
        "t.yaml",
        "Parameters:\n  Cidr: {Type: String}\nResources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Sub ['${Cidr}', {Cidr: 0.0.0.0/0}]}\n",
    );
    c.write("p.env", "Cidr=10.0.0.0/8\n");
    let run = c.run(&[
        "check",
        "--no-config",
        "--format",
        "json",
        "--parameters",
        "p.env",
        "t.yaml",
    ]);
    run.assert_not_pass("the variable map, not the file, decides `${Cidr}`");
    let doc = run.json();
    let open = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["ruleId"] == "security-group-open-admin-port" && f["outcome"] == "fail");
    assert!(open, "{doc}");
}

#[test]
fn a_systems_manager_parameter_name_is_not_its_value() {
    let c = Case::new();
    c.write(
        "t.yaml",
        "Parameters:\n  Cidr: {Type: 'AWS::SSM::Parameter::Value<String>'}\nResources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Cidr}\n",
    );
    c.write("p.env", "Cidr=10.0.0.0/8\n");
    let run = c.run(&[
        "check",
        "--no-config",
        "--format",
        "json",
        "--parameters",
        "p.env",
        "t.yaml",
    ]);
    run.assert_not_pass("a Systems Manager parameter is read at deploy time");
    assert!(run.stdout.contains("Systems Manager"), "{run:#?}");
}

#[test]
fn values_that_are_not_text_are_refused() {
    for (name, text) in [
        ("p.json", r#"[{"ParameterKey": "Encrypt", "ParameterValue": true}]"#),
        ("p.yaml", "Parameters:\n  Encrypt: true\n"),
        ("p.json", r#"{"Parameters": {"Encrypt": ["true"]}}"#),
    ] {
        let c = case(name, text);
        let run = c.run(&["check", "--no-config", "--parameters", name, "t.yaml"]);
        run.assert_code(2, text);
        assert!(run.stderr.contains("not a string"), "{text}\n{run:#?}");
    }
}
