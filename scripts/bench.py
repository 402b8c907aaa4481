#!/usr/bin/env python3
"""Benchmark of `controlgate check` on large generated Terraform plans.

Every figure is a ratio against a baseline measured in the same run, on the same plan: the
*load floor*, a check with a pack of one control and no rules (reading, parsing and locating the
plan, and the report, but no rule). The goals below are checked; the script exits 1 when one is
missed, so a regression shows as a failure rather than a slower number nobody reads.

Usage: scripts/bench.py [--sizes 2000,20000] [--runs 3] [--gen PATH]
Plans come from gen_plan.py (default ../shared/tools/gen_plan.py, seed 1), cached under
target/bench/. The release binary is built first.
"""

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Goals, as ratios against the load floor of the same plan (medians of the runs).
GOALS = {
    # Evaluating the whole built-in pack costs at most twice the floor on top of it.
    "full pack time / floor time": 3.0,
    # SARIF, fitted to code scanning's limits, costs little more than the human report.
    "sarif time / human time": 1.5,
    # Rules and findings add at most half the memory of the loaded plan.
    "full pack peak RSS / floor peak RSS": 1.5,
}


def run(cmd, stdout_path):
    """Wall seconds, peak RSS in MiB and exit code of one run, standard output to a file."""
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"bench: {' '.join(map(str, cmd))} exited with {code}")
    return wall, usage.ru_maxrss / 1024, code


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="2000,20000", help="resources per plan, comma-separated")
    ap.add_argument("--runs", type=int, default=3, help="runs per scenario (the median is kept)")
    ap.add_argument("--gen", default=str(ROOT.parent / "shared/tools/gen_plan.py"), help="gen_plan.py")
    args = ap.parse_args()
    if not Path(args.gen).is_file():
        sys.exit(f"bench: plan generator not found at {args.gen} (use --gen PATH)")

    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
    binary = ROOT / "target/release/controlgate"
    cache = ROOT / "target/bench"
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp())
    floor_pack = work / "pack"
    (floor_pack / "controls").mkdir(parents=True)
    shutil.copy(ROOT / "policies/controls/TAG-001.yaml", floor_pack / "controls")

    missed = []
    for size in [int(s) for s in args.sizes.split(",")]:
        plan = cache / f"plan-{size}.json"
        if not plan.exists():
            subprocess.run([sys.executable, args.gen, str(size), "-o", str(plan), "--seed", "1"], check=True)
        scenarios = {
            "floor (no rules)": ["check", "--no-builtin", "--policies", str(floor_pack), str(plan)],
            "full pack, human": ["check", str(plan)],
            "full pack, json": ["check", "--format", "json", str(plan)],
            "full pack, sarif": ["check", "--format", "sarif", str(plan)],
        }
        results = {}  # scenario: (median seconds, median peak MiB, output bytes)
        sarif_gzip = 0
        for name, cmd in scenarios.items():
            out = work / "out"
            runs = [run([str(binary), *cmd], out) for _ in range(args.runs)]
            results[name] = (
                statistics.median(r[0] for r in runs),
                statistics.median(r[1] for r in runs),
                out.stat().st_size,
            )
            if name == "full pack, sarif":
                sarif_gzip = len(gzip.compress(out.read_bytes()))
        floor_t, floor_m = results["floor (no rules)"][:2]
        mib = plan.stat().st_size / 2**20
        print(f"\nplan of {size} resources ({mib:.1f} MiB), median of {args.runs} runs")
        print(f"{'scenario':<20} {'time':>8} {'x floor':>8} {'peak RSS':>10} {'x floor':>8} {'output':>10}")
        for name, (t, m, size_out) in results.items():
            print(f"{name:<20} {t:>7.2f}s {t / floor_t:>7.2f}x {m:>7.0f}MiB {m / floor_m:>7.2f}x {size_out / 2**20:>8.1f}MiB")
        print(f"SARIF gzip-compressed: {sarif_gzip / 2**20:.2f} MiB (code scanning's limit: 10 MB)")
        ratios = {
            "full pack time / floor time": results["full pack, human"][0] / floor_t,
            "sarif time / human time": results["full pack, sarif"][0] / results["full pack, human"][0],
            "full pack peak RSS / floor peak RSS": results["full pack, human"][1] / floor_m,
        }
        for goal, limit in GOALS.items():
            ok = ratios[goal] <= limit
            print(f"goal {goal} <= {limit}: {ratios[goal]:.2f} {'ok' if ok else 'MISSED'}")
            if not ok:
                missed.append(f"{size}: {goal}")
    shutil.rmtree(work)
    if missed:
        sys.exit("bench: goals missed: " + "; ".join(missed))


if __name__ == "__main__":
    main()
