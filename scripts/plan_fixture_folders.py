#!/usr/bin/env python3
"""Give each Terraform plan fixture of the built-in pack its own folder with the `.tf` it stands for.

Usage: scripts/plan_fixture_folders.py RULE-ID ...   (from the checkout's root; a case already in
its folder has its `.tf` written again)

policies/tests/<rule-id>/terraform/<case>.json becomes terraform/<case>/plan.json, with a
main.tf beside it (and modules/<name>/main.tf for each local module the plan calls) declaring
the plan's resources. controlgate reads the `.tf` of a plan's folder as its source: findings
point at the `resource` block, and the arguments written there decide which computed arguments
the author left to the provider. So the `.tf` says what the plan's `configuration` says: each
expression the configuration holds is written (a constant as its value, an expression by its
first reference), and nothing else, except, for the cases in DYNAMIC, a `dynamic` block for
each block argument the plan shows known only after apply that the configuration leaves out
(Terraform leaves `dynamic` blocks out of the configuration). A resource the configuration does not hold (or a plan without
configuration) is written from its planned values; without configuration, a module's resources
go to modules/<name>/main.tf, called from its parent. expected.yaml keys are renamed to match.
The result is a starting point to review, not a substitute for reading it.
"""

import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.join(ROOT, "policies", "tests")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def literal(v, indent):
    pad = "  " * indent
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    if isinstance(v, str):
        s = json.dumps(v)
        return s.replace("${", "$${").replace("%{", "%%{")
    if isinstance(v, list):
        if not v:
            return "[]"
        if all(not isinstance(x, (dict, list)) for x in v):
            return "[" + ", ".join(literal(x, indent) for x in v) + "]"
        return "[\n" + "".join(f"{pad}  {literal(x, indent + 1)},\n" for x in v) + pad + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        lines = []
        for k, x in v.items():
            key = k if IDENT.match(k) else json.dumps(k)
            lines.append(f"{pad}  {key} = {literal(x, indent + 1)}\n")
        return "{\n" + "".join(lines) + pad + "}"
    raise ValueError(v)


def expression(e, indent, variables):
    if "constant_value" in e:
        return literal(e["constant_value"], indent)
    refs = e.get("references") or []
    if refs:
        for r in refs:
            if r.startswith("var."):
                variables.add(r.split(".")[1])
        return refs[0]
    return "null"


def body(exprs, indent, variables):
    """HCL lines of a configuration `expressions` object."""
    pad = "  " * indent
    out = []
    for k, v in exprs.items():
        if isinstance(v, dict):
            out.append(f"{pad}{k} = {expression(v, indent, variables)}\n")
        elif isinstance(v, list):
            for block in v:
                out.append(f"{pad}{k} {{\n")
                out.extend(body(block, indent + 1, variables))
                out.append(f"{pad}}}\n")
    return out


def values_body(values, indent):
    """HCL lines of planned values: lists of objects as blocks, null and empty left out."""
    pad = "  " * indent
    out = []
    for k, v in values.items():
        if k in ("tags_all", "id", "arn") or v is None or v == [] or v == {}:
            continue
        if isinstance(v, list) and all(isinstance(x, dict) for x in v):
            for block in v:
                out.append(f"{pad}{k} {{\n")
                out.extend(values_body(block, indent + 1))
                out.append(f"{pad}}}\n")
        else:
            out.append(f"{pad}{k} = {literal(v, indent)}\n")
    return out


def unknown_blocks(rc):
    """Top-level arguments a resource change shows known only after apply, as blocks or lists."""
    if not rc:
        return set()
    unknown = (rc.get("change") or {}).get("after_unknown") or {}
    return {k for k, v in unknown.items() if v is True or (isinstance(v, list) and v)}


BLOCK_ARGUMENTS = {
    "aws_s3_bucket": {"server_side_encryption_configuration", "versioning"},
    "aws_security_group": {"ingress"},
    "aws_dynamodb_table": {"point_in_time_recovery", "server_side_encryption"},
    "aws_instance": {"root_block_device", "ebs_block_device"},
    "aws_launch_configuration": {"root_block_device", "ebs_block_device"},
    "aws_opensearch_domain": {"encrypt_at_rest"},
    "aws_elasticsearch_domain": {"encrypt_at_rest"},
    "aws_config_configuration_recorder": {"recording_group"},
    "aws_backup_plan": {"rule"},
}


# Cases whose plan shows a block argument known only after apply that the configuration leaves
# out: the rule's verdict (unknown) rests on the block being written as `dynamic`, which
# Terraform leaves out of the configuration. Written without it, the `.tf` would prove the block
# unwritten and the provider's default would decide.
DYNAMIC = {
    ("backup-plan-retention-too-short", "unknown-rules-computed"): {"rule"},
    ("config-recorder-global-resources-excluded", "unknown-block-omitted"): {"recording_group"},
    ("config-recorder-not-recording-all", "unknown-block-omitted"): {"recording_group"},
    ("dynamodb-point-in-time-recovery-disabled", "unknown-default-omitted"): {"point_in_time_recovery"},
    ("dynamodb-table-not-kms-encrypted", "unknown-default-omitted"): {"server_side_encryption"},
    ("opensearch-domain-unencrypted", "unknown-default-omitted"): {"encrypt_at_rest"},
    ("s3-bucket-not-kms-encrypted", "split-modules-count-for-each"): {"server_side_encryption_configuration"},
}


def resource_block(kind, mode, rtype, name, conf, values, rc, variables, dynamic):
    head = f'data "{rtype}" "{name}"' if mode == "data" else f'resource "{rtype}" "{name}"'
    lines = [head + " {\n"]
    if conf is not None:
        for meta, word in (("count_expression", "count"), ("for_each_expression", "for_each")):
            if meta in conf:
                lines.append(f"  {word} = {expression(conf[meta], 1, variables)}\n")
        exprs = conf.get("expressions", {})
        lines.extend(body(exprs, 1, variables))
        for k in sorted(BLOCK_ARGUMENTS.get(rtype, set()) & unknown_blocks(rc) & dynamic - set(exprs)):
            lines.append(f"  # Left out of the plan's configuration, as Terraform leaves `dynamic` blocks.\n")
            lines.append(f'  dynamic "{k}" {{\n    for_each = var.{k}\n    content {{}}\n  }}\n')
            variables.add(k)
        if conf.get("depends_on"):
            lines.append(f"  depends_on = [{', '.join(conf['depends_on'])}]\n")
    elif values is not None:
        lines.extend(values_body(values, 1))
    lines.append("}\n")
    return "".join(lines)


def module_instances(address):
    """(module path of names, resource address within it, without instance keys)."""
    parts = re.findall(r'(?:[^.\["]|\[[^\]]*\]|"[^"]*")+', address)
    mods = []
    i = 0
    while i < len(parts) and parts[i] == "module":
        mods.append(re.sub(r"\[.*\]$", "", parts[i + 1]))
        i += 2
    return tuple(mods), re.sub(r"\[[^\]]*\]$", "", ".".join(parts[i:]))


def write_case(folder, plan, dynamic):
    rcs = {}
    for rc in plan.get("resource_changes", []):
        rcs.setdefault(module_instances(rc["address"]), rc)
    values = {}

    def walk(mod):
        for r in mod.get("resources", []):
            values.setdefault(module_instances(r["address"]), r)
        for c in mod.get("child_modules", []):
            walk(c)

    walk(plan.get("planned_values", {}).get("root_module", {}))
    walk(plan.get("prior_state", {}).get("values", {}).get("root_module", {}))
    for key, rc in rcs.items():
        values.setdefault(key, {"mode": rc.get("mode"), "type": rc["type"], "name": rc["name"], "values": (rc["change"].get("after") or rc["change"].get("before") or {})})

    confs = {}
    calls = {}

    def walk_conf(mod, path, directory):
        calls[path] = directory
        for r in mod.get("resources", []):
            confs[(path, r["address"])] = r
        for name, call in mod.get("module_calls", {}).items():
            src = call.get("source", "")
            sub = os.path.normpath(os.path.join(directory, src)) if src.startswith("./") or src.startswith("../") else None
            walk_conf(call.get("module", {}), path + (name,), sub)

    root_conf = plan.get("configuration", {}).get("root_module", {})
    walk_conf(root_conf, (), ".")

    files = {}
    variables = {}
    order = list(dict.fromkeys(list(values) + list(confs)))
    for key in order:
        path, address = key
        if path in calls:
            directory = calls[path]
        elif "configuration" not in plan:
            # No configuration to name the module's source: written as a local module.
            directory = "."
            for i, m in enumerate(path):
                parent = directory
                directory = os.path.join(directory, "modules", m)
                call = f'module "{m}" {{\n  source = "./modules/{m}"\n}}\n'
                if call not in files.setdefault(parent, []):
                    files[parent].insert(0, call)
        else:
            continue  # a registry module: its `.tf` is not in the repository
        v = values.get(key)
        conf = confs.get(key)
        rtype = (v or conf)["type"]
        name = (v or conf)["name"]
        mode = (v or conf).get("mode", "managed")
        variables.setdefault(directory, set())
        text = resource_block(address, mode, rtype, name, conf, (v or {}).get("values"), rcs.get(key), variables[directory], dynamic)
        files.setdefault(directory, []).append(text)

    # Module calls, in the directory of their caller.
    def write_calls(mod, directory):
        for name, call in mod.get("module_calls", {}).items():
            lines = [f'module "{name}" {{\n', f"  source = {literal(call.get('source', ''), 1)}\n"]
            for meta, word in (("count_expression", "count"), ("for_each_expression", "for_each")):
                if meta in call:
                    lines.append(f"  {word} = {expression(call[meta], 1, variables.setdefault(directory, set()))}\n")
            lines.extend(body(call.get("expressions", {}), 1, variables.setdefault(directory, set())))
            lines.append("}\n")
            files.setdefault(directory, []).insert(0, "".join(lines))
            src = call.get("source", "")
            if src.startswith("./") or src.startswith("../"):
                write_calls(call.get("module", {}), os.path.normpath(os.path.join(directory, src)))

    write_calls(root_conf, ".")
    for directory, blocks in files.items():
        head = "".join(f'variable "{v}" {{}}\n\n' for v in sorted(variables.get(directory, ())))
        os.makedirs(os.path.join(folder, directory), exist_ok=True)
        with open(os.path.join(folder, directory, "main.tf"), "w") as f:
            f.write(head + "\n".join(blocks))


def convert(rule):
    base = os.path.join(TESTS, rule)
    tf = os.path.join(base, "terraform")
    renames = {}
    # Folders made before: their `.tf` are written again.
    for case in sorted(os.listdir(tf)):
        folder = os.path.join(tf, case)
        if os.path.isfile(os.path.join(folder, "plan.json")):
            for dirpath, _, names in os.walk(folder):
                for n in names:
                    if n.endswith(".tf"):
                        os.remove(os.path.join(dirpath, n))
            with open(os.path.join(folder, "plan.json")) as f:
                write_case(folder, json.load(f), DYNAMIC.get((rule, case), set()))
    for name in sorted(os.listdir(tf)):
        if not name.endswith(".json"):
            continue
        case = name[: -len(".json")]
        folder = os.path.join(tf, case)
        os.makedirs(folder)
        os.rename(os.path.join(tf, name), os.path.join(folder, "plan.json"))
        with open(os.path.join(folder, "plan.json")) as f:
            write_case(folder, json.load(f), DYNAMIC.get((rule, case), set()))
        renames[f"terraform/{name}"] = f"terraform/{case}/plan.json"
    path = os.path.join(base, "expected.yaml")
    text = open(path).read()
    for old, new in renames.items():
        text, n = re.subn(rf"^({re.escape(old)}|'{re.escape(old)}'|\"{re.escape(old)}\"):", new + ":", text, flags=re.M)
        if n != 1:
            sys.exit(f"{rule}: {old} is not one key of expected.yaml")
    with open(path, "w") as f:
        f.write(text)
    return len(renames)


def main():
    total = 0
    for rule in sys.argv[1:]:
        total += convert(rule)
    print(f"{total} plan cases moved to their own folder")


if __name__ == "__main__":
    main()
