//! SARIF output: valid against the official SARIF 2.1.0 schema, and shaped as GitHub code
//! scanning reads it.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn sarif_of(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args(["check", "--format", "sarif"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(1),
        "expected findings: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one SARIF document")
}

#[test]
fn sarif_of_every_fixture_validates_against_the_schema() {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sarif-schema-2.1.0.json");
    let Ok(schema) = std::fs::read_to_string(&schema_path) else {
        skipped(&format!("SARIF schema not found at {}", schema_path.display()));
        return;
    };
    let schema: Value = serde_json::from_str(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let sarif = sarif_of(&["fixtures"]);
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF is invalid:\n{}", errors.join("\n"));
    // The validator does reject what the schema forbids.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    assert!(!validator.is_valid(&broken));
    assert!(sarif["runs"][0]["results"].as_array().unwrap().len() > 10);

    // With exceptions (suppressions, notes on findings whose exception does not apply) and a
    // category (runAutomationDetails).
    let excepted = sarif_of(&[
        "fixtures/demo",
        "--exceptions",
        "fixtures/exceptions/valid.yaml",
        "--today",
        "2026-11-25",
        "--sarif-category",
        "infra/prod",
    ]);
    let results = excepted["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.iter().filter(|r| r.get("suppressions").is_some()).count(), 2);
    assert_eq!(excepted["runs"][0]["automationDetails"]["id"], "infra/prod");
    let errors: Vec<String> = validator
        .iter_errors(&excepted)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF with suppressions is invalid:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sarif_reads_as_github_expects() {
    let sarif = sarif_of(&["fixtures"]);
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.dedup();
    assert_eq!(ids, sorted, "one SARIF rule per control, no duplicates");
    for r in rules {
        let sev = r["properties"]["security-severity"]
            .as_str()
            .expect("security-severity is a string");
        let score: f64 = sev.parse().unwrap();
        assert!((0.1..=10.0).contains(&score));
        assert!(r["help"]["markdown"].as_str().unwrap().contains("Remediation"));
        assert!(r["helpUri"].as_str().unwrap().starts_with("https://"));
        assert!(r["properties"]["tags"].as_array().unwrap().len() <= 20);
        assert!(
            r["properties"]["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == &r["id"])
        );
    }
    for result in run["results"].as_array().unwrap() {
        let rule_id = result["ruleId"].as_str().unwrap();
        assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"], rule_id);
        let loc = &result["locations"][0];
        let uri = loc["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("fixtures/"), "relative URI: {uri}");
        assert!(loc["physicalLocation"]["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(
            !loc["logicalLocations"][0]["fullyQualifiedName"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            result["partialFingerprints"]["controlgate/v1"].as_str().unwrap().len(),
            32
        );
    }
}

/// Say so on the terminal even though the test harness captures `eprintln!`.
fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {why} (it ships with the development workspace, not with the crate)"
    );
}

#[test]
fn plan_findings_land_on_the_tf_block_of_modules_count_and_for_each() {
    let sarif = sarif_of(&["fixtures/demo/plan.json"]);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let at = |resource: &str| -> (String, u64, String, u64) {
        let r = results
            .iter()
            .find(|r| r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == resource)
            .unwrap_or_else(|| panic!("no result for {resource}"));
        let loc = &r["locations"][0]["physicalLocation"];
        let rel = &r["relatedLocations"][0]["physicalLocation"];
        (
            loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
            loc["region"]["startLine"].as_u64().unwrap(),
            rel["artifactLocation"]["uri"].as_str().unwrap().to_string(),
            rel["region"]["startLine"].as_u64().unwrap(),
        )
    };
    // Root module, a module's for_each instance, a module's count instance.
    assert_eq!(
        at("aws_cloudtrail.main"),
        (
            "fixtures/demo/main.tf".into(),
            11,
            "fixtures/demo/plan.json".into(),
            240
        )
    );
    assert_eq!(
        at("module.data.aws_s3_bucket.this[\"raw\"]").0,
        "fixtures/demo/modules/data/main.tf"
    );
    assert_eq!(at("module.data.aws_s3_bucket.this[\"raw\"]").1, 18);
    assert_eq!(
        at("module.web.aws_security_group.web[0]").0,
        "fixtures/demo/modules/web/main.tf"
    );
    assert_eq!(at("module.web.aws_security_group.web[0]").1, 1);
    assert_eq!(at("module.web.aws_security_group.web[0]").2, "fixtures/demo/plan.json");

    // Human output shows the .tf block and says where the resource is in the plan.
    let out = Command::new(env!("CARGO_BIN_EXE_controlgate"))
        .args(["check", "fixtures/demo/plan.json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("[fixtures/demo/modules/data/main.tf:1:1]"), "{human}");
    assert!(human.contains("resource \"aws_db_instance\" \"main\" {"), "{human}");
    assert!(human.contains("planned in fixtures/demo/plan.json:277"), "{human}");
}
