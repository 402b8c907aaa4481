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
