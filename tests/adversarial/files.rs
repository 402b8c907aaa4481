//! Files that are not what their names say: FIFOs, links to devices, link loops, directories
//! named like plans, files over the size limit, one file named many ways, runs with nothing to
//! check. Each class is generated over its variants; none may pass, hang or exhaust memory.

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;

use crate::{Case, Run};

/// A template the built-in pack blocks: SSH open to the internet.
const OPEN_SSH: &str = "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: 0.0.0.0/0\n";

/// A Terraform plan with one bucket, whose `.tf` sources are looked for beside it.
const PLAN: &str = r#"{"format_version": "1.2", "terraform_version": "1.9.0",
  "resource_changes": [{"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket",
    "name": "b", "change": {"actions": ["create"], "after": {"bucket": "b"}, "after_unknown": {}}}],
  "configuration": {"root_module": {}}}"#;

/// What a variant builds in its case directory.
type Setup = Box<dyn Fn(&Case)>;

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let ok = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(ok.success(), "mkfifo {}", path.display());
}

fn link(target: &str, at: &Path) {
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    symlink(target, at).unwrap();
}

/// The run ended with exit 2 (an error), in time, and the error names `file`.
#[track_caller]
fn assert_error_at(run: &Run, file: &str, what: &str) {
    run.assert_code(2, what);
    assert!(
        run.stderr.contains(file),
        "{what}: the error does not name {file}\n{run:#?}"
    );
}

#[test]
fn fifos_wherever_a_file_is_read() {
    // (where the FIFO is, the arguments, the setup beside it)
    let cases: &[(&str, &[&str])] = &[
        ("tf/main.tf", &["check", "tf/plan.json"]),
        ("tf/vars.tf", &["check", "tf"]),
        ("plan.json", &["check", "plan.json"]),
        ("stacks/t.yaml", &["check", "stacks"]),
        ("stacks/t.template", &["check", "stacks"]),
        ("stacks/T.JSON", &["check", "stacks"]),
        (".controlgate.yaml", &["check", "tf"]),
        (".controlgate/exceptions.yaml", &["check", "tf"]),
        (".controlgate/exceptions/a.yaml", &["check", "tf"]),
        ("reg.yaml", &["check", "tf", "--exceptions", "reg.yaml"]),
        ("pack/rules/x.yaml", &["check", "tf", "--policies", "pack"]),
        ("pack/controls/X-001.yaml", &["check", "tf", "--policies", "pack"]),
        ("cfg.yaml", &["check", "tf", "--config", "cfg.yaml"]),
        ("reg.yaml", &["exceptions", "validate", "--exceptions", "reg.yaml"]),
    ];
    for (fifo, args) in cases {
        let case = Case::new();
        case.write("tf/plan.json", PLAN);
        case.write("tf/main.tf", "resource \"aws_s3_bucket\" \"b\" {}\n");
        std::fs::create_dir_all(case.path("pack/rules")).unwrap();
        let _ = std::fs::remove_file(case.path(fifo));
        mkfifo(&case.path(fifo));
        let name = Path::new(fifo).file_name().unwrap().to_str().unwrap();
        assert_error_at(&case.run(args), name, &format!("a FIFO at {fifo}, {args:?}"));
    }
}

#[test]
fn links_to_devices() {
    for device in ["/dev/zero", "/dev/urandom", "/dev/null", "/dev/full"] {
        if !Path::new(device).exists() {
            continue;
        }
        for name in ["main.tf", "plan.json", "t.yaml", "t.yml", "t.template"] {
            let case = Case::new();
            case.write("tf/plan.json", PLAN);
            let at = case.path(&format!("tf/{name}"));
            let _ = std::fs::remove_file(&at);
            link(device, &at);
            let what = format!("tf/{name} -> {device}");
            // Beside a plan (the `.tf` source), in a directory walk, and named.
            if name == "main.tf" {
                assert_error_at(
                    &case.run(&["check", "tf/plan.json"]),
                    name,
                    &format!("{what}, plan named"),
                );
            } else {
                let named = format!("tf/{name}");
                assert_error_at(&case.run(&["check", &named]), name, &format!("{what}, named"));
            }
            assert_error_at(&case.run(&["check", "tf"]), name, &format!("{what}, directory walked"));
        }
    }
}

#[test]
fn link_loops_and_link_chains() {
    // Each variant builds links under `stacks/` beside a blocking template; none may hang, and
    // the blocking template still blocks (or the run is an error).
    let variants: Vec<(&str, Setup)> = vec![
        (
            "a link to itself",
            Box::new(|c| link("self.yaml", &c.path("stacks/self.yaml"))),
        ),
        (
            "two links to each other",
            Box::new(|c| {
                link("b.json", &c.path("stacks/a.json"));
                link("a.json", &c.path("stacks/b.json"));
            }),
        ),
        (
            "a link to its directory",
            Box::new(|c| link(".", &c.path("stacks/here"))),
        ),
        ("a link to the root", Box::new(|c| link("..", &c.path("stacks/up")))),
        (
            "two directories linking each other",
            Box::new(|c| {
                link("../y", &c.path("stacks/x/to-y"));
                link("../x", &c.path("stacks/y/to-x"));
            }),
        ),
        (
            "a doubling chain of directory links",
            Box::new(|c| {
                for i in 0..30 {
                    for l in ["a", "b", "c"] {
                        link(&format!("../d{}", i + 1), &c.path(&format!("stacks/d{i}/{l}")));
                    }
                }
                std::fs::create_dir_all(c.path("stacks/d30")).unwrap();
            }),
        ),
        (
            "a link out of the repository",
            Box::new(|c| link("/", &c.path("stacks/everything"))),
        ),
        (
            "a link to nothing",
            Box::new(|c| link("missing", &c.path("stacks/gone.json"))),
        ),
    ];
    for (what, build) in &variants {
        let case = Case::new();
        std::fs::create_dir(case.path(".git")).unwrap();
        case.write("stacks/sg.yaml", OPEN_SSH);
        build(&case);
        case.run(&["check", "stacks"]).assert_not_pass(what);
        case.run(&["check", "."]).assert_not_pass(what);
        // Without the blocking template there is nothing to pass.
        std::fs::remove_file(case.path("stacks/sg.yaml")).unwrap();
        case.run(&["check", "stacks"]).assert_code(2, what);
    }
}

#[test]
fn directories_named_like_inputs() {
    for name in ["plan.json", "t.yaml", "t.yml", "t.template", "main.tf", "x.JSON"] {
        let case = Case::new();
        std::fs::create_dir_all(case.path(&format!("in/{name}/deeper"))).unwrap();
        case.run(&["check", "in"])
            .assert_code(2, &format!("only a directory {name}: nothing checked"));
        let named = format!("in/{name}");
        case.run(&["check", &named]).assert_code(2, &format!("{name} named"));
        // Beside real inputs, such a directory is passed over, as Terraform does with `*.tf`.
        case.write("in/plan.json.d/sg.yaml", OPEN_SSH);
        case.write("in/p/plan.json", PLAN);
        std::fs::create_dir_all(case.path("in/p/dir.tf")).unwrap();
        case.run(&["check", "in"])
            .assert_code(1, &format!("{name} beside a blocking template"));
    }
}

#[test]
fn files_over_the_size_limit() {
    // Sparse files report their size without taking disk: the limit is checked before reading.
    for (name, size, limit) in [
        ("plan.json", 300u64 << 20, None),
        ("t.yaml", (256 << 20) + 1, None),
        ("main.tf", 1 << 30, None),
        ("plan.json", 2 << 20, Some("1M")),
        ("t.template", 10_001, Some("10000")),
        ("big.json", 5 << 30, Some("4G")),
    ] {
        let case = Case::new();
        case.write("tf/plan.json", PLAN);
        let f = std::fs::File::create(case.path(&format!("tf/{name}"))).unwrap();
        f.set_len(size).unwrap();
        let mut args = vec!["check", "tf"];
        if let Some(l) = limit {
            args.extend(["--max-file-size", l]);
        }
        if name == "main.tf" {
            args = vec!["check", "tf/plan.json"];
        }
        let run = case.run(&args);
        assert_error_at(&run, name, &format!("{name} of {size} bytes, limit {limit:?}"));
        assert!(run.stderr.contains("size limit"), "{run:#?}");
    }
    // A registry or config over the limit is located too.
    for file in [".controlgate.yaml", "reg.yaml"] {
        let case = Case::new();
        case.write("t.yaml", OPEN_SSH);
        case.write(file, format!("# {}\n", "x".repeat(2000)));
        let run = case.run(&["check", "t.yaml", "--exceptions", "reg.yaml", "--max-file-size", "1K"]);
        assert_error_at(&run, file, &format!("{file} over 1K"));
    }
}

#[test]
fn one_file_named_many_ways() {
    let case = Case::new();
    std::fs::create_dir(case.path(".git")).unwrap();
    case.write("stacks/sg.yaml", OPEN_SSH);
    link("sg.yaml", &case.path("stacks/alias.yaml"));
    link("stacks", &case.path("also"));
    let base = case.run(&["check", "-f", "json", "stacks/sg.yaml"]);
    base.assert_code(1, "one template");
    let count = |run: &Run| run.json()["findings"].as_array().unwrap().len();
    let n = count(&base);
    let spellings = [
        "stacks/sg.yaml",
        "./stacks/sg.yaml",
        "stacks//sg.yaml",
        "stacks/./sg.yaml",
        "stacks/../stacks/sg.yaml",
        "stacks",
        "stacks/",
        ".",
        "stacks/alias.yaml",
        "also",
        "also/sg.yaml",
    ];
    // Every pair, and all at once: the findings are those of one file.
    for a in spellings {
        for b in spellings {
            let run = case.run(&["check", "-f", "json", a, b]);
            run.assert_code(1, &format!("{a} {b}"));
            assert_eq!(count(&run), n, "{a} {b}: duplicate findings\n{}", run.stderr);
        }
    }
    let mut all = vec!["check", "-f", "json"];
    all.extend(spellings);
    assert_eq!(count(&case.run(&all)), n);
}

#[test]
fn runs_with_nothing_to_check() {
    let setups: Vec<(&str, Setup)> = vec![
        (
            "an empty directory",
            Box::new(|c| std::fs::create_dir_all(c.path("in")).unwrap()),
        ),
        (
            "only other JSON",
            Box::new(|c| {
                c.write("in/package.json", "{\"name\": \"x\"}");
            }),
        ),
        (
            "only Kubernetes YAML",
            Box::new(|c| {
                c.write("in/k.yaml", "apiVersion: v1\nkind: Pod\n");
            }),
        ),
        (
            "only .tf files",
            Box::new(|c| {
                c.write("in/main.tf", "resource \"a\" \"b\" {}\n");
            }),
        ),
        (
            "only vendored plans",
            Box::new(|c| {
                c.write("in/node_modules/p.yaml", OPEN_SSH);
            }),
        ),
        (
            "only other files",
            Box::new(|c| {
                c.write("in/README.md", "# x\n");
            }),
        ),
    ];
    for (what, setup) in &setups {
        let case = Case::new();
        setup(&case);
        let run = case.run(&["check", "in"]);
        run.assert_code(2, what);
        assert!(
            run.stderr
                .contains("no Terraform plan or CloudFormation template found in in"),
            "{run:#?}"
        );
        case.run(&["check", "in", "-f", "sarif"]).assert_code(2, what);
        case.run(&["check", "in", "--allow-empty"]).assert_code(0, what);
    }
    Case::new()
        .run(&["check"])
        .assert_code(2, "no paths, empty working directory");
    Case::new().run(&["check", "missing"]).assert_code(2, "a missing path");
}

#[test]
fn large_strings_under_the_limit_stay_within_memory() {
    // One value of 200 MiB (peak memory about 3× the file): under the 4 GiB address-space limit
    // of the harness the run ends with its verdict, and with a lower limit it is refused.
    for (value, limit) in [("policy", "1G"), ("bucket", "1G"), ("tags", "150M")] {
        let case = Case::new();
        let big = "a".repeat(200 << 20);
        let after = match value {
            "tags" => format!(r#"{{"bucket": "b", "tags": {{"Owner": "{big}"}}}}"#),
            "bucket" => format!(r#"{{"bucket": "{big}"}}"#),
            v => format!(r#"{{"bucket": "b", "{v}": "{big}"}}"#),
        };
        drop(big);
        case.write(
            "plan.json",
            format!(
                r#"{{"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": [{{"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b", "change": {{"actions": ["create"], "after": {after}, "after_unknown": {{}}}}}}]}}"#
            ),
        );
        let run = case.run(&["check", "plan.json", "-f", "json", "--max-file-size", limit]);
        run.assert_not_pass(&format!("a 200 MiB `{value}`, limit {limit}"));
        if limit == "1G" {
            run.assert_code(1, &format!("a 200 MiB `{value}` is checked"));
        } else {
            assert!(run.stderr.contains("size limit"), "{run:#?}");
        }
    }
}
