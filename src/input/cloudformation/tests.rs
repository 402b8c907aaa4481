use super::yaml::{CharOffsets, Padding, take_text};
use super::*;
use crate::model::readings_marker;
use serde_json::json;
use std::path::PathBuf;

fn source(text: &str) -> SourceFile {
    SourceFile {
        path: PathBuf::from("t.yaml"),
        display: "t.yaml".to_string(),
        repo_path: "t.yaml".to_string(),
        text: text.to_string(),
    }
}

fn parse(text: &str) -> Result<Value, Located> {
    parse_yaml(&source(text)).map(|d| d.value)
}

fn value_of(snippet: &str) -> Value {
    match parse(&format!("v: {snippet}\n")) {
        Ok(v) => v["v"].clone(),
        Err(e) => panic!("{snippet}: {e}"),
    }
}

fn parse_err(text: &str) -> Located {
    match parse(text) {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => e,
    }
}

fn load(text: &str) -> Vec<Resource> {
    let src = Arc::new(source(text));
    let doc = parse_yaml(&src).expect("parse");
    resources(&src, &doc.value, Some(&doc)).expect("resources")
}

#[test]
fn ref_and_condition_short_forms() {
    assert_eq!(value_of("!Ref Bucket"), json!({"Ref": "Bucket"}));
    assert_eq!(value_of("!Ref AWS::Region"), json!({"Ref": "AWS::Region"}));
    assert_eq!(value_of("!Condition IsProd"), json!({"Condition": "IsProd"}));
}

#[test]
fn getatt_dot_and_list_forms() {
    assert_eq!(value_of("!GetAtt Bucket.Arn"), json!({"Fn::GetAtt": ["Bucket", "Arn"]}));
    assert_eq!(
        value_of("!GetAtt Db.Endpoint.Address"),
        json!({"Fn::GetAtt": ["Db", "Endpoint.Address"]})
    );
    assert_eq!(
        value_of("!GetAtt [Bucket, Arn]"),
        json!({"Fn::GetAtt": ["Bucket", "Arn"]})
    );
    assert_eq!(
        value_of("!GetAtt\n  - Bucket\n  - Arn"),
        json!({"Fn::GetAtt": ["Bucket", "Arn"]})
    );
}

#[test]
fn sub_string_and_list_forms() {
    assert_eq!(
        value_of("!Sub 'arn:${AWS::Partition}:s3:::${B}'"),
        json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::${B}"})
    );
    assert_eq!(
        value_of("!Sub\n  - '${A}-x'\n  - A: !Ref B"),
        json!({"Fn::Sub": ["${A}-x", {"A": {"Ref": "B"}}]})
    );
    assert_eq!(value_of("!Sub |\n  line ${X}\n"), json!({"Fn::Sub": "line ${X}\n"}));
}

#[test]
fn function_short_forms() {
    let cases = [
        (
            "!If [IsProd, a, !Ref AWS::NoValue]",
            json!({"Fn::If": ["IsProd", "a", {"Ref": "AWS::NoValue"}]}),
        ),
        (
            "!Join ['', [a, !Ref B]]",
            json!({"Fn::Join": ["", ["a", {"Ref": "B"}]]}),
        ),
        (
            "!Select [0, !GetAZs '']",
            json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
        ),
        ("!Split [',', !Ref L]", json!({"Fn::Split": [",", {"Ref": "L"}]})),
        (
            "!FindInMap [M, !Ref AWS::Region, Ami]",
            json!({"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "Ami"]}),
        ),
        ("!Base64 hello", json!({"Fn::Base64": "hello"})),
        (
            "!Cidr [!GetAtt V.CidrBlock, 6, 5]",
            json!({"Fn::Cidr": [{"Fn::GetAtt": ["V", "CidrBlock"]}, 6, 5]}),
        ),
        ("!GetAZs", json!({"Fn::GetAZs": ""})),
        ("!GetAZs us-east-1", json!({"Fn::GetAZs": "us-east-1"})),
        ("!ImportValue Shared-Vpc", json!({"Fn::ImportValue": "Shared-Vpc"})),
        (
            "!ImportValue {'Fn::Sub': '${S}-Vpc'}",
            json!({"Fn::ImportValue": {"Fn::Sub": "${S}-Vpc"}}),
        ),
        (
            "!Equals [!Ref Env, prod]",
            json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]}),
        ),
        (
            "!And [!Condition A, !Condition B]",
            json!({"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
        ),
        (
            "!Or [!Condition A, !Condition B]",
            json!({"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
        ),
        ("!Not [!Condition A]", json!({"Fn::Not": [{"Condition": "A"}]})),
        (
            "!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}",
            json!({"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}),
        ),
        ("!ToJsonString {a: 1}", json!({"Fn::ToJsonString": {"a": 1}})),
        ("!Length [1, 2]", json!({"Fn::Length": [1, 2]})),
    ];
    for (yaml, expected) in cases {
        assert_eq!(value_of(yaml), expected, "{yaml}");
    }
}

#[test]
fn tagged_scalars_are_the_text_written() {
    assert_eq!(value_of("!Ref 123"), json!({"Ref": "123"}));
    assert_eq!(value_of("[!Ref true , x] # c"), json!([{"Ref": "true"}, "x"]));
    assert_eq!(value_of("!Ref\n  Multi"), json!({"Ref": "Multi"}));
}

#[test]
fn unknown_tag_is_an_error_with_its_line() {
    let e = parse_err("a: 1\nb:\n  c: !Reff X\n");
    assert_eq!((e.line, e.column), (3, 6));
    assert!(e.message.contains("!Reff"), "{}", e.message);
    assert!(e.help.is_some());
    let e = parse_err("a: !foo!bar [1]\n");
    assert_eq!(e.line, 1);
    let e = parse_err("a: !Rain::Embed x.sh\n");
    assert!(e.help.as_deref().is_some_and(|h| h.contains("rain pkg")));
}

#[test]
fn core_schema_tags_are_honoured() {
    assert_eq!(value_of("!!str 5"), json!("5"));
    assert_eq!(value_of("!!int 42"), json!(42));
    assert_eq!(value_of("!!map {a: 1}"), json!({"a": 1}));
    let e = parse_err("a: 1\nb: !!binary aGVsbG8=\n");
    assert_eq!((e.line, e.column), (2, 4));
}

#[test]
fn scalars_follow_the_core_schema() {
    let v = parse("a: ~\nb: true\nc: 12\nd: 1.5\ne: '12'\nf: yes\ng: \"true\"\nh:\n").expect("parse");
    assert_eq!(
        v,
        json!({"a": null, "b": true, "c": 12, "d": 1.5, "e": "12", "f": readings_marker(json!("yes"), json!(true)), "g": "true", "h": null})
    );
}

#[test]
fn numbers_that_would_change_stay_strings() {
    assert_eq!(value_of("012345678901"), json!("012345678901"));
    assert_eq!(value_of("123456789012"), json!(123456789012_i64));
    assert_eq!(value_of("18446744073709551615"), json!(18446744073709551615_u64));
    assert_eq!(value_of("123456789012345678901234"), json!("123456789012345678901234"));
    assert_eq!(value_of(".inf"), json!(".inf"));
    assert_eq!(value_of("0"), json!(0));
}

#[test]
fn non_string_keys_become_their_text() {
    let v = parse("1: a\ntrue: b\n0x10: c\n").expect("parse");
    assert_eq!(v, json!({"1": "a", "true": "b", "0x10": "c"}));
}

#[test]
fn parse_error_has_line_and_column() {
    let e = parse_err("Resources:\n  A:\n    Type: [x, y\n  B: 1\n");
    assert!(e.line >= 3, "{e}");
    assert!(e.column >= 1);
    assert!(e.message.starts_with("invalid YAML"), "{}", e.message);
    assert!(e.help.is_some());
    let e = parse_err("a:\n\tb: 1\n");
    assert_eq!(e.line, 2);
    assert_eq!(e.file, "t.yaml");
}

#[test]
fn duplicate_key_is_an_error_at_the_duplicate() {
    let e = parse_err("Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n");
    assert_eq!((e.line, e.column), (4, 3));
    assert!(e.message.contains("duplicate key `A`"), "{}", e.message);
    // Distinct in YAML, the same as JSON keys.
    let e = parse_err("m:\n  1: a\n  '1': b\n");
    assert_eq!((e.line, e.column), (3, 3));
}

#[test]
fn several_documents_are_an_error() {
    let e = parse_err("a: 1\n---\nb: 2\n");
    assert_eq!(e.line, 3);
    assert!(e.message.contains("second YAML document"));
    // Empty documents around a template are tolerated.
    assert_eq!(parse("---\na: 1\n---\n").expect("parse"), json!({"a": 1}));
}

#[test]
fn empty_file_is_null() {
    assert_eq!(parse("").expect("parse"), Value::Null);
    assert_eq!(parse("# only a comment\n").expect("parse"), Value::Null);
    assert!(!is_template(&Value::Null));
}

#[test]
fn aliases_and_merge_keys_are_resolved() {
    let v = parse("base: &b {x: 1, y: !Ref Y}\nc: *b\nd:\n  <<: *b\n  x: 2\n").expect("parse");
    assert_eq!(v["c"], json!({"x": 1, "y": {"Ref": "Y"}}));
    assert_eq!(v["d"], json!({"x": 2, "y": {"Ref": "Y"}}));
    let e = parse_err("a: *missing\n");
    assert_eq!(e.line, 1);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let nested = |levels: usize| {
        let mut text = String::new();
        for i in 0..levels {
            text.push_str(&" ".repeat(i));
            text.push_str("k:\n");
        }
        text
    };
    let e = parse_err(&nested(300));
    assert!(e.message.contains("nested deeper"), "{}", e.message);
    let e = parse_err(&nested(3000));
    assert!(e.message.contains("indented deeper"), "{}", e.message);
    assert_eq!(e.line, MAX_INDENT + 2);
    let e = parse_err(&format!("a: {}x{}\n", "[".repeat(5000), "]".repeat(5000)));
    assert_eq!(e.line, 1);
}

#[test]
fn resource_locations_are_lines_and_columns() {
    let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  \"Quoted\":\n    Type: AWS::SNS::Topic\n";
    let doc = parse_yaml(&source(text)).expect("parse");
    let b = doc.resource_locations["Bucket"];
    assert_eq!((b.line, b.column, b.length), (3, 3, 6));
    assert_eq!(&text[b.offset..b.offset + b.length], "Bucket");
    let q = doc.resource_locations["Quoted"];
    assert_eq!((q.line, q.column), (5, 3));
}

#[test]
fn resource_locations_after_non_ascii_text() {
    let text = "Description: café 🚀 déployé\nResources:\n  # é\n  Bücket:\n    Type: AWS::S3::Bucket\n  Topic: {Type: AWS::SNS::Topic}\n";
    let doc = parse_yaml(&source(text)).expect("parse");
    let b = doc.resource_locations["Bücket"];
    assert_eq!((b.line, b.column), (4, 3));
    assert_eq!(&text[b.offset..b.offset + b.length], "Bücket");
    let t = doc.resource_locations["Topic"];
    assert_eq!((t.line, t.column), (6, 3));
    assert_eq!(&text[t.offset..t.offset + t.length], "Topic");
    let rs = load(text);
    assert_eq!(rs[1].anchor, Anchor::Span(t));
}

#[test]
fn plain_scalars_read_differently_by_yaml_1_1_carry_both_readings() {
    let both = |v12: Value, v11: Value| readings_marker(v12, v11);
    let cases = [
        ("yes", both(json!("yes"), json!(true))),
        ("No", both(json!("No"), json!(false))),
        ("on", both(json!("on"), json!(true))),
        ("OFF", both(json!("OFF"), json!(false))),
        ("y", both(json!("y"), json!(true))),
        ("N", both(json!("N"), json!(false))),
        ("026", both(json!("026"), json!(22))),
        ("-026", both(json!("-026"), json!(-22))),
        ("0b10110", both(json!("0b10110"), json!(22))),
        ("-0x16", both(json!("-0x16"), json!(-22))),
        ("0x1_6", both(json!("0x1_6"), json!(22))),
        ("2_2", both(json!("2_2"), json!(22))),
        ("0:22", json!("0:22")),
        ("1:00", both(json!("1:00"), json!(60))),
        ("190:20:30", both(json!("190:20:30"), json!(685_230))),
        ("1_0.5", both(json!("1_0.5"), json!(10.5))),
        ("1:30.5", both(json!("1:30.5"), json!(90.5))),
        ("0o26", both(json!(22), json!("0o26"))),
        ("1e3", both(json!(1000.0), json!("1e3"))),
        ("yes # a comment", both(json!("yes"), json!(true))),
        // One reading: the same in both, or not plain.
        ("22", json!(22)),
        ("+22", json!(22)),
        ("0x16", json!(22)),
        ("true", json!(true)),
        ("FALSE", json!(false)),
        ("1.5", json!(1.5)),
        ("~", Value::Null),
        ("NULL", Value::Null),
        ("012345678901", json!("012345678901")),
        ("09", json!("09")),
        (".inf", json!(".inf")),
        ("'yes'", json!("yes")),
        ("\"026\"", json!("026")),
        ("!!str yes", json!("yes")),
        ("!!int 026", json!(26)),
        ("|\n  yes\n", json!("yes\n")),
        (">-\n  on\n", json!("on")),
        ("!Ref yes", json!({"Ref": "yes"})),
        ("yes and no", json!("yes and no")),
        ("\n  on", both(json!("on"), json!(true))),
        ("# c\n\n  026", both(json!("026"), json!(22))),
        ("|+ # c\n\n  yes", json!("\nyes\n")),
        ("&a yes", both(json!("yes"), json!(true))),
        ("&a 026", both(json!("026"), json!(22))),
        ("! yes", json!("yes")),
    ];
    for (snippet, want) in cases {
        assert_eq!(value_of(snippet), want, "{snippet}");
    }
    // In flow collections and nested mappings too; keys are names, read as written.
    assert_eq!(
        value_of("[yes, {a: off}, 'on']"),
        json!([both(json!("yes"), json!(true)), {"a": both(json!("off"), json!(false))}, "on"])
    );
    assert_eq!(parse("yes: 1\n").expect("parse"), json!({"yes": 1}));
    // An alias is a copy of its anchor's readings.
    assert_eq!(
        parse("a: &p on\nb: *p\nc: [&q 026, *q, &r 'no', *r]\nd: &m {x: off}\ne: *m\n").expect("parse"),
        json!({"a": both(json!("on"), json!(true)), "b": both(json!("on"), json!(true)),
                   "c": [both(json!("026"), json!(22)), both(json!("026"), json!(22)), "no", "no"],
                   "d": {"x": both(json!("off"), json!(false))}, "e": {"x": both(json!("off"), json!(false))}})
    );
    // An anchor redefined: the alias takes the latest.
    assert_eq!(
        value_of("[&a yes, &a '1', *a]"),
        json!([both(json!("yes"), json!(true)), "1", "1"])
    );
    // An anchor on a key, aliased as a value: judged as if written plain.
    assert_eq!(
        parse("&k off: 1\nv: *k\n").expect("parse")["v"],
        both(json!("off"), json!(false))
    );
}

#[test]
fn line_starts_slice_the_lines_str_lines_yields() {
    for text in ["", "a", "a\n", "a\nb", "a\r\nb\r\n\n", "\n\nx\n", "é\nü\n"] {
        let lines = LineStarts::new(text);
        let all: Vec<&str> = text.lines().collect();
        assert_eq!(lines.count(), all.len(), "{text:?}");
        for first in 1..=all.len() {
            for last in first..=all.len() + 1 {
                let want: Vec<&str> = all.iter().copied().skip(first - 1).take(last + 1 - first).collect();
                let got: Vec<&str> = lines.block(first, last).lines().collect();
                assert_eq!(got, want, "{text:?} {first}..={last}");
            }
        }
        assert_eq!(lines.block(all.len() + 1, all.len() + 3), "");
    }
}

#[test]
fn char_offsets_past_many_checkpoints() {
    let text = "é".repeat(300) + "x";
    let offsets = CharOffsets::new(&text);
    assert_eq!(offsets.byte(300), 600);
    assert_eq!(offsets.byte(64), 128);
    assert_eq!(offsets.byte(10_000), text.len());
    assert_eq!(offsets.slice(299, 301), "éx");
}

#[test]
fn flow_lines_indented_less_than_their_block_are_read() {
    // Rejected by saphyr (spec-strict), accepted by PyYAML and CloudFormation.
    let text = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: [\n      {Key: Owner, Value: é},\n      {Key: Env, Value: prod}\n      ]\n      Other: {\n    a: 1\n    }\n  Topic:\n    Type: AWS::SNS::Topic\n";
    let doc = parse_yaml(&source(text)).expect("parse");
    assert_eq!(
        doc.value["Resources"]["Bucket"]["Properties"],
        json!({"Tags": [{"Key": "Owner", "Value": "é"}, {"Key": "Env", "Value": "prod"}], "Other": {"a": 1}})
    );
    let t = doc.resource_locations["Topic"];
    assert_eq!((t.line, t.column), (12, 3));
    assert_eq!(&text[t.offset..t.offset + t.length], "Topic");
    // Errors on a shifted line keep their original column.
    let e = parse_err("a:\n  b: [\n  !Bogus x\n  ]\n");
    assert_eq!((e.line, e.column), (3, 3));
    assert!(e.message.contains("!Bogus"), "{}", e.message);
}

#[test]
fn padding_maps_back_to_original_indices() {
    let w = Padding::WIDTH;
    let padding = Padding {
        text: None,
        lines: vec![(2, 10), (4, 20 + w)],
    };
    assert_eq!(padding.original_index(5), 5);
    assert_eq!(padding.original_index(10 + w), 10);
    assert_eq!(padding.original_index(12), 10);
    assert_eq!(padding.original_index(15 + w), 15);
    assert_eq!(padding.original_index(20 + 2 * w), 20);
    assert_eq!(padding.original_index(25 + 2 * w), 25);
}

#[test]
fn non_specific_tag_on_a_key_is_a_string() {
    let v = value_of("[a, ! \"Ref\": \"AWS::AccountId\"]");
    assert_eq!(v, json!(["a", {"Ref": "AWS::AccountId"}]));
    assert_eq!(value_of("! 12"), json!("12"));
}

#[test]
fn properties_and_parameters_are_moved_not_copied() {
    let template = json!({
        "Parameters": {"P": {"Type": "String", "Default": "p".repeat(1000)}},
        "Resources": {
            "A": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "a".repeat(1000)}},
            "B": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "b"}},
        }
    });
    let at = |v: &Value, pointer: &str| v.pointer(pointer).and_then(Value::as_str).map(str::as_ptr);
    let (name, default) = (
        at(&template, "/Resources/A/Properties/BucketName"),
        at(&template, "/Parameters/P/Default"),
    );
    let src = Arc::new(source("{}"));
    let copied = resources(&src, &template, None).expect("resources");
    let rs = into_resources(&src, template, None).expect("resources");
    // The same resources either way, but the strings are the template's own.
    assert_eq!(rs.len(), 2);
    for (moved, copy) in rs.iter().zip(&copied) {
        assert_eq!((&moved.address, &moved.properties), (&copy.address, &copy.properties));
        assert_eq!(moved.parameters, copy.parameters);
    }
    assert_eq!(at(&rs[0].properties, "/BucketName"), name);
    assert_ne!(at(&copied[0].properties, "/BucketName"), name);
    let parameters = rs[1].parameters.as_deref().expect("parameters");
    assert_eq!(at(parameters, "/P/Default"), default);
    assert!(Arc::ptr_eq(
        rs[0].parameters.as_ref().unwrap(),
        rs[1].parameters.as_ref().unwrap()
    ));
}

#[test]
fn bodies_are_found_by_address() {
    let mut template = json!({"Resources": {"A": {"Type": "X"}, "B": {"Type": "Y"}}});
    let borrowed = |t: &Value, id: &str| foreach::Entry {
        id: format!("e{id}"),
        body: Cow::Owned(t["Resources"][id].clone()),
        generated: None,
        opaque: None,
    };
    let entries: Vec<foreach::Entry<'_>> = {
        let declared = template["Resources"].as_object().unwrap();
        let mut e = foreach::plain(declared);
        // A body borrowed twice, and one that is owned already.
        e.push(foreach::Entry {
            id: "again".to_string(),
            body: Cow::Borrowed(&declared["B"]),
            generated: None,
            opaque: None,
        });
        e.push(borrowed(&template, "A"));
        e
    };
    let (mut entries, wanted) = detach(entries);
    take_bodies("t.json", &mut template, &mut entries, wanted).expect("all found");
    let bodies: Vec<(&str, &Value)> = entries.iter().map(|e| (e.id.as_str(), e.body.as_ref())).collect();
    assert_eq!(
        bodies,
        [
            ("A", &json!({"Type": "X"})),
            ("B", &json!({"Type": "Y"})),
            ("again", &json!({"Type": "Y"})),
            ("eA", &json!({"Type": "X"})),
        ]
    );
    // Taken out of the template.
    assert_eq!(template["Resources"], json!({"A": null, "B": null}));

    // A body that is not among the template's resources is an error, not a null resource.
    let other = json!({"Type": "Z"});
    let (mut entries, wanted) = detach(vec![foreach::Entry {
        id: "Lost".to_string(),
        body: Cow::Borrowed(&other),
        generated: None,
        opaque: None,
    }]);
    let e = take_bodies("t.json", &mut template, &mut entries, wanted).expect_err("not found");
    assert!(e.message.contains("Lost"), "{}", e.message);
}

#[test]
fn large_scalars_give_back_spare_capacity() {
    let mut grown = String::with_capacity(4 << 20);
    grown.push_str(&"x".repeat(1 << 20));
    let text = take_text(Cow::Owned(grown));
    assert_eq!(text.len(), 1 << 20);
    assert!(text.capacity() < (1 << 20) + (64 << 10), "{}", text.capacity());
    assert_eq!(take_text(Cow::Borrowed("abc")), "abc");
    // Scalars read from YAML keep their text whatever their size.
    let big = "y".repeat(300_000);
    assert_eq!(value_of(&big), json!(big));
    assert_eq!(value_of(&format!("!Sub {big}")), json!({"Fn::Sub": big}));
    assert_eq!(value_of(&format!("\"{big}\"")), json!(big));
}

#[test]
fn json_templates_are_anchored_by_escaped_pointer() {
    let template = json!({"Resources": {"a/b~c": {"Type": "AWS::S3::Bucket"}, "Plain": {"Type": "AWS::SNS::Topic"}}});
    let src = Arc::new(source("{}"));
    let rs = resources(&src, &template, None).expect("resources");
    assert_eq!(rs[0].anchor, Anchor::JsonPointer("/Resources/a~1b~0c".to_string()));
    assert_eq!(rs[1].anchor, Anchor::JsonPointer("/Resources/Plain".to_string()));
    assert_eq!(rs[0].address, "a/b~c");
}

#[test]
fn resources_keep_template_order_and_fields() {
    let rs = load(
        "Resources:\n  Zeta:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '${AWS::StackName}-z'\n  Alpha:\n    Type: AWS::SNS::Topic\n",
    );
    let ids: Vec<_> = rs.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(ids, ["Zeta", "Alpha"]);
    assert_eq!(rs[0].resource_type, "AWS::S3::Bucket");
    assert_eq!(rs[0].format, InputFormat::Cloudformation);
    assert_eq!(rs[0].action, None);
    assert_eq!(
        rs[0].properties,
        json!({"BucketName": {"Fn::Sub": "${AWS::StackName}-z"}})
    );
    // Properties absent → {}.
    assert_eq!(rs[1].properties, json!({}));
}

#[test]
fn a_tag_named_condition_is_a_literal_tag() {
    let rs = load(
        "Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      Tags:
        Condition: prod
",
    );
    let expected: BTreeMap<String, String> = [("Condition".to_string(), "prod".to_string())].into();
    assert_eq!(rs[0].tags, expected);
    assert!(!rs[0].tag_map_unknown);
}

#[test]
fn tags_from_list_and_map_forms() {
    let rs = load(
        "Resources:
  B:
    Type: AWS::S3::Bucket
    Properties:
      Tags:
        - {Key: Owner, Value: team-a}
        - {Key: CostCenter, Value: 42}
        - {Key: Enabled, Value: true}
        - {Key: Env, Value: !Ref Env}
        - !If [C, {Key: X, Value: y}, !Ref AWS::NoValue]
  F:
    Type: AWS::Serverless::Function
    Properties:
      Tags:
        Owner: team-b
        Stage: !Ref Stage
  P:
    Type: AWS::SSM::Parameter
    Properties:
      Tags: !Ref TagParam
",
    );
    let expected: BTreeMap<String, String> = [("CostCenter", "42"), ("Enabled", "true"), ("Owner", "team-a")]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into();
    assert_eq!(rs[0].tags, expected);
    // Tags themselves are left in the properties.
    assert_eq!(rs[0].properties["Tags"].as_array().map(Vec::len), Some(5));
    let expected: BTreeMap<String, String> = [("Owner".to_string(), "team-b".to_string())].into();
    assert_eq!(rs[1].tags, expected);
    assert!(rs[2].tags.is_empty());
    // A value from an intrinsic: the tag exists, its value is unknown.
    assert!(rs[0].unknown_tags.contains("Env") && rs[1].unknown_tags.contains("Stage"));
    // An intrinsic decides which tags there are: the whole set is unknown.
    assert!(rs[0].tag_map_unknown, "`- !If` entry");
    assert!(!rs[1].tag_map_unknown);
    assert!(rs[2].tag_map_unknown, "`Tags: !Ref`");
    assert_eq!(rs[2].tag("Owner"), crate::model::TagValue::Unknown);
    assert_eq!(rs[1].tag("Stage"), crate::model::TagValue::ValueUnknown);
    assert_eq!(rs[1].tag("Missing"), crate::model::TagValue::Absent);
}

#[test]
fn resource_errors_name_the_line() {
    let src = Arc::new(source(
        "Resources:\n  Ok:\n    Type: AWS::S3::Bucket\n  NoType:\n    Properties: {}\n",
    ));
    let doc = parse_yaml(&src).expect("parse");
    let e = resources(&src, &doc.value, Some(&doc)).expect_err("no Type");
    assert_eq!((e.line, e.column), (4, 3));
    assert!(e.message.contains("NoType"), "{}", e.message);

    let bad = [
        "Resources: [a]\n",
        "Resources:\n",
        "Resources:\n  A: x\n",
        "Resources:\n  A:\n    Type: [x]\n",
        "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: [x]\n",
    ];
    for text in bad {
        let src = Arc::new(source(text));
        let doc = parse_yaml(&src).expect("parse");
        assert!(resources(&src, &doc.value, Some(&doc)).is_err(), "{text}");
    }
    let src = Arc::new(source("{}"));
    let e = resources(&src, &json!({"Resources": {"A": {"Properties": {}}}}), None).expect_err("no Type");
    assert_eq!((e.file.as_str(), e.line), ("t.yaml", 0));
}

#[test]
fn intrinsic_or_null_properties_are_kept() {
    let rs = load(
        "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: !If [C, {BucketName: a}, {BucketName: b}]\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n",
    );
    assert_eq!(
        rs[0].properties,
        json!({"Fn::If": ["C", {"BucketName": "a"}, {"BucketName": "b"}]})
    );
    assert_eq!(rs[1].properties, json!({}));
}

#[test]
fn foreach_loops_yield_their_resources() {
    let rs = load(
        "Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Topics:
    - Name
    - [A, B]
    - 'Topic${Name}':
        Type: AWS::SNS::Topic
  Queue:
    Type: AWS::SQS::Queue
",
    );
    let ids: Vec<_> = rs.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(ids, ["TopicA", "TopicB", "Queue"]);
}

#[test]
fn detects_templates() {
    assert!(is_template(&json!({"AWSTemplateFormatVersion": "2010-09-09"})));
    assert!(is_template(&json!({"Resources": {"A": {"Type": "AWS::S3::Bucket"}}})));
    assert!(is_template(&json!({"Resources": {"A": {"Type": "Custom::Thing"}}})));
    assert!(is_template(&json!({"Resources": {"A": {"Type": "Alexa::ASK::Skill"}}})));
    let sam = parse("Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n")
        .expect("parse");
    assert!(is_template(&sam));
    assert!(is_template(
        &json!({"Transform": ["AWS::LanguageExtensions", SAM_TRANSFORM], "Resources": {}})
    ));
}

#[test]
fn detects_non_templates() {
    let k8s =
        parse("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n").expect("parse");
    assert!(!is_template(&k8s));
    let plan =
        json!({"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": [{"type": "aws_s3_bucket"}]});
    assert!(!is_template(&plan));
    assert!(!is_template(
        &json!({"name": "pkg", "version": "1.0.0", "dependencies": {}})
    ));
    assert!(!is_template(&json!({"Resources": {"A": {"Type": "Other::Thing"}}})));
    assert!(!is_template(&json!({"Transform": SAM_TRANSFORM})));
    assert!(!is_template(&json!([1, 2])));
}

/// Every template of the shared corpus: no panic; prints counts and parse errors.
#[test]
fn corpus_sweep() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/cfn");
    if !root.is_dir() {
        println!("corpus not found, skipped");
        return;
    }
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yaml" | "yml" | "json" | "template"))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    let (mut templates, mut others, mut resource_count) = (0, 0, 0);
    let (mut errors, mut misplaced, mut non_templates) = (Vec::new(), Vec::new(), Vec::new());
    for path in &files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
        let display = path.strip_prefix(&root).unwrap_or(path).display().to_string();
        let src = Arc::new(SourceFile {
            path: path.clone(),
            repo_path: display.clone(),
            display,
            text,
        });
        let trimmed = src.text.trim_start();
        let parsed = if trimmed.starts_with('{') || trimmed.starts_with('[') {
            match serde_json::from_str::<Value>(&src.text) {
                Ok(v) => Ok((v, None)),
                // JSON is YAML: a JSON parse failure may still be a YAML flow document.
                Err(_) => parse_yaml(&src).map(|d| (d.value.clone(), Some(d))),
            }
        } else {
            parse_yaml(&src).map(|d| (d.value.clone(), Some(d)))
        };
        match parsed {
            Err(e) => errors.push(e.to_string()),
            Ok((value, yaml)) if is_template(&value) => {
                templates += 1;
                match resources(&src, &value, yaml.as_ref()) {
                    Ok(rs) => {
                        resource_count += rs.len();
                        // Every YAML resource is anchored at its logical id.
                        for r in &rs {
                            if let Anchor::Span(l) = &r.anchor {
                                let written = src.text.get(l.offset..l.offset + l.length).unwrap_or("");
                                let written = written.trim_matches(|c| c == '"' || c == '\'');
                                // A generated resource is anchored at its loop's output key.
                                let pattern = written.contains("${") || written.contains("&{");
                                if written != r.address && !pattern {
                                    misplaced
                                        .push(format!("{}: {} at {}:{}", src.display, r.address, l.line, l.column));
                                }
                            }
                        }
                    }
                    Err(e) => errors.push(format!("[resources] {e}")),
                }
            }
            Ok(_) => {
                others += 1;
                non_templates.push(src.display.clone());
            }
        }
    }
    println!(
        "corpus: {} files, {templates} templates ({resource_count} resources), {others} non-templates, {} errors",
        files.len(),
        errors.len()
    );
    for e in &errors {
        println!("  {e}");
    }
    println!("non-templates: {non_templates:?}");
    assert!(!files.is_empty());
    assert!(
        misplaced.is_empty(),
        "resource anchors not at their logical id: {misplaced:#?}"
    );
}

#[test]
fn references_through_ref_getatt_and_sub() {
    let rs = load(
        "Parameters:
  Env: {Type: String}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Statement:
          - Resource: !Sub '${Bucket.Arn}/*'
            Condition: {StringEquals: {env: !Ref Env}}
  Ingress:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Group.GroupId
      SourceSecurityGroupId: !GetAtt [Other, GroupId]
  Group:
    Type: AWS::EC2::SecurityGroup
  Other:
    Type: AWS::EC2::SecurityGroup
",
    );
    let refs = |id: &str, attr: &str| -> Vec<String> {
        rs.iter()
            .find(|r| r.address == id)
            .unwrap()
            .references
            .get(attr)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(refs("Policy", "Bucket"), vec!["Bucket"]);
    assert_eq!(
        refs("Policy", "PolicyDocument"),
        vec!["Bucket"],
        "Fn::Sub variables count; the parameter is not a resource"
    );
    assert_eq!(refs("Ingress", "GroupId"), vec!["Group"]);
    assert_eq!(refs("Ingress", "SourceSecurityGroupId"), vec!["Other"]);
    assert!(rs.iter().find(|r| r.address == "Bucket").unwrap().references.is_empty());
    let written: Vec<&str> = rs[1].configured.as_ref().unwrap().iter().map(String::as_str).collect();
    assert_eq!(written, vec!["Bucket", "PolicyDocument"]);
}
