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
fn one_run_places_each_failure_on_its_resource() {
    let file = GuardFile::compile("x.guard", RULES).unwrap();
    assert_eq!(file.names(), ["S3_VERSIONING", "S3_NAMED"]);
    let report = file.evaluate(&template()).unwrap();
    let versioning = &report["S3_VERSIONING"];
    assert_eq!(versioning.status, Status::Fail);
    assert_eq!(versioning.failures.keys().collect::<Vec<_>>(), ["Bad"]);
    assert_eq!(
        versioning.failures["Bad"],
        [Failure {
            message: "Versioning must be enabled".into(),
            path: "/Properties/VersioningConfiguration/Status".into(),
            two_ways: false
        }]
    );
    assert!(versioning.unplaced.is_empty());
    let named = &report["S3_NAMED"].failures["Bad"];
    assert!(named[0].message.contains("[BucketName] is missing"), "{named:?}");
    assert!(
        !named[0].message.contains("[L:"),
        "offsets into Guard's JSON text are dropped: {named:?}"
    );
    assert_eq!(named[0].path, "/Properties");
}

#[test]
fn a_rule_that_selects_nothing_is_skipped_and_a_clean_one_passes() {
    let file = GuardFile::compile("x.guard", RULES).unwrap();
    let report = file
        .evaluate(&json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}))
        .unwrap();
    assert_eq!(report["S3_VERSIONING"].status, Status::Skip);
    let good = json!({"Resources": {"Good": template()["Resources"]["Good"].clone()}});
    let report = file.evaluate(&good).unwrap();
    assert_eq!(report["S3_VERSIONING"].status, Status::Pass);
    assert!(report["S3_VERSIONING"].failures.is_empty());
}

#[test]
fn a_failure_on_no_resource_is_kept_unplaced() {
    let text =
        "rule HAS_TRAIL {\n  Resources.*[ Type == 'AWS::CloudTrail::Trail' ] !empty\n  <<a trail is required>>\n}\n";
    let file = GuardFile::compile("x.guard", text).unwrap();
    let report = file.evaluate(&template()).unwrap();
    let rule = &report["HAS_TRAIL"];
    assert_eq!(rule.status, Status::Fail);
    assert!(rule.failures.is_empty(), "{rule:?}");
    assert!(!rule.unplaced.is_empty(), "{rule:?}");
}

#[test]
fn ids_are_matched_whole_and_longest_first() {
    let ids: IdSet<'_> = ["Bucket", "BucketPolicy", "a/b", "a"].into_iter().collect();
    assert_eq!(
        resource_of("/Resources/BucketPolicy/Properties", &ids),
        Some(("BucketPolicy", "/Properties"))
    );
    assert_eq!(resource_of("/Resources/Bucket", &ids), Some(("Bucket", "")));
    assert_eq!(
        resource_of("/Resources/a/b/Properties/x", &ids),
        Some(("a/b", "/Properties/x"))
    );
    assert_eq!(resource_of("/Resources/Buckets/Properties", &ids), None);
    assert_eq!(resource_of("/Parameters/Bucket", &ids), None);
    assert_eq!(resource_of("/Resources/a/c", &ids), Some(("a", "/c")));
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
    let err = file.evaluate(&template).unwrap_err();
    assert!(err.contains("deeper than"), "{err}");
    // Just under the bound, the same shape is evaluated.
    let mut shallow = json!("leaf");
    for _ in 0..MAX_DEPTH - 4 {
        shallow = json!({ "a": shallow });
    }
    let template = json!({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": shallow}}});
    assert!(file.evaluate(&template).is_ok());
}

#[test]
fn depth_counts_every_level() {
    assert!(!exceeds_depth(&json!({"a": [1]}), 3));
    assert!(exceeds_depth(&json!({"a": [[1]]}), 3));
}

#[test]
fn the_seam_yields_verdicts_with_messages_as_facts() {
    let file = Arc::new(GuardFile::compile("x.guard", RULES).unwrap());
    let rule = GuardRule::alone(file, "S3_VERSIONING", vec!["AWS::S3::Bucket".into()]);
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
    let topic = resource("Topic", "AWS::SNS::Topic", json!({}));
    assert!(
        !rule.applies(&topic, &crate::engine::Alone).unwrap(),
        "a skipped rule is not about the topic"
    );
}

#[test]
fn a_terraform_failure_at_a_value_known_after_apply_is_unknown() {
    let text = "rule VERSIONED {\n  Resources.*[ Type == 'aws_s3_bucket' ].Properties.versioning.enabled == true\n}\n";
    let file = Arc::new(GuardFile::compile("x.guard", text).unwrap());
    let rule = GuardRule::alone(file, "VERSIONED", vec!["aws_s3_bucket".into()]);
    let mut r = resource(
        "aws_s3_bucket.b",
        "aws_s3_bucket",
        json!({"versioning": crate::model::unknown_marker()}),
    );
    r.unknown_paths = vec!["/versioning".into()];
    let verdict = rule.evaluate(&r, &crate::engine::Alone).unwrap();
    assert_eq!(verdict.truth, Truth::Unknown, "{verdict:?}");
    assert!(verdict.facts[0].contains("known only after apply"), "{verdict:?}");
    r.properties = json!({"versioning": {"enabled": false}});
    r.unknown_paths.clear();
    assert_eq!(rule.evaluate(&r, &crate::engine::Alone).unwrap().truth, Truth::False);
}

#[test]
fn a_block_on_a_resource_without_the_block_fails_on_that_resource() {
    let text = "rule NO_NAME {\n  AWS::IAM::Group {\n    Properties {\n      GroupName empty\n    }\n  }\n}\n";
    let file = GuardFile::compile("x.guard", text).unwrap();
    let report = file
        .evaluate(&json!({"Resources": {
            "Bare": {"Type": "AWS::IAM::Group"},
            "Named": {"Type": "AWS::IAM::Group", "Properties": {"GroupName": "g"}},
            "Fine": {"Type": "AWS::IAM::Group", "Properties": {}}
        }}))
        .unwrap();
    let rule = &report["NO_NAME"];
    assert_eq!(rule.status, Status::Fail);
    assert_eq!(rule.failures.keys().collect::<Vec<_>>(), ["Bare", "Named"], "{rule:?}");
    assert!(rule.unplaced.is_empty(), "{rule:?}");
}

#[test]
fn a_comparison_between_resources_is_never_dropped() {
    // cfn-guard 3.2.1 reports a comparison with a query or variable on its right as the right
    // side's value "not present in" itself: its report names only A, so the failure is on A.
    let text = "let a = Resources.A.Properties.Size\nrule SAME_SIZE {\n  Resources.B.Properties.Size == %a\n}\n";
    let file = GuardFile::compile("x.guard", text).unwrap();
    let report = file
        .evaluate(&json!({"Resources": {
            "A": {"Type": "AWS::EC2::Volume", "Properties": {"Size": 8}},
            "B": {"Type": "AWS::EC2::Volume", "Properties": {"Size": 9}}
        }}))
        .unwrap();
    let rule = &report["SAME_SIZE"];
    assert_eq!(rule.status, Status::Fail);
    assert!(!rule.failures.is_empty() || !rule.unplaced.is_empty(), "{rule:?}");
}

/// Files for a batch: `RULES`, a file whose rule name clashes with one of it, six more, and
/// (at index 1) one cfn-guard cannot parse, built past `compile` as a file could only fail at
/// run time.
fn batch_files() -> Vec<Arc<GuardFile>> {
    let mut files = vec![
        Arc::new(GuardFile::compile("a.guard", RULES).unwrap()),
        Arc::new(GuardFile {
            file: "broken.guard".into(),
            text: "rule BROKEN {\n  Resources.*[ Type == \n".into(),
            names: vec!["BROKEN".into()],
        }),
        Arc::new(
            GuardFile::compile(
                "clash.guard",
                "rule S3_NAMED {\n  Resources.*[ Type == 'AWS::S3::Bucket' ].Properties.Tags exists\n}\n",
            )
            .unwrap(),
        ),
    ];
    for k in 0..6 {
        let text = format!(
            "rule TOPIC_{k} when Resources.*[ Type == 'AWS::SNS::Topic' ] !empty {{\n  Resources.*[ Type == 'AWS::SNS::Topic' ].Properties.KmsMasterKeyId exists\n}}\n"
        );
        files.push(Arc::new(GuardFile::compile(&format!("t{k}.guard"), &text).unwrap()));
    }
    files
}

#[test]
fn a_batch_reports_what_each_file_reports_alone_whatever_the_threads() {
    let files = batch_files();
    let batch = GuardBatch::new(files.clone());
    let groups = batch.groups(1, 1000);
    assert!(
        batch.groups(1, GROUP_BYTES).iter().all(|g| g.len() == 1),
        "large data: a file at a time"
    );
    assert!(groups.iter().any(|g| g.len() > 1), "files share runs: {groups:?}");
    for g in &groups {
        let mut names: Vec<&String> = g.iter().flat_map(|&i| &files[i].names).collect();
        let all = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all, "a group holds each rule name once: {groups:?}");
    }
    let data = template();
    for threads in [1, 2, 3] {
        let reports = batch.evaluate_on(&data, threads);
        assert_eq!(reports.len(), files.len());
        for (file, report) in files.iter().zip(&reports) {
            match file.evaluate(&data) {
                Ok(alone) => assert_eq!(report.as_ref().ok(), Some(&alone), "{} on {threads} threads", file.file),
                Err(e) => {
                    assert_eq!(report.as_ref().err(), Some(&e), "{}", file.file);
                    assert!(e.contains("broken.guard"), "{e}");
                }
            }
        }
    }
    // The clashing name is judged by each file's own check.
    let reports = batch.evaluate_on(&data, 2);
    let a = reports[0].as_ref().unwrap();
    let clash = reports[2].as_ref().unwrap();
    assert!(a["S3_NAMED"].failures.contains_key("Bad") && !a["S3_NAMED"].failures.contains_key("Good"));
    assert!(clash["S3_NAMED"].failures.contains_key("Good"), "{clash:?}");
    assert_eq!(reports[3].as_ref().unwrap()["TOPIC_0"].status, Status::Fail);
}

#[test]
fn a_batch_on_data_too_deep_fails_every_file() {
    let batch = GuardBatch::new(batch_files());
    let mut deep = json!(1);
    for _ in 0..MAX_DEPTH {
        deep = json!({ "a": deep });
    }
    let data = json!({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": deep}}});
    let reports = batch.evaluate_loaded(&data);
    assert!(
        reports
            .iter()
            .all(|r| r.as_ref().is_err_and(|e| e.contains("nests deeper")))
    );
}

#[test]
fn the_report_is_read_without_the_values_it_quotes() {
    let out = r#"[{"check": {"Resolved": {"value": {"path": "/Resources/B", "value": {"Properties": {"path": "/x"}}}}},
        "messages": {"error_message": "m"}, "value": 1}]"#;
    let lean = lean_report(out).unwrap();
    let resolved = &lean[0]["check"]["Resolved"]["value"];
    assert_eq!(
        resolved,
        &json!({"path": "/Resources/B"}),
        "the data beside a path is dropped"
    );
    assert_eq!(lean[0]["value"], json!(1), "a value with no path beside it is kept");
    assert!(lean_report("[{").is_err());
}

#[test]
fn failures_that_name_no_resource_are_shown_a_few_and_counted() {
    let sections = [
        "Outputs",
        "Mappings",
        "Conditions",
        "Metadata",
        "Transform",
        "Rules",
        "Hooks",
    ];
    let body: String = sections.iter().map(|s| format!("  {s} exists\n")).collect();
    let file = Arc::new(GuardFile::compile("x.guard", &format!("rule SECTIONS {{\n{body}}}\n")).unwrap());
    let rule = GuardRule::alone(file, "SECTIONS", vec!["AWS::S3::Bucket".into()]);
    let bucket = resource("B", "AWS::S3::Bucket", json!({}));
    let verdict = rule.evaluate(&bucket, &crate::engine::Alone).unwrap();
    assert_eq!(verdict.truth, Truth::False, "{verdict:?}");
    assert_eq!(verdict.facts.len(), MAX_UNPLACED_FACTS + 1, "{verdict:?}");
    assert!(
        verdict
            .facts
            .last()
            .unwrap()
            .starts_with("and 2 more failures of Guard rule `SECTIONS`"),
        "{verdict:?}"
    );
}

#[test]
fn long_messages_are_cut_after_redaction() {
    let long = "v".repeat(MAX_MESSAGE + 10);
    let mut report = Report::from([(
        "R".to_string(),
        RuleReport {
            status: Status::Fail,
            failures: BTreeMap::from([(
                "B".to_string(),
                vec![Failure {
                    message: long.clone(),
                    path: String::new(),
                    two_ways: false,
                }],
            )]),
            unplaced: vec![long, "short".into()],
        },
    )]);
    shorten(&mut report);
    let rule = &report["R"];
    assert!(rule.failures["B"][0].message.ends_with("… (10 characters more)"));
    assert_eq!(
        rule.unplaced[0].chars().count(),
        MAX_MESSAGE + "… (10 characters more)".chars().count()
    );
    assert_eq!(rule.unplaced[1], "short");
}
