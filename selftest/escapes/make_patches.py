#!/usr/bin/env python3
"""
Write selftest/escapes/<id>.patch for every recipe in recipes.py, against the reference/ files
of the repository this script sits in (working tree). Also writes INDEX.md. A recipe whose
`old` text is not found exactly once is reported and its patch left as it was (refresh it).
Usage: python3 selftest/escapes/make_patches.py
"""
import difflib, os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, HERE)
from recipes import R

def build(recipe):
    files = {}
    for path, old, new in recipe['edits']:
        text = files.get(path)
        if text is None:
            text = open(os.path.join(ROOT, path)).read()
            files[path] = text
        n = text.count(old)
        if n != 1:
            raise ValueError(f"{recipe['id']}: {path}: expected 1 match, found {n}: {old[:70]!r}")
        files[path] = text.replace(old, new)
    out = []
    for path in sorted(files):
        before = open(os.path.join(ROOT, path)).read().splitlines(keepends=True)
        after = files[path].splitlines(keepends=True)
        out.append(f"diff --git a/{path} b/{path}\n")
        out.extend(difflib.unified_diff(before, after, f"a/{path}", f"b/{path}", n=3))
    return ''.join(out)

failed = []
for r in R:
    try:
        patch = build(r)
    except ValueError as e:
        failed.append(str(e)); continue
    open(os.path.join(HERE, f"{r['id']}.patch"), 'w').write(patch)

ids = [r['id'] for r in R]
assert len(ids) == len(set(ids)), 'duplicate ids'
with open(os.path.join(HERE, 'INDEX.md'), 'w') as f:
    f.write("# Independent realistic bugs (escapes measurement)\n\n")
    f.write("Written from reference/, model/events.ts, model/requirements.ts and PROTOCOL.md, without reading\n"
            "conformance/checks. Each is a small patch to reference/ (server, client or storage). `run.sh` applies\n"
            "each to a temporary copy and runs the default suite; see README.md. Sequences are the shortest event\n"
            "sequence (model/events.ts vocabulary) that should expose the bug, reasoned from the code.\n\n")
    f.write("| id | requirement | level | description | exposing sequence |\n|---|---|---|---|---|\n")
    for r in R:
        f.write(f"| {r['id']} | {r['req']} | {r['level']} | {r['desc']} | {r['seq']} |\n")
print(f"{len(R) - len(failed)} patches written, {len(failed)} failed")
for e in failed: print('  ' + e)
sys.exit(1 if failed else 0)
