#!/usr/bin/env python3
"""Generate N realistic controlgate run records from a real one, for benchmarks and tests.

Usage: scripts/gen_evidence.py N OUTDIR [--seed 1] [--jsonl] [--template FILE]
                               [--start 2026-01-01] [--days 365] [--repositories 12]

The template (default fixtures/evidence/template.json) is the record `controlgate check
fixtures/demo --exceptions fixtures/exceptions/valid.yaml --evidence FILE` wrote. Each generated
record is that record changed as a year of CI runs would change it: one of a dozen repositories
(each with its account and region), a time within the period, a commit, a branch and sometimes a
pull request; the demo's findings come and go per repository (a finding fixed in one run stays
fixed unless it comes back), excepted while the exception EXC-2026-001 is in force; the decision,
the per-control counts and the subjects' digests follow. Halfway through the period the policy
bundle changes (LOG-001 gets a new version and a rule more), so both digests show. A few runs end
in an error, and a few ran outside CI (no context).

Same N, seed and template: the same records, byte for byte.

Without --jsonl, one pretty-printed `.json` file per record (as `check --evidence` writes it),
under OUTDIR/<repository>/<yyyy>/<mm>/<dd>/. With --jsonl, one compact record per line in
OUTDIR/dt=<yyyy-mm-dd>/records.jsonl: the layout docs/evidence-queries.md describes for object
storage, partitioned by day.
"""

import argparse
import copy
import datetime as dt
import hashlib
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

REPOSITORIES = [
    ("acme/payments", "111111111111", "eu-west-1"),
    ("acme/orders", "111111111111", "eu-west-1"),
    ("acme/web-frontend", "222222222222", "us-east-1"),
    ("acme/data-lake", "333333333333", "eu-central-1"),
    ("acme/identity", "444444444444", "us-east-1"),
    ("acme/shared-network", "555555555555", "eu-west-1"),
    ("acme/analytics", "333333333333", "eu-central-1"),
    ("acme/mobile-api", "222222222222", "us-west-2"),
    ("acme/billing", "111111111111", "eu-west-1"),
    ("acme/search", "666666666666", "ap-southeast-2"),
    ("acme/logging", "555555555555", "eu-west-1"),
    ("acme/ml-platform", "777777777777", "us-east-1"),
]
ACTORS = ["alice", "bob", "carol", "dan", "erin", "frank", "grace", "heidi"]
CHANGED_CONTROL = "LOG-001"
ADDED_RULE = "cloudtrail-log-file-validation-disabled"


def hexdigest(rng, n=64):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def bundle_digest(files):
    """The policy bundle digest, as src/evidence/digest.rs computes it."""
    lines = sorted({f"{f['role']} {f['name']} {f['sha256']}\n" for f in files})
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def when(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jsonl", action="store_true")
    ap.add_argument("--template", type=Path, default=ROOT / "fixtures/evidence/template.json")
    ap.add_argument("--start", default="2026-01-01")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--repositories", type=int, default=len(REPOSITORIES), help="how many repositories the runs are of")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    repositories = REPOSITORIES[: max(1, a.repositories)]
    template = json.loads(a.template.read_text())
    tp = template["predicate"]
    pool = tp["findings"]
    start = dt.datetime.fromisoformat(a.start).replace(tzinfo=dt.timezone.utc)
    switch = start + dt.timedelta(days=a.days / 2)

    # The two policy bundles: the template's, and one where the changed control's file differs.
    files_a = tp["policy"]["files"]
    files_b = copy.deepcopy(files_a)
    for f in files_b:
        if f["name"].endswith(f"/{CHANGED_CONTROL}.yaml"):
            f["sha256"] = hashlib.sha256(f["sha256"].encode()).hexdigest()
    bundles = [(files_a, bundle_digest(files_a)), (files_b, bundle_digest(files_b))]

    times = sorted(start + dt.timedelta(seconds=rng.uniform(0, a.days * 86400)) for _ in range(a.n))
    # Per repository: which of the template's findings are failing now.
    state = {r[0]: {i for i in range(len(pool)) if rng.random() < 0.25} for r in repositories}
    weights = [rng.uniform(0.5, 3) for _ in repositories]
    out = {}
    for i, t in enumerate(times):
        repo, account, region = rng.choices(repositories, weights)[0]
        active = state[repo]
        for j in list(active):
            if rng.random() < 0.3:
                active.discard(j)
        for j in range(len(pool)):
            if j not in active and rng.random() < 0.025:
                active.add(j)
        record = copy.deepcopy(template)
        p = record["predicate"]
        files, bundle = bundles[1 if t >= switch else 0]
        p["policy"] = {"digest": {"sha256": bundle}, "files": files}
        p["settings"]["account"] = account
        p["settings"]["region"] = region
        for res in p["changes"]["resources"]:
            res["region"] = region
        # The demo's exception is in force for the first three quarters of the period.
        exception_in_force = t < start + dt.timedelta(days=a.days * 0.75)
        findings = []
        for j in sorted(active):
            f = copy.deepcopy(pool[j])
            f["region"] = region
            if f["exception"] and not exception_in_force:
                f["exception"] = None
                f["blocking"] = True
            findings.append(f)
        error = rng.random() < 0.02
        p["findings"] = findings
        for e in p["exceptions"]:
            if e["id"] == "EXC-2026-001":
                e["applied"] = sum(1 for f in findings if f["exception"] == e["id"])
                e["state"] = ("active" if e["applied"] else "unused") if exception_in_force else "expired"
        for c in p["controls"]:
            mine = [f for f in findings if f["control"] == c["id"]]
            c["failed"] = len({f["resource"] for f in mine if f["outcome"] == "fail" and not f["exception"]})
            c["unknown"] = len({f["resource"] for f in mine if f["outcome"] == "unknown"})
            c["excepted"] = sum(1 for f in mine if f["exception"])
            c["blocking"] = sum(1 for f in mine if f["blocking"])
            c["passed"] = max(0, c["evaluated"] - c["failed"] - c["unknown"] - c["excepted"])
            if c["id"] == CHANGED_CONTROL and t >= switch:
                c["version"] += 1
                c["rules"] = sorted(c["rules"] + [ADDED_RULE])
        blocking = sum(1 for f in findings if f["blocking"])
        d = p["decision"]
        if error:
            d.update(verdict="error", exitCode=2, blockingFindings=blocking,
                     reasons=["1 error"],
                     errors=[{"kind": "input", "file": "fixtures/demo/plan.json", "line": 0,
                              "message": "fixtures/demo/plan.json: over the size limit"}])
        elif blocking:
            d.update(verdict="blocked", exitCode=1, blockingFindings=blocking,
                     reasons=[f"{blocking} blocking finding{'' if blocking == 1 else 's'}"], errors=[])
        else:
            d.update(verdict="pass", exitCode=0, blockingFindings=0, reasons=[], errors=[])
        for s in record["subject"]:
            s["digest"]["sha256"] = bundle if s["name"] == "controlgate:policy-bundle" else hexdigest(rng)
        if rng.random() < 0.05:
            p["context"] = None
        else:
            run_id = str(9_000_000_000 + i)
            pr = rng.randrange(1, 900) if rng.random() < 0.6 else None
            p["context"] = {
                "ci": "github",
                "repository": repo,
                "commit": hexdigest(rng, 40),
                "branch": f"feature/change-{pr}" if pr else "main",
                "pullRequest": {"number": pr, "url": f"https://github.com/{repo}/pull/{pr}"} if pr else None,
                "workflowRun": {"id": run_id, "url": f"https://github.com/{repo}/actions/runs/{run_id}"},
                "actor": rng.choice(ACTORS),
                "changeRecord": {"id": f"CHG-{t.year}-{rng.randrange(1000, 9999)}", "source": "change-id", "url": None}
                if rng.random() < 0.3 else None,
            }
        p["startedAt"] = when(t)
        p["finishedAt"] = when(t + dt.timedelta(milliseconds=rng.randrange(150, 4000)))
        if a.jsonl:
            out.setdefault(a.outdir / f"dt={t.date().isoformat()}" / "records.jsonl", []).append(
                json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        else:
            name = repo.split("/")[1]
            path = a.outdir / name / f"{t:%Y/%m/%d}" / f"{t:%H%M%S}-{i:05d}.json"
            out[path] = [json.dumps(record, ensure_ascii=False, indent=2)]
    for path, lines in out.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
    print(f"{a.n} records in {len(out)} files under {a.outdir}")


if __name__ == "__main__":
    main()
