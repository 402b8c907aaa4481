#!/usr/bin/env python3
"""controlgate side by side with the anchors, on the same inputs, in one run.

- Checkov (`checkov -f FILE --framework terraform_plan`, and `--framework cloudformation` on
  templates) with the checks that overlap the built-in pack (`--check`, the pairs of
  scripts/compare_checkov.py), JSON output, against `controlgate check --format json` with the
  whole built-in pack, on the generated plans and templates of scripts/bench.py.
- The `cfn-guard validate` CLI with every Guard file of a registry rule set, against
  `controlgate check --no-builtin --guard-mapping` with that rule set, JSON output both, on the
  generated YAML templates.

Each figure is the median of --runs runs (Checkov: --checkov-runs); each ratio is the anchor's
over controlgate's on the same input, measured in the same run. Goals: at least 600x faster
than Checkov on the 20,000-resource plan (reported as not measured when that plan is not in
--plans), and faster than cfn-guard on every template. Exit 1 when a goal is missed, 2 when a
tool is missing.

Usage: scripts/bench_anchors.py [--plans 1000,5000] [--checkov-templates 2000]
          [--guard-templates 100,2000,16000] [--runs 3] [--checkov-runs 3]
          [--checkov BIN] [--cfn-guard BIN] [--mapping FILE] [--json FILE] [--no-build]
Needs `pip install checkov==3.3.30` and `cargo install cfn-guard --version 3.2.1 --locked`
(--checkov / --cfn-guard name the executables; an empty list skips a scenario).
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the generators, the runner and the machine line)

ROOT = bench.ROOT
CHECKOV_GOAL = 600.0  # Checkov time / controlgate time, 20,000-resource plan

# Checkov's checks for the concerns the built-in pack covers (docs/checkov-comparison.md).
CHECKOV_PLAN = ["CKV_AWS_3", "CKV_AWS_7", "CKV_AWS_8", "CKV_AWS_16", "CKV_AWS_19", "CKV_AWS_24",
                "CKV_AWS_25", "CKV_AWS_36", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56",
                "CKV_AWS_67", "CKV_AWS_133", "CKV_AWS_145", "CKV2_AWS_6"]
CHECKOV_CFN = ["CKV_AWS_3", "CKV_AWS_7", "CKV_AWS_8", "CKV_AWS_16", "CKV_AWS_19", "CKV_AWS_24",
               "CKV_AWS_36", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "CKV_AWS_67"]


def guard_files(mapping):
    registry = mapping.resolve().parent.parent  # the folder holding mappings/
    entries = json.loads(mapping.read_text())["mappings"]
    files = sorted({str(registry / e["guardFilePath"]) for e in entries})
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        sys.exit(f"bench_anchors: {mapping} names missing Guard files: {missing[:3]}")
    return files


def tool(path, name):
    found = shutil.which(path)
    if not found:
        print(f"bench_anchors: {name} not found ({path}); see --help", file=sys.stderr)
        sys.exit(2)
    return found


def measure(cmd, cwd, out, runs, ok):
    rs = [bench.run(cmd, cwd, out, ok) for _ in range(runs)]
    return statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plans", default="1000,5000", help="plan sizes for Checkov, comma-separated")
    ap.add_argument("--checkov-templates", default="2000", help="YAML template sizes for Checkov")
    ap.add_argument("--guard-templates", default="100,2000,16000", help="YAML template sizes for cfn-guard")
    ap.add_argument("--runs", type=int, default=3, help="runs of controlgate and cfn-guard per input")
    ap.add_argument("--checkov-runs", type=int, default=3, help="runs of Checkov per input")
    ap.add_argument("--checkov", default="checkov", help="the Checkov executable")
    ap.add_argument("--cfn-guard", default="cfn-guard", help="the cfn-guard executable")
    ap.add_argument("--gen", default=str(ROOT.parent / "shared/tools/gen_plan.py"), help="gen_plan.py")
    ap.add_argument("--mapping", default=str(ROOT.parent / "shared/corpus/guard-rules-registry/mappings/rule_set_cfn_nag.json"),
                    help="the Guard rule set both tools run")
    ap.add_argument("--json", help="also write the figures to FILE")
    ap.add_argument("--no-build", action="store_true", help="use target/release/controlgate as it is")
    args = ap.parse_args()
    plans = [int(s) for s in args.plans.split(",") if s]
    ck_templates = [int(s) for s in args.checkov_templates.split(",") if s]
    gd_templates = [int(s) for s in args.guard_templates.split(",") if s]
    checkov = tool(args.checkov, "Checkov") if plans or ck_templates else None
    cfn_guard = tool(args.cfn_guard, "cfn-guard") if gd_templates else None
    mapping = Path(args.mapping)

    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet", "--bin", "controlgate"], cwd=ROOT, check=True)
    binary = str(ROOT / "target/release/controlgate")
    cache = ROOT / "target/bench"
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp())
    out = work / "out"
    versions = {}
    if checkov:
        versions["checkov"] = subprocess.run([checkov, "--version"], capture_output=True, text=True).stdout.strip()
    if cfn_guard:
        versions["cfn-guard"] = subprocess.run([cfn_guard, "--version"], capture_output=True, text=True).stdout.strip()
    report = {"machine": bench.machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "versions": versions, "runs": args.runs, "checkov_runs": args.checkov_runs,
              "load_before": bench.load(), "checkov": [], "cfn_guard": [], "goals": []}
    print(f"machine: {report['machine']}; {report['date']}; {versions}; load average {report['load_before']}")
    print(f"medians of {args.runs} runs (Checkov: {args.checkov_runs})")
    missed = []

    def side(kind, label, cg_cmd, anchor_cmd, anchor_runs, anchor_ok):
        cg = measure(cg_cmd, work, out, args.runs, (0, 1))
        an = measure(anchor_cmd, work, out, anchor_runs, anchor_ok)
        entry = {"input": label, "controlgate_seconds": round(cg[0], 4), "controlgate_peak_mib": round(cg[1], 1),
                 "anchor_seconds": round(an[0], 3), "anchor_peak_mib": round(an[1], 1),
                 "time_ratio": round(an[0] / cg[0], 2), "memory_ratio": round(an[1] / cg[1], 2), "load": bench.load()}
        report[kind].append(entry)
        print(f"  {label:<34} controlgate {cg[0]:>8.3f}s {cg[1]:>6.0f}MiB | {kind} {an[0]:>8.2f}s {an[1]:>6.0f}MiB"
              f" | {an[0] / cg[0]:>7.1f}x time {an[1] / cg[1]:>5.1f}x memory (load {entry['load']})")
        return an[0] / cg[0]

    if plans or ck_templates:
        print("\nCheckov (overlapping checks) / controlgate (whole built-in pack), JSON output both")
    ck_ratio = {}
    for size in plans:
        plan = bench.plan_file(cache, args.gen, size)
        ck_ratio[size] = side("checkov", f"plan, {size} resources", [binary, "check", "--format", "json", str(plan)],
                              [checkov, "-f", str(plan), "--framework", "terraform_plan", "-o", "json", "--compact",
                               "--skip-download", "--check", ",".join(CHECKOV_PLAN)], args.checkov_runs, (0, 1))
    for size in ck_templates:
        ty, _ = bench.template_files(cache, size)
        side("checkov", f"YAML template, {size} resources", [binary, "check", "--format", "json", str(ty)],
             [checkov, "-f", str(ty), "--framework", "cloudformation", "-o", "json", "--compact",
              "--skip-download", "--check", ",".join(CHECKOV_CFN)], args.checkov_runs, (0, 1))

    if gd_templates:
        rules = guard_files(mapping)
        print(f"\ncfn-guard validate / controlgate --no-builtin --guard-mapping, {mapping.name} ({len(rules)} Guard files),"
              " JSON output both")
        guard_rules = [a for f in rules for a in ("--rules", f)]
    gd_ratio = {}
    for size in gd_templates:
        ty, _ = bench.template_files(cache, size)
        gd_ratio[size] = side("cfn_guard", f"YAML template, {size} resources",
                              [binary, "check", "--no-builtin", "--guard-mapping", str(mapping), "--format", "json", str(ty)],
                              [cfn_guard, "validate", *guard_rules, "--data", str(ty), "--output-format", "json",
                               "--structured", "--show-summary", "none"], args.runs, (0, 19))

    print()
    if ck_ratio:
        if 20000 in ck_ratio:
            ok = ck_ratio[20000] >= CHECKOV_GOAL
            print(f"goal Checkov / controlgate on the 20000-resource plan >= {CHECKOV_GOAL:.0f}: {ck_ratio[20000]:.1f}"
                  f" {'ok' if ok else 'MISSED'}")
            report["goals"].append({"goal": "checkov 20000", "value": ck_ratio[20000], "met": ok})
            if not ok:
                missed.append(f"Checkov {ck_ratio[20000]:.1f}x")
        else:
            largest = max(ck_ratio)
            print(f"goal Checkov / controlgate on the 20000-resource plan >= {CHECKOV_GOAL:.0f}: not measured"
                  f" (largest plan measured: {largest} resources, {ck_ratio[largest]:.1f}x)")
            report["goals"].append({"goal": "checkov 20000", "value": None, "met": None})
    for size, r in gd_ratio.items():
        ok = r > 1.0
        print(f"goal cfn-guard / controlgate > 1 on the {size}-resource template: {r:.2f} {'ok' if ok else 'MISSED'}")
        report["goals"].append({"goal": f"cfn-guard {size}", "value": r, "met": ok})
        if not ok:
            missed.append(f"cfn-guard {size}: {r:.2f}x")
    report["load_after"] = bench.load()
    print(f"load average after: {report['load_after']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    shutil.rmtree(work)
    if missed:
        sys.exit("bench_anchors: goals missed: " + "; ".join(missed))


if __name__ == "__main__":
    main()
