#!/usr/bin/env python3
"""Benchmark of `controlgate check` on large generated Terraform plans.

Every figure is a ratio against a baseline measured in the same run, on the same plan: the
*load floor*, a check with a pack of one control and no rules (reading, parsing and locating the
plan, and the report, but no rule). The goals below are checked; the script exits 1 when one is
missed, so a regression shows as a failure rather than a slower number nobody reads.

A second scenario checks generated CloudFormation YAML templates of growing size, and asks that
checking them stays linear: the time per resource of the largest template is at most twice that of
the smallest (it was quadratic: 2,000 resources 0.45 s, 16,000 resources 14.5 s).

Usage: scripts/bench.py [--sizes 2000,20000] [--yaml-sizes 2000,8000,16000] [--runs 3] [--gen PATH]
Plans come from gen_plan.py (default ../shared/tools/gen_plan.py, seed 1), cached under
target/bench/. The release binary is built first. An empty list skips a scenario.
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
# YAML templates: seconds per resource, largest template / smallest.
YAML_LINEARITY = 2.0


def yaml_template(size):
    """A template of `size` resources: buckets, security groups, databases and topics, with
    short-form intrinsics, flow collections and some noncompliant values."""
    out = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    for i in range(size):
        kind = i % 4
        if kind == 0:
            out += [f"  Bucket{i}:", "    Type: AWS::S3::Bucket", "    Properties:",
                    f"      BucketName: !Sub '${{AWS::StackName}}-b{i}'", "      Tags:",
                    "        - {Key: Owner, Value: team-a}", "        - Key: Env", "          Value: prod"]
        elif kind == 1:
            port = 22 if i % 8 == 1 else 443
            out += [f"  Group{i}:", "    Type: AWS::EC2::SecurityGroup", "    Properties:",
                    "      GroupDescription: web", "      SecurityGroupIngress:", "        - IpProtocol: tcp",
                    f"          FromPort: {port}", f"          ToPort: {port}", "          CidrIp: 0.0.0.0/0"]
        elif kind == 2:
            out += [f"  Db{i}:", "    Type: AWS::RDS::DBInstance", "    Properties:", "      Engine: postgres",
                    "      PubliclyAccessible: false", "      StorageEncrypted: true",
                    "      BackupRetentionPeriod: 7", "      DeletionProtection: true",
                    f"      DBSubnetGroupName: !Ref Subnets{i}"]
        else:
            out += [f"  Topic{i}:", "    Type: AWS::SNS::Topic", "    Properties:",
                    "      KmsMasterKeyId: alias/aws/sns", "      Tags: [{Key: Owner, Value: x}]"]
    return "\n".join(out) + "\n"


def bench_yaml(binary, cache, work, sizes, runs):
    """Check YAML templates of each size; return the goals missed."""
    per_resource = {}
    print(f"\nCloudFormation YAML templates, median of {runs} runs")
    print(f"{'resources':>10} {'size':>9} {'full pack, json':>16} {'per 1k resources':>17} {'peak RSS':>10}")
    for size in sizes:
        template = cache / f"template-{size}.yaml"
        if not template.exists():
            template.write_text(yaml_template(size))
        results = [run([str(binary), "check", "--format", "json", str(template)], work / "out") for _ in range(runs)]
        t = statistics.median(r[0] for r in results)
        m = statistics.median(r[1] for r in results)
        per_resource[size] = t / size
        mib = template.stat().st_size / 2**20
        print(f"{size:>10} {mib:>6.1f}MiB {t:>15.2f}s {1000 * t / size:>16.3f}s {m:>7.0f}MiB")
    if len(per_resource) < 2:
        return []
    small, large = min(per_resource), max(per_resource)
    ratio = per_resource[large] / per_resource[small]
    ok = ratio <= YAML_LINEARITY
    print(f"goal time per resource, {large} / {small} <= {YAML_LINEARITY}: {ratio:.2f} {'ok' if ok else 'MISSED'}")
    return [] if ok else [f"YAML templates: time per resource {ratio:.2f}x"]


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
    ap.add_argument("--yaml-sizes", default="2000,8000,16000", help="resources per YAML template, comma-separated")
    ap.add_argument("--runs", type=int, default=3, help="runs per scenario (the median is kept)")
    ap.add_argument("--gen", default=str(ROOT.parent / "shared/tools/gen_plan.py"), help="gen_plan.py")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if sizes and not Path(args.gen).is_file():
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
    for size in sizes:
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
    missed += bench_yaml(binary, cache, work, [int(s) for s in args.yaml_sizes.split(",") if s], args.runs)
    shutil.rmtree(work)
    if missed:
        sys.exit("bench: goals missed: " + "; ".join(missed))


if __name__ == "__main__":
    main()
