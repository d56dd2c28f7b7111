#!/usr/bin/env python3
"""Compares the numbers of two pipeline runs dataset by dataset (used by the fault-injection and
determinism tests).

    scripts/fault_compare.py REF_ROOT RUN_ROOT [--tolerance NAME=REL ...] [--known REGEX ...]

Each root holds `data/` and `artifacts/` (the layout of scripts/smoke_pipeline_test.sh). Compared:
every `data/*.h5`, and in every artifact folder the version its `latest` file names. Every dataset
and attribute is read with h5dump (floats printed with 17 significant digits, so equal text means
equal bits) and must be identical, except:
  - attributes that record when or where a run happened, not what it computed: created_at,
    tool_version, git_commit, inputs (paths and SHA-256 of the inputs, which differ with created_at);
  - datasets and attributes documented as wall-clock time: any name containing 'seconds';
  - names given with --tolerance NAME=REL (relative tolerance for that dataset or attribute name);
  - differences matching --known REGEX (matched against 'FILE:OBJECT', e.g.
    'artifacts/nmt/nmt-tr-en-autoloss:/@config'): documented known differences, printed as KNOWN.
In string values (notes, configs, labels) three things are normalized before comparing, since they
name where and when a run happened, not what it computed: the two roots' paths (-> <ROOT>), artifact
version file names (vNNNN.h5: a rerun after a kill may commit a stage twice, so versions differ) and
durations in seconds ('26 s' -> '<t> s').
The report folder (artifacts/report) is not compared: its numbers come from the artifacts compared here.
Exit status 0 when everything matches, 1 otherwise (each difference is printed).
"""
import os
import re
import subprocess
import sys

IGNORED_ATTRIBUTES = {"created_at", "tool_version", "git_commit", "inputs"}
QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
OPEN = re.compile(r'^\s*(GROUP|DATASET|ATTRIBUTE) "((?:[^"\\]|\\.)*)" \{\s*$')


def ignored(path):
    name = path.split("@")[-1] if "@" in path else path.rsplit("/", 1)[-1]
    if "@" in path and name in IGNORED_ATTRIBUTES:
        return True
    return "seconds" in name


def objects(path):
    """{object path: text of its type, shape and values} for every dataset and attribute."""
    out = subprocess.run(["h5dump", "-m", "%.17g", "-y", "-w", "0", path], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"h5dump cannot read {path}: {out.stderr.strip()[:300]}")
    stack = []  # (kind, object path, depth at which it was opened)
    depth = 0
    found = {}
    for line in out.stdout.splitlines()[1:]:
        match = OPEN.match(line)
        if match:
            kind, name = match.groups()
            parent = stack[-1][1] if stack else ""
            if kind == "ATTRIBUTE":
                full = f"{parent or '/'}@{name}"
            elif kind == "GROUP" and name == "/":
                full = ""
            else:
                full = f"{parent}/{name}"
            depth += 1
            stack.append((kind, full, depth))
            if kind != "GROUP":
                found[full] = []
            continue
        bare = QUOTED.sub('""', line)
        if stack and stack[-1][0] != "GROUP":
            found[stack[-1][1]].append(line.strip())
        depth += bare.count("{") - bare.count("}")
        while stack and depth < stack[-1][2]:
            stack.pop()
    return {k: "\n".join(v) for k, v in found.items()}


def normalize(text, roots):
    if "H5T_STRING" not in text:
        return text
    for root in roots:
        text = text.replace(root, "<ROOT>")
    text = re.sub(r"\bv\d{4,}\.h5\b", "vNNNN.h5", text)
    return re.sub(r"\b\d+(?:\.\d+)? s\b", "<t> s", text)


def numbers(text):
    body = text.split("DATA {", 1)[-1]
    body = QUOTED.sub(" ", body)
    return [float(x) for x in re.findall(r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|inf|nan)", body)]


def close(a, b, rel):
    x, y = numbers(a), numbers(b)
    if len(x) != len(y) or a.split("DATA {", 1)[0] != b.split("DATA {", 1)[0]:
        return False
    return all(u == v or (u != u and v != v) or abs(u - v) <= rel * max(abs(u), abs(v), 1e-12) for u, v in zip(x, y))


def files(root):
    """{relative name: path} of the files compared under one root."""
    chosen = {}
    data = os.path.join(root, "data")
    for name in sorted(os.listdir(data)) if os.path.isdir(data) else []:
        if name.endswith(".h5"):
            chosen[f"data/{name}"] = os.path.join(data, name)
    artifacts = os.path.join(root, "artifacts")
    for folder, _, names in sorted(os.walk(artifacts)):
        rel = os.path.relpath(folder, artifacts)
        if "latest" in names and not rel.startswith("report"):
            with open(os.path.join(folder, "latest")) as f:
                version = f.read().strip()
            chosen[f"artifacts/{rel}"] = os.path.join(folder, version)
    return chosen


def main(argv):
    args, tolerances, known = [], {}, []
    i = 0
    while i < len(argv):
        if argv[i] == "--tolerance":
            name, rel = argv[i + 1].split("=")
            tolerances[name] = float(rel)
            i += 2
        elif argv[i] == "--known":
            known.append(re.compile(argv[i + 1]))
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    ref, run = files(args[0]), files(args[1])
    roots = sorted({os.path.abspath(r) for r in args} | {os.path.realpath(r) for r in args}, key=len, reverse=True)
    problems = []
    if sorted(ref) != sorted(run):
        problems.append(f"different artifact sets: only in reference {sorted(set(ref) - set(run))}, "
                        f"only in rerun {sorted(set(run) - set(ref))}")
    compared = skipped = 0
    known_hits = []
    for name in sorted(set(ref) & set(run)):
        a, b = objects(ref[name]), objects(run[name])
        if sorted(a) != sorted(b):
            problems.append(f"{name}: different objects: only in reference {sorted(set(a) - set(b))[:5]}, "
                            f"only in rerun {sorted(set(b) - set(a))[:5]}")
        differing = []
        for path in sorted(set(a) & set(b)):
            if ignored(path):
                skipped += 1
                continue
            compared += 1
            if a[path] == b[path] or normalize(a[path], roots) == normalize(b[path], roots):
                continue
            leaf = path.split("@")[-1].rsplit("/", 1)[-1]
            rel = tolerances.get(leaf)
            if rel is not None and close(a[path], b[path], rel):
                continue
            if any(k.search(f"{name}:{path}") for k in known):
                known_hits.append(f"{name}:{path}")
                continue
            differing.append(path)
        if differing:
            problems.append(f"{name} ({os.path.basename(run[name])}): {len(differing)} objects differ: "
                            + ", ".join(differing[:8]) + (" ..." if len(differing) > 8 else ""))
    print(f"[compare] {len(set(ref) & set(run))} files, {compared} datasets and attributes compared, "
          f"{skipped} wall-clock/provenance ones ignored, {len(problems)} problems")
    if known_hits:
        print(f"[compare] KNOWN (documented, not counted): {len(known_hits)} objects: " + ", ".join(known_hits[:6])
              + (" ..." if len(known_hits) > 6 else ""))
    for p in problems:
        print(f"[compare] DIFFERS: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
