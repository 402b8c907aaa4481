//! Escapes through inheritance: a pull request that makes an unencrypted database or volume look
//! like a copy of something else (a replica, a restore, an Aurora member, a volume from a
//! snapshot) so that the encryption rules leave it alone. A dummy source is no source; a source
//! the input cannot show is unknown, never a pass.

use serde_json::Value;

use crate::Case;

/// The outcome of `rule` on `resource` in `template` (a CloudFormation YAML body under
/// `Resources:`), or `None` when the rule judged it compliant.
fn outcome(resources: &str, rule: &str, resource: &str) -> Option<String> {
    let case = Case::new();
    case.write(
        "t.yaml",
        format!(
            "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  Src:\n    Type: String\nResources:\n{resources}"
        ),
    );
    let run = case.run(&["check", "--no-config", "--format", "json", "t.yaml"]);
    run.assert_not_pass(resource);
    let json = run.json();
    let found: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["ruleId"] == rule && f["resource"] == resource)
        .collect();
    assert!(found.len() <= 1, "{found:?}");
    found.first().map(|f| f["outcome"].as_str().unwrap().to_string())
}

/// An RDS instance with `extra` properties and no StorageEncrypted.
fn instance(extra: &str) -> String {
    format!(
        "  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      DBInstanceClass: db.t4g.medium\n      AllocatedStorage: \"20\"\n{extra}"
    )
}

fn cluster(kind: &str, extra: &str) -> String {
    format!("  Db:\n    Type: {kind}\n    Properties:\n      Engine: x\n{extra}")
}

#[test]
fn a_dummy_source_is_no_source() {
    // Each of these is a new, empty database that AWS creates unencrypted.
    for extra in [
        "      SourceDBInstanceIdentifier: \"\"\n",
        "      SourceDBInstanceIdentifier: !Ref AWS::NoValue\n",
        "      DBSnapshotIdentifier: \"\"\n",
        "      DBClusterSnapshotIdentifier: !Ref AWS::NoValue\n",
        "      SourceDbiResourceId: \"\"\n",
        "      RestoreTime: \"2026-11-01T00:00:00Z\"\n",
        "      UseLatestRestorableTime: true\n",
        // StorageEncrypted is not evidence on a copy, and no evidence makes a database a copy.
        "      StorageEncrypted: false\n      SourceDBInstanceIdentifier: \"\"\n",
    ] {
        assert_eq!(
            outcome(&instance(extra), "rds-storage-unencrypted", "Db").as_deref(),
            Some("fail"),
            "{extra}"
        );
    }
    for kind in [
        "AWS::RDS::DBCluster",
        "AWS::DocDB::DBCluster",
        "AWS::Neptune::DBCluster",
    ] {
        let rule = match kind {
            "AWS::RDS::DBCluster" => "rds-storage-unencrypted",
            "AWS::DocDB::DBCluster" => "docdb-cluster-storage-unencrypted",
            _ => "neptune-cluster-storage-unencrypted",
        };
        for extra in [
            "      RestoreType: copy-on-write\n",
            "      RestoreType: full-copy\n      UseLatestRestorableTime: true\n",
            "      SnapshotIdentifier: \"\"\n",
            "      SnapshotIdentifier: !Ref AWS::NoValue\n      KmsKeyId: alias/aws/rds\n",
            "      SourceDBClusterIdentifier: \"\"\n      RestoreType: copy-on-write\n",
        ] {
            assert_eq!(
                outcome(&cluster(kind, extra), rule, "Db").as_deref(),
                Some("fail"),
                "{kind}: {extra}"
            );
        }
    }
}

#[test]
fn a_source_outside_the_input_is_unknown() {
    for extra in [
        "      SourceDBInstanceIdentifier: orders-prod\n      StorageEncrypted: true\n",
        "      SourceDBInstanceIdentifier: !Ref Src\n",
        "      DBSnapshotIdentifier: !Ref Src\n      StorageEncrypted: true\n",
        "      SourceDBInstanceAutomatedBackupsArn: arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-x\n",
        // A KmsKeyId does not encrypt a replica of an unencrypted source.
        "      SourceDBInstanceIdentifier: !Ref Src\n      KmsKeyId: alias/aws/rds\n",
        // A reference to a resource that is no database is no source in the input.
        "      SourceDBInstanceIdentifier: !Ref Bucket\n",
    ] {
        let template = format!("{}  Bucket:\n    Type: AWS::S3::Bucket\n", instance(extra));
        assert_eq!(
            outcome(&template, "rds-storage-unencrypted", "Db").as_deref(),
            Some("unknown"),
            "{extra}"
        );
    }
    // A cluster restore without a key takes the snapshot's encryption, StorageEncrypted or not.
    let restored = cluster(
        "AWS::RDS::DBCluster",
        "      SnapshotIdentifier: !Ref Src\n      StorageEncrypted: true\n",
    );
    assert_eq!(
        outcome(&restored, "rds-storage-unencrypted", "Db").as_deref(),
        Some("unknown")
    );
    let volume = "  Db:\n    Type: AWS::EC2::Volume\n    Properties:\n      AvailabilityZone: eu-west-1a\n      SnapshotId: !Ref Src\n      Encrypted: false\n";
    assert_eq!(
        outcome(volume, "ebs-volume-unencrypted", "Db").as_deref(),
        Some("unknown")
    );
}

#[test]
fn a_source_in_the_input_carries_its_own_verdict() {
    // The replica's source is unencrypted: the source fails, and the gate blocks.
    let template = format!(
        "{}  Primary:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      DBInstanceClass: db.t4g.medium\n      AllocatedStorage: \"20\"\n      StorageEncrypted: false\n",
        instance("      SourceDBInstanceIdentifier: !Ref Primary\n")
    );
    assert_eq!(outcome(&template, "rds-storage-unencrypted", "Db"), None);
    assert_eq!(
        outcome(&template, "rds-storage-unencrypted", "Primary").as_deref(),
        Some("fail")
    );
}

#[test]
fn an_aurora_member_needs_an_aurora_engine() {
    // DBClusterIdentifier pointing at nothing, on an engine that joins no cluster: a standalone
    // instance, judged on its own settings.
    let member = "      DBClusterIdentifier: no-such-cluster\n";
    for rule in [
        "rds-storage-unencrypted",
        "rds-deletion-protection-disabled",
        "rds-backup-retention-too-short",
    ] {
        assert_eq!(
            outcome(&instance(member), rule, "Db").as_deref(),
            Some("fail"),
            "{rule}"
        );
    }
    // An Engine that a parameter decides may or may not be Aurora: not a pass.
    let open = "  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: !Ref Src\n      DBInstanceClass: db.t4g.medium\n      DBClusterIdentifier: no-such-cluster\n";
    assert_eq!(
        outcome(open, "rds-storage-unencrypted", "Db").as_deref(),
        Some("unknown")
    );
    // A real Aurora member has no storage of its own: the cluster is judged.
    let aurora = "  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: aurora-postgresql\n      DBInstanceClass: db.r6g.large\n      DBClusterIdentifier: no-such-cluster\n";
    assert_eq!(outcome(aurora, "rds-storage-unencrypted", "Db"), None);
}
