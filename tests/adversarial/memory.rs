//! Peak memory within a small multiple of the input: a file that is one large value (a YAML
//! scalar, a JSON string) is held as its text and one parsed copy, never the three or four copies
//! a reader that clones what it reads makes (the scalar as the YAML parser holds it, as JSON, as a
//! resource's properties).
//!
//! Each run is bounded in address space at [`limit_kib`]: 2.5× the input plus a fixed allowance
//! for the binary, its libraries and the built-in pack. Measured (`ulimit -v` bisected, debug
//! binary, 2 cores): a tiny input needs 34 MiB; a 100 MiB JSON string 233 MiB (2.0× + 33), where
//! the reader that copied needed 334 MiB (3.0× + 34); a 100 MiB YAML scalar 262 MiB (the text and
//! the parser's 128 MiB buffer: it grows a scalar by doubling), where it needed 360 MiB. The
//! 120 MiB cases below run under 348 MiB: 66 MiB to spare (YAML; 74 JSON), and about 50 MiB short
//! for the copying reader.
//!
//! glibc gives each thread that allocates its own arena, reserving 64 MiB of address space apiece
//! (a limit then makes it fall back to the shared one): runs use `MALLOC_ARENA_MAX=1`, so that the
//! limit bounds what the program allocates, whatever the number of cores.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Duration;

use crate::{Case, Run, run_limited};

const MIB: u64 = 1024 * 1024;

/// The size of the large cases: just under a power of two, so that a scalar the YAML parser grows
/// by doubling wastes little.
const LARGE: usize = 120 * MIB as usize;

/// The address-space limit for an input of `bytes`: 2.5× plus 48 MiB.
fn limit_kib(bytes: u64) -> u64 {
    (bytes * 5 / 2 + 48 * MIB) / 1024
}

/// A large input takes the debug binary tens of seconds on a busy machine: this is a hang.
const TIME_LIMIT: Duration = Duration::from_secs(240);

/// `controlgate check FILE` in the case's directory, under `ulimit -v` [`limit_kib`] of the file.
fn check_bounded(case: &Case, file: &str) -> Run {
    let bytes = std::fs::metadata(case.path(file)).unwrap().len();
    run_limited(
        case.dir.path(),
        &["check", "--format", "json", file],
        TIME_LIMIT,
        limit_kib(bytes),
        // glibc reserves address space per allocating thread: the limit measures the program.
        &[("MALLOC_ARENA_MAX", "1")],
    )
}

/// The run ended with `code` under its limit: not killed, not aborted by a failed allocation. The
/// report is not printed on failure: it may hold the large value.
#[track_caller]
fn assert_within(run: &Run, code: i32, what: &str) {
    let tail = |s: &str| {
        s.chars()
            .rev()
            .take(2000)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<String>()
    };
    assert!(!run.timed_out, "{what}: hung");
    assert!(
        !run.stderr.contains("memory allocation of"),
        "{what}: ran out of its address space\n{}",
        tail(&run.stderr)
    );
    assert_eq!(run.code, Some(code), "{what}\n{}", tail(&run.stderr));
}

/// Where [`write_large`] puts the large value.
const BIG: &str = "@BIG@";

/// Write `text` at `rel` with [`BIG`] replaced by `unit` repeated to about `bytes` bytes (the last
/// one without its trailing whitespace), streamed: the test itself holds none of it.
fn write_large(case: &Case, rel: &str, text: &str, unit: &str, bytes: usize) {
    let (before, after) = text.split_once(BIG).expect("a placeholder");
    let mut file = BufWriter::new(File::create(case.path(rel)).unwrap());
    file.write_all(before.as_bytes()).unwrap();
    let count = bytes / unit.len();
    let chunk = unit.repeat(4096);
    for _ in 0..(count - 1) / 4096 {
        file.write_all(chunk.as_bytes()).unwrap();
    }
    file.write_all(unit.repeat((count - 1) % 4096).as_bytes()).unwrap();
    file.write_all(unit.trim_end().as_bytes()).unwrap();
    file.write_all(after.as_bytes()).unwrap();
    file.flush().unwrap();
}

/// A bucket whose name is `value` as written in YAML, and an open security group that must still
/// be judged.
fn yaml_template(value: &str) -> String {
    format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Big:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: {value}\n  Open:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - {{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}}\n"
    )
}

/// The open security group (or rule) fails in the JSON report, whatever the large value.
#[track_caller]
fn assert_judged(run: &Run, address: &str, what: &str) {
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{what}: {e}"));
    let found = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|f| f["resource"] == address && f["outcome"] == "fail");
    assert!(found, "{what}: no failed finding on {address}");
}

#[test]
fn a_large_yaml_scalar_is_held_twice_at_most() {
    let case = Case::new();
    // Words, as a large value in a real template would be (a policy, user data).
    write_large(&case, "t.yaml", &yaml_template(BIG), "word ", LARGE);
    let run = check_bounded(&case, "t.yaml");
    assert_within(&run, 1, "a 120 MiB plain scalar");
    assert_judged(&run, "Open", "a 120 MiB plain scalar");
}

#[test]
fn large_json_strings_are_held_twice_at_most() {
    let open_sg = r#"{"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x",
        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}]}}"#;
    let open_after =
        r#"{"type": "ingress", "from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}"#;
    let rule = "aws_security_group_rule.open";
    let open_rule = format!(
        r#"{{"address": "{rule}", "mode": "managed", "type": "aws_security_group_rule", "name": "open",
        "change": {{"actions": ["create"], "before": null, "after": {open_after}, "after_unknown": {{}}}}}}"#
    );
    let bucket = r#""address": "aws_s3_bucket.big", "mode": "managed", "type": "aws_s3_bucket", "name": "big""#;
    let cases = [
        (
            "template.json",
            format!(
                r#"{{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {{
                "Big": {{"Type": "AWS::S3::Bucket", "Properties": {{"BucketName": "{BIG}"}}}}, "Open": {open_sg}}}}}"#
            ),
            "Open",
        ),
        (
            "parameters.json",
            format!(
                r#"{{"AWSTemplateFormatVersion": "2010-09-09", "Parameters": {{"Name": {{"Type": "String", "Default": "{BIG}"}}}},
                "Resources": {{"Big": {{"Type": "AWS::S3::Bucket", "Properties": {{"BucketName": {{"Ref": "Name"}}}}}}, "Open": {open_sg}}}}}"#
            ),
            "Open",
        ),
        (
            "after.json",
            format!(
                r#"{{"format_version": "1.2", "resource_changes": [{{{bucket},
                "change": {{"actions": ["create"], "before": null, "after": {{"bucket": "{BIG}"}}, "after_unknown": {{}}}}}}, {open_rule}]}}"#
            ),
            rule,
        ),
        (
            "planned.json",
            format!(
                r#"{{"format_version": "1.2", "planned_values": {{"root_module": {{"resources": [
                {{{bucket}, "values": {{"bucket": "{BIG}"}}}},
                {{"address": "{rule}", "mode": "managed", "type": "aws_security_group_rule", "name": "open", "values": {open_after}}}]}}}}}}"#
            ),
            rule,
        ),
    ];
    let case = Case::new();
    for (file, document, judged) in cases {
        write_large(&case, file, &document, "a", LARGE);
        let run = check_bounded(&case, file);
        assert_within(&run, 1, file);
        assert_judged(&run, judged, file);
        std::fs::remove_file(case.path(file)).unwrap();
    }
    // Not infrastructure: an error, within the same bound.
    write_large(&case, "string.json", &format!("\"{BIG}\""), "a", LARGE);
    assert_within(&check_bounded(&case, "string.json"), 2, "a bare JSON string");
}

/// Every form a YAML scalar may be written in is taken over from the parser rather than copied.
#[test]
fn every_form_of_a_yaml_scalar_is_held_twice_at_most() {
    // Just under a power of two (see [`LARGE`]): the text and the parser's buffer need 96 MiB of
    // the 123 MiB allowed.
    const SIZE: usize = 30 * MIB as usize;
    let block = "\n        ";
    let forms = [
        ("double-quoted", format!("\"{BIG}\""), "word "),
        ("single-quoted", format!("'{BIG}'"), "word "),
        ("literal block", format!("|{block}{BIG}"), "word\n        "),
        ("short-form tag", format!("!Sub {BIG}"), "word "),
        ("core-schema tag", format!("!!str {BIG}"), "word "),
        ("non-specific tag", format!("! {BIG}"), "word "),
        ("in a list", format!("[{BIG}]"), "word "),
    ];
    let case = Case::new();
    for (what, value, unit) in forms {
        write_large(&case, "t.yaml", &yaml_template(&value), unit, SIZE);
        let run = check_bounded(&case, "t.yaml");
        assert_within(&run, 1, what);
        assert_judged(&run, "Open", what);
    }
}
