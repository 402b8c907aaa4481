//! Folders of run records written to mislead or stall `evidence query` and `evidence package`:
//! terminal escapes in the fields they print, a record cut short, a record of 10 MB, nesting too
//! deep to read, a FIFO named like a record, symbolic link loops and links out of the folder, and
//! in-toto statements of another predicate type. None may print an escape, hang, crash or drop a
//! file without saying so.

use std::os::unix::fs::symlink;
use std::process::Command;

use serde_json::Value;

use crate::Case;

/// One record of the committed fixture folder.
fn record() -> Value {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/evidence/records/orders/2026/01/04"
    );
    let file = std::fs::read_dir(dir).unwrap().next().unwrap().unwrap().path();
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\nverified | ok";

#[test]
fn fields_from_records_reach_neither_table_nor_package_as_escapes() {
    let case = Case::new();
    let mut r = record();
    r["predicate"]["context"]["repository"] = HOSTILE.into();
    r["predicate"]["context"]["commit"] = "\u{1b}[31mdeadbeef".into();
    r["predicate"]["inputs"][0]["name"] = HOSTILE.into();
    let findings = r["predicate"]["findings"].as_array_mut().unwrap();
    for f in findings.iter_mut() {
        f["resource"] = HOSTILE.into();
    }
    r["predicate"]["exceptions"][0]["reason"] = HOSTILE.into();
    case.write("records/r.json", serde_json::to_string_pretty(&r).unwrap());
    let table = case.run(&["evidence", "query", "records", "--control", "BCK-001"]);
    table.assert_code(0, "query");
    let package = case.run(&[
        "evidence",
        "package",
        "BCK-001",
        "--since",
        "2026-01-01",
        "--until",
        "2026-12-31",
        "records",
    ]);
    package.assert_code(0, "package");
    for (what, out) in [("table", &table.stdout), ("package", &package.stdout)] {
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{what}:\n{out}");
        assert!(
            out.contains("u{1b}") || out.contains("u\\{1b\\}"),
            "{what} shows the escape as text:\n{out}"
        );
        assert!(!out.lines().any(|l| l.starts_with("verified")), "{what}:\n{out}");
    }
    // Two lines: the header and the run; no line injected.
    assert_eq!(table.stdout.lines().count(), 2, "{}", table.stdout);
    // Every table row of the package keeps its columns: the `|` of the name is escaped.
    for l in package
        .stdout
        .lines()
        .filter(|l| l.starts_with("| open") || l.starts_with("| excepted"))
    {
        assert_eq!(l.matches(" | ").count(), 9, "{l}");
    }
    // The JSON keeps the value as it is, JSON-escaped.
    let json = case.run(&["evidence", "query", "records", "-f", "json"]);
    json.assert_code(0, "json");
    assert_eq!(json.json()["runs"][0]["repository"], HOSTILE);
}

#[test]
fn a_record_cut_short_fails_the_query_naming_it() {
    let case = Case::new();
    let text = serde_json::to_string_pretty(&record()).unwrap();
    for cut in [1, text.len() / 3, text.len() - 2] {
        case.write("records/a.json", &text);
        case.write("records/b.json", &text[..cut]);
        let run = case.run(&["evidence", "query", "records"]);
        run.assert_code(2, "a truncated record");
        assert!(run.stderr.contains("b.json:"), "{}", run.stderr);
        assert_eq!(
            run.stdout, "",
            "nothing is printed of a folder that cannot be read whole"
        );
    }
}

#[test]
fn a_record_of_10_mb_is_read_and_the_size_limit_holds() {
    let case = Case::new();
    let mut r = record();
    // Ten thousand changed resources, as a large plan gives.
    let resources: Vec<Value> = (0..45_000)
        .map(|i| serde_json::json!({"address": format!("module.m{i}.aws_s3_bucket.b[{i}]"), "type": "aws_s3_bucket", "action": "create", "environment": "prod", "region": "eu-west-1", "file": "plans/big.json"}))
        .collect();
    r["predicate"]["changes"]["resources"] = resources.into();
    let text = serde_json::to_string_pretty(&r).unwrap();
    assert!(text.len() > 10_000_000, "{}", text.len());
    case.write("records/big.json", &text);
    let run = case.run(&[
        "evidence",
        "query",
        "records",
        "--resource",
        "module.m44999.*",
        "-f",
        "json",
    ]);
    run.assert_code(0, "a large record");
    assert_eq!(run.json()["matched"], 1);
    let run = case.run(&["--max-file-size", "1M", "evidence", "query", "records"]);
    run.assert_code(2, "over --max-file-size");
    assert!(
        run.stderr.contains("big.json") && run.stderr.contains("size limit"),
        "{}",
        run.stderr
    );
}

#[test]
fn nesting_too_deep_is_an_error_or_passed_over_never_a_crash() {
    let case = Case::new();
    let text = serde_json::to_string(&record()).unwrap();
    let deep = format!("{}1{}", "[".repeat(200_000), "]".repeat(200_000));
    // In a field the query reads, in one it does not, and as the whole document.
    let read = text.replacen("\"findings\":[", &format!("\"findings\":[{deep},"), 1);
    let ignored = text.replacen("\"changed\":[", &format!("\"changed\":[{deep},"), 1);
    // A document nested too deep to read is refused; nesting in a field the query does not read
    // may be passed over. Either way the run ends, in time, with 0 or 2.
    for (name, doc, refused) in [
        ("read", read, true),
        ("ignored", ignored, false),
        ("whole", deep.clone(), true),
    ] {
        case.write(&format!("{name}/r.json"), &doc);
        case.write(&format!("{name}-lines/r.jsonl"), format!("{text}\n{doc}\n"));
        for (dir, at) in [(name.to_string(), "r.json"), (format!("{name}-lines"), "r.jsonl:2")] {
            let run = case.run(&["evidence", "query", &dir]);
            assert!(!run.timed_out, "{dir}: hung");
            if refused {
                run.assert_code(2, &dir);
                assert!(run.stderr.contains(at), "{dir}: {}", run.stderr);
            } else {
                assert!(matches!(run.code, Some(0 | 2)), "{dir}: {run:#?}");
            }
        }
    }
}

#[test]
fn links_are_not_followed_and_a_loop_ends() {
    let case = Case::new();
    case.write("records/a/r.json", serde_json::to_string(&record()).unwrap());
    symlink("..", case.path("records/a/loop")).unwrap();
    symlink(case.path("records"), case.path("records/self")).unwrap();
    case.write("outside/x.json", serde_json::to_string(&record()).unwrap());
    symlink(case.path("outside/x.json"), case.path("records/x.json")).unwrap();
    let run = case.run(&["evidence", "query", "records", "-f", "json"]);
    run.assert_code(0, "links");
    assert_eq!(run.json()["records"], 1, "only the file inside, once");
    for l in ["a/loop", "self", "x.json"] {
        assert!(
            run.stderr
                .contains(&format!("note: {l}: a symbolic link, not followed")),
            "{l}: {}",
            run.stderr
        );
    }
}

#[test]
fn a_fifo_named_like_a_record_is_refused_not_waited_on() {
    let case = Case::new();
    case.write("records/r.json", serde_json::to_string(&record()).unwrap());
    let ok = Command::new("mkfifo")
        .arg(case.path("records/pipe.json"))
        .status()
        .unwrap();
    assert!(ok.success());
    let run = case.run(&["evidence", "query", "records"]);
    run.assert_code(2, "a FIFO");
    assert!(run.stderr.contains("pipe.json: not a regular file"), "{}", run.stderr);
}

#[test]
fn a_statement_of_another_predicate_type_is_not_a_record() {
    let case = Case::new();
    let mut r = record();
    case.write("records/r.json", serde_json::to_string(&r).unwrap());
    r["predicateType"] = "https://slsa.dev/provenance/v1".into();
    case.write("records/slsa.json", serde_json::to_string(&r).unwrap());
    // The same statement with a controlgate-like predicate but a foreign type must not count.
    let run = case.run(&["evidence", "query", "records"]);
    run.assert_code(2, "another predicate type");
    assert!(
        run.stderr.contains("slsa.json: not a controlgate run record: an in-toto statement of predicate type `https://slsa.dev/provenance/v1`"),
        "{}",
        run.stderr
    );
    let run = case.run(&["evidence", "query", "records", "--skip-other-files", "-f", "json"]);
    run.assert_code(0, "skipped");
    assert_eq!(run.json()["records"], 1);
    assert!(run.stderr.contains("note: slsa.json:"), "{}", run.stderr);
    // A key given twice is refused: one reader would see `pass`, another `blocked`.
    let text = std::fs::read_to_string(case.path("records/r.json")).unwrap();
    let twice = text.replacen(
        "\"verdict\":\"blocked\"",
        "\"verdict\":\"blocked\",\"verdict\":\"pass\"",
        1,
    );
    assert_ne!(twice, text);
    case.write("twice/r.json", twice);
    let run = case.run(&["evidence", "query", "twice"]);
    run.assert_code(2, "a key twice");
    assert!(run.stderr.contains("duplicate field `verdict`"), "{}", run.stderr);
}
