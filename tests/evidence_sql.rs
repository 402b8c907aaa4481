//! The SQL of docs/evidence-queries.md runs: every ```sql duckdb block is run with DuckDB over
//! generated records in JSON lines, and its rows are compared with the same question answered
//! here from the records' JSON, and, where `evidence query` answers it too, with that.
//! Without DuckDB (`pip install duckdb`) the test says it skipped, unless
//! CONTROLGATE_REQUIRE_TOOLS is set.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `sql duckdb` blocks of the page, by the name on their first line (`-- name: NAME`).
fn blocks() -> BTreeMap<String, String> {
    let doc = std::fs::read_to_string(root().join("docs/evidence-queries.md")).unwrap();
    let mut out = BTreeMap::new();
    let mut lines = doc.lines();
    while let Some(l) = lines.next() {
        if l.trim() != "```sql duckdb" {
            continue;
        }
        let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        let name = body
            .first()
            .and_then(|l| l.strip_prefix("-- name: "))
            .unwrap_or_else(|| panic!("a duckdb block starts with `-- name: NAME`: {body:?}"));
        assert!(out.insert(name.to_string(), body.join("\n")).is_none(), "{name} twice");
    }
    out
}

/// Run each query with DuckDB in `dir` (which holds `records/`); `None` when DuckDB is missing.
fn duckdb(dir: &Path, queries: &BTreeMap<String, String>) -> Option<BTreeMap<String, Vec<Vec<Value>>>> {
    let script = r#"
import json, sys
try:
    import duckdb
except ModuleNotFoundError:
    sys.exit(3)
queries = json.load(sys.stdin)
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
out = {}
for name, sql in queries.items():
    out[name] = [[None if v is None else str(v) for v in row] for row in con.execute(sql).fetchall()]
print(json.dumps(out))
"#;
    use std::io::Write;
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(queries).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.code() == Some(3) {
        return None;
    }
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: BTreeMap<String, Vec<Vec<Value>>> = serde_json::from_slice(&out.stdout).unwrap();
    Some(v)
}

fn skip(tool: &str) {
    assert!(
        std::env::var_os("CONTROLGATE_REQUIRE_TOOLS").is_none(),
        "{tool} is required here"
    );
    eprintln!("skipped: {tool} is not installed");
}

/// The records of `dir`, every line of every `.jsonl` file, read with serde_json alone.
fn records(dir: &Path) -> Vec<Value> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "jsonl") {
                files.push(p);
            }
        }
    }
    let mut out: Vec<Value> = files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .filter(|l| !l.is_empty())
                .map(|l| serde_json::from_str(l).unwrap())
                .collect::<Vec<Value>>()
        })
        .collect();
    out.sort_by(|a, b| started(a).cmp(started(b)));
    out
}

fn started(r: &Value) -> &str {
    r["predicate"]["startedAt"].as_str().unwrap()
}

fn s(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::String(t) => json!(t),
        other => json!(other.to_string()),
    }
}

fn list<'a>(r: &'a Value, key: &str) -> &'a Vec<Value> {
    r["predicate"][key].as_array().unwrap()
}

/// Each query's rows, computed from the records.
fn expected(rs: &[Value]) -> BTreeMap<String, Vec<Vec<Value>>> {
    let mut out = BTreeMap::new();
    let ctx = |r: &Value, k: &str| r["predicate"]["context"].get(k).cloned().unwrap_or(Value::Null);

    let mut blocked: BTreeMap<Option<String>, u64> = BTreeMap::new();
    for r in rs.iter().filter(|r| r["predicate"]["decision"]["verdict"] == "blocked") {
        *blocked
            .entry(ctx(r, "repository").as_str().map(String::from))
            .or_default() += 1;
    }
    let mut rows: Vec<(Option<String>, u64)> = blocked.into_iter().collect();
    // Count descending, then repository with NULL last.
    rows.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| (a.0.is_none(), &a.0).cmp(&(b.0.is_none(), &b.0)))
    });
    out.insert(
        "blocked-runs-per-repository".into(),
        rows.into_iter()
            .map(|(r, n)| vec![json!(r), json!(n.to_string())])
            .collect(),
    );

    let mut monthly: BTreeMap<(String, String), u64> = BTreeMap::new();
    for r in rs {
        for f in list(r, "findings") {
            if f["outcome"] == "fail" && f["exception"].is_null() {
                let month = started(r)[..7].to_string();
                *monthly
                    .entry((month, f["control"].as_str().unwrap().into()))
                    .or_default() += 1;
            }
        }
    }
    out.insert(
        "noncompliance-by-control-per-month".into(),
        monthly
            .into_iter()
            .map(|((m, c), n)| vec![json!(m), json!(c), json!(n.to_string())])
            .collect(),
    );

    out.insert(
        "runs-that-applied-an-exception".into(),
        rs.iter()
            .filter(|r| {
                list(r, "exceptions")
                    .iter()
                    .any(|e| e["id"] == "EXC-2026-001" && e["applied"].as_u64() > Some(0))
            })
            .map(|r| vec![s(&ctx(r, "repository")), s(&ctx(r, "commit"))])
            .collect(),
    );

    out.insert(
        "runs-that-failed-a-resource".into(),
        rs.iter()
            .filter_map(|r| {
                let n = list(r, "findings")
                    .iter()
                    .filter(|f| f["resource"] == "OrdersDatabase" && f["outcome"] == "fail")
                    .count();
                (n > 0).then(|| {
                    vec![
                        s(&ctx(r, "repository")),
                        s(&ctx(r, "commit")),
                        s(&r["predicate"]["decision"]["verdict"]),
                        json!(n.to_string()),
                    ]
                })
            })
            .collect(),
    );

    let mut versions: BTreeMap<String, std::collections::BTreeSet<u64>> = BTreeMap::new();
    for r in rs {
        for c in list(r, "controls") {
            versions
                .entry(c["id"].as_str().unwrap().into())
                .or_default()
                .insert(c["version"].as_u64().unwrap());
        }
    }
    out.insert(
        "controls-whose-version-changed".into(),
        versions
            .into_iter()
            .filter(|(_, v)| v.len() > 1)
            .map(|(id, v)| {
                vec![
                    json!(id),
                    json!(v.len().to_string()),
                    json!(v.first().unwrap().to_string()),
                    json!(v.last().unwrap().to_string()),
                ]
            })
            .collect(),
    );

    let mut bundles: Vec<(String, u64, String)> = Vec::new();
    for r in rs {
        let d = r["predicate"]["policy"]["digest"]["sha256"].as_str().unwrap();
        match bundles.iter_mut().find(|b| b.0 == d) {
            Some(b) => b.1 += 1,
            None => bundles.push((d.into(), 1, started(r)[..10].into())),
        }
    }
    out.insert(
        "policy-bundles-in-use".into(),
        bundles
            .into_iter()
            .map(|(d, n, first)| vec![json!(d), json!(n.to_string()), json!(first)])
            .collect(),
    );
    out
}

#[test]
fn the_documented_duckdb_queries_give_the_rows_computed_from_the_records() {
    let queries = blocks();
    assert!(
        queries.len() >= 4,
        "the page documents its queries: {:?}",
        queries.keys()
    );
    let dir = tempfile::tempdir().unwrap();
    let gen_out = Command::new("python3")
        .arg(root().join("scripts/gen_evidence.py"))
        .args(["300"])
        .arg(dir.path().join("records"))
        .args(["--jsonl", "--seed", "5"])
        .output()
        .expect("python3 runs scripts/gen_evidence.py");
    assert!(gen_out.status.success(), "{}", String::from_utf8_lossy(&gen_out.stderr));
    let Some(got) = duckdb(dir.path(), &queries) else {
        return skip("duckdb (pip install duckdb)");
    };
    let rs = records(&dir.path().join("records"));
    assert_eq!(rs.len(), 300);
    let want = expected(&rs);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "every documented query has its answer here"
    );
    for (name, rows) in &want {
        assert!(!rows.is_empty(), "{name}: the records give it rows to find");
        assert_eq!(&got[name], rows, "{name}");
    }
    // `evidence query` answers two of them too, on the same files.
    let count = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_controlgate"))
            .args(["evidence", "query"])
            .arg(dir.path().join("records"))
            .args(["-f", "json"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["matched"]
            .as_u64()
            .unwrap() as usize
    };
    let blocked: usize = got["blocked-runs-per-repository"]
        .iter()
        .map(|r| r[1].as_str().unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(count(&["--decision", "blocked"]), blocked);
    assert_eq!(
        count(&["--exception", "EXC-2026-001"]),
        got["runs-that-applied-an-exception"].len()
    );
}
