//! Untrusted names reach no terminal, log or summary raw: for_each keys, tag values and file
//! names written to start workflow commands, fake Markdown, inject HTML or send escape sequences,
//! in every output format.

use serde_json::json;

use crate::Case;

/// Texts an author of a pull request could put in a name, a tag value or a file name.
const HOSTILE: &[&str] = &[
    "\n::error file=x.tf,line=1::forged",
    "\r\n::stop-commands::abc",
    "\n::add-mask::x",
    "\u{1b}[2J\u{1b}[31mred",
    "\u{1b}]8;;https://example.com\u{7}link",
    "</code><img src=x onerror=alert(1)>",
    "\n# Forged heading",
    "| forged | cells |",
    "`close` **bold** [link](https://example.com)",
    "\u{202e}gnp.exe",
    "%0A::error::encoded",
];

/// A plan whose bucket instances are keyed by `key` and tagged with it, noncompliant (no
/// encryption and missing tags), so every format reports them.
fn plan(key: &str) -> String {
    // Terraform quotes the key in the address; a hand-written plan may not.
    let quoted = format!("aws_s3_bucket.b[{}]", serde_json::to_string(key).unwrap());
    let raw = format!("aws_s3_bucket.raw[\"{key}\"]");
    let after = json!({"bucket": "b", "tags_all": {"Owner": key, "Environment": "prod"}, "acl": "public-read",
                       "server_side_encryption_configuration": [{"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": key}]}]}]});
    let planned: Vec<_> = [&quoted, &raw]
        .iter()
        .map(|a| json!({"address": a, "mode": "managed", "type": "aws_s3_bucket", "name": "b", "index": key, "values": after}))
        .collect();
    let changes: Vec<_> = [&quoted, &raw]
        .iter()
        .map(|a| {
            json!({"address": a, "mode": "managed", "type": "aws_s3_bucket", "name": "b", "index": key,
                        "change": {"actions": ["create"], "before": null, "after": after, "after_unknown": {}}})
        })
        .collect();
    serde_json::to_string(&json!({
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
    }))
    .unwrap()
}

/// Whether `line` is one this run's own output may start with a workflow command.
fn own_command(line: &str) -> bool {
    ["::error ", "::warning ", "::notice "]
        .iter()
        .any(|p| line.starts_with(p))
}

#[test]
fn hostile_names_are_escaped_in_every_format() {
    let mut checked = 0;
    for (i, text) in HOSTILE.iter().enumerate() {
        let case = Case::new();
        // The same text as a for_each key and tag value, and (where a file name can hold it) in
        // the file's name.
        let safe_name: String = text.chars().filter(|c| *c != '/' && *c != '\0').collect();
        let file = format!("plan{i}{safe_name}.json");
        if std::fs::write(case.path(&file), plan(text)).is_err() {
            case.write(&format!("plan{i}.json"), plan(text));
        }
        for format in ["human", "json", "markdown", "github", "sarif"] {
            let run = case.run(&["check", "--color", "never", "--format", format, "."]);
            run.assert_code(1, &format!("{text:?} as {format}"));
            for (stream, out) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                assert!(
                    !out.contains('\u{1b}'),
                    "{format} {stream}: an escape sequence got through for {text:?}:\n{out}"
                );
                // JSON and SARIF carry data for programs: a bidi character in a string is the name.
                let data = stream == "stdout" && matches!(format, "json" | "sarif");
                assert!(
                    data || !out.contains('\u{202e}'),
                    "{format} {stream}: a bidi override got through:\n{out}"
                );
                for line in out.lines() {
                    // The runner may read a command after the drawing a report puts before it.
                    let bare = line.trim_start_matches(|c: char| c.is_whitespace() || !c.is_ascii());
                    let forged =
                        bare.starts_with("::") && !(format == "github" && stream == "stdout" && own_command(line));
                    assert!(
                        !forged,
                        "{format} {stream}: a line starts a workflow command for {text:?}: {line:?}\n{out}"
                    );
                }
                if format == "markdown" && stream == "stdout" {
                    assert!(!out.contains("<img"), "HTML got through:\n{out}");
                    assert!(
                        !out.lines().any(|l| l.starts_with("# Forged")),
                        "a heading got through:\n{out}"
                    );
                    assert!(!out.contains("| forged |"), "table cells got through:\n{out}");
                }
            }
            if format == "github" {
                // Every command stays one line with the runner's own encoding.
                assert!(run.stdout.lines().all(own_command), "{}", run.stdout);
            }
            checked += 1;
        }
    }
    assert_eq!(checked, HOSTILE.len() * 5);
}
