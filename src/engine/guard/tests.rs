use std::path::PathBuf;

use super::*;
use crate::model::{Anchor, InputFormat, SourceFile};

fn resource(address: &str, resource_type: &str, properties: Value) -> Resource {
    let source = Arc::new(SourceFile {
        path: PathBuf::from("t.json"),
        display: "t.json".into(),
        repo_path: "t.json".into(),
        text: String::new(),
    });
    Resource::new(
        address.into(),
        resource_type.into(),
        InputFormat::Cloudformation,
        properties,
        source,
        Anchor::JsonPointer(String::new()),
    )
}

const RULES: &str = "# control: T-1
let buckets = Resources.*[ Type == 'AWS::S3::Bucket' ]

rule S3_VERSIONING when %buckets !empty {
    %buckets.Properties.VersioningConfiguration.Status == 'Enabled'
    <<Versioning must be enabled>>
}

rule S3_NAMED when %buckets !empty {
    %buckets.Properties.BucketName exists
}
";

fn template() -> Value {
    json!({"Resources": {
        "Good": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "a", "VersioningConfiguration": {"Status": "Enabled"}}},
        "Bad": {"Type": "AWS::S3::Bucket", "Properties": {"VersioningConfiguration": {"Status": "Suspended"}}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}}
    }})
}

#[test]
fn each_rule_gets_an_outcome_per_resource() {
    let file = GuardFile::compile("x.guard", RULES).unwrap();
    assert_eq!(file.names(), ["S3_VERSIONING", "S3_NAMED"]);
    let report = file.evaluate_template(&template()).unwrap();
    let versioning = &report["S3_VERSIONING"];
    assert_eq!(versioning["Good"], Outcome::Pass);
    assert_eq!(
        versioning["Bad"],
        Outcome::Fail(vec!["Versioning must be enabled".into()])
    );
    assert_eq!(versioning["Topic"], Outcome::Skip);
    let Outcome::Fail(messages) = &report["S3_NAMED"]["Bad"] else {
        panic!("S3_NAMED should fail on Bad: {report:?}")
    };
    assert!(messages[0].contains("[BucketName] is missing"), "{messages:?}");
    assert!(
        !messages[0].contains("[L:"),
        "offsets into Guard's JSON text are dropped: {messages:?}"
    );
    assert_eq!(report["S3_NAMED"]["Good"], Outcome::Pass);
}

#[test]
fn a_syntax_error_is_located_at_its_line() {
    let text = "# control: T-1\n\nrule OK {\n  Resources exists\n}\n\nrule BROKEN {\n  Resources.* ==\n}\n";
    let err = GuardFile::compile("rules/x.guard", text).unwrap_err();
    assert_eq!(err.file, "rules/x.guard");
    assert_eq!(err.line, 8, "{err:?}");
    assert!(err.message.starts_with("Guard syntax error"), "{err:?}");
    assert!(!err.message.contains("RULES_STDIN"), "{err:?}");
}

#[test]
fn a_file_without_rules_is_an_error() {
    let err = GuardFile::compile("x.guard", "let a = Resources.*\n").unwrap_err();
    assert!(err.message.contains("names no rule"), "{err:?}");
}

#[test]
fn over_deep_data_is_an_error_before_guard_sees_it() {
    let file = GuardFile::compile("x.guard", RULES).unwrap();
    let mut deep = json!("leaf");
    for _ in 0..MAX_DEPTH {
        deep = json!({ "a": deep });
    }
    let template = json!({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": deep}}});
    let err = file.evaluate_template(&template).unwrap_err();
    assert!(err.contains("deeper than"), "{err}");
    // Just under the bound, the same shape is evaluated.
    let mut shallow = json!("leaf");
    for _ in 0..MAX_DEPTH - 4 {
        shallow = json!({ "a": shallow });
    }
    let template = json!({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": shallow}}});
    assert!(file.evaluate_template(&template).is_ok());
}

#[test]
fn depth_counts_every_level() {
    assert!(!exceeds_depth(&json!({"a": [1]}), 3));
    assert!(exceeds_depth(&json!({"a": [[1]]}), 3));
}

#[test]
fn the_seam_yields_verdicts_with_messages_as_facts() {
    let file = Arc::new(GuardFile::compile("x.guard", RULES).unwrap());
    let rule = GuardRule {
        file,
        name: "S3_VERSIONING".into(),
    };
    let resources = template();
    let mut bad = resource(
        "Bad",
        "AWS::S3::Bucket",
        resources["Resources"]["Bad"]["Properties"].clone(),
    );
    let verdict = rule.evaluate(&bad, &crate::engine::Alone).unwrap();
    assert_eq!(verdict.truth, Truth::False);
    assert_eq!(verdict.facts, ["Versioning must be enabled"]);
    bad.properties = resources["Resources"]["Good"]["Properties"].clone();
    assert_eq!(rule.evaluate(&bad, &crate::engine::Alone).unwrap().truth, Truth::True);
}
