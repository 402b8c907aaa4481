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

/// A directory holding `files` (relative path → text).
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (p, text) in files {
        let full = dir.path().join(p);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    dir
}

fn names(found: &Discovery, base: &Path) -> Vec<String> {
    found.candidates.iter().map(|c| display_path(&c.path, base)).collect()
}

#[test]
fn each_file_is_a_candidate_once_however_it_is_named() {
    let dir = tree(&[("a/t.yaml", "x"), ("a/u.json", "{}")]);
    let d = dir.path();
    let paths = [
        d.join("a/t.yaml"),
        d.join("a"),
        d.join("a/./t.yaml"),
        d.join("a/../a/u.json"),
        d.join("a/t.yaml"),
    ];
    let found = walk(&paths, d, Some(d));
    assert_eq!(names(&found, d), vec!["a/t.yaml", "a/u.json"]);
    // Named once is named: a file met in a walk and on the command line is checked strictly.
    assert!(found.candidates[0].named);
    assert!(found.candidates[1].named);
    let walked_first = walk(&[d.join("a"), d.join("a/u.json")], d, Some(d));
    assert_eq!(names(&walked_first, d), vec!["a/t.yaml", "a/u.json"]);
    assert!(!walked_first.candidates[0].named && walked_first.candidates[1].named);
    assert!(found.errors.is_empty() && found.skipped.is_empty());
}

#[cfg(unix)]
#[test]
fn links_inside_the_repository_are_followed_and_loops_noted() {
    use std::os::unix::fs::symlink;
    let dir = tree(&[("real/plan.json", "{}"), ("stacks/t.YAML", "x")]);
    let d = dir.path();
    symlink("../real", d.join("stacks/linked")).unwrap();
    symlink("../real/plan.json", d.join("stacks/p.json")).unwrap();
    symlink("..", d.join("stacks/up")).unwrap();
    let found = walk(&[d.join("stacks")], d, Some(d));
    // The linked directory and file are read (once: both lead to real/plan.json); `up` leads to
    // the repository root, whose `stacks` is the loop.
    assert_eq!(names(&found, d), vec!["stacks/linked/plan.json", "stacks/t.YAML"]);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert_eq!(found.skipped.len(), 1, "{:?}", found.skipped);
    assert!(
        found.skipped[0].reason.contains("walked already"),
        "{:?}",
        found.skipped
    );
}

#[cfg(unix)]
#[test]
fn links_out_of_the_repository_and_broken_links_are_errors() {
    use std::os::unix::fs::symlink;
    let outside = tree(&[("plan.json", "{}")]);
    let dir = tree(&[("repo/ok.yaml", "x")]);
    let repo = dir.path().join("repo");
    symlink(outside.path(), repo.join("elsewhere")).unwrap();
    symlink(outside.path().join("plan.json"), repo.join("p.json")).unwrap();
    symlink("missing.json", repo.join("broken.json")).unwrap();
    symlink("/etc/hostname", repo.join("notes.txt")).unwrap();
    let found = walk(std::slice::from_ref(&repo), &repo, Some(&repo));
    assert_eq!(names(&found, &repo), vec!["ok.yaml"]);
    let messages: Vec<(&str, &str)> = found
        .errors
        .iter()
        .map(|e| (e.file.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages[0].0 == "broken.json" && messages[0].1.contains("target cannot be read"));
    assert!(messages[1].0 == "elsewhere" && messages[1].1.contains("out of the repository"));
    assert!(messages[2].0 == "p.json" && messages[2].1.contains("out of the repository"));
    // Named on the command line, a link is the user's choice and is followed.
    let named = walk(&[repo.join("p.json")], &repo, Some(&repo));
    assert_eq!(named.candidates.len(), 1);
    assert!(named.errors.is_empty());
}

#[cfg(unix)]
#[test]
fn a_chain_of_directory_links_is_walked_once_per_directory() {
    use std::os::unix::fs::symlink;
    // Two links per level to the next level: 2^24 paths, 24 directories.
    let dir = tree(&[("d24/plan.json", "{}")]);
    let d = dir.path();
    for i in 0..24 {
        std::fs::create_dir_all(d.join(format!("d{i}"))).unwrap();
        for l in ["a", "b"] {
            symlink(format!("../d{}", i + 1), d.join(format!("d{i}/{l}"))).unwrap();
        }
    }
    let start = std::time::Instant::now();
    let found = walk(&[d.join("d0")], d, Some(d));
    assert!(start.elapsed().as_secs() < 10);
    assert_eq!(found.candidates.len(), 1);
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_candidates_that_fail_to_load() {
    use std::os::unix::fs::symlink;
    let dir = tree(&[]);
    let d = dir.path();
    let fifo = std::process::Command::new("mkfifo").arg(d.join("pipe.json")).status();
    symlink("/dev/zero", d.join("zero.yaml")).unwrap();
    let found = walk(&[d.to_path_buf()], d, Some(d));
    // In a walk, the link to /dev/zero leads out of the repository: refused there.
    assert_eq!(found.errors.len(), 1, "{:?}", found.errors);
    assert_eq!(found.errors[0].file, "zero.yaml");
    // Named, it is followed, and the read refuses the device, as it refuses the FIFO.
    let named = walk(&[d.join("zero.yaml")], d, Some(d));
    let candidates: Vec<Candidate> = found.candidates.into_iter().chain(named.candidates).collect();
    let loaded = load_all(&candidates, d);
    let failed: Vec<&str> = loaded.errors.iter().map(|e| e.file.as_str()).collect();
    let mut want = vec!["zero.yaml"];
    if fifo.is_ok_and(|s| s.success()) {
        want.insert(0, "pipe.json");
    }
    assert_eq!(failed, want, "{:?}", loaded.errors);
    assert!(loaded.errors.iter().all(|e| e.message.contains("not a regular file")));
}

#[test]
fn repository_paths_do_not_depend_on_the_working_directory() {
    let root = Path::new("/repo");
    assert_eq!(
        repo_path(Path::new("prod/db.yaml"), Path::new("/repo/envs"), root),
        "envs/prod/db.yaml"
    );
    assert_eq!(
        repo_path(Path::new("envs/prod/db.yaml"), root, root),
        "envs/prod/db.yaml"
    );
    assert_eq!(
        repo_path(Path::new("/repo/envs/x.json"), Path::new("/tmp"), root),
        "envs/x.json"
    );
    assert_eq!(
        repo_path(Path::new("./a/../b.json"), Path::new("/repo/envs"), root),
        "envs/b.json"
    );
}

#[test]
fn utf8_is_decoded_in_place() {
    let bytes = b"\xEF\xBB\xBF{}".to_vec();
    assert_eq!(decode_owned(bytes).unwrap(), "{}");
    let (e, back) = decode_owned(vec![0xC3, 0x28]).unwrap_err();
    assert!(e.contains("UTF-8"));
    assert_eq!(back, vec![0xC3, 0x28]);
}
