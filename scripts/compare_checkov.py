#!/usr/bin/env python3
r"""Side-by-side comparison of controlgate and Checkov on a corpus of plans and templates.

Usage:

    python3 scripts/compare_checkov.py [--corpus DIR] [--controlgate BIN] [--checkov BIN]
        [--policies DIR] [--limit N] [--json-out FILE] [--markdown-out FILE] [--cases N]
        [--batch N]

Example (the run behind docs/checkov-comparison.md, about 5 minutes on 2 cores):

    pip install checkov==3.3.30
    python3 scripts/compare_checkov.py --controlgate target/release/controlgate \
        --corpus /work/shared/corpus --markdown-out /tmp/checkov-comparison.md

--corpus DIR       a directory holding tfplan/MANIFEST.tsv and/or cfn/MANIFEST.tsv (tab
                   separated, first column the file path relative to that folder); every file
                   the manifest lists is checked by both tools. Default /work/shared/corpus.
--controlgate BIN  the controlgate binary (default: `cg` or `controlgate` on PATH, else
                   target/release/controlgate).
--checkov BIN      the Checkov executable (default: `checkov` on PATH).
--policies DIR     the policy pack (default: policies/ next to this script's parent folder).
                   controlgate always runs with --no-builtin --policies DIR --environment prod.
--limit N          only the first N files of each manifest (a reproducible subset).
--json-out FILE    per-resource rows and totals (default /tmp/checkov-comparison.json).
--markdown-out F   the Markdown tables (default: standard output).
--cases N          agreeing resources kept as examples per pair in the JSON (default 5;
                   every disagreeing resource is always listed).
--batch N          files per Checkov process (default 120).

Python 3.11, standard library only. Needs Checkov on PATH (`pip install checkov`); the numbers
in docs/checkov-comparison.md come from Checkov 3.3.30.

How it works

* Pairs. A controlgate rule and the Checkov check(s) for the same concern, compared per
  resource: rds-storage-unencrypted <-> CKV_AWS_16 (DB instances) + CKV_AWS_96 (clusters),
  rds-backup-retention-too-short <-> CKV_AWS_133, cloudtrail-not-multi-region <-> CKV_AWS_67,
  cloudtrail-log-validation-disabled <-> CKV_AWS_36, security-group-open-admin-port and
  security-group-rule-open-admin-port <-> CKV_AWS_24 (22) + CKV_AWS_25 (3389),
  kms-key-rotation-disabled <-> CKV_AWS_7, ebs-volume-unencrypted <-> CKV_AWS_3,
  s3-bucket-not-kms-encrypted <-> CKV_AWS_145, instance-block-device-unencrypted and
  launch-template-block-device-unencrypted <-> CKV_AWS_8 (each its own pair),
  dynamodb-replica-point-in-time-recovery-disabled <-> CKV_AWS_165, iam-user-inline-policy and
  iam-user-managed-policy-attached <-> CKV_AWS_40, classic-load-balancer-listener-not-tls <->
  CKV_AWS_127. A pair is skipped (and said so) when its rule is
  not in the pack. Checkov's state for a resource is FAILED if any of the pair's checks failed,
  PASSED if one passed and none failed, and "none" when Checkov reported nothing (its check does
  not target the type, or it returned UNKNOWN, which its JSON does not list).

* controlgate lists only failing and unknown resources, so the script runs it four times on
  generated copies of the pack (in a temporary directory; the pack itself is never changed):
    real      the pack as it is: fail / unknown findings;
    probe     each compared rule with its `assert` replaced by one that always fails, so every
              resource the rule applies to (after its `when`, and the control's environment
              scope) is listed: "pass" = listed by probe and absent from real;
    allenv    probe with the controls' `scope.environments` removed: listed here but not by
              probe = left out by the environment scope (BCK-001 is prod-only);
    universe  allenv with the rules' `when` removed too: listed here but not by allenv = left
              out by the rule's `when` (read replicas, unclassified buckets, asymmetric keys...);
              not listed at all = controlgate did not see the resource (type not targeted,
              file not loaded, resource being deleted).
  For the security-group pair the `includesAny` port list is narrowed to [22, 3389] in a fifth
  copy ("narrow"), so the overlap with CKV_AWS_24/25 is compared like with like; resources that
  controlgate fails only for a database port are counted apart ("cg fails, DB port only").

* Resource ids. controlgate reports the Terraform address (module path and index included,
  e.g. module.a["x"].aws_s3_bucket.b[0]) or the CloudFormation logical id. Checkov 3.x reports
  the same full address for plans (checked: no module prefix is dropped, for_each keys keep
  their double quotes) and `<Type>.<LogicalId>` for templates, which is cut at the first dot
  after the type. Files are matched by absolute path.

* Checkov is run with -f on batches of files (one process per batch; `--check` limited to the
  pair's ids). When a batch crashes (Checkov aborts the whole run on some templates) it is split
  in halves down to single files; a file Checkov cannot scan is listed in the JSON.

Exit status: 0 when the comparison ran (disagreements are data, not errors), 2 when a tool
could not be run.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# (pair id, controlgate rules, Checkov checks, frameworks where Checkov has a check)
PAIRS = [
    ("rds-storage", ["rds-storage-unencrypted"], ["CKV_AWS_16", "CKV_AWS_96"], ["tfplan", "cfn"]),
    ("rds-backup", ["rds-backup-retention-too-short"], ["CKV_AWS_133"], ["tfplan"]),
    ("cloudtrail-multi-region", ["cloudtrail-not-multi-region"], ["CKV_AWS_67"], ["tfplan", "cfn"]),
    ("cloudtrail-log-validation", ["cloudtrail-log-validation-disabled"], ["CKV_AWS_36"],
     ["tfplan", "cfn"]),
    ("sg-admin-port", ["security-group-open-admin-port", "security-group-rule-open-admin-port"],
     ["CKV_AWS_24", "CKV_AWS_25"], ["tfplan", "cfn"]),
    ("kms-rotation", ["kms-key-rotation-disabled"], ["CKV_AWS_7"], ["tfplan", "cfn"]),
    ("ebs-volume", ["ebs-volume-unencrypted"], ["CKV_AWS_3"], ["tfplan", "cfn"]),
    ("s3-kms", ["s3-bucket-not-kms-encrypted"], ["CKV_AWS_145"], ["tfplan"]),
    ("docdb-storage", ["docdb-cluster-storage-unencrypted"], ["CKV_AWS_74"], ["tfplan", "cfn"]),
    ("neptune-storage", ["neptune-cluster-storage-unencrypted"], ["CKV_AWS_44"],
     ["tfplan", "cfn"]),
    # CKV_AWS_8 judges instances and launch configurations; launch templates have no Checkov
    # check of their own, so they show as "Checkov silent".
    ("instance-block-device", ["instance-block-device-unencrypted"], ["CKV_AWS_8"],
     ["tfplan", "cfn"]),
    ("launch-block-device", ["launch-template-block-device-unencrypted"], ["CKV_AWS_8"],
     ["tfplan", "cfn"]),
    ("dynamodb-replica-pitr", ["dynamodb-replica-point-in-time-recovery-disabled"],
     ["CKV_AWS_165"], ["tfplan", "cfn"]),
    # CKV_AWS_40 fails inline and managed user policies alike: compared with both rules.
    ("iam-user-policy", ["iam-user-inline-policy", "iam-user-managed-policy-attached"],
     ["CKV_AWS_40"], ["tfplan", "cfn"]),
    ("classic-elb-tls", ["classic-load-balancer-listener-not-tls"], ["CKV_AWS_127"],
     ["tfplan", "cfn"]),
]
# Where a Checkov check judges more resource types than the pair's rules, the types it is
# compared on (CKV_AWS_8 judges instances and launch configurations together).
CHECKOV_TYPES = {
    "instance-block-device": {"aws_instance", "AWS::EC2::Instance"},
    "launch-block-device": {"aws_launch_configuration", "AWS::AutoScaling::LaunchConfiguration"},
}
SG_PAIR = "sg-admin-port"
OVERLAP_PORTS = "[22, 3389]"
PROBE_ASSERT = "path: $.controlgate_comparison_probe\n{ind}  exists: true\n"
CHECKOV_FRAMEWORK = {"tfplan": "terraform_plan", "cfn": "cloudformation"}
# The date controlgate judges expiries on (--today), fixed so runs compare; the run's own date
# is recorded apart.
DATE = "2026-11-25"

# Categories, in table order.
CATEGORIES = [
    ("both_fail", "both fail"),
    ("both_pass", "both pass"),
    ("cg_only_fail", "only cg fails"),
    ("ckv_only_fail", "only Checkov fails"),
    ("cg_unknown_ckv_fail", "cg unknown, Checkov fails"),
    ("cg_unknown_ckv_pass", "cg unknown, Checkov passes"),
    ("cg_unknown_ckv_none", "cg unknown, Checkov silent"),
    ("cg_fail_ckv_none", "cg fails, Checkov silent"),
    ("cg_pass_ckv_none", "cg passes, Checkov silent"),
    ("cg_extra_db_port", "cg fails or is unknown for a database port only"),
    ("cg_scope_env_ckv_fail", "out of cg scope (Environment tag), Checkov fails"),
    ("cg_scope_env_ckv_pass", "out of cg scope (Environment tag), Checkov passes"),
    ("cg_scope_when_ckv_fail", "left out by cg rule condition, Checkov fails"),
    ("cg_scope_when_ckv_pass", "left out by cg rule condition, Checkov passes"),
    ("cg_unseen_ckv_fail", "not evaluated by cg, Checkov fails"),
    ("cg_unseen_ckv_pass", "not evaluated by cg, Checkov passes"),
]


def die(msg: str) -> None:
    print(f"compare_checkov: {msg}", file=sys.stderr)
    sys.exit(2)


# --------------------------------------------------------------------------- pack copies


def rule_files(pack: Path) -> dict[str, Path]:
    out = {}
    for p in sorted((pack / "rules").rglob("*.yaml")):
        m = re.search(r"^id:\s*(\S+)\s*$", p.read_text(), re.M)
        if m:
            out[m.group(1)] = p
    return out


def replace_block(text: str, key: str, new_body: str | None) -> str:
    """Replace (or drop, when new_body is None) every `key:` block indented by two spaces,
    i.e. directly under `terraform:` / `cloudformation:`."""
    lines = text.splitlines(keepends=True)
    out, i = [], 0
    pat = re.compile(rf"^(  ){re.escape(key)}:\s*$")
    while i < len(lines):
        m = pat.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        ind = m.group(1)
        i += 1
        while i < len(lines):
            ln = lines[i]
            if ln.strip() == "" or ln.lstrip().startswith("#"):
                i += 1
                continue
            if len(ln) - len(ln.lstrip(" ")) <= len(ind):
                break
            i += 1
        if new_body is not None:
            out.append(f"{ind}{key}:\n{ind}  " + new_body.format(ind=ind))
    return "".join(out)


def make_pack(src: Path, dst: Path, rules: list[str], variant: str) -> None:
    """variant: probe | allenv | universe | narrow"""
    shutil.copytree(src / "controls", dst / "controls")
    if variant in ("allenv", "universe"):
        for c in (dst / "controls").glob("*.yaml"):
            t = c.read_text()
            c.write_text(re.sub(r"(?m)^  environments:.*\n", "", t))
    files = rule_files(src)
    (dst / "rules").mkdir()
    for rid in rules:
        t = files[rid].read_text()
        if variant == "narrow":
            t = re.sub(r"includesAny:\s*\[[^\]]*\]", f"includesAny: {OVERLAP_PORTS}", t)
        else:
            t = replace_block(t, "assert", PROBE_ASSERT)
            if variant == "universe":
                t = replace_block(t, "when", None)
        (dst / "rules" / f"{rid}.yaml").write_text(t)


# --------------------------------------------------------------------------- controlgate


def run_controlgate(cg: str, pack: Path, base: Path, files: list[str]) -> tuple[dict, str]:
    cmd = [cg, "check", "--no-builtin", "--policies", str(pack), "--environment", "prod",
           "--today", DATE, "--format", "json", "--unknown", "fail", *files]
    p = subprocess.run(cmd, cwd=base, capture_output=True, text=True)
    if p.returncode not in (0, 1, 2) or not p.stdout.strip():
        die(f"controlgate failed ({p.returncode}): {p.stderr[:2000]}")
    return json.loads(p.stdout), p.stderr


def cg_findings(report: dict, base: Path) -> dict[tuple, str]:
    """(rule, abs file, resource) -> fail | unknown"""
    out = {}
    for f in report.get("findings", []):
        path = os.path.normpath(os.path.join(base, f["file"]))
        key = (f["ruleId"], path, f["resource"])
        # fail beats unknown if a rule reported both for one resource
        if out.get(key) != "fail":
            out[key] = f["outcome"]
        out.setdefault(("@type", path, f["resource"]), f["resourceType"])
    return out


# --------------------------------------------------------------------------- Checkov


def checkov_batch(ckv: str, framework: str, checks: list[str], files: list[str]) -> list | None:
    cmd = [ckv, "--framework", CHECKOV_FRAMEWORK[framework], "-o", "json", "--skip-download",
           "--compact", "--check", ",".join(checks), "-f", *files]
    p = subprocess.run(cmd, capture_output=True, text=True,
                       env={**os.environ, "LOG_LEVEL": "CRITICAL"})
    try:
        data = json.loads(p.stdout)
    except json.JSONDecodeError:
        return None
    reports = data if isinstance(data, list) else [data]
    results = []
    for r in reports:
        res = r.get("results") or {}
        results += (res.get("passed_checks", []) + res.get("failed_checks", [])
                    + res.get("skipped_checks", []))
    return results


def run_checkov(ckv: str, framework: str, checks: list[str], files: list[str],
                batch: int) -> tuple[list, list[str], int]:
    results, crashed, calls = [], [], 0
    todo = [files[i:i + batch] for i in range(0, len(files), batch)]
    while todo:
        chunk = todo.pop(0)
        calls += 1
        r = checkov_batch(ckv, framework, checks, chunk)
        if r is not None:
            results += r
        elif len(chunk) == 1:
            crashed.append(chunk[0])
        else:
            half = len(chunk) // 2
            todo[:0] = [chunk[:half], chunk[half:]]
    return results, crashed, calls


def checkov_resource_id(framework: str, res: dict) -> str:
    rid = res["resource"]
    if framework == "cfn":
        m = re.match(r"^(AWS::[^.]+::[^.]+|[A-Za-z0-9:]+)\.(.+)$", rid)
        if m:
            return m.group(2)
    return rid


# --------------------------------------------------------------------------- compare


def classify(cg: str, ck: str) -> str:
    if cg == "fail":
        return {"FAILED": "both_fail", "PASSED": "cg_only_fail", "none": "cg_fail_ckv_none"}[ck]
    if cg == "pass":
        return {"FAILED": "ckv_only_fail", "PASSED": "both_pass", "none": "cg_pass_ckv_none"}[ck]
    if cg == "unknown":
        return {"FAILED": "cg_unknown_ckv_fail", "PASSED": "cg_unknown_ckv_pass",
                "none": "cg_unknown_ckv_none"}[ck]
    if ck == "none":
        return ""
    suffix = "ckv_fail" if ck == "FAILED" else "ckv_pass"
    return {"env": f"cg_scope_env_{suffix}", "when": f"cg_scope_when_{suffix}",
            "unseen": f"cg_unseen_{suffix}"}[cg]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default="/work/shared/corpus", type=Path)
    ap.add_argument("--controlgate", default=None)
    ap.add_argument("--checkov", default=shutil.which("checkov") or "checkov")
    ap.add_argument("--policies", default=REPO / "policies", type=Path)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--batch", type=int, default=120)
    ap.add_argument("--json-out", default="/tmp/checkov-comparison.json")
    ap.add_argument("--markdown-out", default=None)
    ap.add_argument("--cases", type=int, default=5)
    args = ap.parse_args()

    cg = (args.controlgate or shutil.which("cg") or shutil.which("controlgate")
          or str(REPO / "target/release/controlgate"))
    if not Path(cg).exists() and not shutil.which(cg):
        die(f"controlgate binary not found: {cg} (use --controlgate)")
    # The tools run in temporary directories: a relative path must not depend on ours.
    if Path(cg).exists():
        cg = str(Path(cg).resolve())
    if not shutil.which(args.checkov) and not Path(args.checkov).exists():
        die("checkov not found (pip install checkov, or --checkov)")
    versions = {
        "controlgate": subprocess.run([cg, "--version"], capture_output=True,
                                      text=True).stdout.strip(),
        "checkov": subprocess.run([args.checkov, "--version"], capture_output=True,
                                  text=True).stdout.strip(),
    }

    tmp = Path(tempfile.mkdtemp(prefix="cg-vs-checkov-"))
    # One snapshot of the pack, so that edits made while the script runs cannot mix versions.
    shutil.copytree(args.policies, tmp / "real", ignore=shutil.ignore_patterns(".*"))
    snapshot = tmp / "real"
    digest = hashlib.sha256()
    for p in sorted(snapshot.rglob("*.yaml")):
        digest.update(str(p.relative_to(snapshot)).encode() + b"\0" + p.read_bytes())
    present = rule_files(snapshot)
    pairs, skipped_pairs = [], []
    for pid, rules, checks, fws in PAIRS:
        if all(r in present for r in rules):
            pairs.append((pid, rules, checks, fws))
        else:
            skipped_pairs.append({"pair": pid, "missing": [r for r in rules if r not in present]})
    all_rules = sorted({r for _, rules, _, _ in pairs for r in rules})
    sg_rules = next((rules for pid, rules, _, _ in pairs if pid == SG_PAIR), [])
    packs = {"real": snapshot}
    for variant in ("probe", "allenv", "universe"):
        make_pack(snapshot, tmp / variant, all_rules, variant)
        packs[variant] = tmp / variant
    if sg_rules:
        make_pack(snapshot, tmp / "narrow", sg_rules, "narrow")
        packs["narrow"] = tmp / "narrow"

    rows, totals = [], {}
    meta = {"versions": versions, "date": time.strftime("%Y-%m-%d", time.gmtime()), "today": DATE, "policies": str(args.policies),
            "pack_sha256": digest.hexdigest(), "pack_rules": sorted(present), "corpora": {},
            "skipped_pairs": skipped_pairs}
    for fw in ("tfplan", "cfn"):
        base = args.corpus / fw
        manifest = base / "MANIFEST.tsv"
        if not manifest.exists():
            continue
        files = [ln.split("\t")[0] for ln in manifest.read_text().splitlines()[1:] if ln.strip()]
        if args.limit:
            files = files[: args.limit]
        base = base.resolve()

        t0 = time.time()
        cg_runs, cg_err = {}, ""
        for name, pack in packs.items():
            rep, err = run_controlgate(cg, pack, base, files)
            cg_runs[name] = cg_findings(rep, base)
            if name == "real":
                cg_err = err
                cg_summary = rep.get("summary", {})
        cg_secs = time.time() - t0
        unloadable = sorted({m.group(1) for m in re.finditer(r"error: input error: (\S+?):\d+:\d+",
                                                             cg_err)})

        checks = sorted({c for _, _, cs, fws in pairs if fw in fws for c in cs})
        t0 = time.time()
        abs_files = [str(base / f) for f in files]
        ck_results, ck_crashed, ck_calls = run_checkov(args.checkov, fw, checks, abs_files,
                                                       args.batch)
        ck_secs = time.time() - t0
        ck = {}  # (check, abs file, resource) -> PASSED/FAILED
        ck_types = {}
        ck_skipped = 0
        for r in ck_results:
            if r["check_result"]["result"] not in ("PASSED", "FAILED"):
                ck_skipped += 1  # a suppression comment: neither pass nor fail
                continue
            path = os.path.normpath(r.get("file_abs_path") or r["file_path"])
            rid = checkov_resource_id(fw, r)
            ck[(r["check_id"], path, rid)] = r["check_result"]["result"]
            if fw == "cfn":
                ck_types[(path, rid)] = r["resource"][: -len(rid) - 1]
            else:
                parts = re.sub(r"\[[^\]]*\]", "", r["resource"]).split(".")
                ck_types[(path, rid)] = parts[-2] if len(parts) > 1 else ""
        meta["corpora"][fw] = {
            "files": len(files), "controlgate_seconds": round(cg_secs, 1),
            "controlgate_summary": cg_summary, "controlgate_unloadable": unloadable,
            "checkov_seconds": round(ck_secs, 1), "checkov_processes": ck_calls,
            "checkov_crashed_files": [os.path.relpath(f, base) for f in ck_crashed],
            "checkov_checks": checks, "checkov_skipped_results": ck_skipped,
        }

        for pid, rules, pchecks, fws in pairs:
            # Resources seen by either tool for this pair.
            keys = set()
            for name in ("real", "universe"):
                keys |= {(p, r) for (rule, p, r) in cg_runs[name] if rule in rules}
            has_ckv = fw in fws
            if has_ckv:
                keys |= {(p, r) for (c, p, r) in ck if c in pchecks
                         and (pid not in CHECKOV_TYPES or ck_types.get((p, r)) in CHECKOV_TYPES[pid])}
            counts = collections.Counter()
            for path, res in sorted(keys):
                def st(run: str) -> str | None:
                    outs = [cg_runs[run].get((rule, path, res)) for rule in rules]
                    outs = [o for o in outs if o]
                    if not outs:
                        return None
                    return "fail" if "fail" in outs else "unknown"

                real = st("real")
                extra = None
                if pid == SG_PAIR:
                    # The overlap with CKV_AWS_24/25 is judged by the rule narrowed to 22/3389;
                    # a resource flagged only for a database port is counted apart.
                    narrow = st("narrow")
                    if real and not narrow:
                        extra = real
                    cg_state = narrow or ("pass" if st("probe") or real else None)
                else:
                    cg_state = real or ("pass" if st("probe") else None)
                if cg_state is None:
                    if st("allenv"):
                        cg_state = "env"
                    elif st("universe"):
                        cg_state = "when"
                    else:
                        cg_state = "unseen"
                ck_outs = [ck.get((c, path, res)) for c in pchecks]
                if pid in CHECKOV_TYPES and ck_types.get((path, res)) not in CHECKOV_TYPES[pid]:
                    ck_outs = []
                ck_state = "FAILED" if "FAILED" in ck_outs else (
                    "PASSED" if "PASSED" in ck_outs else "none")
                cat = classify(cg_state, ck_state)
                rtype = cg_runs["universe"].get(("@type", path, res)) or \
                    cg_runs["real"].get(("@type", path, res)) or ck_types.get((path, res), "")
                if extra:
                    counts["cg_extra_db_port"] += 1
                    counts[f"cg_extra_db_port_{extra}_{ck_state}"] += 1
                    rows.append({"pair": pid, "framework": fw, "file": os.path.relpath(path, base),
                                 "resource": res, "type": rtype,
                                 "controlgate": f"{extra} (database port only)",
                                 "checkov": ck_state, "category": "cg_extra_db_port"})
                if not cat:
                    continue
                counts[cat] += 1
                rows.append({"pair": pid, "framework": fw, "file": os.path.relpath(path, base),
                             "resource": res, "type": rtype, "controlgate": cg_state,
                             "checkov": ck_state, "category": cat})
            counts["checkov_has_check"] = int(has_ckv)
            totals[(pid, fw)] = counts

    shutil.rmtree(tmp, ignore_errors=True)

    # ---- Markdown
    md = []
    md.append(f"controlgate: {versions['controlgate']}; Checkov: {versions['checkov']}; "
              f"pack: {args.policies}")
    for fw, m in meta["corpora"].items():
        md.append(f"- {fw}: {m['files']} files; controlgate {m['controlgate_seconds']} s "
                  f"(4-5 runs), Checkov {m['checkov_seconds']} s in {m['checkov_processes']} "
                  f"processes; Checkov could not scan {len(m['checkov_crashed_files'])}, "
                  f"controlgate could not load {len(m['controlgate_unloadable'])}")
    if skipped_pairs:
        md.append("- pairs skipped (rule not in the pack): "
                  + ", ".join(f"{s['pair']} ({', '.join(s['missing'])})" for s in skipped_pairs))
    md.append("")
    head = ["pair", "corpus", "both fail", "both pass", "only cg fails", "only Checkov fails",
            "cg unknown (Checkov F/P/-)", "cg F/P, Checkov silent",
            "Checkov F/P, cg: env scope", "Checkov F/P, cg: rule condition",
            "Checkov F/P, cg: not evaluated", "cg flags a database port only"]
    md.append("| " + " | ".join(head) + " |")
    md.append("|" + "---|" * len(head))
    for (pid, fw), c in totals.items():
        rules = next(r for p, r, _, _ in pairs if p == pid)
        checks = next(cs for p, _, cs, _ in pairs if p == pid)
        label = f"{' + '.join(rules)} ↔ {' + '.join(checks)}"
        if not c["checkov_has_check"]:
            label += " (no Checkov check for this format)"
        extra = (f"{c['cg_extra_db_port_fail_FAILED'] + c['cg_extra_db_port_fail_PASSED']}"
                 f" fail, {c['cg_extra_db_port_unknown_FAILED'] + c['cg_extra_db_port_unknown_PASSED']}"
                 f" unknown (Checkov {c['cg_extra_db_port_fail_FAILED'] + c['cg_extra_db_port_unknown_FAILED']}"
                 f"/{c['cg_extra_db_port_fail_PASSED'] + c['cg_extra_db_port_unknown_PASSED']})")
        md.append("| " + " | ".join([
            label, fw, str(c["both_fail"]), str(c["both_pass"]), str(c["cg_only_fail"]),
            str(c["ckv_only_fail"]),
            f"{c['cg_unknown_ckv_fail']}/{c['cg_unknown_ckv_pass']}/{c['cg_unknown_ckv_none']}",
            f"{c['cg_fail_ckv_none']}/{c['cg_pass_ckv_none']}",
            f"{c['cg_scope_env_ckv_fail']}/{c['cg_scope_env_ckv_pass']}",
            f"{c['cg_scope_when_ckv_fail']}/{c['cg_scope_when_ckv_pass']}",
            f"{c['cg_unseen_ckv_fail']}/{c['cg_unseen_ckv_pass']}",
            extra if pid == SG_PAIR else "–",
        ]) + " |")
    text = "\n".join(md) + "\n"
    if args.markdown_out:
        Path(args.markdown_out).write_text(text)
    else:
        sys.stdout.write(text)

    # ---- JSON: totals, and every disagreement (agreements only as counts, plus examples)
    examples = collections.defaultdict(list)
    disagreements = []
    for r in rows:
        if r["category"] in ("both_fail", "both_pass"):
            if len(examples[(r["pair"], r["framework"], r["category"])]) < args.cases:
                examples[(r["pair"], r["framework"], r["category"])].append(r)
        else:
            disagreements.append(r)
    out = {
        **meta,
        "totals": [{"pair": p, "framework": fw, **{k: v for k, v in c.items()}}
                   for (p, fw), c in totals.items()],
        "agreement_examples": [r for v in examples.values() for r in v],
        "disagreements": disagreements,
    }
    Path(args.json_out).write_text(json.dumps(out, indent=1, sort_keys=False))
    print(f"\nper-resource rows: {args.json_out}", file=sys.stderr)


if __name__ == "__main__":
    main()
