//! Guard rules on over-deep data: cfn-guard's evaluator recurses without a bound (200,000
//! levels abort the process), so the adapter refuses deep data before Guard sees it.

use crate::Case;

const GUARD: &str = "# control: GRD-001\nlet b = Resources.*[ Type == 'AWS::S3::Bucket' ]\nrule S3_X when %b !empty {\n  %b.Properties exists\n}\n";

fn case(depth: usize) -> Case {
    let case = Case::new();
    let control = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/guard/pack/controls/GRD-001.yaml"
    ))
    .unwrap();
    case.write("pack/controls/GRD-001.yaml", control);
    case.write("pack/rules/s3.guard", GUARD);
    let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    case.write(
        "t.json",
        format!(r#"{{"Resources": {{"B": {{"Type": "AWS::S3::Bucket", "Properties": {{"Deep": {nested}}}}}}}}}"#),
    );
    case
}

#[test]
fn deep_data_is_an_error_not_a_crash() {
    // Deep enough for Guard's bound, shallow enough for the template loader's: the adapter
    // refuses it.
    let run = case(100).run(&["check", "--no-builtin", "--policies", "pack", "t.json"]);
    run.assert_code(2, "100-deep Properties");
    assert!(run.stderr.contains("nests deeper than 64 levels"), "{run:#?}");
    // The depth that aborts cfn-guard: refused (by the loader, before any engine), no crash.
    let run = case(200_000).run(&["check", "--no-builtin", "--policies", "pack", "t.json"]);
    run.assert_code(2, "200,000-deep Properties");
}

#[test]
fn shallow_data_is_evaluated() {
    let run = case(3).run(&["check", "--no-builtin", "--policies", "pack", "t.json"]);
    run.assert_code(0, "3-deep Properties");
}

const VERSIONED: &str = "let b = Resources.*[ Type == 'AWS::S3::Bucket' ]\nrule S3_VERSIONED when %b !empty {\n  %b.Properties.VersioningConfiguration.Status == 'Enabled'\n}\n";

#[test]
fn an_expectation_for_a_rule_the_guard_file_lacks_is_a_failure() {
    // cfn-guard only notes such an expectation; a test that checks nothing must not pass.
    let case = Case::new();
    case.write("g/versioned.guard", VERSIONED);
    case.write(
        "g/tests/versioned_tests.yml",
        "- name: typo\n  input: {}\n  expectations:\n    rules:\n      S3_VERSION: SKIP\n",
    );
    let run = case.run(&["test", "--guard-tests", "g"]);
    run.assert_code(1, "an expectation naming a missing rule");
    assert!(
        run.stdout
            .contains("S3_VERSION expected SKIP, got no such rule in the Guard file"),
        "{run:#?}"
    );
}

#[test]
fn a_case_with_no_expectations_is_an_error() {
    let case = Case::new();
    case.write("g/versioned.guard", VERSIONED);
    for (i, body) in ["", "  expectations: {}\n", "  expectations:\n    rules: {}\n"]
        .iter()
        .enumerate()
    {
        case.write(
            "g/tests/versioned_tests.yml",
            format!("- name: bare\n  input: {{}}\n{body}"),
        );
        let run = case.run(&["test", "--guard-tests", "g"]);
        run.assert_code(2, &format!("a case without expectations ({i})"));
        assert!(
            run.stderr
                .contains("versioned_tests.yml:1:3: case `bare` has no expectations"),
            "{run:#?}"
        );
    }
    // A status Guard does not have is an error too, not a skip.
    case.write(
        "g/tests/versioned_tests.yml",
        "- name: odd\n  input: {}\n  expectations:\n    rules:\n      S3_VERSIONED: pass\n",
    );
    let run = case.run(&["test", "--guard-tests", "g"]);
    run.assert_code(2, "a lowercase status");
    assert!(run.stderr.contains("`pass` is not a Guard status"), "{run:#?}");
}
