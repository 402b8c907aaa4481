use std::path::Path;

use super::*;

#[test]
fn decodes_utf8_with_bom_and_utf16_both_ways() {
    assert_eq!(decode(b"\xEF\xBB\xBF{\"a\":1}").unwrap(), "{\"a\":1}");
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("{\"é\":1}".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    assert_eq!(decode(&le).unwrap(), "{\"é\":1}");
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain("{}".encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    assert_eq!(decode(&be).unwrap(), "{}");
    assert!(decode(&[0xFF, 0xFE, 0x41]).is_err(), "odd UTF-16 length");
    assert!(decode(&[0xC3, 0x28]).is_err(), "invalid UTF-8");
}

#[test]
fn display_paths_are_relative_and_slash_separated() {
    let cwd = Path::new("/work/repo");
    assert_eq!(
        display_path(Path::new("/work/repo/envs/prod/plan.json"), cwd),
        "envs/prod/plan.json"
    );
    assert_eq!(display_path(Path::new("./a/./b.json"), cwd), "a/b.json");
    assert_eq!(display_path(Path::new("/work/other/x.yaml"), cwd), "../other/x.yaml");
}

#[test]
fn json_pointers_resolve_to_key_lines() {
    let text = "{\n  \"Resources\": {\n    \"My/Bucket\": {\n      \"Type\": \"AWS::S3::Bucket\"\n    }\n  },\n  \"list\": [1, {\"address\": \"x\"}]\n}";
    let locs = json_locations(text, &["/Resources/My~1Bucket", "/list/1/address", "/missing"]);
    let first = locs[0].unwrap();
    assert_eq!((first.line, first.column), (3, 5));
    assert_eq!(&text[first.offset..first.offset + first.length], "\"My/Bucket\"");
    assert_eq!(locs[1].map(|l| l.line), Some(7));
    assert_eq!(locs[2], None);
    assert_eq!(json_locations("{oops", &["/a"]), vec![None]);
}

#[test]
fn discovery_skips_vendored_directories_and_reports_missing_paths() {
    let dir = tempfile::tempdir().unwrap();
    for p in [
        "a/plan.json",
        "a/.terraform/modules/x.json",
        "node_modules/y.yaml",
        "b/template.yml",
        "b/notes.txt",
    ] {
        let full = dir.path().join(p);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, "{}").unwrap();
    }
    let (found, errors) = discover(&[dir.path().to_path_buf(), dir.path().join("nope")]);
    let names: Vec<String> = found.iter().map(|c| display_path(&c.path, dir.path())).collect();
    assert_eq!(names, vec!["a/plan.json", "b/template.yml"]);
    assert!(found.iter().all(|c| !c.named));
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.contains("no such file"));
}

#[test]
fn unparseable_files_fail_when_named_or_when_they_look_like_iac() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken-plan.json"), "{\"resource_changes\": [").unwrap();
    std::fs::write(dir.path().join("broken-other.json"), "{\"name\": ").unwrap();
    std::fs::write(dir.path().join("package.json"), "{\"name\": \"x\"}").unwrap();
    let (found, _) = discover(&[dir.path().to_path_buf()]);
    let loaded = load_all(&found, dir.path());
    assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
    assert_eq!(loaded.errors[0].file, "broken-plan.json");
    assert!(loaded.errors[0].line >= 1);
    let skipped: Vec<(&str, bool)> = loaded
        .skipped
        .iter()
        .map(|s| (s.file.as_str(), s.unparseable))
        .collect();
    assert_eq!(skipped, vec![("broken-other.json", true), ("package.json", false)]);
    // Named on the command line, any unparseable or non-IaC file is an error.
    let named = [Candidate {
        path: dir.path().join("package.json"),
        named: true,
    }];
    assert_eq!(load_all(&named, dir.path()).errors.len(), 1);
}

#[test]
fn duplicate_keys_in_json_plans_and_templates_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    // The same bytes are refused as YAML; as JSON, last-wins would read `Private` alone.
    let template = "{\n  \"Resources\": {\n    \"B\": {\n      \"Type\": \"AWS::S3::Bucket\",\n      \"Properties\": {\"AccessControl\": \"PublicRead\",\n        \"AccessControl\": \"Private\"}\n    }\n  }\n}\n";
    let plan = "{\"format_version\": \"1.2\",\n \"resource_changes\": [],\n \"resource_changes\": []}";
    std::fs::write(dir.path().join("t.json"), template).unwrap();
    std::fs::write(dir.path().join("plan.json"), plan).unwrap();
    let (found, _) = discover(&[dir.path().to_path_buf()]);
    let loaded = load_all(&found, dir.path());
    assert!(loaded.files.is_empty(), "{:?}", loaded.files);
    let mut errors: Vec<(String, usize, bool)> = loaded
        .errors
        .iter()
        .map(|e| (e.file.clone(), e.line, e.message.contains("duplicate key")))
        .collect();
    errors.sort();
    assert_eq!(
        errors,
        vec![("plan.json".to_string(), 3, true), ("t.json".to_string(), 6, true)]
    );
}
