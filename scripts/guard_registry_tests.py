#!/usr/bin/env python3
r"""Run the AWS Guard Rules Registry's own unit tests with cfn-guard (and, later, controlgate).

Usage:

    python3 scripts/guard_registry_tests.py [--registry DIR] [--cfn-guard BIN]
        [--controlgate BIN] [--json OUT] [--only SUBSTRING] [--quiet]

Every test file `rules/**/tests/*_tests.yml` is paired with its Guard file: the test file's name
minus `_tests.yml` plus `.guard`, in the parent folder of `tests/`. Files that cannot be paired
(and files under `tests/` not named `*_tests.yml`) are listed with the nearest Guard file as a
hint, and not run. Each pair runs as

    cfn-guard test --rules-file R --test-data T --output-format json

and the result is kept per test file (pass, fail or error) and per case: the rule expectations
met, those not met (expected and evaluated status), and expectations naming a rule the file does
not have (cfn-guard warns and does not check them).

`--controlgate BIN` runs the same pairs through controlgate (`BIN test --guard-tests T --rules R
--format json`) in a separate runner, and compares the two case by case. The runner reports
"not available" while controlgate has no such subcommand; it never makes results up.

Exit status: 0 (a report, whatever failed), 2 for a usage error or a missing tool.
"""

import argparse
import difflib
import json
import shutil
import subprocess
import sys
from pathlib import Path

DEFAULT_REGISTRY = Path("/work/shared/corpus/guard-rules-registry")
TIMEOUT = 300
UNCHECKED_PREFIX = "No rule named "


class UsageError(Exception):
    pass


def pair_tests(registry):
    """(pairs, unpaired): pairs of (test file, Guard file); unpaired with a reason and a hint."""
    rules = registry / "rules"
    if not rules.is_dir():
        raise UsageError(f"{registry}: no rules/ folder (pass --registry)")
    pairs, unpaired = [], []
    for test in sorted(p for p in rules.rglob("*") if p.is_file() and p.parent.name == "tests"):
        folder = test.parent.parent
        guards = sorted(p.name for p in folder.glob("*.guard"))
        if not test.name.endswith("_tests.yml"):
            unpaired.append(_unpaired(registry, test, "not named *_tests.yml", None, guards))
            continue
        guard = folder / (test.name[: -len("_tests.yml")] + ".guard")
        if guard.is_file():
            pairs.append((test, guard))
        else:
            unpaired.append(_unpaired(registry, test, f"no {guard.name} in {folder.relative_to(registry)}",
                                      guard.name, guards))
    return pairs, unpaired


def _unpaired(registry, test, reason, wanted, guards):
    stem = wanted or test.name.replace("_tests", "").replace(".yml", ".guard")
    near = difflib.get_close_matches(stem.strip(), guards, n=1, cutoff=0.6)
    return {"test": str(test.relative_to(registry)), "reason": reason,
            "nearest": str((test.parent.parent / near[0]).relative_to(registry)) if near else None}


# --------------------------------------------------------------------------------------------
# Runner 1: cfn-guard


def run_cfn_guard(bin_, test, guard):
    cmd = [bin_, "test", "--rules-file", str(guard), "--test-data", str(test), "--output-format", "json"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"status": "error", "error": f"timed out after {TIMEOUT} s", "cases": []}
    unchecked = [line.strip() for line in (r.stderr + r.stdout).splitlines()
                 if line.strip().startswith(UNCHECKED_PREFIX)]
    text = "\n".join(line for line in r.stdout.splitlines()
                     if not line.strip().startswith(UNCHECKED_PREFIX))
    try:
        doc = json.JSONDecoder().raw_decode(text.strip())[0]
    except ValueError:
        return {"status": "error", "exit": r.returncode,
                "error": _first(r.stderr or r.stdout) or f"exit {r.returncode}, no output", "cases": []}
    if "error" in doc:
        return {"status": "error", "exit": r.returncode, "error": doc["error"], "cases": []}
    cases = []
    for i, case in enumerate(doc.get("test_cases", []), 1):
        cases.append({
            "index": i,
            "name": case.get("name"),
            "met": {x["name"]: x.get("evaluated") for x in case.get("passed_rules", [])},
            "unmet": {x["name"]: {"expected": x.get("expected"), "evaluated": x.get("evaluated")}
                      for x in case.get("failed_rules", [])},
            "skipped": [x.get("name") if isinstance(x, dict) else x for x in case.get("skipped_rules", [])],
        })
    failed = any(c["unmet"] for c in cases)
    # Exit 7 is cfn-guard's "a test failed"; any other non-zero exit with a report is an error.
    if r.returncode not in (0, 7) or failed != (r.returncode == 7):
        status = "error"
    else:
        status = "fail" if failed else "pass"
    out = {"status": status, "exit": r.returncode, "cases": cases}
    if unchecked:
        out["unchecked"] = sorted(set(unchecked))
    if status == "error":
        out["error"] = f"exit {r.returncode} with {'failing' if failed else 'no failing'} cases: {_first(r.stderr)}"
    return out


# --------------------------------------------------------------------------------------------
# Runner 2: controlgate (kept apart: its command and output are controlgate's to define)


CONTROLGATE_FLAG = "--guard-tests"


def controlgate_available(bin_):
    """Whether `BIN test` runs Guard test files; the reason when it does not."""
    try:
        r = subprocess.run([bin_, "test", "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"{bin_} test --help: {e}"
    if CONTROLGATE_FLAG not in r.stdout:
        return False, f"not available: `{bin_} test` has no {CONTROLGATE_FLAG}"
    return True, ""


def run_controlgate(bin_, test, guard):
    """One test file through controlgate. Its JSON is read in the shape cfn-guard gives (cases of
    met and unmet rule expectations); any other shape is kept raw as "unrecognized", not guessed."""
    cmd = [bin_, "test", CONTROLGATE_FLAG, str(test), "--rules", str(guard), "--format", "json"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"status": "error", "error": f"timed out after {TIMEOUT} s", "cases": []}
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        return {"status": "error", "exit": r.returncode, "error": _first(r.stderr or r.stdout), "cases": []}
    # controlgate's shape: {"guardTests": {"files": [{"results": [{"name", "checks": [
    # {"rule", "expected", "actual", "passed", "byDesign"}]}], "error"}]}}.
    files = (doc.get("guardTests") or {}).get("files") if isinstance(doc, dict) else None
    if not isinstance(files, list) or len(files) != 1:
        return {"status": "unrecognized", "exit": r.returncode, "raw": _first(r.stdout, 2000), "cases": []}
    f = files[0]
    if f.get("error"):
        return {"status": "error", "exit": r.returncode, "error": f["error"], "cases": []}
    cases = []
    for i, case in enumerate(f.get("results") or [], 1):
        checks = case.get("checks") if isinstance(case, dict) else None
        if not isinstance(checks, list):
            return {"status": "unrecognized", "exit": r.returncode, "raw": _first(r.stdout, 2000), "cases": []}
        cases.append({
            "index": i, "name": case.get("name"),
            "met": {c["rule"]: c.get("actual") for c in checks if c.get("passed")},
            "unmet": {c["rule"]: {"expected": c.get("expected"), "evaluated": c.get("actual"),
                                  "byDesign": c.get("byDesign")}
                      for c in checks if not c.get("passed")},
            "skipped": [],
        })
    return {"status": "fail" if any(c["unmet"] for c in cases) else "pass", "exit": r.returncode,
            "cases": cases}


def compare_case_by_case(guard_result, cg_result):
    """Differences between the runners on one test file: per case, per rule, met or not."""
    diffs = []
    if cg_result["status"] in ("error", "unrecognized") or guard_result["status"] == "error":
        if cg_result["status"] != guard_result["status"]:
            diffs.append({"case": None, "rule": None, "cfnGuard": guard_result["status"],
                          "controlgate": cg_result["status"]})
        return diffs
    g_cases = {c["index"]: c for c in guard_result["cases"]}
    c_cases = {c["index"]: c for c in cg_result["cases"]}
    for i in sorted(set(g_cases) | set(c_cases)):
        g, c = g_cases.get(i), c_cases.get(i)
        if g is None or c is None:
            diffs.append({"case": i, "rule": None, "cfnGuard": "present" if g else "missing",
                          "controlgate": "present" if c else "missing"})
            continue
        for rule in sorted(set(g["met"]) | set(g["unmet"]) | set(c["met"]) | set(c["unmet"])):
            gv = _verdict(g, rule)
            cv = _verdict(c, rule)
            if gv != cv:
                diffs.append({"case": i, "name": g["name"], "rule": rule, "cfnGuard": gv, "controlgate": cv})
    return diffs


def _verdict(case, rule):
    if rule in case["met"]:
        return f"met ({case['met'][rule]})"
    if rule in case["unmet"]:
        u = case["unmet"][rule]
        why = f"; {u['byDesign']}" if u.get("byDesign") else ""
        return f"unmet (expected {u['expected']}, evaluated {u['evaluated']}{why})"
    return "absent"


# --------------------------------------------------------------------------------------------


def _first(text, limit=400):
    text = " ".join((text or "").split())
    return text[:limit] + ("…" if len(text) > limit else "")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--registry", type=Path, default=DEFAULT_REGISTRY)
    ap.add_argument("--cfn-guard", dest="cfn_guard", default="cfn-guard")
    ap.add_argument("--controlgate", help="also run the tests through this controlgate and compare")
    ap.add_argument("--json", dest="json_out", type=Path, metavar="OUT", help="write the results as JSON")
    ap.add_argument("--only", help="only test files whose path contains this")
    ap.add_argument("--quiet", action="store_true", help="totals only, no line per failing case")
    args = ap.parse_args(argv)
    try:
        guard_bin = shutil.which(args.cfn_guard)
        if not guard_bin:
            raise UsageError(f"cfn-guard not found: {args.cfn_guard!r} (pass --cfn-guard BIN)")
        cg_bin = None
        if args.controlgate:
            cg_bin = shutil.which(args.controlgate) or (
                args.controlgate if Path(args.controlgate).is_file() else None)
            if not cg_bin:
                raise UsageError(f"controlgate not found: {args.controlgate!r}")
        registry = args.registry.resolve()
        pairs, unpaired = pair_tests(registry)
    except UsageError as e:
        print(f"guard_registry_tests: {e}", file=sys.stderr)
        return 2
    if args.only:
        pairs = [p for p in pairs if args.only in str(p[0])]
    version = subprocess.run([guard_bin, "--version"], capture_output=True, text=True).stdout.strip()
    cg_ok, cg_reason = controlgate_available(cg_bin) if cg_bin else (False, "not run (no --controlgate)")

    results = []
    for test, guard in pairs:
        entry = {"test": str(test.relative_to(registry)), "rules": str(guard.relative_to(registry)),
                 "cfnGuard": run_cfn_guard(guard_bin, test, guard)}
        if cg_ok:
            entry["controlgate"] = run_controlgate(cg_bin, test, guard)
            entry["differences"] = compare_case_by_case(entry["cfnGuard"], entry["controlgate"])
        results.append(entry)

    def count(runner, status):
        return sum(1 for e in results if e.get(runner, {}).get("status") == status)

    cases = [c for e in results for c in e["cfnGuard"]["cases"]]
    expectations = sum(len(c["met"]) + len(c["unmet"]) for c in cases)
    unmet = sum(len(c["unmet"]) for c in cases)
    totals = {
        "testFiles": len(results) + len(unpaired), "paired": len(results), "unpaired": len(unpaired),
        "cfnGuard": {"pass": count("cfnGuard", "pass"), "fail": count("cfnGuard", "fail"),
                     "error": count("cfnGuard", "error"), "cases": len(cases),
                     "casesFailed": sum(1 for c in cases if c["unmet"]),
                     "expectations": expectations, "expectationsUnmet": unmet,
                     "expectationsUnchecked": sum(len(e["cfnGuard"].get("unchecked", [])) for e in results)},
        "controlgate": ({"pass": count("controlgate", "pass"), "fail": count("controlgate", "fail"),
                         "error": count("controlgate", "error"),
                         "unrecognized": count("controlgate", "unrecognized"),
                         "filesDiffering": sum(1 for e in results if e.get("differences")),
                         "differences": sum(len(e.get("differences", [])) for e in results),
                         # controlgate's own proven reason: a Metadata suppression it does not honour.
                         "byDesign": sum(1 for e in results for d in e.get("differences", [])
                                         if "by design" in str(d.get("controlgate")))}
                        if cg_ok else cg_reason),
    }

    p = print
    p(f"Guard Rules Registry tests: {registry}  ({version})")
    p(f"test files: {totals['testFiles']}  paired: {totals['paired']}  unpaired: {totals['unpaired']}")
    t = totals["cfnGuard"]
    p(f"cfn-guard: files pass {t['pass']}, fail {t['fail']}, error {t['error']}; cases {t['cases']}, "
      f"failing {t['casesFailed']}; rule expectations {t['expectations']}, unmet {t['expectationsUnmet']}, "
      f"rule names the file lacks {t['expectationsUnchecked']}")
    if cg_ok:
        c = totals["controlgate"]
        p(f"controlgate: files pass {c['pass']}, fail {c['fail']}, error {c['error']}, unrecognized output "
          f"{c['unrecognized']}; files differing from cfn-guard {c['filesDiffering']} ({c['differences']} differences, {c['byDesign']} of them by design)")
    else:
        p(f"controlgate: {cg_reason}")
    if unpaired:
        p("")
        p("unpaired test files (not run):")
        for u in unpaired:
            hint = f"; nearest Guard file: {u['nearest']}" if u["nearest"] else ""
            p(f"  {u['test']!r}: {u['reason']}{hint}")
    if not args.quiet:
        for e in results:
            g = e["cfnGuard"]
            if g["status"] == "pass" and not g.get("unchecked") and not e.get("differences"):
                continue
            p("")
            p(f"{e['test']} ({e['rules']}): cfn-guard {g['status']}")
            if g.get("error"):
                p(f"  error: {g['error']}")
            for c in g["cases"]:
                for rule, u in c["unmet"].items():
                    p(f"  case {c['index']} {c['name']!r}: {rule} expected {u['expected']}, evaluated {u['evaluated']}")
            for w in g.get("unchecked", []):
                p(f"  {w}")
            for d in e.get("differences", []):
                p(f"  differs: case {d['case']} {d.get('rule')}: cfn-guard {d['cfnGuard']}, controlgate {d['controlgate']}")
    if args.json_out:
        doc = {"registry": str(registry), "cfnGuard": version, "controlgate": cg_bin,
               "controlgateRunner": "available" if cg_ok else cg_reason,
               "totals": totals, "unpaired": unpaired, "results": results}
        args.json_out.write_text(json.dumps(doc, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
