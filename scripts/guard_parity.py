#!/usr/bin/env python3
r"""Parity of controlgate's Guard rules with the reference `cfn-guard` CLI on real templates.

Usage:

    python3 scripts/guard_parity.py --mapping MAPPING.json [--controlgate BIN] [--cfn-guard BIN]
        [--corpus DIR] [--registry DIR] [--sample N] [--json [FILE]] [--only TEMPLATE ...]

MAPPING is an AWS Guard Rules Registry rule set (`mappings/rule_set_*.json`); each entry's
`guardFilePath` resolves against the registry root, the folder holding `mappings/` (or
`--registry`). The sample is deterministic: the CloudFormation templates of the corpus (files with
a top-level `Resources`), sorted by path, every k-th, N of them (default 120, at least 100).
`--only` checks the named templates instead of a sample (for looking at one difference).

For each template both tools run:
- `cfn-guard validate --rules F... --data T --output-format json --structured --show-summary none`:
  each failing check of a failing rule is placed on the resource whose `/Resources/<id>` prefix its
  paths carry (longest match against the template's logical ids), or on `<template>` when it has
  no resource path;
- `controlgate check T --guard-mapping MAPPING --format json --no-config`, from an empty working
  directory (no config, no exception registry), with `--check` naming the mapping's Guard rules
  when controlgate accepts that; findings (outcome fail or unknown) of the mapping's Guard rules are
  kept, by rule id and resource.

The two sets of (rule, resource) pairs are compared and every difference is put in a category
(see CATEGORIES); what no category explains is "unexplained" and printed with both tools' messages.
Exit status: 0 (a report, whatever the differences), 2 for a usage error or a missing tool.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = Path("/work/shared/corpus/cfn")
DEFAULT_SAMPLE = 120
MIN_SAMPLE = 100
TEMPLATE = "<template>"
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
TIMEOUT = 300

# Category keys, in the order a difference is tested against them, with what each means.
CATEGORIES = {
    "controlgate-parse-error": "controlgate rejected the template (exit 2) for a reason no other "
    "category names; its message is shown",
    "cfn-guard-error": "cfn-guard could not evaluate the template",
    "macro-transform": "the template names a Transform macro other than SAM and the language "
    "extensions, which may rewrite it in any way before deployment: controlgate treats its "
    "resources as opaque (every rule unknown), cfn-guard checks the template as written",
    "suppression": "the resource suppresses the rule in Metadata.guard.SuppressedRules or "
    "Metadata.cfn_nag.rules_to_suppress, which the registry's Guard rule honours and controlgate "
    "ignores by design (only its exception registry suppresses)",
    "foreach": "the template uses Fn::ForEach, which controlgate expands (the resources "
    "CloudFormation creates) and cfn-guard does not (it sees one `Fn::ForEach::…` key)",
    "template-level-placement": "one failure placed two ways: cfn-guard's failing check carries no "
    "resource path (`<template>`); controlgate puts such a failure on every resource of the rule's "
    "types (every resource when the template has none of them), so that it has a line to point at",
    "duplicate-keys": "a mapping of the template has a key twice: cfn-guard keeps one, "
    "controlgate rejects the template",
    "unknown-tag": "the template has a short-form tag that is not a CloudFormation function "
    "(`!Rain::Embed`): cfn-guard drops the tag and keeps its value, controlgate rejects the template",
    "yaml11-scalar": "the resource (or the template's Parameters) has a plain scalar that "
    "CloudFormation and controlgate read as a boolean, number or null and cfn-guard as a string: "
    "YAML 1.1 forms (`yes`, `on`, `N`, `026`, `1_000`), and `True`/`TRUE`/`False`, which cfn-guard's "
    "reader keeps as strings",
    "controlgate-unknown": "controlgate reports the rule unknown (undecidable before deployment) "
    "where cfn-guard passes it",
    "unexplained": "none of the above: a possible controlgate bug",
}

# Short-form tags CloudFormation knows (controlgate's list, src/input/cloudformation/yaml.rs).
KNOWN_TAGS = {
    "Ref", "Condition", "And", "Base64", "Cidr", "Contains", "EachMemberEquals", "EachMemberIn",
    "Equals", "FindInMap", "ForEach", "GetAZs", "GetAtt", "If", "ImportValue", "Join", "Length",
    "Not", "Or", "RefAll", "Select", "Split", "Sub", "ToJsonString", "Transform", "ValueOf",
    "ValueOfAll",
}
NATIVE_TRANSFORMS = {"AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"}


class UsageError(Exception):
    pass


# --------------------------------------------------------------------------------------------
# The mapping and its Guard files


RULE_RE = re.compile(r"^\s*rule\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)
NAG_ID_RE = re.compile(r'"([WF]\d+)"')


def strip_guard_comments(text):
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def registry_root(mapping, override):
    if override:
        return Path(override)
    for folder in mapping.resolve().parents:
        if (folder / "mappings").is_dir():
            return folder
    raise UsageError(f"{mapping}: no folder above it holds mappings/: pass --registry")


def load_mapping(mapping, registry):
    try:
        data = json.loads(mapping.read_text())
    except (OSError, ValueError) as e:
        raise UsageError(f"{mapping}: {e}") from e
    entries = data.get("mappings") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UsageError(f"{mapping}: no `mappings` list")
    files, rules, nag_ids, types = [], {}, {}, {}
    for entry in entries:
        rel = entry.get("guardFilePath") if isinstance(entry, dict) else None
        if not isinstance(rel, str):
            raise UsageError(f"{mapping}: an entry without guardFilePath: {entry!r}")
        path = registry / rel
        if not path.is_file():
            raise UsageError(f"{mapping}: {rel} is not a file under {registry}")
        text = strip_guard_comments(path.read_text())
        names = RULE_RE.findall(text)
        ids = sorted(
            {i for line in text.splitlines() if "rules_to_suppress" in line
             for i in NAG_ID_RE.findall(line)}
        )
        files.append(path)
        for name in names:
            rules[name] = rel
            nag_ids[name] = ids
            types[name] = set(re.findall(r"[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+", text))
    return data.get("ruleSetName", mapping.stem), files, rules, nag_ids, types


# --------------------------------------------------------------------------------------------
# Templates: what a line scanner can tell about them (stdlib only: no YAML parser)


KEY_RE = re.compile(r"""^(\s*)(?:-\s+)*(?:"([^"]+)"|'([^']+)'|([^\s#'"\-{\[][^#]*?))\s*:(?:\s|$)""")
ITEM_RE = re.compile(r"^(\s*)-(?:\s|$)")
TAG_RE = re.compile(r"(?:^|[\s:\[{,-])!([A-Za-z][A-Za-z0-9:._-]*)")
PLAIN_VALUE_RE = re.compile(r"^\s*(?:-\s+)*(?:[^#'\"]*?:\s+)?([^\s'\"#\[{|>&*!][^#]*?)\s*(?:#.*)?$")
YAML11_WORDS = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON",
                "off", "Off", "OFF",
                # Booleans and null in YAML 1.1 and in 1.2's core schema, but cfn-guard's reader
                # takes only `true`, `false` and `null` (lowercase): `True` is a string to it.
                "True", "TRUE", "False", "FALSE", "Null", "NULL", "~"}
YAML11_NUMBER_RE = re.compile(
    r"^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|[0-9][0-9_]*_[0-9_]*|"
    r"[1-9][0-9_]*(?::[0-5]?[0-9])+|[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|"
    r"[0-9_]*_[0-9_]*\.[0-9_]*)$"
)


def yaml11_scalar(plain):
    """Whether a plain scalar reads differently in YAML 1.1 and YAML 1.2 (the cases of yaml11.rs)."""
    if plain in YAML11_WORDS:
        return True
    if YAML11_NUMBER_RE.match(plain) and re.search(r"\d", plain):
        # `0`, `00`… and plain decimals read alike; `026`, `0b1`, `1_000`, `1:20` do not.
        return not re.fullmatch(r"[-+]?(?:0|[1-9][0-9]*)", plain)
    if re.fullmatch(r"[-+]?0o[0-7]+|[-+]?[0-9]+[eE][-+]?[0-9]+", plain):
        return True  # numbers in 1.2, strings in 1.1
    return False


class TemplateFacts:
    """Logical ids, resource line spans and the features a difference can be explained by."""

    def __init__(self, path):
        self.path = path
        self.text = path.read_text(errors="replace")
        self.is_json = self.text.lstrip().startswith("{")
        self.ids = []
        self.spans = {}  # logical id -> (first line, last line), 1-based, YAML only
        self.duplicates = []  # (line or None, key path)
        self.yaml11 = []  # (line, scalar)
        self.unknown_tags = []  # (line, tag)
        self.transforms = []
        self.types = {}  # logical id -> resource type
        self.sections = {}  # top-level key -> (first line, last line), YAML only
        self.metadata = {}  # logical id -> {"guard": [...], "cfn_nag": [...]} (JSON exact)
        self.foreach = "Fn::ForEach" in self.text or "!ForEach" in self.text
        self.has_resources = False
        if self.is_json:
            self._scan_json()
        else:
            self._scan_yaml()

    def is_template(self):
        """Whether the file has a top-level `Resources` (a CloudFormation template must)."""
        return self.has_resources

    def _scan_json(self):
        def hook(pairs):
            seen = set()
            for k, _ in pairs:
                if k in seen:
                    self.duplicates.append((None, k))
                seen.add(k)
            return dict(pairs)

        try:
            doc = json.loads(self.text, object_pairs_hook=hook)
        except ValueError:
            self._scan_yaml()
            # Broken JSON is still a template to sample: both tools must reject it.
            self.has_resources |= bool(re.search(r'^\s*"Resources"\s*:', self.text, re.M))
            return
        if not isinstance(doc, dict):
            return
        res = doc.get("Resources")
        self.has_resources = "Resources" in doc
        if isinstance(res, dict):
            self.ids = list(res)
            for rid, body in res.items():
                if isinstance(body, dict) and isinstance(body.get("Type"), str):
                    self.types[rid] = body["Type"]
                meta = body.get("Metadata") if isinstance(body, dict) else None
                if isinstance(meta, dict):
                    self.metadata[rid] = {
                        "guard": _list(_get(meta, "guard", "SuppressedRules")),
                        "cfn_nag": [r.get("id") for r in _list(_get(meta, "cfn_nag", "rules_to_suppress"))
                                    if isinstance(r, dict)],
                    }
        tr = doc.get("Transform")
        self.transforms = [t for t in (tr if isinstance(tr, list) else [tr]) if isinstance(t, str)]

    def _scan_yaml(self):
        lines = self.text.splitlines()
        stack = []  # (indent, set of keys seen at this mapping)
        in_resources = False
        res_indent = None
        current = None
        block_scalar_indent = None
        base = None  # the indent of top-level keys (a whole document may be indented)
        section = None
        flow = 0  # depth inside flow collections ({…}, […]) spanning lines: keys there are not tracked
        for no, raw in enumerate(lines, 1):
            line = raw.rstrip()
            stripped = line.strip()
            indent = len(line) - len(line.lstrip())
            if block_scalar_indent is not None:
                if not stripped or indent > block_scalar_indent:
                    continue
                block_scalar_indent = None
            if not stripped or stripped.startswith("#") or stripped in ("---", "..."):
                continue
            for tag in TAG_RE.findall(_unquoted(line)):
                name = tag[4:] if tag.startswith("Fn::") else tag
                if name not in KNOWN_TAGS:
                    self.unknown_tags.append((no, "!" + tag))
            depth_before = flow
            bare = _unquoted(line)
            flow = max(0, flow + bare.count("{") + bare.count("[") - bare.count("}") - bare.count("]"))
            m = KEY_RE.match(line) if depth_before == 0 else None
            item = ITEM_RE.match(line)
            if item and depth_before == 0:
                while stack and stack[-1][0] > len(item.group(1)):
                    stack.pop()
            if m:
                key = next(g for g in m.groups()[1:] if g is not None).strip()
                kindent = m.end(1) + (len(line[m.end(1):]) - len(line[m.end(1):].lstrip("- ")))
                item_starts = ITEM_RE.match(line) is not None
                while stack and (stack[-1][0] > kindent or (item_starts and stack[-1][0] >= kindent)):
                    stack.pop()
                if stack and stack[-1][0] == kindent:
                    if key in stack[-1][1]:
                        self.duplicates.append((no, key))
                    stack[-1][1].add(key)
                else:
                    stack.append((kindent, {key}))
                if base is None:
                    base = kindent
                if kindent <= base:
                    if section:
                        self.sections[section] = (self.sections[section][0], no - 1)
                    section = key
                    self.sections[key] = (no, no)
                    in_resources = key == "Resources"
                    self.has_resources |= in_resources
                    res_indent = None
                    if current:
                        self.spans[current] = (self.spans[current][0], no - 1)
                        current = None
                elif in_resources and (res_indent is None or kindent == res_indent):
                    res_indent = kindent
                    if current:
                        self.spans[current] = (self.spans[current][0], no - 1)
                    current = key
                    self.ids.append(key)
                    self.spans[key] = (no, no)
                rest = line[m.end():].strip()
            else:
                rest = stripped[1:].strip() if stripped.startswith("-") else ""
            if rest.startswith(("|", ">")):
                block_scalar_indent = indent
                continue
            pm = PLAIN_VALUE_RE.match(line)
            if pm and not line.rstrip().endswith(":"):
                value = pm.group(1).strip()
                if yaml11_scalar(value):
                    self.yaml11.append((no, value))
        if current:
            self.spans[current] = (self.spans[current][0], len(lines))
        if section:
            self.sections[section] = (self.sections[section][0], len(lines))
        for rid, (a, b) in self.spans.items():
            found = [(len(t.group(1)), t.group(2)) for t in
                     (re.match(r"^(\s+)Type\s*:\s*['\"]?([A-Za-z0-9:]+)", line) for line in lines[a:b]) if t]
            if found:
                self.types[rid] = min(found)[1]
        m = re.search(r"^Transform\s*:[ \t]*([^\n#]*)((?:\n[ \t]+-[^\n]*)*)", self.text, re.M)
        if m:
            self.transforms = re.findall(r"[A-Za-z0-9:\-]*::[A-Za-z0-9:\-]+|[A-Za-z0-9\-]+",
                                         m.group(1) + m.group(2))
            self.transforms = [t for t in self.transforms if t != "-"]

    def resource_text(self, rid):
        if self.is_json or rid not in self.spans:
            return self.text
        a, b = self.spans[rid]
        return "\n".join(self.text.splitlines()[a - 1:b])

    def in_resource(self, items, rid):
        """The items (line, …) inside the resource's lines; every item for JSON or `<template>`."""
        if rid == TEMPLATE or rid not in self.spans:
            return items
        a, b = self.spans[rid]
        return [i for i in items if i[0] is None or a <= i[0] <= b]

    def suppresses(self, rid, rule, nag_ids):
        """How the resource's metadata suppresses the rule, or None."""
        if rid == TEMPLATE:
            return None
        if rid in self.metadata:
            meta = self.metadata[rid]
            if rule in meta["guard"]:
                return f"Metadata.guard.SuppressedRules names {rule}"
            hit = sorted(set(meta["cfn_nag"]) & set(nag_ids))
            return f"Metadata.cfn_nag.rules_to_suppress names {', '.join(hit)}" if hit else None
        if self.is_json:
            return None
        text = self.resource_text(rid)
        if "SuppressedRules" in text and re.search(rf"\b{re.escape(rule)}\b", text):
            return f"Metadata.guard.SuppressedRules names {rule}"
        if "rules_to_suppress" in text:
            hit = [i for i in nag_ids if re.search(rf"""id['"]?\s*:\s*['"]?{i}\b""", text)]
            if hit:
                return f"Metadata.cfn_nag.rules_to_suppress names {', '.join(hit)}"
        return None


def _get(d, *keys):
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def _list(v):
    return v if isinstance(v, list) else []


def _unquoted(line):
    """The line without quoted strings and its comment (so `'Hello!'` is not a tag)."""
    line = re.sub(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"", "''", line)
    return re.sub(r"(^|\s)#.*", "", line)


def corpus_templates(corpus):
    manifest = corpus / "MANIFEST.tsv"
    if manifest.is_file():
        rows = manifest.read_text().splitlines()[1:]
        rels = [r.split("\t")[0] for r in rows if r.strip()]
    else:
        rels = [str(p.relative_to(corpus)) for p in corpus.rglob("*") if p.is_file()]
    return sorted(r for r in rels if r.lower().endswith(TEMPLATE_SUFFIXES))


def pick_sample(paths, n):
    k = max(1, len(paths) // n)
    return paths[::k][:n]


# --------------------------------------------------------------------------------------------
# cfn-guard


def guard_paths(node, out):
    """Path strings of a check, `from`-side first: a `to` path may name another resource."""
    if isinstance(node, dict):
        if isinstance(node.get("path"), str) and "value" in node:
            if node["path"]:
                out.append(node["path"])
            return
        for k, v in node.items():
            if k != "to":
                guard_paths(v, out)
        if not out and "to" in node:
            guard_paths(node["to"], out)
    elif isinstance(node, list):
        for v in node:
            guard_paths(v, out)


def guard_messages(node, out):
    if isinstance(node, dict):
        msgs = node.get("messages")
        if isinstance(msgs, dict):
            for k in ("custom_message", "error_message"):
                m = msgs.get(k)
                if isinstance(m, str) and m.strip():
                    out.append(" ".join(m.split()))
        for k, v in node.items():
            if k not in ("messages", "value"):
                guard_messages(v, out)
    elif isinstance(node, list):
        for v in node:
            guard_messages(v, out)


def place(path, ids):
    """The logical id a `/Resources/<id>/…` path is under (longest match), or None."""
    if not path.startswith("/Resources/"):
        return None
    rest = path[len("/Resources/"):]
    best = None
    for rid in ids:
        if (rest == rid or rest.startswith(rid + "/")) and (best is None or len(rid) > len(best)):
            best = rid
    return best if best is not None else rest.split("/", 1)[0]


def run_guard(bin_, files, template, facts):
    cmd = [bin_, "validate"]
    for f in files:
        cmd += ["--rules", str(f)]
    cmd += ["--data", str(template), "--output-format", "json", "--structured",
            "--show-summary", "none"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {TIMEOUT} s"}
    if r.returncode not in (0, 19):
        return {"error": f"exit {r.returncode}: {_first(r.stderr or r.stdout)}"}
    try:
        reports = json.loads(r.stdout)
    except ValueError as e:
        return {"error": f"exit {r.returncode}, output is not JSON ({e}): {_first(r.stdout)}"}
    pairs = {}
    for report in reports if isinstance(reports, list) else [reports]:
        for entry in report.get("not_compliant", []):
            rule = entry.get("Rule") if isinstance(entry, dict) else None
            if not isinstance(rule, dict):
                continue
            name = rule.get("name")
            for check in rule.get("checks") or [None]:
                paths = []
                guard_paths(check, paths)
                rids = {place(p, facts.ids) for p in paths} - {None}
                msgs = []
                guard_messages(check, msgs)
                for rid in rids or {TEMPLATE}:
                    pairs.setdefault((name, rid), [])
                    pairs[(name, rid)] += [m for m in msgs if m not in pairs[(name, rid)]]
    return {"pairs": pairs, "exit": r.returncode}


def _first(text, limit=400):
    text = " ".join((text or "").split())
    return text[:limit] + ("…" if len(text) > limit else "")


# --------------------------------------------------------------------------------------------
# controlgate


def controlgate_cmd(bin_, mapping, template, check):
    cmd = [bin_, "check", str(template), "--guard-mapping", str(mapping), "--format", "json",
           "--no-config"]
    if check:
        cmd += ["--check", ",".join(check)]
    return cmd


def run_controlgate(bin_, mapping, template, rules, facts, check, cwd):
    try:
        r = subprocess.run(controlgate_cmd(bin_, mapping, template, check), capture_output=True,
                           text=True, timeout=TIMEOUT, cwd=cwd)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {TIMEOUT} s"}
    doc = None
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        pass
    if r.returncode not in (0, 1) or doc is None:
        errors = []
        if isinstance(doc, dict):
            for e in doc.get("errors") or []:
                errors.append(e.get("message", json.dumps(e)) if isinstance(e, dict) else str(e))
        message = "; ".join(errors) or _first(r.stderr or r.stdout)
        return {"error": f"exit {r.returncode}: {_first(message, 600)}", "exit": r.returncode}
    pairs, outcomes = {}, {}
    ids = set(facts.ids)
    for f in doc.get("findings", []):
        rule = f.get("ruleId")
        if rule not in rules or f.get("outcome") not in ("fail", "unknown"):
            continue
        rid = f.get("resource")
        if not rid or (rid not in ids and rid in (str(template), template.name, f.get("file"))):
            rid = TEMPLATE
        msg = " ".join(filter(None, [f.get("message"), "; ".join(f.get("facts") or [])]))
        pairs.setdefault((rule, rid), [])
        if msg not in pairs[(rule, rid)]:
            pairs[(rule, rid)].append(msg)
        # A fail anywhere on the pair outranks an unknown.
        if outcomes.get((rule, rid)) != "fail":
            outcomes[(rule, rid)] = f["outcome"]
    return {"pairs": pairs, "outcomes": outcomes, "exit": r.returncode,
            "errors": [e.get("message") if isinstance(e, dict) else str(e)
                       for e in doc.get("errors") or []]}


def probe_check(bin_, mapping, rules, template, cwd):
    """Whether `--check` accepts the mapping's Guard rule names (so native rules are skipped)."""
    names = sorted(rules)
    r = subprocess.run(controlgate_cmd(bin_, mapping, template, names), capture_output=True,
                       text=True, timeout=TIMEOUT, cwd=cwd)
    return names if r.returncode in (0, 1) else None


def has_guard_mapping(bin_):
    r = subprocess.run([bin_, "check", "--help"], capture_output=True, text=True)
    return "--guard-mapping" in r.stdout


# --------------------------------------------------------------------------------------------
# Comparison


def classify(side, rule, rid, facts, nag_ids, rule_types, cg, guard):
    """The category of one differing pair and a detail line."""
    if "error" in cg:
        return error_category(cg, facts)
    if "error" in guard:
        return "cfn-guard-error", guard["error"]
    outcome = cg["outcomes"].get((rule, rid))
    macros = [t for t in facts.transforms if t not in NATIVE_TRANSFORMS]
    if macros and side == "controlgate" and outcome == "unknown":
        return "macro-transform", f"Transform {', '.join(macros)}"
    if side == "controlgate":
        why = facts.suppresses(rid, rule, nag_ids.get(rule, []))
        if why:
            return "suppression", why
    if facts.foreach:
        return "foreach", "template uses Fn::ForEach"
    placed = template_placement(side, rule, rid, facts, rule_types.get(rule, set()), cg, guard)
    if placed:
        return "template-level-placement", placed
    if macros:
        return "macro-transform", f"Transform {', '.join(macros)}"
    dups = facts.in_resource(facts.duplicates, rid)
    if dups:
        return "duplicate-keys", ", ".join(f"{k} (line {n})" if n else k for n, k in dups[:3])
    if facts.unknown_tags:
        return "unknown-tag", ", ".join(f"{t} (line {n})" for n, t in facts.unknown_tags[:3])
    # The resource's lines, and the Parameters' (a rule may follow a Ref into them).
    params = facts.sections.get("Parameters")
    scalars = facts.in_resource(facts.yaml11, rid) + (
        [i for i in facts.yaml11 if params[0] <= i[0] <= params[1]] if params else []) \
        if rid != TEMPLATE else facts.yaml11
    if scalars:
        return "yaml11-scalar", ", ".join(f"{v!r} (line {n})" for n, v in scalars[:3])
    if side == "controlgate" and outcome == "unknown":
        return "controlgate-unknown", "controlgate outcome unknown"
    return "unexplained", ""


def template_placement(side, rule, rid, facts, types, cg, guard):
    """Whether the pair is one failure placed two ways: cfn-guard's check names no resource
    (`<template>`), and controlgate puts it on the resources of the rule's types (or on every
    resource when the template has none of them). The detail names the other side's pairs."""
    cg_on = sorted(r for (n, r) in cg["pairs"] if n == rule)
    guard_on = {r for (n, r) in guard["pairs"] if n == rule}
    typed = [r for r in facts.ids if facts.types.get(r) in types] or list(facts.ids)
    if side == "cfn-guard" and rid == TEMPLATE and (rule, TEMPLATE) not in cg["pairs"]:
        extra = [r for r in cg_on if r not in guard_on]
        if extra and all(r in typed for r in extra):
            return f"controlgate places it on {', '.join(extra[:6])}"
        # Or merged into a resource's finding that fails for other checks too: its facts carry
        # the template-level check's message.
        keys = {_message_key(m) for m in guard["pairs"][(rule, TEMPLATE)]} - {""}
        carriers = [r for r in cg_on if r in typed and any(
            k in " ".join(m.split()) for k in keys for m in cg["pairs"][(rule, r)])]
        if carriers:
            return f"controlgate's finding on {', '.join(carriers[:6])} carries the check's message"
    if side == "controlgate" and (rule, TEMPLATE) in guard["pairs"] and rid in typed:
        return f"cfn-guard: {TEMPLATE} (a check without a resource path); {rid} is a {facts.types.get(rid, 'resource')}"
    return None


def _message_key(message):
    """A message without the locations and values the two tools print differently."""
    text = re.sub(r"\s+", " ", message.split("Value traversed")[0])
    return re.sub(r"\[L:\d+,C:\d+\]|Path=\S*", "", text).strip()[:80]


def error_category(cg, facts):
    """A controlgate exit 2, by the template feature its message names, if any."""
    message = cg["error"]
    cause = template_cause(facts, TEMPLATE)
    detail = message + (f" [template: {cause}]" if cause else "")
    if facts.unknown_tags and "tag" in message.lower():
        return "unknown-tag", detail
    if facts.duplicates and "duplicate" in message.lower():
        return "duplicate-keys", detail
    return "controlgate-parse-error", detail


def template_cause(facts, rid):
    if facts.duplicates:
        return "duplicate keys: " + ", ".join(
            f"{k} (line {n})" if n else k for n, k in facts.duplicates[:3])
    if facts.unknown_tags:
        return "unknown tags: " + ", ".join(f"{t} (line {n})" for n, t in facts.unknown_tags[:3])
    return ""


def compare(args, rules, nag_ids, files, corpus, sample, check, cwd):
    rows = []
    for rel in sample:
        path = corpus / rel
        facts = TemplateFacts(path)
        guard = run_guard(args.cfn_guard, files, path, facts)
        cg = (run_controlgate(args.controlgate, args.mapping, path, rules, facts, check, cwd)
              if args.controlgate else {"error": "controlgate not run"})
        rows.append((rel, facts, guard, cg))
        if args.progress:
            print(f"  {rel}: cfn-guard {len(guard.get('pairs', {})) if 'pairs' in guard else 'error'}, "
                  f"controlgate {len(cg.get('pairs', {})) if 'pairs' in cg else 'error'}",
                  file=sys.stderr)
    return rows


def summarize(rows, nag_ids, rule_types):
    s = {"templates": len(rows), "both_evaluated": 0, "guard_pairs": 0, "controlgate_pairs": 0,
         "agreeing": 0, "guard_pairs_compared": 0, "controlgate_pairs_compared": 0,
         "controlgate_errors": 0, "guard_errors": 0, "differences": [], "by_category": {}}
    for rel, facts, guard, cg in rows:
        gp = guard.get("pairs", {})
        cp = cg.get("pairs", {})
        s["guard_pairs"] += len(gp)
        s["controlgate_pairs"] += len(cp)
        s["controlgate_errors"] += "error" in cg
        s["guard_errors"] += "error" in guard
        if "error" in cg and "error" in guard:
            s["differences"].append({"template": rel, "side": "both", "rule": None,
                                     "resource": None, "category": "both-error",
                                     "detail": f"controlgate {cg['error']}; cfn-guard {guard['error']}",
                                     "guard": [], "controlgate": []})
            continue
        if "error" not in cg and "error" not in guard:
            s["both_evaluated"] += 1
            s["guard_pairs_compared"] += len(gp)
            s["controlgate_pairs_compared"] += len(cp)
            s["agreeing"] += len(set(gp) & set(cp))
        if "error" in cg and not gp:
            category, detail = error_category(cg, facts)
            s["differences"].append({"template": rel, "side": "controlgate-error", "rule": None,
                                     "resource": None, "category": category, "detail": detail,
                                     "guard": [], "controlgate": []})
        if "error" in guard and not cp:
            s["differences"].append({"template": rel, "side": "cfn-guard-error", "rule": None,
                                     "resource": None, "category": "cfn-guard-error",
                                     "detail": guard["error"], "guard": [], "controlgate": []})
        for side, mine, other in (("cfn-guard", gp, cp), ("controlgate", cp, gp)):
            for pair in sorted(set(mine) - set(other), key=lambda p: (p[0] or "", p[1] or "")):
                if side == "cfn-guard" and "error" in guard or side == "controlgate" and "error" in cg:
                    continue
                category, detail = classify(side, pair[0], pair[1], facts, nag_ids, rule_types, cg, guard)
                s["differences"].append({
                    "template": rel, "side": f"only {side}", "rule": pair[0], "resource": pair[1],
                    "category": category, "detail": detail,
                    "guard": gp.get(pair, []), "controlgate": cp.get(pair, []),
                    "controlgate_outcome": cg.get("outcomes", {}).get(pair),
                })
    union = s["guard_pairs_compared"] + s["controlgate_pairs_compared"] - s["agreeing"]
    s["agreement_percent"] = round(100.0 * s["agreeing"] / union, 2) if union else 100.0
    s["unexplained_pairs"] = sum(1 for d in s["differences"] if d["category"] == "unexplained")
    # Agreement once the explained differences are set aside: agreeing / (agreeing + unexplained),
    # on the templates both tools evaluated.
    rest = s["agreeing"] + s["unexplained_pairs"]
    s["agreement_explained_percent"] = round(100.0 * s["agreeing"] / rest, 2) if rest else 100.0
    by = defaultdict(lambda: {"pairs": 0, "templates": set()})
    for d in s["differences"]:
        key = (d["category"], d["side"])
        by[key]["pairs"] += d["rule"] is not None
        by[key]["templates"].add(d["template"])
    s["by_category"] = {f"{c} ({side})": {"pairs": v["pairs"], "templates": len(v["templates"])}
                        for (c, side), v in sorted(by.items())}
    return s


def print_report(s, meta, examples):
    p = print
    p(f"guard parity: {meta['ruleSet']} ({meta['mapping']}), {meta['guardFiles']} Guard files, "
      f"{meta['rules']} rules")
    p(f"  cfn-guard: {meta['cfnGuard']}   controlgate: {meta['controlgate']}")
    if meta["only"]:
        p(f"  corpus: {meta['corpus']} (the templates named with --only)")
    else:
        p(f"  corpus: {meta['corpus']} ({meta['corpusTemplates']} templates; sorted, every "
          f"{meta['step']}th, {meta['sampled']} taken)")
    if meta.get("check"):
        p("  controlgate --check: the mapping's Guard rules")
    p("")
    p(f"templates sampled:            {s['templates']}")
    p(f"templates both tools evaluated: {s['both_evaluated']}"
      f"  (controlgate errors {s['controlgate_errors']}, cfn-guard errors {s['guard_errors']})")
    p(f"pairs cfn-guard found:        {s['guard_pairs']}  ({s['guard_pairs_compared']} on templates both evaluated)")
    p(f"pairs controlgate found:      {s['controlgate_pairs']}  ({s['controlgate_pairs_compared']} on templates both evaluated)")
    p(f"agreeing pairs:               {s['agreeing']}")
    p(f"agreement:                    {s['agreement_percent']}%  (agreeing / union, templates both evaluated)")
    p(f"unexplained differing pairs:  {s['unexplained_pairs']}")
    p(f"agreement but for explained:  {s['agreement_explained_percent']}%  (agreeing / (agreeing + unexplained))")
    p("")
    p("differences by category:")
    p(f"  {'category (side)':58} {'pairs':>6} {'templates':>10}")
    for k, v in s["by_category"].items():
        p(f"  {k:58} {v['pairs']:>6} {v['templates']:>10}")
    if not s["by_category"]:
        p("  (none)")
    present = {d["category"] for d in s["differences"]}
    for category in [c for c in CATEGORIES if c in present] + sorted(present - set(CATEGORIES)):
        ds = [d for d in s["differences"] if d["category"] == category]
        shown = ds if category == "unexplained" or examples is None else ds[:examples]
        p("")
        p(f"{category}: {CATEGORIES.get(category, '')}")
        if len(shown) < len(ds):
            p(f"  ({len(shown)} of {len(ds)} shown; --examples N or --json for all)")
        for d in shown:
            if d["rule"] is None:
                p(f"  {d['template']}: {d['detail']}")
                continue
            p(f"  {d['side']}: {d['rule']} on {d['resource']} in {d['template']}")
            p(f"    cfn-guard:   {'FAIL: ' + ' | '.join(d['guard'])[:500] if d['guard'] else 'no failing check on this pair'}")
            cg = d["controlgate"]
            p(f"    controlgate: {(d.get('controlgate_outcome') or '').upper() + ': ' + ' | '.join(cg)[:500] if cg else 'no finding on this pair'}")
            if d["detail"]:
                p(f"    detail: {d['detail']}")
    p("")
    p("categories:")
    for k, v in CATEGORIES.items():
        p(f"  {k}: {v}")


def resolve_tool(name, given):
    found = shutil.which(given) if given else None
    if not found and given and Path(given).is_file() and os.access(given, os.X_OK):
        found = str(Path(given).resolve())
    if not found:
        raise UsageError(f"{name} not found: {given!r} (pass --{name} BIN)")
    # Absolute: controlgate runs from an empty temporary directory.
    return str(Path(found).resolve())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mapping", required=True, type=Path, help="a Guard Rules Registry rule set JSON")
    ap.add_argument("--registry", help="the registry root [default: the folder holding mappings/]")
    ap.add_argument("--controlgate", default=str(ROOT / "target/debug/controlgate"))
    ap.add_argument("--cfn-guard", dest="cfn_guard", default="cfn-guard")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--sample", type=int, default=DEFAULT_SAMPLE,
                    help=f"templates sampled [default {DEFAULT_SAMPLE}, at least {MIN_SAMPLE}]")
    ap.add_argument("--only", nargs="+", help="these templates (relative to --corpus, or paths) instead of a sample")
    ap.add_argument("--json", nargs="?", const="-", metavar="FILE",
                    help="write the machine-readable summary to FILE (`-` or no FILE: standard output, instead of the text report)")
    ap.add_argument("--examples", type=int, default=3,
                    help="differences shown per explained category (-1: all; unexplained: always all)")
    ap.add_argument("--progress", action="store_true", help="a line per template on standard error")
    ap.add_argument("--guard-only", action="store_true",
                    help="run cfn-guard only (no controlgate): its pairs, for checking this script")
    args = ap.parse_args(argv)
    try:
        if args.sample < MIN_SAMPLE and not args.only:
            raise UsageError(f"--sample {args.sample}: at least {MIN_SAMPLE}")
        args.cfn_guard = resolve_tool("cfn-guard", args.cfn_guard)
        if args.guard_only:
            args.controlgate = None
        else:
            args.controlgate = resolve_tool("controlgate", args.controlgate)
        if args.controlgate and not has_guard_mapping(args.controlgate):
            raise UsageError(f"{args.controlgate} has no `check --guard-mapping`: build a newer controlgate")
        if not args.mapping.is_file():
            raise UsageError(f"--mapping {args.mapping}: no such file")
        args.mapping = args.mapping.resolve()
        registry = registry_root(args.mapping, args.registry)
        rule_set, files, rules, nag_ids, rule_types = load_mapping(args.mapping, registry)
        if not args.corpus.is_dir():
            raise UsageError(f"--corpus {args.corpus}: not a directory")
        corpus = args.corpus.resolve()
        if args.only:
            sample = [str(Path(o).resolve().relative_to(corpus)) if Path(o).is_absolute() or Path(o).exists()
                      else o for o in args.only]
            all_templates, step = sample, 1
        else:
            all_templates = [r for r in corpus_templates(corpus) if TemplateFacts(corpus / r).is_template()]
            if len(all_templates) < MIN_SAMPLE:
                raise UsageError(f"{corpus}: {len(all_templates)} templates, fewer than {MIN_SAMPLE}")
            sample = pick_sample(all_templates, args.sample)
            step = max(1, len(all_templates) // args.sample)
    except UsageError as e:
        print(f"guard_parity: {e}", file=sys.stderr)
        return 2
    version = subprocess.run([args.cfn_guard, "--version"], capture_output=True, text=True).stdout.strip()
    cgv = (subprocess.run([args.controlgate, "--version"], capture_output=True, text=True).stdout.strip()
           if args.controlgate else "not run (--guard-only)")
    with tempfile.TemporaryDirectory(prefix="guard-parity-") as cwd:
        check = (probe_check(args.controlgate, args.mapping, rules, corpus / sample[0], cwd)
                 if args.controlgate else None)
        rows = compare(args, rules, nag_ids, files, corpus, sample, check, cwd)
    s = summarize(rows, nag_ids, rule_types)
    meta = {"ruleSet": rule_set, "mapping": str(args.mapping), "registry": str(registry),
            "guardFiles": len(files), "rules": len(rules), "cfnGuard": version, "controlgate": cgv,
            "controlgateBin": args.controlgate, "corpus": str(corpus),
            "corpusTemplates": len(all_templates), "step": step, "sampled": len(sample),
            "only": bool(args.only), "check": bool(check)}
    if args.json != "-":
        print_report(s, meta, None if args.examples < 0 else args.examples)
    if args.json:
        doc = {"meta": meta, "categories": CATEGORIES,
               **{k: v for k, v in s.items() if k != "differences"},
               "differences": s["differences"],
               "perTemplate": [{"template": rel,
                              "cfnGuard": guard.get("error") or sorted(map(list, guard["pairs"])),
                              "controlgate": cg.get("error") or sorted(map(list, cg["pairs"]))}
                             for rel, _, guard, cg in rows]}
        text = json.dumps(doc, indent=2, sort_keys=False) + "\n"
        if args.json == "-":
            sys.stdout.write(text)
        else:
            Path(args.json).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
