#!/usr/bin/env python3
"""Trim the built-in pack's Terraform plan fixtures to the resources their case needs.

Usage: scripts/trim_plan_fixtures.py [--dry-run] [RULE-ID ...]   (from the checkout's root,
after `cargo build`; default: every rule under policies/tests)

For each plan fixture policies/tests/<rule-id>/terraform/<case>/plan.json named in that rule's expected.yaml,
every resource (managed or data) that no expected.yaml entry of the fixture names, that no listed
resource is linked to by configuration references (either way, directly or through others), and
that KEEP does not
name is a candidate for removal from planned_values, resource_changes, prior_state and configuration (a
configuration block goes only when no instance of it is left; emptied modules go too).

A removal is kept only if the rule's verdict on the listed resources is unchanged: running
`target/debug/controlgate check --no-config --today 2026-12-01 --check <rule-id>` before and
after must give every listed resource the same outcome (fail, unknown, evaluated without a
finding, or not evaluated), message and facts, and no new finding anywhere. So companions a
rule reads (encryption configurations, KMS keys, policies referenced) stay. All candidates are
tried at once first, then one at a time. The rewritten file keeps two-space JSON indentation.
Each check runs on a copy in a scratch directory, without the case's `.tf`: run it before
writing them (scripts/plan_fixture_folders.py), or remove the blocks of what it removes.
"""

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "debug", "controlgate")
TESTS = os.path.join(ROOT, "policies", "tests")


# Resources that are the point of their case although the verdict does not depend on them.
KEEP = {
    # The case shows that a separate encryption configuration does not decide this rule.
    (
        "s3-bucket-not-kms-encrypted",
        "terraform/unknown-separate-resource/plan.json",
        "aws_s3_bucket_server_side_encryption_configuration.customer_data",
    ),
    # Companions the plan's configuration leaves out (so no reference links them): private's
    # block and logs' ACL are what those buckets pass by; the EIP names the case.
    ("s3-bucket-public-access-not-blocked", "terraform/pass/plan.json", "aws_s3_bucket_public_access_block.private"),
    ("s3-bucket-acl-public", "terraform/pass/plan.json", "aws_s3_bucket_acl.logs"),
    ("security-group-open-admin-port", "terraform/unknown-cidr-from-resource/plan.json", "aws_eip.vpn"),
}


def run(rule, plan, scratch):
    """The rule's verdict per resource: {address: (outcome, message, facts)} for findings and
    {address: ("evaluated",)} for resources evaluated without one."""
    path = os.path.join(scratch, "plan.json")
    with open(path, "w") as f:
        json.dump(plan, f, indent=2)
    base = [BINARY, "check", "--no-config", "--today", "2026-12-01", "--check", rule, path]
    out = {}
    js = subprocess.run(base + ["--format", "json"], cwd=scratch, capture_output=True, text=True)
    if js.returncode not in (0, 1):
        return None
    for f in json.loads(js.stdout)["findings"]:
        if f["ruleId"] == rule:
            out[f["resource"]] = (f["outcome"], f["message"], tuple(f.get("facts", [])))
    ju = subprocess.run(base + ["--format", "junit"], cwd=scratch, capture_output=True, text=True)
    for case in ET.fromstring(ju.stdout).iter("testcase"):
        if case.get("classname", "").endswith("." + rule):
            name = re.sub(r" \([^()]*\)$", "", case.get("name"))
            out.setdefault(name, ("evaluated",))
    return out


def same(before, after, listed):
    for address in listed:
        if before.get(address) != after.get(address):
            return False
    # No finding may appear on a resource that had none.
    return all(after[a][0] == "evaluated" or before.get(a) == after[a] for a in after)


def module_of(address):
    """(module path, address within the module, configuration address)."""
    parts = re.findall(r'(?:[^.\["]|\[[^\]]*\]|"[^"]*")+', address)
    mods = []
    i = 0
    while i < len(parts) and parts[i] == "module":
        mods.append(re.sub(r"\[.*\]$", "", parts[i + 1]))
        i += 2
    local = ".".join(parts[i:])
    return mods, local, re.sub(r"\[[^\]]*\]$", "", local)


def addresses(plan):
    seen = []
    for rc in plan.get("resource_changes", []):
        if rc["address"] not in seen:
            seen.append(rc["address"])

    def walk(mod):
        for r in mod.get("resources", []):
            if r["address"] not in seen:
                seen.append(r["address"])
        for c in mod.get("child_modules", []):
            walk(c)

    walk(plan.get("planned_values", {}).get("root_module", {}))
    walk(plan.get("prior_state", {}).get("values", {}).get("root_module", {}))
    return seen


def remove(plan, gone):
    plan = copy.deepcopy(plan)
    plan["resource_changes"] = [r for r in plan.get("resource_changes", []) if r["address"] not in gone]

    def prune(mod):
        if "resources" in mod:
            mod["resources"] = [r for r in mod["resources"] if r["address"] not in gone]
        if "child_modules" in mod:
            for c in mod["child_modules"]:
                prune(c)
            mod["child_modules"] = [c for c in mod["child_modules"] if c.get("resources") or c.get("child_modules")]
            if not mod["child_modules"]:
                del mod["child_modules"]

    for holder in (plan.get("planned_values"), plan.get("prior_state", {}).get("values")):
        if holder and "root_module" in holder:
            prune(holder["root_module"])

    # Configuration: a block stays while any instance of it is left.
    kept = {}
    for a in addresses(plan):
        mods, _, conf = module_of(a)
        kept.setdefault(tuple(mods), set()).add(conf)

    def prune_conf(mod, path):
        if "resources" in mod:
            mod["resources"] = [r for r in mod["resources"] if r["address"] in kept.get(path, set())]
        calls = mod.get("module_calls", {})
        for name in list(calls):
            inner = calls[name].get("module", {})
            prune_conf(inner, path + (name,))
            if not inner.get("resources") and not inner.get("module_calls"):
                del calls[name]
        if "module_calls" in mod and not calls:
            del mod["module_calls"]

    conf = plan.get("configuration", {}).get("root_module")
    if conf is not None:
        prune_conf(conf, ())
    return plan


def referenced(plan, listed):
    """Configuration addresses (module path, address) linked to a listed resource by references,
    either way, directly or through others: a resource a listed one reads (removing it would
    leave a reference to nothing) or one attached to it (an encryption configuration, a public
    access block: the case is about it)."""
    blocks = {}

    def collect(mod, path):
        for r in mod.get("resources", []):
            blocks[(path, r["address"])] = r
        for name, call in mod.get("module_calls", {}).items():
            collect(call.get("module", {}), path + (name,))

    collect(plan.get("configuration", {}).get("root_module", {}), ())

    def refs(node, out):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "references":
                    out.update(v)
                else:
                    refs(v, out)
        elif isinstance(node, list):
            for v in node:
                refs(v, out)

    def points(block, address):
        out = set()
        refs(block, out)
        return any(r == address or r.startswith(address + ".") or r.startswith(address + "[") for r in out)

    todo = []
    for a in listed:
        mods, _, conf = module_of(a)
        todo.append((tuple(mods), conf))
    seen = set()
    while todo:
        key = todo.pop()
        if key in seen or key not in blocks:
            continue
        seen.add(key)
        for other in blocks:
            if other[0] == key[0] and (points(blocks[key], other[1]) or points(blocks[other], key[1])):
                todo.append(other)
    return seen


def listed_in(entry):
    return set((entry or {}).get("fail") or []) | set(entry.get("pass") or []) | set(entry.get("unknown") or [])


def trim_rule(rule, dry_run):
    folder = os.path.join(TESTS, rule)
    with open(os.path.join(folder, "expected.yaml")) as f:
        expected = yaml.safe_load(f)
    scratch = tempfile.mkdtemp(prefix="trim-")
    total = [0, 0]
    try:
        for name, entry in sorted(expected.items()):
            if not name.endswith(".json"):
                continue
            path = os.path.join(folder, name)
            text = open(path).read()
            plan = json.loads(text)
            listed = listed_in(entry)
            before = run(rule, plan, scratch)
            if before is None:
                print(f"{rule}/{name}: does not check cleanly, left as is", file=sys.stderr)
                continue
            protected = referenced(plan, listed)
            candidates = [
                a
                for a in addresses(plan)
                if a not in listed
                and (tuple(module_of(a)[0]), module_of(a)[2]) not in protected
                and (rule, name, a) not in KEEP
            ]
            gone = set()
            if candidates:
                after = run(rule, remove(plan, set(candidates)), scratch)
                if after is not None and same(before, after, listed):
                    gone = set(candidates)
                else:
                    for a in candidates:
                        after = run(rule, remove(plan, gone | {a}), scratch)
                        if after is not None and same(before, after, listed):
                            gone.add(a)
            new = json.dumps(remove(plan, gone) if gone else plan, indent=2) + "\n"
            total[0] += len(text)
            total[1] += len(new) if gone else len(text)
            kept = [a for a in candidates if a not in gone]
            print(f"{rule}/{name}: removed {sorted(gone)}; kept unlisted {kept}")
            if gone and not dry_run:
                with open(path, "w") as f:
                    f.write(new)
    finally:
        shutil.rmtree(scratch)
    return total


def main():
    args = sys.argv[1:]
    dry_run = "--dry-run" in args
    rules = [a for a in args if a != "--dry-run"] or sorted(os.listdir(TESTS))
    before = after = 0
    for rule in rules:
        if os.path.isfile(os.path.join(TESTS, rule, "expected.yaml")):
            b, a = trim_rule(rule, dry_run)
            before += b
            after += a
    print(f"plan fixtures: {before} bytes before, {after} after")


if __name__ == "__main__":
    main()
