#!/usr/bin/env python3
"""Benchmark of `controlgate check` against the parse floor, on generated plans and templates.

Every figure is a ratio against a floor measured in the same run, on the same file: the *parse
floor*, `examples/parse_floor.rs`, built with the release binary, which only reads the file and
parses it (`serde_json::from_slice` into a `Value` for JSON; saphyr, the loader's YAML reader,
for YAML). YAML templates are also written as the same template in JSON, and checked and
floored as JSON. The *load floor*, a check with a pack of one control and no rules, is shown too:
the difference between it and the full pack is the cost of the rules.

Targets (the script exits 1 when one is missed, so a regression fails rather than drifting):
- on the largest plan, the whole built-in pack in at most 2x the parse floor's time and 1.5x its
  peak memory; SARIF at most 1.5x the human report, on every plan;
- cost linear in resources: (time ratio, largest / smallest) / (resource ratio) <= 1.25, for plans
  and for templates (YAML and JSON) with the whole pack;
- a directory of 200 templates keeps both cores busy: CPU time (user + system) / wall >= 1.6.
A check with a Guard rule set (`--no-builtin --guard-mapping`, templates only) is measured and
its growth shown, not judged.

Usage: scripts/bench.py [--sizes 1000,5000,20000] [--template-sizes 100,2000,16000]
                        [--dir-templates 200] [--runs 3] [--gen PATH] [--mapping FILE]
                        [--guard-sizes 100,2000] [--json FILE] [--no-build]
Plans come from gen_plan.py (default ../shared/tools/gen_plan.py, seed 1), and inputs are cached
under target/bench/. The release binary and the floor are built first. An empty list (or 0)
skips a scenario. The machine's load average is printed before and after: the machine may be
shared, and only ratios measured in the same run compare.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PACK_TIME = 2.0  # full pack time / parse floor time, largest plan
PACK_MEMORY = 1.5  # full pack peak RSS / parse floor peak RSS, largest plan
SARIF_TIME = 1.5  # sarif time / human time
GROWTH = 1.25  # (time largest / time smallest) / (resources largest / resources smallest)
DIR_CPU = 1.6  # (user + sys) / wall over a directory of templates, on 2 cores


def template_resources(size):
    """The resources of a generated template, as (logical id, YAML lines, JSON value): buckets,
    security groups, databases and topics, with intrinsics and some noncompliant values. The YAML
    uses short-form tags and flow collections; the JSON is the same template in long form."""
    for i in range(size):
        kind = i % 4
        if kind == 0:
            yield f"Bucket{i}", [
                "    Type: AWS::S3::Bucket", "    Properties:",
                f"      BucketName: !Sub '${{AWS::StackName}}-b{i}'", "      Tags:",
                "        - {Key: Owner, Value: team-a}", "        - Key: Env", "          Value: prod"], {
                "Type": "AWS::S3::Bucket", "Properties": {
                    "BucketName": {"Fn::Sub": f"${{AWS::StackName}}-b{i}"},
                    "Tags": [{"Key": "Owner", "Value": "team-a"}, {"Key": "Env", "Value": "prod"}]}}
        elif kind == 1:
            port = 22 if i % 8 == 1 else 443
            yield f"Group{i}", [
                "    Type: AWS::EC2::SecurityGroup", "    Properties:", "      GroupDescription: web",
                "      SecurityGroupIngress:", "        - IpProtocol: tcp", f"          FromPort: {port}",
                f"          ToPort: {port}", "          CidrIp: 0.0.0.0/0"], {
                "Type": "AWS::EC2::SecurityGroup", "Properties": {
                    "GroupDescription": "web", "SecurityGroupIngress": [
                        {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": "0.0.0.0/0"}]}}
        elif kind == 2:
            yield f"Db{i}", [
                "    Type: AWS::RDS::DBInstance", "    Properties:", "      Engine: postgres",
                "      PubliclyAccessible: false", "      StorageEncrypted: true",
                "      BackupRetentionPeriod: 7", "      DeletionProtection: true",
                f"      DBSubnetGroupName: !Ref Subnets{i}"], {
                "Type": "AWS::RDS::DBInstance", "Properties": {
                    "Engine": "postgres", "PubliclyAccessible": False, "StorageEncrypted": True,
                    "BackupRetentionPeriod": 7, "DeletionProtection": True,
                    "DBSubnetGroupName": {"Ref": f"Subnets{i}"}}}
        else:
            yield f"Topic{i}", [
                "    Type: AWS::SNS::Topic", "    Properties:", "      KmsMasterKeyId: alias/aws/sns",
                "      Tags: [{Key: Owner, Value: x}]"], {
                "Type": "AWS::SNS::Topic", "Properties": {
                    "KmsMasterKeyId": "alias/aws/sns", "Tags": [{"Key": "Owner", "Value": "x"}]}}


def yaml_template(size):
    out = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    for name, lines, _ in template_resources(size):
        out += [f"  {name}:", *lines]
    return "\n".join(out) + "\n"


def json_template(size):
    resources = {name: value for name, _, value in template_resources(size)}
    return json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, indent=1) + "\n"


def cached(path, make):
    """`path`, written by `make(path)` when missing (atomically, so a stopped run leaves none)."""
    if not path.exists():
        tmp = path.with_name(path.name + ".tmp")
        make(tmp)
        tmp.replace(path)
    return path


def plan_file(cache, gen, size):
    return cached(cache / f"plan-{size}.json", lambda p: subprocess.run(
        [sys.executable, gen, str(size), "-o", str(p), "--seed", "1"], check=True))


def template_files(cache, size):
    y = cached(cache / f"template-{size}.yaml", lambda p: p.write_text(yaml_template(size)))
    j = cached(cache / f"template-{size}.json", lambda p: p.write_text(json_template(size)))
    return y, j


TIME = "/usr/bin/time"  # GNU time: its child's peak RSS is that of the program alone


def run(cmd, cwd, stdout_path, ok=(0, 1)):
    """One run: wall seconds, peak RSS in MiB, CPU seconds (user + system), exit code.

    Peak RSS comes from GNU time when installed: a child forked by this script counts the
    script's own memory (held before `exec`) in its `ru_maxrss`, which would hide small peaks."""
    stats = Path(stdout_path).with_suffix(".time")
    wrapped = [TIME, "-f", "%M %U %S", "-o", str(stats), *cmd] if os.access(TIME, os.X_OK) else cmd
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, stdout=out, stderr=subprocess.PIPE, cwd=cwd)
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        sys.exit(f"bench: {' '.join(map(str, cmd))} exited with {code}:\n{err.decode(errors='replace')[-2000:]}")
    if wrapped is cmd:
        return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, code
    kib, user, system = stats.read_text().split()[-3:]
    return wall, int(kib) / 1024, float(user) + float(system), code


def measure(cmd, cwd, out, runs):
    """Medians of `runs` runs: seconds, peak MiB, CPU seconds."""
    rs = [run(cmd, cwd, out) for _ in range(runs)]
    return tuple(statistics.median(r[i] for r in rs) for i in range(3))


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} cores, {cpu}, {mem / 2**20:.1f} GiB"


def row(name, t, m, floor_t, floor_m):
    print(f"  {name:<30} {t:>8.3f}s {t / floor_t:>7.2f}x {m:>8.0f}MiB {m / floor_m:>7.2f}x")


def growth(label, points, report, judged=True):
    """points: {resources: seconds}. Returns a missed target or None."""
    if len(points) < 2:
        return None
    small, large = min(points), max(points)
    g = (points[large] / points[small]) / (large / small)
    status = ("ok" if g <= GROWTH else "MISSED") if judged else "shown"
    print(f"  growth {label}, {small} -> {large} resources: {g:.2f} (target <= {GROWTH}) {status}")
    report["growth"][label] = {"from": small, "to": large, "value": round(g, 3), "judged": judged}
    return f"growth {label} {g:.2f}" if judged and g > GROWTH else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,5000,20000", help="resources per plan, comma-separated")
    ap.add_argument("--template-sizes", default="100,2000,16000", help="resources per template, comma-separated")
    ap.add_argument("--dir-templates", type=int, default=200, help="templates in the directory run (0 skips)")
    ap.add_argument("--runs", type=int, default=3, help="runs per scenario (the median is kept)")
    ap.add_argument("--gen", default=str(ROOT.parent / "shared/tools/gen_plan.py"), help="gen_plan.py")
    ap.add_argument("--mapping", default=str(ROOT.parent / "shared/corpus/guard-rules-registry/mappings/rule_set_cfn_nag.json"),
                    help="Guard rule set for the template runs (an empty string skips them)")
    ap.add_argument("--guard-sizes", default="100,2000",
                    help="template sizes also checked with the Guard rule set (it takes seconds per 100 resources)")
    ap.add_argument("--json", help="also write the figures to FILE")
    ap.add_argument("--no-build", action="store_true", help="use the release binary and floor as they are")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    tsizes = [int(s) for s in args.template_sizes.split(",") if s]
    gsizes = [int(s) for s in args.guard_sizes.split(",") if s]
    if sizes and not Path(args.gen).is_file():
        sys.exit(f"bench: plan generator not found at {args.gen} (use --gen PATH)")
    if args.mapping and not Path(args.mapping).is_file():
        sys.exit(f"bench: Guard mapping not found at {args.mapping} (use --mapping FILE, or '' to skip)")

    # Two builds: an example links the dev-dependencies, whose features (serde_json's
    # float_roundtrip) would otherwise be unified into the binary measured.
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet", "--bin", "controlgate"], cwd=ROOT, check=True)
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet", "--example", "parse_floor"], cwd=ROOT, check=True)
    binary = str(ROOT / "target/release/controlgate")
    floor = str(ROOT / "target/release/examples/parse_floor")
    cache = ROOT / "target/bench"
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp())  # the working directory of every run: no config, no registry
    out = work / "out"
    load_pack = work / "pack"
    (load_pack / "controls").mkdir(parents=True)
    shutil.copy(ROOT / "policies/controls/TAG-001.yaml", load_pack / "controls")

    report = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "runs": args.runs, "load_before": load(), "plans": {}, "templates": {}, "growth": {}, "targets": []}
    print(f"machine: {report['machine']}; {report['date']}; median of {args.runs} runs; load average {report['load_before']}")
    missed = []

    def target(name, value, limit, higher=False):
        ok = value >= limit if higher else value <= limit
        print(f"  target {name} {'>=' if higher else '<='} {limit}: {value:.2f} {'ok' if ok else 'MISSED'}")
        report["targets"].append({"target": name, "limit": limit, "value": round(value, 3), "met": ok})
        if not ok:
            missed.append(f"{name} {value:.2f}")

    plan_times = {}
    for size in sizes:
        plan = plan_file(cache, args.gen, size)
        # Counted in a child, so this script's memory stays small (see `run`).
        resources = int(subprocess.run([sys.executable, "-c", "import json, sys; print(len(json.load(open(sys.argv[1]))"
                                        ".get('resource_changes', [])))", plan], capture_output=True, check=True).stdout)
        scenarios = {
            "parse floor": [floor, plan],
            "load floor (no rules)": [binary, "check", "--no-builtin", "--policies", load_pack, plan],
            "full pack, human": [binary, "check", plan],
            "full pack, json": [binary, "check", "--format", "json", plan],
            "full pack, sarif": [binary, "check", "--format", "sarif", plan],
        }
        res = {name: measure([str(c) for c in cmd], work, out, args.runs) for name, cmd in scenarios.items()}
        ft, fm, _ = res["parse floor"]
        print(f"\nplan of {size} resources ({resources} resource changes, {plan.stat().st_size / 2**20:.1f} MiB),"
              f" load average {load()}")
        print(f"  {'scenario':<30} {'time':>9} {'x floor':>8} {'peak RSS':>11} {'x floor':>8}")
        for name, (t, m, _) in res.items():
            row(name, t, m, ft, fm)
        report["plans"][size] = {name: {"seconds": round(t, 4), "peak_mib": round(m, 1)} for name, (t, m, _) in res.items()}
        plan_times[resources] = res["full pack, human"][0]
        human = res["full pack, human"]
        target(f"plan {size}: sarif time / human time", res["full pack, sarif"][0] / human[0], SARIF_TIME)
        if size == max(sizes):
            target(f"plan {size}: full pack time / parse floor time", human[0] / ft, PACK_TIME)
            target(f"plan {size}: full pack peak RSS / parse floor peak RSS", human[1] / fm, PACK_MEMORY)
    if plan_times:
        print()
        missed.append(growth("plans, full pack", plan_times, report))

    yaml_times, json_times, guard_times = {}, {}, {}
    for size in tsizes:
        ty, tj = template_files(cache, size)
        scenarios = {
            "YAML parse floor": [floor, ty],
            "YAML full pack, human": [binary, "check", ty],
            "JSON parse floor": [floor, tj],
            "JSON full pack, human": [binary, "check", tj],
        }
        if args.mapping and size in gsizes:
            scenarios["YAML Guard rule set only"] = [binary, "check", "--no-builtin", "--guard-mapping", args.mapping, ty]
        res = {name: measure([str(c) for c in cmd], work, out, args.runs) for name, cmd in scenarios.items()}
        print(f"\ntemplate of {size} resources (YAML {ty.stat().st_size / 2**20:.2f} MiB, JSON"
              f" {tj.stat().st_size / 2**20:.2f} MiB), load average {load()}")
        print(f"  {'scenario':<30} {'time':>9} {'x floor':>8} {'peak RSS':>11} {'x floor':>8}")
        for name, (t, m, _) in res.items():
            f = res["JSON parse floor" if name.startswith("JSON") else "YAML parse floor"]
            row(name, t, m, f[0], f[1])
        report["templates"][size] = {name: {"seconds": round(t, 4), "peak_mib": round(m, 1)} for name, (t, m, _) in res.items()}
        yaml_times[size] = res["YAML full pack, human"][0]
        json_times[size] = res["JSON full pack, human"][0]
        if args.mapping and size in gsizes:
            guard_times[size] = res["YAML Guard rule set only"][0]
    if tsizes:
        print()
        missed.append(growth("YAML templates, full pack", yaml_times, report))
        missed.append(growth("JSON templates, full pack", json_times, report))
        growth("YAML templates, Guard rule set", guard_times, report, judged=False)

    if args.dir_templates:
        folder = cache / f"templates-{args.dir_templates}"
        if not folder.is_dir():
            tmp = cache / f"templates-{args.dir_templates}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            for i in range(args.dir_templates):
                (tmp / f"stack-{i:03}.yaml").write_text(yaml_template(100 + i))
            tmp.replace(folder)
        t, m, cpu = measure([binary, "check", str(folder)], work, out, args.runs)
        util = cpu / t
        print(f"\ndirectory of {args.dir_templates} YAML templates (100-{99 + args.dir_templates} resources each),"
              f" load average {load()}")
        print(f"  full pack, human: {t:.3f}s wall, {cpu:.3f}s CPU, {m:.0f}MiB peak RSS")
        report["directory"] = {"templates": args.dir_templates, "seconds": round(t, 4), "cpu_seconds": round(cpu, 4),
                               "peak_mib": round(m, 1), "utilisation": round(util, 3)}
        target("directory: CPU time / wall time", util, DIR_CPU, higher=True)

    report["load_after"] = load()
    print(f"\nload average after: {report['load_after']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    shutil.rmtree(work)
    missed = [m for m in missed if m]
    if missed:
        sys.exit("bench: targets missed: " + "; ".join(missed))
    print("bench: every target met")


if __name__ == "__main__":
    main()
