//! Arguments the author never wrote, which the AWS provider computes.
//!
//! A plan marks many such arguments "known after apply": an `aws_s3_bucket` without `acl`, an
//! `aws_ebs_volume` without `encrypted`, an `aws_dynamodb_table` without a
//! `point_in_time_recovery` block. Left unwritten, the argument takes the provider's documented
//! default or is set by companion resources (`aws_s3_bucket_acl`, `aws_security_group_rule`),
//! which is what rules test for an absent value; nothing about it is decided by the author at
//! apply time. Such an argument is removed from the resource, so the rule judges it absent.
//!
//! Only arguments listed in [`ARGUMENTS`] are removed, and only on evidence that the author did
//! not write them:
//! - an *attribute* (`acl = ...`) when the plan's `configuration` has the resource and no
//!   expression for it: every way of writing an attribute shows there;
//! - a *block* (`point_in_time_recovery { }`, and a security group's `ingress`, which the
//!   provider reads as an attribute written as blocks) only when the resource's `.tf` block is
//!   found and agrees with the configuration and neither writes it nor has a `dynamic` block of
//!   that name. Terraform leaves `dynamic` blocks out of the configuration, and before 1.1 also
//!   blocks written for attributes, so the configuration alone cannot tell.
//!
//! - an argument inside written blocks ([`NESTED`]: a block device's `encrypted`) when every
//!   written block of that name leaves it out and the plan has as many elements as blocks
//!   written (the blocks are sets, so elements cannot be paired with blocks one by one).
//!
//! Anything else known only after apply stays unknown: computed-only attributes (`arn`), arguments
//! of types no built-in rule reads, and everything the author wrote, including other values
//! inside a block the author wrote.

use std::collections::BTreeSet;

use crate::model::{Resource, is_unknown};

/// How an argument is written in HCL, which decides what proves it unwritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Attribute,
    Block,
}

/// The optional arguments built-in rules read that the AWS provider computes when they are left
/// out, by resource type, with why an unwritten one is no question for the gate.
/// One argument: its name, its form, and the arguments that, written, make its value derive from
/// something outside the plan (a volume restored from a snapshot takes the snapshot's encryption).
type Argument = (&'static str, Form, &'static [&'static str]);

const ARGUMENTS: &[(&[&str], &[Argument])] = &[
    // ACL private unless aws_s3_bucket_acl says otherwise; encryption, versioning and object lock
    // set by their aws_s3_bucket_* companions, else SSE-S3, unversioned, unlocked.
    (
        &["aws_s3_bucket"],
        &[
            ("acl", Form::Attribute, &[]),
            ("object_lock_enabled", Form::Attribute, &[]),
            ("server_side_encryption_configuration", Form::Block, &[]),
            ("versioning", Form::Block, &[]),
        ],
    ),
    (&["aws_s3_bucket_acl"], &[("acl", Form::Attribute, &[])]),
    // Encrypted only if the account's default says so, which a plan does not show.
    // Not created from a snapshot unless snapshot_id is written.
    (
        &["aws_ebs_volume"],
        &[
            // From a snapshot too: the rule judges the snapshot.
            ("encrypted", Form::Attribute, &[]),
            ("snapshot_id", Form::Attribute, &[]),
        ],
    ),
    (&["aws_efs_file_system"], &[("encrypted", Form::Attribute, &[])]),
    (&["aws_redshift_cluster"], &[("encrypted", Form::Attribute, &[])]),
    (&["aws_ebs_encryption_by_default"], &[("enabled", Form::Attribute, &[])]),
    // Inline ingress is computed from aws_security_group_rule and
    // aws_vpc_security_group_ingress_rule resources, checked on their own.
    (&["aws_security_group"], &[("ingress", Form::Block, &[])]),
    (
        &["aws_dynamodb_table"],
        &[
            ("point_in_time_recovery", Form::Block, &[]),
            ("server_side_encryption", Form::Block, &[]),
        ],
    ),
    // No block device written: the root volume comes from the AMI, encrypted as its snapshot and
    // the account's default say, which the plan does not show (instance-block-device-unencrypted
    // fails it); no further EBS devices.
    (
        &["aws_instance", "aws_launch_configuration"],
        &[
            ("root_block_device", Form::Block, &[]),
            ("ebs_block_device", Form::Block, &[]),
        ],
    ),
    (
        &["aws_opensearch_domain", "aws_elasticsearch_domain"],
        &[("encrypt_at_rest", Form::Block, &[])],
    ),
    // RDS defaults: 1 day of backups (the API's default), unencrypted, unprotected, not a
    // replica, not restored. Restored and replicated databases take encryption from their source
    // (the rule judges them through it); a restore from S3 is encrypted as storage_encrypted
    // says (RestoreDBInstanceFromS3 and RestoreDBClusterFromS3 take it), like a new database.
    (
        &["aws_db_instance"],
        &[
            ("backup_retention_period", Form::Attribute, &["replicate_source_db"]),
            (
                "storage_encrypted",
                Form::Attribute,
                &["replicate_source_db", "snapshot_identifier", "restore_to_point_in_time"],
            ),
            ("deletion_protection", Form::Attribute, &[]),
            ("replicate_source_db", Form::Attribute, &[]),
            ("snapshot_identifier", Form::Attribute, &[]),
            ("publicly_accessible", Form::Attribute, &[]),
        ],
    ),
    // Global cluster members take encryption from the global cluster. Aurora Serverless v1
    // (engine_mode = "serverless") is always encrypted, which the rule reads from engine_mode.
    (
        &["aws_rds_cluster"],
        &[
            ("backup_retention_period", Form::Attribute, &[]),
            (
                "storage_encrypted",
                Form::Attribute,
                &[
                    "replication_source_identifier",
                    "snapshot_identifier",
                    "restore_to_point_in_time",
                    "global_cluster_identifier",
                ],
            ),
            ("deletion_protection", Form::Attribute, &[]),
            ("snapshot_identifier", Form::Attribute, &[]),
        ],
    ),
    // DocumentDB and Neptune clusters are unencrypted unless storage_encrypted says otherwise;
    // restored ones take the snapshot's encryption unless a kms_key_id is given.
    (
        &["aws_docdb_cluster", "aws_neptune_cluster"],
        &[("storage_encrypted", Form::Attribute, &[])],
    ),
    (&["aws_sns_topic"], &[("kms_master_key_id", Form::Attribute, &[])]),
    (
        &["aws_sqs_queue"],
        &[
            ("kms_master_key_id", Form::Attribute, &[]),
            ("sqs_managed_sse_enabled", Form::Attribute, &[]),
        ],
    ),
    (&["aws_iam_access_key"], &[("status", Form::Attribute, &[])]),
    (
        &["aws_kms_key"],
        &[
            ("enable_key_rotation", Form::Attribute, &[]),
            ("deletion_window_in_days", Form::Attribute, &[]),
            ("customer_master_key_spec", Form::Attribute, &[]),
            ("custom_key_store_id", Form::Attribute, &[]),
        ],
    ),
    (&["aws_kinesis_stream"], &[("encryption_type", Form::Attribute, &[])]),
    (
        &["aws_elasticache_replication_group"],
        &[
            // The rule asks for the setting whatever the engine (AWS encrypts Valkey unasked).
            // Secondary members of a global datastore take both from the primary.
            (
                "at_rest_encryption_enabled",
                Form::Attribute,
                &["global_replication_group_id"],
            ),
            (
                "transit_encryption_enabled",
                Form::Attribute,
                &["global_replication_group_id"],
            ),
            // Not a global datastore member unless written.
            ("global_replication_group_id", Form::Attribute, &[]),
        ],
    ),
    // ELBSecurityPolicy-2016-08 unless written. The protocol is not here: left out, it is HTTP
    // or none, by the type of the load balancer, which the listener does not show.
    (
        &["aws_lb_listener", "aws_alb_listener"],
        &[("ssl_policy", Form::Attribute, &[])],
    ),
    (
        &["aws_cloudtrail"],
        &[
            ("include_global_service_events", Form::Attribute, &[]),
            ("enable_log_file_validation", Form::Attribute, &[]),
            ("enable_logging", Form::Attribute, &[]),
            ("is_multi_region_trail", Form::Attribute, &[]),
            ("kms_key_id", Form::Attribute, &[]),
        ],
    ),
    (
        &["aws_config_configuration_recorder"],
        &[("recording_group", Form::Block, &[])],
    ),
    (
        &["aws_db_snapshot", "aws_db_cluster_snapshot"],
        &[("shared_accounts", Form::Attribute, &[])],
    ),
];

/// Arguments inside nested blocks that the provider computes when a written block leaves them
/// out, with its documented default then applying: resource types, block, argument, and the
/// arguments of the block that, written, make the value derive from elsewhere.
type Nested = (
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static [&'static str],
);

const NESTED: &[Nested] = &[
    // "encrypted: Defaults to false" (AWS provider, aws_instance and aws_launch_configuration);
    // a device from a snapshot takes the snapshot's encryption.
    (
        &["aws_instance", "aws_launch_configuration"],
        "root_block_device",
        "encrypted",
        &[],
    ),
    (
        &["aws_instance", "aws_launch_configuration"],
        "ebs_block_device",
        "encrypted",
        &["snapshot_id"],
    ),
    // Not from a snapshot unless written: a new, empty volume.
    (
        &["aws_instance", "aws_launch_configuration"],
        "ebs_block_device",
        "snapshot_id",
        &[],
    ),
];

/// Remove the computed arguments of [`NESTED`] from the blocks of `resource` when the plan's
/// configuration shows that no written block of that name sets them. `written` holds, per block
/// name, the arguments of each block the configuration shows. The blocks are sets, so planned
/// elements cannot be paired with written blocks; the evidence is that every written block
/// leaves the argument out and that the plan has exactly as many elements as blocks written (a
/// `dynamic` block, absent from the configuration, would add elements). Returns the JSON
/// pointers removed.
pub fn forget_unwritten_nested(
    resource: &mut Resource,
    written: &std::collections::BTreeMap<String, Vec<BTreeSet<String>>>,
) -> Vec<String> {
    let mut removed = Vec::new();
    for (types, block, argument, from) in NESTED {
        if !types.contains(&resource.resource_type.as_str()) {
            continue;
        }
        let Some(blocks) = written.get(*block) else { continue };
        if blocks
            .iter()
            .any(|b| b.contains(*argument) || from.iter().any(|f| b.contains(*f)))
        {
            continue;
        }
        let Some(elements) = resource.properties.get_mut(*block).and_then(|v| v.as_array_mut()) else {
            continue;
        };
        if elements.len() != blocks.len() {
            continue;
        }
        for (i, element) in elements.iter_mut().enumerate() {
            let Some(element) = element.as_object_mut() else {
                continue;
            };
            if element.get(*argument).is_some_and(is_unknown) {
                element.remove(*argument);
                removed.push(format!("/{block}/{i}/{argument}"));
            }
        }
    }
    resource.unknown_paths.retain(|p| !removed.contains(p));
    removed
}

/// How `argument` of `resource_type` is written, and what it derives from when written, when it
/// is one the provider computes if left out.
pub fn computed_argument(resource_type: &str, argument: &str) -> Option<(Form, &'static [&'static str])> {
    ARGUMENTS
        .iter()
        .filter(|(types, _)| types.contains(&resource_type))
        .flat_map(|(_, args)| args.iter())
        .find(|(name, _, _)| *name == argument)
        .map(|(_, form, from)| (*form, *from))
}

/// The resource types and arguments of [`ARGUMENTS`], for tests that cover each of them.
pub fn computed_arguments() -> impl Iterator<Item = (&'static str, &'static str, Form)> {
    ARGUMENTS.iter().flat_map(|(types, args)| {
        types
            .iter()
            .flat_map(move |t| args.iter().map(move |(name, form, _)| (*t, *name, *form)))
    })
}

/// Whether `value` is, or holds, a value known only after apply.
fn holds_unknown(value: &serde_json::Value) -> bool {
    match value {
        v if is_unknown(v) => true,
        serde_json::Value::Array(a) => a.iter().any(holds_unknown),
        serde_json::Value::Object(o) => o.values().any(holds_unknown),
        _ => false,
    }
}

/// Remove the computed arguments of `resource` that are known only after apply and that the
/// author did not write: `configured` holds what the plan's configuration shows, `source` the
/// names (attributes, blocks, `dynamic` labels) of its `.tf` block when found. Returns the
/// arguments removed.
pub fn forget_unwritten(resource: &mut Resource, source: Option<&BTreeSet<String>>) -> Vec<String> {
    let Some(configured) = &resource.configured else {
        // A plan without configuration: whether the author wrote it is not in the input.
        return Vec::new();
    };
    // A `.tf` block that lacks something the configuration shows is not the configuration that
    // was planned (edited since, or another file of the same name): it proves nothing.
    let source = source.filter(|s| configured.iter().all(|k| s.contains(k)));
    let Some(properties) = resource.properties.as_object() else {
        return Vec::new();
    };
    let removable: Vec<String> = properties
        .iter()
        .filter(|(k, v)| holds_unknown(v) && !configured.contains(*k))
        .filter(|(k, _)| match computed_argument(&resource.resource_type, k) {
            Some((_, from)) if from.iter().any(|f| configured.contains(*f)) => false,
            Some((Form::Attribute, _)) => true,
            Some((Form::Block, _)) => source.is_some_and(|s| !s.contains(*k)),
            None => false,
        })
        .map(|(k, _)| k.clone())
        .collect();
    if let Some(properties) = resource.properties.as_object_mut() {
        for k in &removable {
            properties.remove(k);
        }
    }
    for k in &removable {
        let pointer = format!("/{}", crate::pointer::escape(k));
        resource
            .unknown_paths
            .retain(|p| p != &pointer && !p.starts_with(&format!("{pointer}/")));
    }
    removable
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use serde_json::json;

    use crate::model::{Anchor, InputFormat, SourceFile, unknown_marker};

    fn resource(kind: &str, properties: serde_json::Value, configured: Option<&[&str]>) -> Resource {
        let source = Arc::new(SourceFile {
            display: "plan.json".into(),
            repo_path: "plan.json".into(),
            path: "plan.json".into(),
            text: String::new(),
        });
        let unknown_paths = properties
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, v)| holds_unknown(v))
            .map(|(k, _)| format!("/{k}"))
            .collect();
        Resource {
            configured: configured.map(|c| std::sync::Arc::new(c.iter().map(|s| s.to_string()).collect())),
            unknown_paths,
            ..Resource::new(
                format!("{kind}.x"),
                kind.into(),
                InputFormat::TerraformPlan,
                properties,
                source,
                Anchor::JsonPointer(String::new()),
            )
        }
    }

    fn names(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn an_unwritten_computed_attribute_is_removed() {
        let u = unknown_marker();
        let mut r = resource(
            "aws_s3_bucket",
            json!({"bucket": "b", "acl": u, "arn": u}),
            Some(&["bucket"]),
        );
        assert_eq!(forget_unwritten(&mut r, None), ["acl"]);
        assert!(r.properties.get("acl").is_none());
        // A computed-only attribute is decided at apply time: it stays unknown.
        assert!(is_unknown(&r.properties["arn"]));
        assert_eq!(r.unknown_paths, ["/arn"]);
    }

    #[test]
    fn an_argument_derived_from_a_written_one_stays_unknown() {
        let props = json!({"storage_encrypted": unknown_marker(), "replicate_source_db": "orders"});
        let mut r = resource("aws_db_instance", props.clone(), Some(&["replicate_source_db"]));
        assert!(forget_unwritten(&mut r, None).is_empty());
        let mut r = resource("aws_db_instance", props, Some(&["engine"]));
        assert_eq!(forget_unwritten(&mut r, None), ["storage_encrypted"]);
    }

    #[test]
    fn a_written_attribute_stays_unknown() {
        let mut r = resource(
            "aws_ebs_volume",
            json!({"encrypted": unknown_marker()}),
            Some(&["encrypted", "size"]),
        );
        assert!(forget_unwritten(&mut r, None).is_empty());
        assert!(is_unknown(&r.properties["encrypted"]));
    }

    #[test]
    fn without_configuration_everything_stays_unknown() {
        let mut r = resource("aws_ebs_volume", json!({"encrypted": unknown_marker()}), None);
        assert!(forget_unwritten(&mut r, Some(&names(&[]))).is_empty());
        assert!(is_unknown(&r.properties["encrypted"]));
    }

    #[test]
    fn a_block_needs_the_source_to_prove_it_unwritten() {
        let props = json!({"name": "t", "point_in_time_recovery": unknown_marker()});
        let mut r = resource("aws_dynamodb_table", props.clone(), Some(&["name"]));
        // The configuration never shows `dynamic` blocks: on its own it proves nothing.
        assert!(forget_unwritten(&mut r, None).is_empty());
        // A `.tf` block that writes it, as a block or as `dynamic "point_in_time_recovery"`.
        let mut r = resource("aws_dynamodb_table", props.clone(), Some(&["name"]));
        let written = names(&["name", "dynamic", "point_in_time_recovery"]);
        assert!(forget_unwritten(&mut r, Some(&written)).is_empty());
        // A `.tf` block without something the configuration shows is another configuration.
        let mut r = resource("aws_dynamodb_table", props.clone(), Some(&["name", "hash_key"]));
        assert!(forget_unwritten(&mut r, Some(&names(&["name"]))).is_empty());
        let mut r = resource("aws_dynamodb_table", props, Some(&["name"]));
        assert_eq!(
            forget_unwritten(&mut r, Some(&names(&["name"]))),
            ["point_in_time_recovery"]
        );
        assert!(r.unknown_paths.is_empty());
    }

    #[test]
    fn partly_unknown_unwritten_blocks_and_known_values_are_judged_as_they_are() {
        let u = unknown_marker();
        let mut r = resource(
            "aws_security_group",
            json!({"ingress": [{"cidr_blocks": [u]}], "egress": [{"cidr_blocks": [u]}], "name": "n"}),
            Some(&["name"]),
        );
        // The source writes the ingress blocks the configuration of Terraform 1.0 omits.
        assert!(forget_unwritten(&mut r, Some(&names(&["name", "ingress", "egress"]))).is_empty());
        let mut r = resource(
            "aws_security_group",
            json!({"ingress": [{"cidr_blocks": [u]}], "name": "n"}),
            Some(&["name"]),
        );
        assert_eq!(forget_unwritten(&mut r, Some(&names(&["name", "egress"]))), ["ingress"]);
        // A known value the author left out (the provider's default shown in the plan) stays.
        let mut r = resource("aws_kms_key", json!({"enable_key_rotation": false}), Some(&[]));
        assert!(forget_unwritten(&mut r, None).is_empty());
        assert_eq!(r.properties["enable_key_rotation"], false);
    }

    #[test]
    fn every_built_in_argument_form_is_listed_once_per_type() {
        for (t, name, form) in computed_arguments() {
            assert_eq!(computed_argument(t, name).map(|(f, _)| f), Some(form), "{t}.{name}");
            let n = computed_arguments().filter(|(x, y, _)| (*x, *y) == (t, name)).count();
            assert_eq!(n, 1, "{t}.{name} listed twice");
        }
        assert_eq!(computed_argument("aws_s3_bucket", "arn"), None);
        assert_eq!(computed_argument("aws_s3_bucket", "tags_all"), None);
    }

    fn blocks(list: &[(&str, &[&[&str]])]) -> std::collections::BTreeMap<String, Vec<BTreeSet<String>>> {
        list.iter()
            .map(|(name, bs)| (name.to_string(), bs.iter().map(|b| names(b)).collect()))
            .collect()
    }

    #[test]
    fn encrypted_left_out_of_every_written_block_device_is_removed() {
        let u = unknown_marker();
        let props = json!({"root_block_device": [{"volume_size": 50, "encrypted": u}],
                           "ebs_block_device": [{"device_name": "d", "encrypted": u}, {"device_name": "e", "encrypted": u}]});
        let mut r = resource("aws_instance", props, Some(&["root_block_device", "ebs_block_device"]));
        r.unknown_paths = vec![
            "/root_block_device/0/encrypted".into(),
            "/ebs_block_device/1/encrypted".into(),
        ];
        let written = blocks(&[
            ("root_block_device", &[&["volume_size"]]),
            ("ebs_block_device", &[&["device_name"], &["device_name"]]),
        ]);
        assert_eq!(
            forget_unwritten_nested(&mut r, &written),
            [
                "/root_block_device/0/encrypted",
                "/ebs_block_device/0/encrypted",
                "/ebs_block_device/1/encrypted"
            ]
        );
        assert!(r.unknown_paths.is_empty());
        assert_eq!(r.properties["ebs_block_device"][1], json!({"device_name": "e"}));
    }

    #[test]
    fn a_block_device_that_may_be_written_elsewhere_keeps_its_unknown() {
        let u = unknown_marker();
        let two =
            json!({"ebs_block_device": [{"device_name": "d", "encrypted": u}, {"device_name": "e", "encrypted": u}]});
        // One block written, two planned: a dynamic block adds the other, and may set encrypted.
        let mut r = resource("aws_instance", two.clone(), Some(&["ebs_block_device"]));
        assert!(forget_unwritten_nested(&mut r, &blocks(&[("ebs_block_device", &[&["device_name"]])])).is_empty());
        // One of the written blocks sets it: the elements cannot be told apart.
        let mut r = resource("aws_instance", two.clone(), Some(&["ebs_block_device"]));
        let mixed = blocks(&[("ebs_block_device", &[&["device_name"], &["device_name", "encrypted"]])]);
        assert!(forget_unwritten_nested(&mut r, &mixed).is_empty());
        // From a snapshot: encrypted as the snapshot is.
        let mut r = resource("aws_instance", two.clone(), Some(&["ebs_block_device"]));
        let snap = blocks(&[("ebs_block_device", &[&["device_name", "snapshot_id"], &["device_name"]])]);
        assert!(forget_unwritten_nested(&mut r, &snap).is_empty());
        // Another resource type is not in the table.
        let mut r = resource("aws_ebs_volume", two, Some(&["ebs_block_device"]));
        let plain = blocks(&[("ebs_block_device", &[&["device_name"], &["device_name"]])]);
        assert!(forget_unwritten_nested(&mut r, &plain).is_empty());
    }
}
