use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};

use super::eval::*;
use super::query::*;
use super::spec::*;
use super::*;
use crate::engine::{Alone, Neighbours, Parameters, Truth, Verdict};
use crate::model::{Anchor, InputFormat, Resource, SourceFile, is_unknown, unknown_marker};
use crate::pointer::display as pointer_display;
use serde_saphyr::Spanned;

fn resource(properties: Value) -> Resource {
    let mut unknown_paths = Vec::new();
    collect_unknown(&properties, String::new(), &mut unknown_paths);
    Resource {
        address: "aws_x.y".into(),
        resource_type: "aws_x".into(),
        format: InputFormat::TerraformPlan,
        tags: properties
            .get("tags")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect()
            })
            .unwrap_or_default(),
        unknown_tags: Default::default(),
        tag_map_unknown: properties.get("tags_all").is_some_and(is_unknown),
        properties,
        action: None,
        unknown_paths,
        sensitive_paths: vec!["/password".into()],
        sensitive_values: Vec::new(),
        source: Arc::new(SourceFile {
            path: PathBuf::from("t.json"),
            display: "t.json".into(),
            repo_path: "t.json".into(),
            text: String::new(),
        }),
        anchor: Anchor::JsonPointer(String::new()),
        region: None,
        inline_suppressions: Vec::new(),
        references: Default::default(),
        declared: None,
        opaque: None,
        parameters: None,
        undecided_parameters: None,
        configured: None,
    }
}

fn collect_unknown(v: &Value, at: String, out: &mut Vec<String>) {
    if is_unknown(v) {
        out.push(at);
    } else if let Value::Object(m) = v {
        m.iter().for_each(|(k, v)| collect_unknown(v, format!("{at}/{k}"), out));
    }
}

fn condition(yaml: &str) -> Condition {
    let spec: Spanned<ConditionSpec> = serde_saphyr::from_str(yaml).unwrap();
    Condition::compile("rule.yaml", &spec).unwrap()
}

fn truth(yaml: &str, props: Value) -> Truth {
    condition(yaml).evaluate(&resource(props), &Alone).unwrap().truth
}

const U: fn() -> Value = unknown_marker;

#[test]
fn numeric_comparison_passes_fails_and_coerces_strings() {
    let c = "path: $.retention\ngte: 7\n";
    assert_eq!(truth(c, json!({"retention": 7})), Truth::True);
    assert_eq!(truth(c, json!({"retention": 1})), Truth::False);
    // CloudFormation writes numbers as strings.
    assert_eq!(truth(c, json!({"retention": "14"})), Truth::True);
    assert_eq!(truth(c, json!({"retention": "5"})), Truth::False);
    assert_eq!(truth(c, json!({})), Truth::False, "absent value fails a value check");
    assert_eq!(truth("path: $.n\nlt: 3\n", json!({"n": 2})), Truth::True);
    assert_eq!(truth("path: $.n\nlte: 3\n", json!({"n": 4})), Truth::False);
    assert_eq!(truth("path: $.n\ngt: 3\n", json!({"n": 3})), Truth::False);
}

#[test]
fn known_after_apply_is_unknown_for_values_and_present_for_existence() {
    assert_eq!(
        truth("path: $.retention\ngte: 7\n", json!({"retention": U()})),
        Truth::Unknown
    );
    assert_eq!(truth("path: $.kms\nexists: true\n", json!({"kms": U()})), Truth::True);
    assert_eq!(truth("path: $.kms\nexists: false\n", json!({"kms": U()})), Truth::False);
    // Nothing selected below an unknown block: unknown, not absent.
    assert_eq!(
        truth("path: $.sse[0].rule[0].algo\nequals: aws:kms\n", json!({"sse": U()})),
        Truth::Unknown
    );
    // Whether something exists inside a value known only after apply is unknown too.
    assert_eq!(
        truth("path: $.sse[0].rule[0].algo\nexists: true\n", json!({"sse": U()})),
        Truth::Unknown
    );
}

#[test]
fn intrinsic_functions_are_unknown() {
    assert_eq!(
        truth("path: $.R\ngte: 7\n", json!({"R": {"Ref": "Retention"}})),
        Truth::Unknown
    );
    assert_eq!(
        truth(
            "path: $.E.Enabled\nequals: true\n",
            json!({"E": {"Fn::If": ["c", {"Enabled": true}, {}]}})
        ),
        Truth::Unknown
    );
}

#[test]
fn equality_one_of_regex_and_contains() {
    assert_eq!(truth("path: $.b\nequals: true\n", json!({"b": true})), Truth::True);
    assert_eq!(truth("path: $.b\nequals: true\n", json!({"b": "true"})), Truth::True);
    assert_eq!(truth("path: $.b\nequals: true\n", json!({"b": "false"})), Truth::False);
    assert_eq!(
        truth("path: $.s\nnotEquals: AES256\n", json!({"s": "aws:kms"})),
        Truth::True
    );
    assert_eq!(
        truth("path: $.s\noneOf: [aws:kms, aws:kms:dsse]\n", json!({"s": "AES256"})),
        Truth::False
    );
    assert_eq!(
        truth(
            "path: $.s\nmatches: '^arn:aws:kms:'\n",
            json!({"s": "arn:aws:kms:eu-west-1:1:key/x"})
        ),
        Truth::True
    );
    assert_eq!(
        truth(
            "path: $.l\ncontains: '0.0.0.0/0'\n",
            json!({"l": ["10.0.0.0/8", "0.0.0.0/0"]})
        ),
        Truth::True
    );
    assert_eq!(
        truth("path: $.l\ncontains: '0.0.0.0/0'\n", json!({"l": ["10.0.0.0/8"]})),
        Truth::False
    );
}

#[test]
fn quantifiers_over_several_matches() {
    let p = json!({"l": [1, 5, 9]});
    assert_eq!(truth("path: $.l[*]\ngt: 0\n", p.clone()), Truth::True);
    assert_eq!(truth("path: $.l[*]\ngt: 4\n", p.clone()), Truth::False);
    assert_eq!(truth("path: $.l[*]\ngt: 4\nmatch: any\n", p.clone()), Truth::True);
    assert_eq!(truth("path: $.l[*]\ngt: 10\nmatch: any\n", p), Truth::False);
}

#[test]
fn three_valued_combinators() {
    let props = json!({"a": 1, "u": U()});
    let t = "path: $.a\nequals: 1\n";
    let f = "path: $.a\nequals: 2\n";
    let u = "path: $.u\nequals: 1\n";
    let all = |x: &str, y: &str| {
        format!(
            "all:\n  - {}\n  - {}\n",
            x.trim_end().replace('\n', "\n    "),
            y.trim_end().replace('\n', "\n    ")
        )
    };
    let any = |x: &str, y: &str| all(x, y).replacen("all:", "any:", 1);
    assert_eq!(truth(&all(t, u), props.clone()), Truth::Unknown);
    assert_eq!(truth(&all(f, u), props.clone()), Truth::False);
    assert_eq!(truth(&any(t, u), props.clone()), Truth::True);
    assert_eq!(truth(&any(f, u), props.clone()), Truth::Unknown);
    assert_eq!(
        truth(
            &format!("not:\n  {}", u.trim_end().replace('\n', "\n  ")),
            props.clone()
        ),
        Truth::Unknown
    );
    assert_eq!(
        truth(&format!("not:\n  {}", f.trim_end().replace('\n', "\n  ")), props),
        Truth::True
    );
}

#[test]
fn tags_known_absent_and_unknown() {
    assert_eq!(
        truth("tag: Owner\nexists: true\n", json!({"tags": {"Owner": "team"}})),
        Truth::True
    );
    assert_eq!(truth("tag: Owner\nexists: true\n", json!({"tags": {}})), Truth::False);
    assert_eq!(
        truth(
            "tag: Environment\nequals: prod\n",
            json!({"tags": {"Environment": "prod"}})
        ),
        Truth::True
    );
    // The whole tag map is known only after apply: whether a key will be in it is unknown.
    assert_eq!(
        truth("tag: Owner\nexists: true\n", json!({"tags_all": U()})),
        Truth::Unknown
    );
    // One tag's value is known only after apply: the tag exists.
    let mut r = resource(json!({}));
    r.unknown_tags.insert("Owner".into());
    assert_eq!(
        condition("tag: Owner\nexists: true\n")
            .evaluate(&r, &Alone)
            .unwrap()
            .truth,
        Truth::True
    );
    assert_eq!(
        condition("tag: Owner\nequals: x\n").evaluate(&r, &Alone).unwrap().truth,
        Truth::Unknown
    );
    assert_eq!(
        truth("tag: Environment\nequals: prod\n", json!({"tags_all": U()})),
        Truth::Unknown
    );
}

const OPEN_ADMIN: &str = "forEach: $.ingress[*]
require:
  not:
    all:
      - path: $.cidr_blocks[*]
        equals: 0.0.0.0/0
        match: any
      - portRange: {from: $.from_port, to: $.to_port}
        includesAny: [22, 3389]
";

#[test]
fn for_each_with_port_ranges() {
    let open = json!({"ingress": [{"from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}, {"from_port": 20, "to_port": 25, "cidr_blocks": ["0.0.0.0/0"]}]});
    let v = condition(OPEN_ADMIN).evaluate(&resource(open), &Alone).unwrap();
    assert_eq!(v.truth, Truth::False);
    assert!(
        v.facts
            .iter()
            .any(|f| f.contains("ingress[1].cidr_blocks[0]") && f.contains("0.0.0.0/0")),
        "{:?}",
        v.facts
    );
    assert!(v.facts.iter().any(|f| f.contains("include 22")), "{:?}", v.facts);
    let closed = json!({"ingress": [{"from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8"]}]});
    assert_eq!(truth(OPEN_ADMIN, closed), Truth::True);
    assert_eq!(
        truth(OPEN_ADMIN, json!({"ingress": []})),
        Truth::True,
        "no rules, nothing open"
    );
    assert_eq!(truth(OPEN_ADMIN, json!({"ingress": U()})), Truth::Unknown);
    let unknown_cidr = json!({"ingress": [{"from_port": 22, "to_port": 22, "cidr_blocks": U()}]});
    assert_eq!(truth(OPEN_ADMIN, unknown_cidr), Truth::Unknown);
    let all_ports = json!({"ingress": [{"from_port": -1, "to_port": -1, "cidr_blocks": ["0.0.0.0/0"]}]});
    assert_eq!(truth(OPEN_ADMIN, all_ports), Truth::False);
}

#[test]
fn sensitive_values_are_never_echoed() {
    let v = condition("path: $.password\nmatches: '^.{32,}$'\n")
        .evaluate(&resource(json!({"password": "hunter2"})), &Alone)
        .unwrap();
    assert_eq!(v.truth, Truth::False);
    assert!(v.facts.iter().all(|f| !f.contains("hunter2")), "{:?}", v.facts);
    assert!(v.facts.iter().any(|f| f.contains("(sensitive)")));
}

#[test]
fn compile_errors_are_located() {
    let bad = |yaml: &str| {
        let spec: Spanned<ConditionSpec> = serde_saphyr::from_str(yaml).unwrap();
        Condition::compile("rule.yaml", &spec).unwrap_err()
    };
    assert!(bad("path: $.a\n").message.contains("exactly one operator"));
    assert!(bad("path: $.a\nequals: 1\ngte: 2\n").message.contains("found 2"));
    assert!(bad("all: []\n").message.contains("at least one"));
    assert!(bad("forEach: $.a[*]\n").message.contains("go together"));
    let e = bad("all:\n  - path: $.a\n    equals: 1\n  - path: '$[bad'\n    equals: 2\n");
    assert!(e.message.contains("invalid JSONPath"), "{e}");
    assert_eq!(e.line, 4);
    assert!(bad("path: $.a\ntag: b\nexists: true\n").message.contains("either"));
    assert!(
        bad("all:\n  - path: $.a\n    exists: true\nequals: 1\n")
            .message
            .contains("belong to")
    );
}

#[test]
fn pointers_and_display_paths() {
    assert_eq!(to_pointer("$['a'][0]['b/c']"), "/a/0/b~1c");
    assert_eq!(to_pointer("$['it\\'s']"), "/it's");
    assert_eq!(pointer_display("/ingress/1/cidr_blocks/0"), "ingress[1].cidr_blocks[0]");
    assert_eq!(display_path("/ingress/1", "$.from_port"), "ingress[1].from_port");
    assert_eq!(display_path("", "$.a.b"), "a.b");
}

#[test]
fn null_is_absent() {
    // Terraform writes null for optional attributes left unset.
    assert_eq!(
        truth("path: $.replica\nexists: false\n", json!({"replica": null})),
        Truth::True
    );
    assert_eq!(
        truth("path: $.replica\nexists: true\n", json!({"replica": null})),
        Truth::False
    );
    assert_eq!(truth("path: $.n\ngte: 1\n", json!({"n": null})), Truth::False);
}

#[test]
fn messages_name_the_unknown_value_not_its_inside() {
    let v = condition(OPEN_ADMIN)
        .evaluate(&resource(json!({"ingress": U()})), &Alone)
        .unwrap();
    assert_eq!(v.truth, Truth::Unknown);
    assert!(
        v.facts.iter().all(|f| !f.contains(crate::model::UNKNOWN_MARKER)),
        "{:?}",
        v.facts
    );
    assert!(
        v.facts
            .iter()
            .any(|f| f.contains("`ingress` is known only after apply")),
        "{:?}",
        v.facts
    );
}

struct Companions(Vec<Resource>);

impl Neighbours for Companions {
    fn of_types(&self, types: &[String]) -> Vec<&Resource> {
        self.0.iter().filter(|c| types.contains(&c.resource_type)).collect()
    }

    fn referrers(&self, address: &str, via: &str, types: &[String]) -> Vec<&Resource> {
        self.0
            .iter()
            .filter(|c| types.contains(&c.resource_type) && c.references.get(via).is_some_and(|t| t.contains(address)))
            .collect()
    }

    fn referenced<'a>(&'a self, resource: &Resource, via: &str, types: &[String]) -> Vec<&'a Resource> {
        self.0
            .iter()
            .filter(|c| {
                types.contains(&c.resource_type) && resource.references.get(via).is_some_and(|t| t.contains(&c.address))
            })
            .collect()
    }
}

fn companion(address: &str, props: Value) -> Resource {
    let mut c = resource(props);
    c.address = address.into();
    c.resource_type = "aws_s3_bucket_versioning".into();
    c.references.insert("bucket".into(), ["aws_x.y".to_string()].into());
    c
}

const VERSIONED: &str = "any:
  - path: $.versioning[0].enabled
    equals: true
  - related:
      types: [aws_s3_bucket_versioning]
      via: bucket
      require:
        path: $.versioning_configuration[0].status
        equals: Enabled
";

#[test]
fn related_companions_make_a_resource_compliant_and_are_named() {
    let bucket = resource(json!({"versioning": [{"enabled": false}]}));
    let eval = |cs: Vec<Resource>| condition(VERSIONED).evaluate(&bucket, &Companions(cs)).unwrap();
    assert_eq!(eval(vec![]).truth, Truth::False);
    assert_eq!(
        eval(vec![]).facts,
        vec!["`versioning[0].enabled` is false"],
        "only the bucket's own observation"
    );
    let on = companion(
        "aws_s3_bucket_versioning.v",
        json!({"versioning_configuration": [{"status": "Enabled"}]}),
    );
    assert_eq!(eval(vec![on]).truth, Truth::True);
    let off = companion(
        "aws_s3_bucket_versioning.v",
        json!({"versioning_configuration": [{"status": "Suspended"}]}),
    );
    let v = eval(vec![off]);
    assert_eq!(v.truth, Truth::False);
    assert!(v.facts.iter().any(|f| f.starts_with("aws_s3_bucket_versioning.v: `versioning_configuration[0].status` is \"Suspended\"")), "{:?}", v.facts);
    let unknown = companion("aws_s3_bucket_versioning.v", json!({"versioning_configuration": U()}));
    assert_eq!(eval(vec![unknown]).truth, Truth::Unknown);
    // A companion of another resource does not count.
    let mut elsewhere = companion(
        "aws_s3_bucket_versioning.w",
        json!({"versioning_configuration": [{"status": "Enabled"}]}),
    );
    elsewhere
        .references
        .insert("bucket".into(), ["aws_x.other".to_string()].into());
    assert_eq!(eval(vec![elsewhere]).truth, Truth::False);
}

#[test]
fn related_needs_types_via_and_require() {
    let spec: Spanned<ConditionSpec> =
        serde_saphyr::from_str("related:\n  types: []\n  via: bucket\n  require: {path: $.a, exists: true}\n").unwrap();
    assert!(
        Condition::compile("r.yaml", &spec)
            .unwrap_err()
            .message
            .contains("`related` needs")
    );
    assert!(serde_saphyr::from_str::<Spanned<ConditionSpec>>("related:\n  types: [x]\n  via: bucket\n").is_err());
}

#[test]
fn no_value_empty_strings_and_conditional_removal() {
    let exists = "path: $.Key\nexists: true\n";
    assert_eq!(
        truth(exists, json!({"Key": {"Ref": "AWS::NoValue"}})),
        Truth::False,
        "!Ref AWS::NoValue removes it"
    );
    assert_eq!(
        truth(exists, json!({"Key": ""})),
        Truth::False,
        "an empty string is unset"
    );
    assert_eq!(truth("path: $.Key\nexists: false\n", json!({"Key": ""})), Truth::True);
    let conditional = json!({"Key": {"Fn::If": ["C", {"Ref": "K"}, {"Ref": "AWS::NoValue"}]}});
    assert_eq!(truth(exists, conditional), Truth::Unknown);
    assert_eq!(
        truth(exists, json!({"Key": {"Fn::If": ["C", "a", "b"]}})),
        Truth::True,
        "set either way"
    );
}

#[test]
fn conditions_and_parameters_with_allowed_values_are_judged_on_every_value() {
    let c = condition("path: $.Encrypted\nequals: true\n");
    let mut r = resource(json!({"Encrypted": {"Fn::If": ["Prod", true, "true"]}}));
    assert_eq!(
        c.evaluate(&r, &Alone).unwrap().truth,
        Truth::True,
        "true on both branches"
    );
    r.properties = json!({"Encrypted": {"Fn::If": ["Prod", true, false]}});
    assert_eq!(c.evaluate(&r, &Alone).unwrap().truth, Truth::Unknown);
    r.properties = json!({"Encrypted": {"Fn::If": ["Prod", false, {"Ref": "AWS::NoValue"}]}});
    let v = c.evaluate(&r, &Alone).unwrap();
    assert_eq!(v.truth, Truth::False, "false or unset: false either way");
    assert!(v.facts[0].contains("is one of false, unset"), "{:?}", v.facts);
    r.parameters = Some(std::sync::Arc::new(
        json!({"Enc": {"Type": "String", "AllowedValues": ["true"]}, "Free": {"Type": "String", "Default": "true"}}),
    ));
    r.properties = json!({"Encrypted": {"Ref": "Enc"}});
    assert_eq!(c.evaluate(&r, &Alone).unwrap().truth, Truth::True);
    r.properties = json!({"Encrypted": {"Ref": "Free"}});
    assert_eq!(
        c.evaluate(&r, &Alone).unwrap().truth,
        Truth::Unknown,
        "a default can be overridden"
    );
}

#[test]
fn existence_inside_an_undecidable_value_is_unknown() {
    let conditional = json!({"Policies": {"Fn::If": ["C", [{"PolicyName": "x"}], {"Ref": "AWS::NoValue"}]}});
    assert_eq!(
        truth("path: $.Policies[*]\nexists: false\n", conditional.clone()),
        Truth::Unknown
    );
    assert_eq!(
        truth("path: $.Policies[*]\nexists: true\n", conditional),
        Truth::Unknown
    );
    assert_eq!(
        truth("path: $.tags[*]\nexists: true\n", json!({"tags": U()})),
        Truth::Unknown
    );
    // The value itself known after apply: it will exist.
    assert_eq!(truth("path: $.tags\nexists: true\n", json!({"tags": U()})), Truth::True);
}

#[test]
fn paths_that_name_an_intrinsic_inspect_its_form() {
    let getatt = json!({"Resource": {"Fn::GetAtt": ["Role", "Arn"]}});
    assert_eq!(
        truth("path: \"$.Resource['Fn::GetAtt']\"\nexists: true\n", getatt.clone()),
        Truth::True
    );
    assert_eq!(
        truth("path: \"$.Resource['Fn::Sub']\"\nexists: true\n", getatt.clone()),
        Truth::False
    );
    assert_eq!(
        truth("path: $.Resource[*]\nexists: true\n", getatt),
        Truth::Unknown,
        "a wildcard does not name it"
    );
}

#[test]
fn configured_tells_written_attributes_from_provider_defaults() {
    let c = condition("configured: ingress\n");
    let mut r = resource(json!({"ingress": U()}));
    assert_eq!(
        c.evaluate(&r, &Alone).unwrap().truth,
        Truth::Unknown,
        "no configuration in the input"
    );
    r.configured = Some(std::sync::Arc::new(["name".to_string()].into()));
    let v = c.evaluate(&r, &Alone).unwrap();
    assert_eq!(v.truth, Truth::False);
    assert!(v.facts[0].contains("the provider's default applies"));
    // The security-group pattern: rules not written inline are checked as separate resources.
    let sg = condition(&format!(
        "any:\n  - not:\n      configured: ingress\n  - {}",
        OPEN_ADMIN.trim_end().replace('\n', "\n    ")
    ));
    assert_eq!(sg.evaluate(&r, &Alone).unwrap().truth, Truth::True);
    r.configured = Some(std::sync::Arc::new(["ingress".to_string()].into()));
    assert_eq!(
        sg.evaluate(&r, &Alone).unwrap().truth,
        Truth::Unknown,
        "written inline but known only after apply"
    );
}

#[test]
fn combinators_count_verdicts_not_facts() {
    // A true verdict without facts still decides `any`, and a false one `all`.
    let silent = |truth| Verdict {
        truth,
        facts: Vec::new(),
    };
    let loud = |truth| Verdict::new(truth, "x");
    assert_eq!(
        combine([silent(Truth::True), loud(Truth::False)], Quantifier::Any).truth,
        Truth::True
    );
    assert_eq!(
        combine([silent(Truth::False), loud(Truth::True)], Quantifier::All).truth,
        Truth::False
    );
    assert_eq!(
        combine([silent(Truth::False), loud(Truth::Unknown)], Quantifier::Any).truth,
        Truth::Unknown
    );
    assert_eq!(combine(Vec::new(), Quantifier::Any).truth, Truth::False);
    assert_eq!(combine(Vec::new(), Quantifier::All).truth, Truth::True);
}

#[test]
fn tags_exist_from_a_list_or_a_parameter() {
    let r = resource(json!({"tags": {"Owner": "a", "Environment": "prod"}}));
    let v = condition("tagsExist: [Owner, Environment, DataClassification]\n")
        .evaluate(&r, &Alone)
        .unwrap();
    assert_eq!(v.truth, Truth::False);
    assert_eq!(v.facts, vec!["tag `DataClassification` is not set"]);
    let spec: Spanned<ConditionSpec> = serde_saphyr::from_str("tagsExist: {parameter: tags}\n").unwrap();
    let params: Parameters = [("tags".to_string(), json!(["Owner", "Environment"]))].into();
    let c = Condition::compile_with("r.yaml", &spec, &params).unwrap();
    assert_eq!(c.evaluate(&r, &Alone).unwrap().truth, Truth::True);
    assert!(
        Condition::compile("r.yaml", &spec)
            .unwrap_err()
            .message
            .contains("not declared")
    );
    let bad: Parameters = [("tags".to_string(), json!("Owner"))].into();
    assert!(
        Condition::compile_with("r.yaml", &spec, &bad)
            .unwrap_err()
            .message
            .contains("must be a list")
    );
}

#[test]
fn siblings_are_any_resource_of_a_type_in_the_file() {
    let recorder = resource(json!({}));
    let c = condition(
        "sibling:\n  types: [aws_s3_bucket_versioning]\n  require:\n    path: $.versioning_configuration[0].status\n    equals: Enabled\n",
    );
    assert_eq!(c.evaluate(&recorder, &Companions(vec![])).unwrap().truth, Truth::False);
    let mut unrelated = companion(
        "aws_s3_bucket_versioning.v",
        json!({"versioning_configuration": [{"status": "Enabled"}]}),
    );
    unrelated.references.clear();
    assert_eq!(
        c.evaluate(&recorder, &Companions(vec![unrelated])).unwrap().truth,
        Truth::True,
        "no reference needed"
    );
}

#[test]
fn operands_may_be_rule_parameters() {
    let spec: Spanned<ConditionSpec> =
        serde_saphyr::from_str("tag: DataClassification\nmatches: {parameter: classified}\n").unwrap();
    let params: Parameters = [("classified".to_string(), json!("(?i)^secret$"))].into();
    let c = Condition::compile_with("r.yaml", &spec, &params).unwrap();
    let r = resource(json!({"tags": {"DataClassification": "Secret"}}));
    assert_eq!(c.evaluate(&r, &Alone).unwrap().truth, Truth::True);
    assert!(
        Condition::compile("r.yaml", &spec)
            .unwrap_err()
            .message
            .contains("not declared")
    );
    let spec: Spanned<ConditionSpec> = serde_saphyr::from_str("path: $.a\noneOf: {parameter: options}\n").unwrap();
    let params: Parameters = [("options".to_string(), json!(["x", "y"]))].into();
    let c = Condition::compile_with("r.yaml", &spec, &params).unwrap();
    assert_eq!(
        c.evaluate(&resource(json!({"a": "y"})), &Alone).unwrap().truth,
        Truth::True
    );
    let bad: Parameters = [("options".to_string(), json!("x"))].into();
    assert!(
        Condition::compile_with("r.yaml", &spec, &bad)
            .unwrap_err()
            .message
            .contains("needs a list")
    );
}

#[test]
fn sensitive_tags_and_port_ranges_are_never_echoed() {
    let mut r = resource(
        json!({"tags": {"Owner": "s3cr3t-owner"}, "ingress": [{"from_port": 6022, "to_port": 6023, "cidr_blocks": ["0.0.0.0/0"]}]}),
    );
    for sensitive in ["/tags/Owner", "/tags", "/tags_all/Owner"] {
        r.sensitive_paths = vec![sensitive.into()];
        for yaml in [
            "tag: Owner\nequals: nobody\n",
            "tag: Owner\nmatches: '^x'\n",
            "tag: Owner\nnotEquals: nobody\n",
        ] {
            let v = condition(yaml).evaluate(&r, &Alone).unwrap();
            assert!(
                v.facts.iter().all(|f| !f.contains("s3cr3t")),
                "{sensitive} {yaml}: {:?}",
                v.facts
            );
            assert!(v.facts.iter().any(|f| f.contains("(sensitive)")), "{:?}", v.facts);
        }
    }
    // Not sensitive, the value is the fact.
    r.sensitive_paths.clear();
    let v = condition("tag: Owner\nequals: nobody\n").evaluate(&r, &Alone).unwrap();
    assert!(v.facts.iter().any(|f| f.contains("s3cr3t-owner")), "{:?}", v.facts);

    let range = "portRange:\n  from: $.ingress[0].from_port\n  to: $.ingress[0].to_port\n";
    let ports = &format!("{range}includesAny: [6022, 22]\n");
    let none = &format!("{range}includesAny: [22]\n");
    for sensitive in ["/ingress", "/ingress/0", "/ingress/0/from_port", "/ingress/0/to_port"] {
        r.sensitive_paths = vec![sensitive.into()];
        for (yaml, want) in [(ports, Truth::True), (none, Truth::False)] {
            let v = condition(yaml).evaluate(&r, &Alone).unwrap();
            assert_eq!(v.truth, want, "{sensitive}");
            assert!(
                v.facts.iter().all(|f| !f.contains("6022") && !f.contains("6023")),
                "{sensitive}: {:?}",
                v.facts
            );
            assert!(v.facts.iter().any(|f| f.contains("(sensitive)")), "{:?}", v.facts);
        }
        // Inside a forEach, the element's pointer is the prefix.
        let v = condition(OPEN_ADMIN).evaluate(&r, &Alone).unwrap();
        assert!(v.facts.iter().all(|f| !f.contains("6022")), "{:?}", v.facts);
    }
    r.properties["ingress"][0]["from_port"] = json!("ssh-6022");
    r.sensitive_paths = vec!["/ingress/0/from_port".into()];
    let v = condition(ports).evaluate(&r, &Alone).unwrap();
    assert!(v.facts.iter().all(|f| !f.contains("ssh-6022")), "{:?}", v.facts);
}

/// `{"Fn::controlgate:YamlReadings": [yaml12, yaml11]}`.
fn two(yaml12: Value, yaml11: Value) -> Value {
    crate::model::readings_marker(yaml12, yaml11)
}

#[test]
fn comparisons_on_values_that_are_not_finite_numbers_are_unknown() {
    let c = "path: $.n\ngte: 7\n";
    let not = "not:\n  path: $.n\n  lt: 7\n";
    for v in [
        json!("nan"),
        json!("NaN"),
        json!("inf"),
        json!("-infinity"),
        json!("1e400"),
        json!(".inf"),
        json!("abc"),
        json!(true),
        json!([7]),
    ] {
        assert_eq!(truth(c, json!({ "n": v })), Truth::Unknown, "{v}");
        assert_eq!(truth(not, json!({ "n": v })), Truth::Unknown, "{v} under not");
    }
    assert_eq!(truth(c, json!({"n": "1e3"})), Truth::True);
    assert_eq!(truth(not, json!({"n": 1.5})), Truth::False);
}

#[test]
fn port_bounds_that_are_not_whole_numbers_are_unknown() {
    let open =
        |from: Value, to: Value| json!({"ingress": [{"from_port": from, "to_port": to, "cidr_blocks": ["0.0.0.0/0"]}]});
    for bad in [
        json!("nan"),
        json!(".nan"),
        json!("inf"),
        json!(".inf"),
        json!("1e400"),
        json!("-1e400"),
        json!(21.5),
        json!("ssh"),
        json!(""),
        json!(false),
        json!({"a": 1}),
    ] {
        let v = condition(OPEN_ADMIN)
            .evaluate(&resource(open(bad.clone(), json!(22))), &Alone)
            .unwrap();
        assert_eq!(v.truth, Truth::Unknown, "from {bad}: {:?}", v.facts);
        assert!(v.facts.iter().any(|f| f.contains("not a port number")), "{:?}", v.facts);
        assert_eq!(
            truth(OPEN_ADMIN, open(json!(22), bad.clone())),
            Truth::Unknown,
            "to {bad}"
        );
    }
    // Whole numbers in any spelling are ports.
    assert_eq!(truth(OPEN_ADMIN, open(json!("22"), json!(22.0))), Truth::False);
    assert_eq!(truth(OPEN_ADMIN, open(json!(80), json!("80"))), Truth::True);
}

#[test]
fn both_yaml_readings_are_judged() {
    let public = "not:\n  path: $.PubliclyAccessible\n  equals: true\n";
    // `yes`: the string "yes" under YAML 1.2, true under YAML 1.1: never a pass.
    let v = condition(public)
        .evaluate(
            &resource(json!({"PubliclyAccessible": two(json!("yes"), json!(true))})),
            &Alone,
        )
        .unwrap();
    assert_eq!(v.truth, Truth::Unknown);
    assert!(
        v.facts.iter().any(|f| f.contains("YAML 1.1") && f.contains("\"yes\"")),
        "{:?}",
        v.facts
    );
    // Readings that agree decide: `no` is false, or the string "no", and neither equals true.
    assert_eq!(
        truth(public, json!({"PubliclyAccessible": two(json!("no"), json!(false))})),
        Truth::True
    );
    // Under an `!If`, and as a parameter's allowed values.
    let branches = json!({"PubliclyAccessible": {"Fn::If": ["C", false, two(json!("on"), json!(true))]}});
    assert_eq!(truth(public, branches), Truth::Unknown);
    let mut r = resource(json!({"PubliclyAccessible": {"Ref": "P"}}));
    r.parameters = Some(Arc::new(
        json!({"P": {"AllowedValues": [false, two(json!("y"), json!(true))]}}),
    ));
    assert_eq!(condition(public).evaluate(&r, &Alone).unwrap().truth, Truth::Unknown);
    // Existence is not in doubt.
    assert_eq!(
        truth("path: $.E\nexists: true\n", json!({"E": two(json!("on"), json!(true))})),
        Truth::True
    );
    // A comparison: 026 is "026" (26) in YAML 1.2, 22 in YAML 1.1.
    assert_eq!(
        truth("path: $.n\ngte: 25\n", json!({"n": two(json!("026"), json!(22))})),
        Truth::Unknown
    );
    assert_eq!(
        truth("path: $.n\ngte: 20\n", json!({"n": two(json!("026"), json!(22))})),
        Truth::True
    );
}

#[test]
fn port_ranges_judge_every_reading_of_each_bound() {
    let rule =
        |from: Value, to: Value| json!({"ingress": [{"from_port": from, "to_port": to, "cidr_blocks": ["0.0.0.0/0"]}]});
    // 026 is port 26 under YAML 1.2, port 22 under YAML 1.1.
    let octal = || two(json!("026"), json!(22));
    let v = condition(OPEN_ADMIN)
        .evaluate(&resource(rule(octal(), octal())), &Alone)
        .unwrap();
    assert_eq!(v.truth, Truth::Unknown, "{:?}", v.facts);
    assert!(v.facts.iter().any(|f| f.contains("include 22")), "{:?}", v.facts);
    // Both readings open 22, or neither does: decided.
    assert_eq!(
        truth(OPEN_ADMIN, rule(two(json!("0:20"), json!(20)), octal())),
        Truth::Unknown
    );
    assert_eq!(truth(OPEN_ADMIN, rule(json!(0), octal())), Truth::False);
    assert_eq!(
        truth(OPEN_ADMIN, rule(two(json!("0b1000000"), json!(64)), json!(80))),
        Truth::Unknown
    );
    assert_eq!(
        truth(OPEN_ADMIN, rule(two(json!(443), json!("0o673")), json!(443))),
        Truth::Unknown
    );
    let branches = json!({"Fn::If": ["C", 80, 20]});
    assert_eq!(truth(OPEN_ADMIN, rule(branches.clone(), json!(25))), Truth::Unknown);
    assert_eq!(
        truth(OPEN_ADMIN, rule(json!({"Fn::If": ["C", 80, 443]}), json!(443))),
        Truth::True
    );
    assert_eq!(
        truth(OPEN_ADMIN, rule(json!({"Fn::If": ["C", 20, 21]}), json!(23))),
        Truth::False
    );
}

#[test]
fn iam_action_and_resource_patterns_and_ec2_protocols() {
    let passrole = "path: $.Action\nactionMatches: [iam:PassRole]\n";
    for glob in ["iam:PassRole", "IAM:passrole", "iam:P*Role", "iam:*Ro*", "*"] {
        assert_eq!(truth(passrole, json!({"Action": glob})), Truth::True, "{glob}");
    }
    assert_eq!(truth(passrole, json!({"Action": "iam:GetRole"})), Truth::False);
    // A list is judged through `[*]`; the list itself is no pattern.
    assert_eq!(truth(passrole, json!({"Action": ["iam:PassRole"]})), Truth::False);
    assert_eq!(
        truth(
            "path: $.Action[*]\nmatch: any\nactionMatches: [iam:PassRole]\n",
            json!({"Action": ["s3:GetObject", "iam:Pass*"]})
        ),
        Truth::True
    );
    assert_eq!(
        truth(passrole, json!({"Action": {"Fn::Sub": "iam:${Verb}"}})),
        Truth::Unknown
    );
    let admin = "path: $.Action\nactionMatches: ['*']\n";
    assert_eq!(truth(admin, json!({"Action": "*:*"})), Truth::True);
    assert_eq!(truth(admin, json!({"Action": "iam:*"})), Truth::False);

    let roles = "path: $.Resource\nresourceCovers: iam-roles\n";
    assert_eq!(truth(roles, json!({"Resource": "arn:aws:iam::*:role/*"})), Truth::True);
    assert_eq!(
        truth(roles, json!({"Resource": "arn:aws:iam::1:role/app"})),
        Truth::False
    );
    let everything = "path: $.Resource\nresourceCovers: all\n";
    assert_eq!(truth(everything, json!({"Resource": "arn:*"})), Truth::True);
    assert_eq!(truth(everything, json!({"Resource": "arn:aws:s3:::*"})), Truth::False);

    let open = "path: $.IpProtocol\nprotocolIn: [all]\n";
    for p in [json!("-1"), json!(-1), json!("all"), json!("ALL")] {
        assert_eq!(truth(open, json!({"IpProtocol": p})), Truth::True, "{p}");
    }
    let ported = "path: $.IpProtocol\nprotocolIn: [tcp, udp]\n";
    for p in [json!("tcp"), json!("TCP"), json!("Udp"), json!(6), json!("17")] {
        assert_eq!(truth(ported, json!({"IpProtocol": p})), Truth::True, "{p}");
    }
    assert_eq!(truth(ported, json!({"IpProtocol": "icmp"})), Truth::False);
    // A protocol EC2 rejects is neither.
    assert_eq!(truth(ported, json!({"IpProtocol": "ssh"})), Truth::Unknown);
    assert_eq!(truth(open, json!({"IpProtocol": "ssh"})), Truth::Unknown);
}

#[test]
fn iam_and_ec2_operands_are_checked_when_the_rule_loads() {
    for yaml in [
        "path: $.A\nactionMatches: ['iam:Pass*']\n",
        "path: $.A\nactionMatches: [PassRole]\n",
        "path: $.A\nactionMatches: []\n",
        "path: $.R\nresourceCovers: roles\n",
        "path: $.P\nprotocolIn: [ssh]\n",
    ] {
        let spec: Spanned<ConditionSpec> = serde_saphyr::from_str(yaml).unwrap();
        assert!(Condition::compile("rule.yaml", &spec).is_err(), "{yaml}");
    }
}

const REPLICA_SOURCE: &str = "any:
  - path: $.encrypted
    equals: true
  - refersTo:
      types: [aws_db_instance]
      via: replicate_source_db
  - undecidable: the source is outside the input
";

#[test]
fn refers_to_finds_the_source_this_resource_names() {
    let mut replica = resource(json!({"encrypted": false}));
    replica.address = "aws_db_instance.replica".into();
    let mut source = resource(json!({"storage_encrypted": true}));
    source.address = "aws_db_instance.primary".into();
    source.resource_type = "aws_db_instance".into();
    // Without a reference, the source is outside the input: unknown, with the reason.
    let v = condition(REPLICA_SOURCE)
        .evaluate(&replica, &Companions(vec![source.clone()]))
        .unwrap();
    assert_eq!(v.truth, Truth::Unknown);
    assert!(
        v.facts.iter().any(|f| f == "the source is outside the input"),
        "{:?}",
        v.facts
    );
    replica.references.insert(
        "replicate_source_db".into(),
        ["aws_db_instance.primary".to_string()].into(),
    );
    let v = condition(REPLICA_SOURCE)
        .evaluate(&replica, &Companions(vec![source.clone()]))
        .unwrap();
    assert_eq!(v.truth, Truth::True);
    // A reference through another attribute, or to a resource of another type, does not count.
    let mut other = replica.clone();
    other.references.clear();
    other
        .references
        .insert("kms_key_id".into(), ["aws_db_instance.primary".to_string()].into());
    assert_eq!(
        condition(REPLICA_SOURCE)
            .evaluate(&other, &Companions(vec![source.clone()]))
            .unwrap()
            .truth,
        Truth::Unknown
    );
    let mut bucket = source.clone();
    bucket.resource_type = "aws_s3_bucket".into();
    assert_eq!(
        condition(REPLICA_SOURCE)
            .evaluate(&replica, &Companions(vec![bucket]))
            .unwrap()
            .truth,
        Truth::Unknown
    );
    // `require` is judged on the source, with its own paths.
    let judged = "refersTo:\n  types: [aws_db_instance]\n  via: replicate_source_db\n  require: {path: $.storage_encrypted, equals: true}\n";
    assert_eq!(
        condition(judged)
            .evaluate(&replica, &Companions(vec![source.clone()]))
            .unwrap()
            .truth,
        Truth::True
    );
    let mut plain = source;
    plain.properties = json!({"storage_encrypted": false});
    let v = condition(judged).evaluate(&replica, &Companions(vec![plain])).unwrap();
    assert_eq!(v.truth, Truth::False);
    assert!(
        v.facts.iter().any(|f| f.starts_with("aws_db_instance.primary: ")),
        "{:?}",
        v.facts
    );
}

#[test]
fn refers_to_and_undecidable_need_their_parts() {
    for (text, needle) in [
        ("refersTo:\n  types: []\n  via: a\n", "`refersTo` needs"),
        ("undecidable: ' '\n", "`undecidable` needs"),
    ] {
        let spec: Spanned<ConditionSpec> = serde_saphyr::from_str(text).unwrap();
        let e = Condition::compile("r.yaml", &spec).unwrap_err();
        assert!(e.message.contains(needle), "{}", e.message);
    }
    // `undecidable` under `not` stays unknown.
    assert_eq!(truth("not: {undecidable: why}\n", json!({})), Truth::Unknown);
}

#[test]
fn the_docs_show_the_operator_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/policies.md");
    let docs = std::fs::read_to_string(path).unwrap();
    let (head, rest) = docs.split_once("<!-- operators:begin -->\n").expect("begin marker");
    let (table, tail) = rest.split_once("<!-- operators:end -->").expect("end marker");
    if std::env::var_os("CONTROLGATE_WRITE_DOCS").is_some() {
        let text = format!(
            "{head}<!-- operators:begin -->\n{}<!-- operators:end -->{tail}",
            docs_table()
        );
        std::fs::write(path, text).unwrap();
        return;
    }
    assert_eq!(
        table,
        docs_table(),
        "docs/policies.md is out of date: rerun this test with CONTROLGATE_WRITE_DOCS=1"
    );
}

#[test]
fn every_operator_of_the_table_is_a_field_and_listed_in_the_help() {
    let mut names: Vec<&str> = OPERATORS.iter().map(|o| o.name).collect();
    let help = {
        let spec: Spanned<ConditionSpec> = serde_saphyr::from_str("path: $.a\n").unwrap();
        Condition::compile("rule.yaml", &spec).unwrap_err().help.unwrap()
    };
    assert_eq!(help, format!("operators: {}", names.join(", ")));
    for o in OPERATORS {
        // Each name is a rule-file field (a wrong operand type is another error).
        let yaml = format!("path: $.a\n{}: {{parameter: p}}\n", o.name);
        if let Err(e) = serde_saphyr::from_str::<Spanned<ConditionSpec>>(&yaml) {
            assert!(!e.to_string().contains("unknown field"), "{}: {e}", o.name);
        }
    }
    let e = serde_saphyr::from_str::<Spanned<ConditionSpec>>("path: $.a\nbogus: 1\n").unwrap_err();
    assert!(e.to_string().contains("unknown field"), "{e}");
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n, "operator names are unique");
}

/// A run that names a change record.
struct Named;

impl Neighbours for Named {
    fn referrers(&self, _: &str, _: &str, _: &[String]) -> Vec<&Resource> {
        Vec::new()
    }
    fn of_types(&self, _: &[String]) -> Vec<&Resource> {
        Vec::new()
    }
    fn referenced<'a>(&'a self, _: &Resource, _: &str, _: &[String]) -> Vec<&'a Resource> {
        Vec::new()
    }
    fn change_record(&self) -> Option<&str> {
        Some("CHG-1234")
    }
}

#[test]
fn change_record_is_a_fact_of_the_run() {
    let r = resource(json!({}));
    let named = condition("changeRecord: true\n").evaluate(&r, &Named).unwrap();
    assert_eq!(named.truth, Truth::True);
    assert_eq!(named.facts, ["the run names change record `CHG-1234`"]);
    let none = condition("changeRecord: true\n").evaluate(&r, &Alone).unwrap();
    assert_eq!(
        (none.truth, none.facts[0].as_str()),
        (Truth::False, "the run names no change record")
    );
    assert_eq!(truth("changeRecord: false\n", json!({})), Truth::True);
    assert_eq!(
        condition("not: {changeRecord: true}\n")
            .evaluate(&r, &Named)
            .unwrap()
            .truth,
        Truth::False
    );
    // It stands alone, like every form.
    let spec: Spanned<ConditionSpec> = serde_saphyr::from_str("changeRecord: true\npath: $.a\nexists: true\n").unwrap();
    let e = Condition::compile("r.yaml", &spec).unwrap_err();
    assert!(e.message.contains("exactly one of"), "{e}");
}
