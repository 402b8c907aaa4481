use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};

use super::*;
use crate::input::cloudformation::{parse_yaml, resources};
use crate::model::{Anchor, Resource, SourceFile};

fn source(text: &str) -> Arc<SourceFile> {
    Arc::new(SourceFile {
        path: PathBuf::from("t.yaml"),
        display: "t.yaml".into(),
        repo_path: "t.yaml".into(),
        text: text.to_string(),
    })
}

fn load(text: &str) -> Result<Vec<Resource>, Located> {
    let src = source(text);
    let doc = parse_yaml(&src).expect("parse");
    resources(&src, &doc.value, Some(&doc))
}

fn load_json(template: &Value) -> Result<Vec<Resource>, Located> {
    let text = serde_json::to_string_pretty(template).unwrap();
    let src = Arc::new(SourceFile {
        path: PathBuf::from("t.json"),
        display: "t.json".into(),
        repo_path: "t.json".into(),
        text,
    });
    resources(&src, template, None)
}

fn ids(rs: &[Resource]) -> Vec<&str> {
    rs.iter().map(|r| r.address.as_str()).collect()
}

fn by_id<'r>(rs: &'r [Resource], id: &str) -> &'r Resource {
    rs.iter()
        .find(|r| r.address == id)
        .unwrap_or_else(|| panic!("no {id} in {:?}", ids(rs)))
}

const HEAD: &str = "Transform: AWS::LanguageExtensions\n";

#[test]
fn written_collections_expand_with_dollar_and_ampersand() {
    let rs = load(&format!(
        "{HEAD}Resources:
  Fn::ForEach::Topics:
    - Name
    - [Success, fail-over, 3]
    - 'Topic&{{Name}}':
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Ref Name
          DisplayName: !Sub '${{Name}} topic in ${{AWS::Region}}'
          Plain: !Sub 'n-${{Name}}'
          Untouched: 'literal ${{Name}}'
          Tags:
            - {{Key: '${{Name}}', Value: x}}
"
    ))
    .expect("expand");
    assert_eq!(ids(&rs), ["TopicSuccess", "Topicfailover", "Topic3"]);
    let p = &by_id(&rs, "Topicfailover").properties;
    assert_eq!(
        p["TopicName"],
        json!("fail-over"),
        "`Ref: Identifier` is the value, with `-`"
    );
    assert_eq!(
        p["DisplayName"],
        json!({"Fn::Sub": "fail-over topic in ${AWS::Region}"})
    );
    assert_eq!(
        p["Plain"],
        json!("n-fail-over"),
        "a Sub with no variable left is its string"
    );
    assert_eq!(
        p["Untouched"],
        json!("literal ${Name}"),
        "plain strings are not substituted"
    );
    assert_eq!(
        p["Tags"][0]["Key"],
        json!("${Name}"),
        "plain strings, even as values of `Key`"
    );
    assert!(rs.iter().all(|r| r.opaque.is_none()));
    // Anchored at the loop's output key.
    let Anchor::Span(l) = rs[0].anchor else {
        panic!("YAML anchors are spans")
    };
    assert_eq!((l.line, l.column), (6, 8));
}

#[test]
fn nested_loops_multiply_and_substitute_keys() {
    let rs = load(&format!(
        "{HEAD}Resources:
  Fn::ForEach::Envs:
    - Env
    - [Dev, Prod]
    - Fn::ForEach::Apps:
        - App
        - [Web, Api]
        - '${{Env}}${{App}}Queue':
            Type: AWS::SQS::Queue
            Properties:
              QueueName: !Sub '${{Env}}-${{App}}'
              '${{App}}Key': !Ref Env
  Plain:
    Type: AWS::SNS::Topic
"
    ))
    .expect("expand");
    assert_eq!(
        ids(&rs),
        ["DevWebQueue", "DevApiQueue", "ProdWebQueue", "ProdApiQueue", "Plain"]
    );
    let p = &by_id(&rs, "ProdApiQueue").properties;
    assert_eq!(p, &json!({"QueueName": "Prod-Api", "ApiKey": "Prod"}));
    let Anchor::Span(l) = by_id(&rs, "DevApiQueue").anchor else {
        panic!()
    };
    assert_eq!((l.line, l.column), (9, 12), "the inner output key");
}

#[test]
fn loops_in_properties_merge_into_their_mapping() {
    let rs = load(&format!(
        "{HEAD}Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      Fn::ForEach::Props:
        - P
        - [A, B]
        - 'Prop${{P}}': !Ref P
      Other: 1
"
    ))
    .expect("expand");
    assert_eq!(rs[0].properties, json!({"PropA": "A", "PropB": "B", "Other": 1}));
}

#[test]
fn allowed_values_expand_every_value_exactly() {
    let rs = load(&format!(
        "{HEAD}Parameters:
  Names:
    Type: CommaDelimitedList
    Default: One
    AllowedValues: [One, Two, Two]
Resources:
  Fn::ForEach::B:
    - N
    - !Ref Names
    - 'Bucket${{N}}':
        Type: AWS::S3::Bucket
        Properties:
          BucketName: !Ref N
"
    ))
    .expect("expand");
    assert_eq!(ids(&rs), ["BucketOne", "BucketTwo"]);
    assert_eq!(by_id(&rs, "BucketTwo").properties["BucketName"], json!("Two"));
    assert!(rs.iter().all(|r| r.opaque.is_none()));
}

#[test]
fn a_default_names_resources_but_values_stay_undecidable() {
    let rs = load(&format!(
        "{HEAD}Parameters:
  Names: {{Type: CommaDelimitedList, Default: 'a, b'}}
  N: {{Type: String, AllowedValues: [safe]}}
Resources:
  Fn::ForEach::B:
    - N
    - !Ref Names
    - 'Bucket${{N}}':
        Type: AWS::S3::Bucket
        Properties:
          BucketName: !Ref N
          Other: !Sub 'x-${{N}}'
          Fixed: 1
"
    ))
    .expect("expand");
    assert_eq!(ids(&rs), ["Bucketa", "Bucketb"], "space-trimmed default");
    let p = &rs[0].properties;
    // Not `Ref N`, which the parameter `N` (AllowedValues: safe) would answer for.
    assert_eq!(p["BucketName"], json!({"Fn::Sub": "${N}"}));
    assert_eq!(p["Other"], json!({"Fn::Sub": "x-${N}"}));
    assert_eq!(p["Fixed"], json!(1));
    assert!(rs[0].opaque.is_none());
}

#[test]
fn a_default_that_decides_property_keys_is_opaque() {
    let rs = load(&format!(
        "{HEAD}Parameters:
  Keys: {{Type: CommaDelimitedList, Default: Owner}}
Resources:
  Fn::ForEach::B:
    - K
    - [One]
    - 'Bucket${{K}}':
        Type: AWS::S3::Bucket
        Properties:
          Fn::ForEach::Tags:
            - T
            - !Ref Keys
            - '${{T}}': x
"
    ))
    .expect("expand");
    let why = rs[0].opaque.as_deref().expect("opaque");
    assert!(why.contains("Keys"), "{why}");
}

#[test]
fn unknown_collections_give_opaque_resources_never_none() {
    let collections = [
        ("!Ref Free", "neither a Default nor AllowedValues"),
        ("!Ref Ssm", "Systems Manager"),
        ("!Ref Single", "not a list type"),
        ("!Ref AWS::NotificationARNs", "not a parameter"),
        ("!Split [',', !Ref Single]", "Fn::Split"),
        ("!GetAZs ''", "Fn::GetAZs"),
        ("[a, !Ref Single]", "set at deploy time"),
    ];
    for (collection, why) in collections {
        let rs = load(&format!(
            "{HEAD}Parameters:
  Free: {{Type: CommaDelimitedList}}
  Ssm: {{Type: 'AWS::SSM::Parameter::Value<List<String>>', Default: /names}}
  Single: {{Type: String, Default: a}}
Resources:
  Fn::ForEach::B:
    - N
    - {collection}
    - 'Bucket${{N}}':
        Type: AWS::S3::Bucket
"
        ))
        .unwrap_or_else(|e| panic!("{collection}: {e}"));
        assert_eq!(ids(&rs), ["Bucket${N}"], "{collection}");
        let opaque = rs[0].opaque.as_deref().unwrap_or_default();
        assert!(opaque.contains(why), "{collection}: {opaque}");
    }
}

#[test]
fn an_unknown_inner_collection_keeps_the_known_outer_values() {
    let rs = load(&format!(
        "{HEAD}Parameters:
  Free: {{Type: CommaDelimitedList}}
Resources:
  Fn::ForEach::O:
    - A
    - [X, Y]
    - Fn::ForEach::I:
        - B
        - !Ref Free
        - 'R${{A}}${{B}}':
            Type: AWS::S3::Bucket
"
    ))
    .expect("expand");
    assert_eq!(ids(&rs), ["RX${B}", "RY${B}"]);
    assert!(rs.iter().all(|r| r.opaque.is_some()));
}

#[test]
fn malformed_loops_are_located_errors() {
    let bad = [
        ("    - N\n    - [a]\n", "list of an identifier"),
        ("    - N\n    - [a]\n    - x\n", "list of an identifier"),
        (
            "    - [N]\n    - [a]\n    - {'B${N}': {Type: AWS::S3::Bucket}}\n",
            "list of an identifier",
        ),
        (
            "    - N\n    - a\n    - {'B${N}': {Type: AWS::S3::Bucket}}\n",
            "not a list",
        ),
        (
            "    - N\n    - [a, a]\n    - {'B${N}': {Type: AWS::S3::Bucket}}\n",
            "twice",
        ),
        (
            "    - N\n    - [a, b]\n    - {'Bucket': {Type: AWS::S3::Bucket}}\n",
            "twice",
        ),
        (
            "    - N\n    - [Plain]\n    - {'${N}': {Type: AWS::S3::Bucket}}\n",
            "twice",
        ),
        (
            "    - N\n    - [a.b]\n    - {'B${N}': {Type: AWS::S3::Bucket}}\n",
            "not alphanumeric",
        ),
        ("    - N\n    - [a]\n    - {'B${N}': {Properties: {}}}\n", "no `Type`"),
    ];
    for (body, message) in bad {
        let text = format!("{HEAD}Resources:\n  Plain:\n    Type: AWS::SNS::Topic\n  Fn::ForEach::L:\n{body}");
        let e = load(&text).expect_err(body);
        assert!(e.message.contains(message), "{body}: {}", e.message);
        assert!(e.line >= 4, "{body}: located at the loop, got line {}", e.line);
        assert!(e.help.is_some(), "{body}");
    }
    let e = load("Resources:\n  Fn::ForEach::L:\n    - N\n    - [a]\n    - {'B${N}': {Type: AWS::S3::Bucket}}\n")
        .expect_err("no transform");
    assert!(e.message.contains("AWS::LanguageExtensions"), "{}", e.message);
    assert_eq!((e.line, e.column), (2, 3));
}

#[test]
fn nesting_and_size_are_bounded() {
    // Six levels.
    let mut inner = json!({"R${A0}${A1}${A2}${A3}${A4}${A5}": {"Type": "AWS::S3::Bucket"}});
    for i in (0..6).rev() {
        inner = json!({format!("Fn::ForEach::L{i}"): [format!("A{i}"), ["x"], inner]});
    }
    let template = json!({"Transform": LANGUAGE_EXTENSIONS, "Resources": inner});
    let e = load_json(&template).expect_err("too deep");
    assert!(e.message.contains("nested deeper"), "{}", e.message);
    assert!(e.line > 1, "located in the JSON text: {e}");

    // 22^3 = 10,648 resources.
    let values: Vec<String> = (0..22).map(|i| format!("v{i}")).collect();
    let template = json!({"Transform": LANGUAGE_EXTENSIONS, "Resources": {"Fn::ForEach::A": ["A", values, {
        "Fn::ForEach::B": ["B", values, {"Fn::ForEach::C": ["C", values, {"R${A}${B}${C}": {"Type": "AWS::SNS::Topic"}}]}]
    }]}});
    let e = load_json(&template).expect_err("too many");
    assert!(e.message.contains(&MAX_GENERATED.to_string()), "{}", e.message);

    // Property loops that generate no resource but multiply values: 60^4 = 13M keys.
    let values: Vec<String> = (0..60).map(|i| format!("v{i}")).collect();
    let template = json!({"Transform": LANGUAGE_EXTENSIONS, "Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {
        "Fn::ForEach::A": ["A", values, {"Fn::ForEach::B": ["B", values, {"Fn::ForEach::C": ["C", values, {"Fn::ForEach::D": ["D", values, {"${A}${B}${C}${D}": 1}]}]}]}]
    }}}});
    let e = load_json(&template).expect_err("too much work");
    assert!(e.message.contains("more than"), "{}", e.message);
}

#[test]
fn json_generated_resources_are_anchored_by_pointer() {
    let template = json!({"Transform": [LANGUAGE_EXTENSIONS], "Resources": {"Fn::ForEach::T": ["N", ["A"], {"T/${N}": {"Type": "AWS::SNS::Topic"}}]}});
    // `/` is not alphanumeric: an error located in the JSON text.
    let e = load_json(&template).expect_err("bad id");
    assert!(e.line > 1, "{e}");
    let template = json!({"Transform": [LANGUAGE_EXTENSIONS], "Resources": {"Fn::ForEach::T": ["N", ["A"], {"T${N}": {"Type": "AWS::SNS::Topic"}}]}});
    let rs = load_json(&template).expect("expand");
    assert_eq!(
        rs[0].anchor,
        Anchor::JsonPointer("/Resources/Fn::ForEach::T/2/T${N}".into())
    );
}

#[test]
fn macros_make_every_resource_opaque_and_add_one_of_any_type() {
    for transform in [
        "MyMacro",
        "[AWS::LanguageExtensions, MyMacro]",
        "[MyMacro, AWS::Serverless-2016-10-31]",
        "{Name: AWS::Include, Parameters: {Location: s3://b/k}}",
        "[{Name: Other}]",
        "42",
    ] {
        let rs = load(&format!(
            "Transform: {transform}\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  Fn::ForEach::L:\n    - N\n    - [a]\n    - 'B${{N}}': {{Type: AWS::S3::Bucket}}\n"
        ))
        .unwrap_or_else(|e| panic!("{transform}: {e}"));
        assert_eq!(ids(&rs), ["Bucket", "Fn::ForEach::L", "Transform"], "{transform}");
        assert!(
            rs.iter()
                .all(|r| r.opaque.as_deref().is_some_and(|w| w.contains("macro"))),
            "{transform}"
        );
        assert_eq!(rs[2].resource_type, ANY_TYPE);
        let Anchor::Span(l) = rs[2].anchor else { panic!() };
        assert_eq!((l.line, l.column), (1, 1), "{transform}");
    }
    for transform in [
        "AWS::Serverless-2016-10-31",
        "[AWS::LanguageExtensions, AWS::Serverless-2016-10-31]",
    ] {
        let rs = load(&format!(
            "Transform: {transform}\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
        ))
        .unwrap();
        assert_eq!(ids(&rs), ["Bucket"]);
        assert!(rs[0].opaque.is_none());
    }
}

#[test]
fn substitution_leaves_unbound_and_escaped_variables() {
    let scope = vec![Binding {
        identifier: "N".into(),
        value: Bound::Exact("a-b".into()),
        why: String::new(),
    }];
    assert_eq!(
        substitute("x${N}y&{N}z${M}${!N}$", &scope, Mode::Key).0,
        "xa-byabz${M}${!N}$"
    );
    let open = vec![Binding {
        identifier: "N".into(),
        value: Bound::Default("d".into()),
        why: "w".into(),
    }];
    assert_eq!(substitute("B${N}", &open, Mode::Id).0, "Bd");
    let (kept, undecided) = substitute("B${N}", &open, Mode::Key);
    assert_eq!((kept.as_str(), undecided.map(|b| b.why.as_str())), ("B${N}", Some("w")));
}

/// `N` and `[Yes, No]` are booleans to YAML 1.1: the identifier is still a name, the values still
/// name the resources, and what they set is undecidable.
#[test]
fn yaml_11_booleans_in_a_loop_name_resources_and_stay_undecidable() {
    let rs = load(&format!(
        "{HEAD}Resources:
  Fn::ForEach::B:
    - N
    - [Yes, No]
    - 'Bucket${{N}}':
        Type: AWS::S3::Bucket
        Properties:
          BucketName: !Ref N
"
    ))
    .expect("expand");
    assert_eq!(ids(&rs), ["BucketYes", "BucketNo"]);
}
