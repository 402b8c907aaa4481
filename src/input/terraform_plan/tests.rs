use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};

use super::addresses::address_parts;
use super::configuration::referenced_resource;
use super::*;
use crate::model::is_unknown;

fn plan() -> Value {
    json!({
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": {
            "resources": [
                {"address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket", "name": "logs",
                 "values": {"bucket": "logs", "tags": {"Owner": "a"}, "tags_all": {"Owner": "a", "Environment": "prod"}}},
                {"address": "data.aws_caller_identity.me", "mode": "data", "type": "aws_caller_identity", "name": "me", "values": {}}
            ],
            "child_modules": [{
                "address": "module.db",
                "resources": [
                    {"address": "module.db.aws_db_instance.main[0]", "mode": "managed", "type": "aws_db_instance", "name": "main", "index": 0,
                     "values": {"backup_retention_period": 1, "password": "hunter2"}}
                ],
                "child_modules": [{
                    "address": "module.db.module.kms",
                    "resources": [
                        {"address": "module.db.module.kms.aws_kms_key.k[\"a\"]", "mode": "managed", "type": "aws_kms_key", "name": "k", "index": "a", "values": {}}
                    ]
                }]
            }]
        }},
        "resource_changes": [
            {"address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket", "name": "logs",
             "change": {"actions": ["update"], "before": {}, "after": {"bucket": "logs", "tags": {"Owner": "a"}, "tags_all": {"Owner": "a", "Environment": "prod"}},
                        "after_unknown": {"arn": true, "server_side_encryption_configuration": [{"rule": true}]}}},
            {"address": "aws_s3_bucket.old", "mode": "managed", "type": "aws_s3_bucket", "name": "old",
             "change": {"actions": ["delete"], "before": {"bucket": "old"}, "after": null}},
            {"address": "module.db.aws_db_instance.main[0]", "mode": "managed", "type": "aws_db_instance", "name": "main", "index": 0,
             "change": {"actions": ["delete", "create"], "before": {}, "after": {"backup_retention_period": 1, "password": "hunter2"},
                        "after_unknown": {"id": true}, "after_sensitive": {"password": true}}},
            {"address": "module.db.module.kms.aws_kms_key.k[\"a\"]", "mode": "managed", "type": "aws_kms_key", "name": "k", "index": "a",
             "change": {"actions": ["create"], "before": null, "after": {}, "after_unknown": {"tags_all": true}}},
            {"address": "data.aws_caller_identity.me", "mode": "data", "type": "aws_caller_identity", "name": "me",
             "change": {"actions": ["read"], "before": null, "after": {}}}
        ]
    })
}

fn load(plan: &Value) -> Vec<Resource> {
    let text = serde_json::to_string_pretty(plan).unwrap();
    let source = Arc::new(SourceFile {
        path: PathBuf::from("plan.json"),
        display: "plan.json".into(),
        repo_path: "plan.json".into(),
        text,
    });
    resources(&source, plan, &mut Vec::new()).unwrap()
}

#[test]
fn modules_at_any_depth_with_instance_addresses() {
    let addresses: Vec<String> = load(&plan()).into_iter().map(|r| r.address).collect();
    assert_eq!(
        addresses,
        vec![
            "aws_s3_bucket.logs",
            "module.db.aws_db_instance.main[0]",
            "module.db.module.kms.aws_kms_key.k[\"a\"]"
        ]
    );
}

#[test]
fn deletes_and_data_sources_are_not_evaluated() {
    let rs = load(&plan());
    assert!(
        rs.iter()
            .all(|r| r.address != "aws_s3_bucket.old" && !r.address.starts_with("data."))
    );
}

#[test]
fn actions_are_joined_from_resource_changes() {
    let rs = load(&plan());
    assert_eq!(rs[0].action, Some(PlannedAction::Update));
    assert_eq!(rs[1].action, Some(PlannedAction::Replace));
    assert_eq!(rs[2].action, Some(PlannedAction::Create));
    assert_eq!(
        parse_actions(&[json!("create"), json!("delete")]),
        Some(PlannedAction::Replace)
    );
    assert_eq!(parse_actions(&[json!("forget")]), Some(PlannedAction::Forget));
    assert_eq!(parse_actions(&[json!("explode")]), Some(PlannedAction::Other));
    assert_eq!(parse_actions(&[]), None);
    assert_eq!(parse_actions(&[json!(1)]), None);
}

#[test]
fn after_unknown_becomes_markers_and_unknown_paths() {
    let rs = load(&plan());
    let bucket = &rs[0];
    assert!(is_unknown(&bucket.properties["arn"]));
    assert!(is_unknown(
        &bucket.properties["server_side_encryption_configuration"][0]["rule"]
    ));
    assert!(bucket.unknown_paths.contains(&"/arn".to_string()));
    assert!(
        bucket
            .unknown_paths
            .contains(&"/server_side_encryption_configuration/0/rule".to_string())
    );
    // A tag map known only after apply makes tags unknown, not absent.
    assert_eq!(rs[2].tag("Owner"), crate::model::TagValue::Unknown);
}

#[test]
fn tags_all_is_preferred_and_sensitive_paths_are_kept() {
    let rs = load(&plan());
    assert_eq!(
        rs[0].tags.get("Environment").map(String::as_str),
        Some("prod"),
        "default tags come through tags_all"
    );
    assert!(rs[1].is_sensitive("/password"));
    assert!(!rs[1].is_sensitive("/backup_retention_period"));
    assert_eq!(rs[1].anchor, Anchor::JsonPointer("/resource_changes/2/address".into()));
}

#[test]
fn plan_detection() {
    assert!(is_plan(&plan()));
    assert!(
        !is_plan(&json!({"format_version": "1.0", "values": {}})),
        "a state file is not a plan"
    );
    assert!(!is_plan(&json!({"Resources": {}})));
}

#[test]
fn malformed_changes_are_located_errors() {
    let mut p = plan();
    p["resource_changes"][1]["change"]["actions"] = json!(["delete", 7]);
    let text = serde_json::to_string_pretty(&p).unwrap();
    let source = Arc::new(SourceFile {
        path: PathBuf::from("plan.json"),
        display: "plan.json".into(),
        repo_path: "plan.json".into(),
        text,
    });
    let e = resources(&source, &p, &mut Vec::new()).unwrap_err();
    assert!(e.message.contains("not action names"), "{e}");
    assert!(e.line > 1, "{e}");
}

#[test]
fn policy_documents_held_as_strings_are_decoded() {
    let mut p = plan();
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    p["resource_changes"][0]["change"]["after"]["policy"] = json!(doc);
    p["resource_changes"][0]["change"]["after"]["inline_policy"] = json!([{"name": "x", "policy": doc}]);
    p["resource_changes"][0]["change"]["after"]["description"] = json!("{not json");
    let rs = load(&p);
    assert_eq!(rs[0].properties["policy"]["Statement"][0]["Action"], "*");
    assert_eq!(rs[0].properties["inline_policy"][0]["policy"]["Version"], "2012-10-17");
    assert_eq!(rs[0].properties["description"], "{not json");
}

/// A plan with split S3 resources: a module with `for_each` buckets and `for_each` companions
/// written as `aws_s3_bucket.b[each.key].id`, a `count` pair, and `for_each = aws_s3_bucket.x`.
fn split_plan() -> Value {
    let rc = |address: &str, t: &str| {
        json!({"address": address, "mode": "managed", "type": t, "name": "n",
               "change": {"actions": ["create"], "before": null, "after": {}, "after_unknown": {"id": true}}})
    };
    json!({
        "format_version": "1.2",
        "resource_changes": [
            rc("module.m[\"one\"].aws_s3_bucket.b[\"a\"]", "aws_s3_bucket"),
            rc("module.m[\"one\"].aws_s3_bucket.b[\"b\"]", "aws_s3_bucket"),
            rc("module.m[\"one\"].aws_s3_bucket_versioning.v[\"a\"]", "aws_s3_bucket_versioning"),
            rc("module.m[\"one\"].aws_s3_bucket_versioning.v[\"b\"]", "aws_s3_bucket_versioning"),
            rc("aws_s3_bucket.c[0]", "aws_s3_bucket"),
            rc("aws_s3_bucket.c[1]", "aws_s3_bucket"),
            rc("aws_s3_bucket_public_access_block.p[0]", "aws_s3_bucket_public_access_block"),
            rc("aws_s3_bucket_public_access_block.p[1]", "aws_s3_bucket_public_access_block"),
            rc("aws_s3_bucket.single", "aws_s3_bucket"),
            rc("aws_s3_bucket_policy.sp", "aws_s3_bucket_policy"),
            rc("aws_s3_bucket.x[\"k\"]", "aws_s3_bucket"),
            rc("aws_s3_bucket_logging.l[\"k\"]", "aws_s3_bucket_logging"),
        ],
        "configuration": {"root_module": {
            "resources": [
                {"address": "aws_s3_bucket_public_access_block.p", "expressions": {"bucket": {"references": ["aws_s3_bucket.c", "count.index"]}}, "count_expression": {"constant_value": 2}},
                {"address": "aws_s3_bucket_policy.sp", "expressions": {"bucket": {"references": ["aws_s3_bucket.single.id", "aws_s3_bucket.single"]},
                                                                          "policy": {"references": ["data.aws_iam_policy_document.p.json", "data.aws_iam_policy_document.p"]}}},
                {"address": "aws_s3_bucket_logging.l", "expressions": {"bucket": {"references": ["each.value.id", "each.value"]},
                                                                           "target_bucket": {"references": ["aws_s3_bucket.single.id", "aws_s3_bucket.single"]}},
                 "for_each_expression": {"references": ["aws_s3_bucket.x"]}}
            ],
            "module_calls": {"m": {"module": {"resources": [
                {"address": "aws_s3_bucket_versioning.v", "expressions": {"bucket": {"references": ["aws_s3_bucket.b[each.key].id", "aws_s3_bucket.b", "each.key"]},
                                                                             "versioning_configuration": [{"status": {"constant_value": "Enabled"}}]}}
            ]}}}
        }}
    })
}

#[test]
fn configuration_references_link_instances_by_key() {
    let rs = load(&split_plan());
    let refs = |address: &str, attr: &str| -> Vec<String> {
        rs.iter()
            .find(|r| r.address == address)
            .unwrap()
            .references
            .get(attr)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(
        refs("module.m[\"one\"].aws_s3_bucket_versioning.v[\"a\"]", "bucket"),
        vec!["module.m[\"one\"].aws_s3_bucket.b[\"a\"]"]
    );
    assert_eq!(
        refs("module.m[\"one\"].aws_s3_bucket_versioning.v[\"b\"]", "bucket"),
        vec!["module.m[\"one\"].aws_s3_bucket.b[\"b\"]"]
    );
    assert_eq!(
        refs("aws_s3_bucket_public_access_block.p[1]", "bucket"),
        vec!["aws_s3_bucket.c[1]"]
    );
    assert_eq!(refs("aws_s3_bucket_policy.sp", "bucket"), vec!["aws_s3_bucket.single"]);
    assert!(
        refs("aws_s3_bucket_policy.sp", "policy").is_empty(),
        "data sources are not resources of the plan"
    );
    assert_eq!(
        refs("aws_s3_bucket_logging.l[\"k\"]", "bucket"),
        vec!["aws_s3_bucket.x[\"k\"]"],
        "for_each = aws_s3_bucket.x"
    );
    assert_eq!(
        refs("aws_s3_bucket_logging.l[\"k\"]", "target_bucket"),
        vec!["aws_s3_bucket.single"]
    );
}

#[test]
fn addresses_split_outside_keys() {
    assert_eq!(
        address_parts("module.a[\"x.y\"].aws_s3_bucket.b[0]"),
        vec!["module", "a[\"x.y\"]", "aws_s3_bucket", "b[0]"]
    );
    let i = parse_instance("module.a[\"k\"].module.b.aws_x.y[0]").unwrap();
    assert_eq!(
        (i.prefix.as_str(), i.module_path.as_str(), i.resource.as_str(), i.index),
        ("module.a[\"k\"].module.b.", "a.b", "aws_x.y", "[0]")
    );
    assert_eq!(
        referenced_resource("aws_s3_bucket.b[0].id"),
        Some(("aws_s3_bucket.b".to_string(), "[0]"))
    );
    assert_eq!(referenced_resource("var.name"), None);
    assert_eq!(referenced_resource("module.m.bucket_id"), None);
}

#[test]
fn without_default_tags_a_computed_tags_all_equals_tags() {
    let mut p = plan();
    // kms_key k has tags_all known only after apply and tags null.
    p["configuration"] = json!({"provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "eu-west-1"}}}}});
    let rs = load(&p);
    assert_eq!(
        rs[2].tag("Owner"),
        crate::model::TagValue::Absent,
        "no default tags: nothing will add Owner"
    );
    assert_eq!(rs[0].region.as_deref(), Some("eu-west-1"));
    p["configuration"]["provider_config"]["aws"]["expressions"]["default_tags"] =
        json!([{"tags": {"constant_value": {"Owner": "x"}}}]);
    let rs = load(&p);
    assert_eq!(
        rs[2].tag("Owner"),
        crate::model::TagValue::Unknown,
        "default tags may add it"
    );
}

/// Load `plan` as a file would be, with its notes.
fn try_load(plan: &Value) -> (Result<Vec<Resource>, Located>, Vec<Located>) {
    let text = serde_json::to_string_pretty(plan).unwrap();
    let source = Arc::new(SourceFile {
        path: PathBuf::from("plan.json"),
        display: "plan.json".into(),
        repo_path: "plan.json".into(),
        text,
    });
    let mut notes = Vec::new();
    (resources(&source, plan, &mut notes), notes)
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

#[test]
fn planned_values_of_the_wrong_type_are_located_errors() {
    let bucket = |values: Value| json!({"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b", "values": values});
    for pv in [
        json!([]),
        json!("root_module"),
        json!(1),
        json!({"root_module": []}),
        json!({"root_module": {"resources": {"aws_s3_bucket.b": {}}}}),
        json!({"root_module": {"child_modules": [3]}}),
        json!({"root_module": {"child_modules": {"address": "module.m"}}}),
        json!({"root_module": {"resources": [bucket(json!("x"))]}}),
        json!({"root_module": {"resources": [bucket(json!([]))]}}),
        json!({"root_module": {"resources": [bucket(json!({})), bucket(json!({}))]}}),
        json!({"root_module": {"resources": [{"address": "aws_s3_bucket.b", "mode": "ephemeral", "type": "aws_s3_bucket"}]}}),
    ] {
        let plan = json!({"format_version": "1.2", "planned_values": pv});
        assert!(is_plan(&plan));
        let e = try_load(&plan).0.expect_err(&pv.to_string());
        assert!(e.line > 1, "{pv}: {e}");
    }
    // What Terraform writes for an empty plan reads as no resources.
    let empty = json!({"format_version": "1.2", "planned_values": {"root_module": {}}});
    assert!(try_load(&empty).0.unwrap().is_empty());
}

#[test]
fn an_object_that_will_exist_needs_an_object_after() {
    for actions in [
        json!(["create"]),
        json!(["update"]),
        json!(["delete", "create"]),
        json!(["create", "forget"]),
    ] {
        for after in [
            json!(null),
            json!("x"),
            json!([{"acl": "private"}]),
            json!(3),
            json!(true),
        ] {
            // With and without a planned_values entry whose values could stand in.
            for listed in [false, true] {
                let mut plan = json!({"format_version": "1.2", "resource_changes": [change("aws_s3_bucket.b", actions.clone(), after.clone())]});
                if listed {
                    plan["planned_values"] = json!({"root_module": {"resources": [
                        {"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b", "values": {"acl": "private"}}]}});
                }
                let e = try_load(&plan).0.expect_err(&format!("{actions} {after} {listed}"));
                assert!(e.message.contains("aws_s3_bucket.b") && e.line > 1, "{e}");
            }
        }
    }
    // Known only after apply as a whole: every value is unknown, tags too.
    let mut plan = json!({"format_version": "1.2", "resource_changes": [change("aws_s3_bucket.b", json!(["create"]), json!(null))]});
    plan["resource_changes"][0]["change"]["after_unknown"] = json!(true);
    let rs = try_load(&plan).0.unwrap();
    assert_eq!(rs.len(), 1);
    assert!(is_unknown(&rs[0].properties));
    assert_eq!(rs[0].tag("Owner"), crate::model::TagValue::Unknown);
    // A no-op of a null object (Terraform 1.0 writes them) stays what it was: nothing to read.
    let plan = json!({"format_version": "1.2", "resource_changes": [change("aws_s3_bucket.b", json!(["no-op"]), json!(null))]});
    assert!(try_load(&plan).0.unwrap().is_empty());
}

#[test]
fn data_sources_are_never_created() {
    for actions in [
        json!(["create"]),
        json!(["update"]),
        json!(["delete", "create"]),
        json!(["open"]),
    ] {
        let plan = json!({"format_version": "1.2", "resource_changes": [change("data.aws_iam_policy_document.p", actions.clone(), json!({}))]});
        let e = try_load(&plan).0.expect_err(&actions.to_string());
        assert!(e.message.contains("data source"), "{e}");
    }
    // A data source in planned_values that resource_changes calls managed is no reading at all.
    let plan = json!({"format_version": "1.2",
        "planned_values": {"root_module": {"resources": [{"address": "aws_s3_bucket.b", "mode": "data", "type": "aws_s3_bucket", "values": {}}]}},
        "resource_changes": [change("aws_s3_bucket.b", json!(["create"]), json!({}))]});
    assert!(try_load(&plan).0.unwrap_err().message.contains("data"));
}

#[test]
fn the_same_address_twice_is_an_error_at_the_second() {
    let plan = json!({"format_version": "1.2", "resource_changes": [
        change("aws_s3_bucket.b", json!(["create"]), json!({"acl": "public-read"})),
        change("aws_s3_bucket.b", json!(["create"]), json!({"acl": "private"})),
    ]});
    let (result, _) = try_load(&plan);
    let e = result.unwrap_err();
    assert!(e.message.contains("twice"), "{e}");
    let text = serde_json::to_string_pretty(&plan).unwrap();
    let second = text.match_indices("\"address\"").nth(1).unwrap().0;
    assert_eq!(e.line, text[..second].lines().count(), "{e}");
    // A deposed object shares its address with the current one, and is only ever destroyed.
    let mut deposed = change("aws_s3_bucket.b", json!(["delete"]), json!(null));
    deposed["deposed"] = json!("00000001");
    let plan = json!({"format_version": "1.2", "resource_changes": [
        change("aws_s3_bucket.b", json!(["create"]), json!({"acl": "private"})), deposed.clone()]});
    assert_eq!(try_load(&plan).0.unwrap().len(), 1);
    deposed["change"]["actions"] = json!(["create"]);
    deposed["change"]["after"] = json!({});
    let plan = json!({"format_version": "1.2", "resource_changes": [deposed]});
    assert!(try_load(&plan).0.unwrap_err().message.contains("deposed"));
}

#[test]
fn replacements_that_forget_the_old_object_are_evaluated() {
    for actions in [json!(["create", "forget"]), json!(["forget", "create"])] {
        let plan = json!({"format_version": "1.2", "resource_changes": [change("aws_s3_bucket.b", actions.clone(), json!({"acl": "public-read"}))]});
        let rs = try_load(&plan).0.unwrap();
        assert_eq!(rs.len(), 1, "{actions}");
        assert_eq!(rs[0].action, Some(PlannedAction::Replace));
        assert_eq!(rs[0].properties["acl"], "public-read");
    }
    let plan = json!({"format_version": "1.2", "resource_changes": [change("aws_s3_bucket.b", json!(["forget"]), json!(null))]});
    assert!(try_load(&plan).0.unwrap().is_empty(), "a bare forget creates nothing");
}

#[test]
fn unknown_actions_are_evaluated_with_a_located_note() {
    let plan = json!({"format_version": "1.2", "resource_changes": [
        change("aws_s3_bucket.a", json!(["create"]), json!({})),
        change("aws_s3_bucket.b", json!(["open"]), json!({"acl": "public-read"})),
        change("aws_s3_bucket.c", json!(["delete", "reticulate"]), json!(null)),
    ]});
    let (rs, notes) = try_load(&plan);
    let rs = rs.unwrap();
    assert_eq!(rs.len(), 3);
    assert_eq!(rs[1].action, Some(PlannedAction::Other));
    assert_eq!(rs[1].properties["acl"], "public-read");
    assert!(is_unknown(&rs[2].properties), "no object to read: unknown, not dropped");
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes[0].message.contains("[\"open\"]") && notes[0].line > 1,
        "{}",
        notes[0]
    );
    assert!(notes[1].message.contains("unknown"), "{}", notes[1]);
}

#[test]
fn sensitive_values_are_kept_as_the_plan_holds_them() {
    let policy = r#"{"Statement":[{"Sid":"s3cr3t"}]}"#;
    let mut p = json!({"format_version": "1.2", "resource_changes": [change("aws_iam_policy.p", json!(["update"]),
        json!({"policy": policy, "name": "n", "port": 5432, "tags": {"Owner": "o"}}))]});
    let c = &mut p["resource_changes"][0]["change"];
    c["after_sensitive"] = json!({"policy": true, "port": true, "tags": true});
    c["before"] = json!({"policy": "old-s3cr3t", "name": "n", "port": 1});
    c["before_sensitive"] = json!({"policy": true});
    let rs = try_load(&p).0.unwrap();
    let kept = &rs[0].sensitive_values;
    // The policy string as written (its decoded form is what rules see), the old value too.
    for v in [json!(policy), json!(5432), json!("o"), json!("old-s3cr3t")] {
        assert!(kept.contains(&v), "{v} not in {kept:?}");
    }
    assert!(!kept.contains(&json!("n")) && !kept.contains(&json!(1)), "{kept:?}");
    assert!(rs[0].properties["policy"].is_object());
}

#[test]
fn properties_are_moved_out_of_the_plan_not_copied() {
    let big = "b".repeat(1000);
    let mut p = json!({"format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "aws_s3_bucket.a", "type": "aws_s3_bucket", "values": {"bucket": "planned", "secret": "pv-s3cr3t"},
             "sensitive_values": {"secret": true}}
        ], "child_modules": [{"resources": [
            {"address": "module.m.aws_sns_topic.t", "type": "aws_sns_topic", "values": {"name": big.clone()}}
        ]}]}},
        "resource_changes": [change("aws_s3_bucket.a", json!(["create"]), json!({"bucket": big.clone()}))]});
    let at = |v: &Value, pointer: &str| v.pointer(pointer).and_then(Value::as_str).map(str::as_ptr);
    let after = at(&p, "/resource_changes/0/change/after/bucket");
    let values = at(
        &p,
        "/planned_values/root_module/child_modules/0/resources/0/values/name",
    );
    let copied = try_load(&p).0.unwrap();
    let source = Arc::new(SourceFile {
        path: PathBuf::from("plan.json"),
        display: "plan.json".into(),
        repo_path: "plan.json".into(),
        text: serde_json::to_string_pretty(&p).unwrap(),
    });
    let rs = take_resources(&source, &mut p, &mut Vec::new()).unwrap();
    let summary = |rs: &[Resource]| -> Vec<(String, Value, Vec<Value>)> {
        rs.iter()
            .map(|r| (r.address.clone(), r.properties.clone(), r.sensitive_values.clone()))
            .collect()
    };
    assert_eq!(summary(&rs), summary(&copied));
    // The change's after, not the planned values; the planned values' secret still redacted.
    assert_eq!(rs[0].properties["bucket"], json!(big));
    assert!(
        rs[0].sensitive_values.contains(&json!("pv-s3cr3t")),
        "{:?}",
        rs[0].sensitive_values
    );
    assert_eq!(rs[1].address, "module.m.aws_sns_topic.t");
    // The strings are the plan's own, and the plan keeps an empty object where they were.
    assert_eq!(at(&rs[0].properties, "/bucket"), after);
    assert_eq!(at(&rs[1].properties, "/name"), values);
    assert_ne!(at(&copied[0].properties, "/bucket"), after);
    assert_eq!(p["resource_changes"][0]["change"]["after"], json!({}));
    assert_eq!(p["planned_values"]["root_module"]["resources"][0]["values"], json!({}));
}

#[test]
fn an_object_taken_from_the_plan_is_handed_out_once() {
    let mut p =
        json!({"resource_changes": [{"change": {"after": {"a": 1}}}, {"change": {"after": null}}, {"change": 3}]});
    let mut taken = Taken::from_plan(&mut p);
    let first = TakenAt::Change(0);
    assert_eq!(taken.look(Some(&first), None, "x"), Ok(Some(&json!({"a": 1}))));
    assert_eq!(taken.take(&first), Some(json!({"a": 1})));
    // Asked for again: an error, not an empty object.
    assert!(taken.look(Some(&first), None, "x").unwrap_err().contains("x"));
    assert_eq!(taken.take(&first), None);
    // Nothing taken where the plan has no object: the plan's own value is read.
    let written = json!(null);
    assert_eq!(
        taken.look(Some(&TakenAt::Change(1)), Some(&written), "y"),
        Ok(Some(&written))
    );
    assert_eq!(p["resource_changes"][1]["change"]["after"], Value::Null);
    assert_eq!(p["resource_changes"][2]["change"], json!(3));
}
