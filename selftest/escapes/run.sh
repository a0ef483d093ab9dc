#!/usr/bin/env bash
# Measure the conformance suite against the independent realistic bugs in this folder.
#
# For each <id>.patch: copy the repository's working tree (tracked and untracked, not ignored
# files; node_modules symlinked) to a temporary folder under /tmp, apply the patch there, and run
#   node bin/linkspec.mjs run --adapter reference --seed S --out DIR [EXTRA...]
# (= `npx linkspec run ...`) with a time bound. Patches run one after another (shared machine).
# The unpatched copy runs first: if it is not conformant with this seed, the figures mean nothing.
#
# NO_BASELINE=1 skips the unpatched run (when it was just measured on the same tree).
# Usage: selftest/escapes/run.sh [--seed S] [--timeout SEC] [--only id,id] [--out DIR] [-- EXTRA run args]
#   e.g. selftest/escapes/run.sh --seed 7 -- --runs 1000
# Output: a table on stdout; DIR/results.tsv and DIR/results.md; DIR/<id>/ reports and log.
# Outcome per patch: escaped (exit 0, no MUST failed, nothing non-strict), non-strict (exit 0 but a
# requirement reported non-strict), caught (exit != 0), timeout, no-apply.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SEED=1
TIMEOUT=240
ONLY=""
OUT="/tmp/escapes-out"
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) SEED="$2"; shift 2;;
    --timeout) TIMEOUT="$2"; shift 2;;
    --only) ONLY="$2"; shift 2;;
    --out) OUT="$2"; shift 2;;
    --) shift; EXTRA=("$@"); break;;
    *) echo "unknown argument: $1" >&2; exit 2;;
  esac
done
mkdir -p "$OUT"
BASE="$(mktemp -d /tmp/escapes-base.XXXXXX)"
trap 'rm -rf "$BASE" "$BASE".work' EXIT
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$BASE"
ln -s "$ROOT/node_modules" "$BASE/node_modules"

summarise() { # report.json -> "verdict<TAB>failed reqs<TAB>non-strict reqs"
  python3 - "$1" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception:
    print("no-report\t-\t-"); sys.exit()
fail = [q['id'] for q in r.get('requirements', []) if q.get('verdict') == 'fail']
ns = [q['id'] for q in r.get('requirements', []) if q.get('verdict') == 'non-strict']
print(f"{r.get('verdict','?')}\t{','.join(fail) or '-'}\t{','.join(ns) or '-'}")
PY
}

run_one() { # id patch-or-empty
  local id="$1" patch="$2" dir="$BASE.work"
  rm -rf "$dir"; cp -a "$BASE" "$dir"
  if [ -n "$patch" ] && ! (cd "$dir" && git apply "$patch" 2>"$OUT/$id.apply.err"); then
    printf '%s\tno-apply\t-\t-\t-\t-\t0\n' "$id"; return
  fi
  mkdir -p "$OUT/$id"
  local start=$(date +%s)
  (cd "$dir" && nice -n 10 timeout "$TIMEOUT" node bin/linkspec.mjs run --adapter reference --seed "$SEED" --out "$OUT/$id" "${EXTRA[@]}" >"$OUT/$id/log.txt" 2>&1)
  local code=$? secs=$(( $(date +%s) - start ))
  local sum; sum="$(summarise "$OUT/$id/report.json")"
  local ns; ns="$(echo "$sum" | cut -f3)"
  local outcome
  if [ "$code" = 124 ]; then outcome=timeout
  elif [ "$code" != 0 ]; then outcome=caught
  elif [ "$ns" != "-" ]; then outcome=non-strict
  else outcome=escaped; fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$outcome" "$code" "$sum" "$secs"
}

HEADER=$'id\toutcome\texit\tverdict\tfailed\tnon-strict\tsecs'
echo "seed $SEED, timeout ${TIMEOUT}s, extra: ${EXTRA[*]:-none}; repo $(cd "$ROOT" && git rev-parse --short HEAD)" | tee "$OUT/results.tsv.info"
if [ "${NO_BASELINE:-}" != 1 ]; then
  base="$(run_one unpatched "")"
  echo "$base"
  if [ "$(echo "$base" | cut -f2)" != escaped ]; then echo "the unpatched reference is not conformant with seed $SEED: figures are meaningless" >&2; fi
fi
echo "$HEADER" > "$OUT/results.tsv"
# With --only, the patches run in the order given (most interesting first when time is short).
if [ -n "$ONLY" ]; then LIST=(); IFS=',' read -ra IDS <<< "$ONLY"; for id in "${IDS[@]}"; do LIST+=("$HERE/$id.patch"); done
else LIST=("$HERE"/*.patch); fi
for p in "${LIST[@]}"; do
  id="$(basename "$p" .patch)"
  line="$(run_one "$id" "$p")"
  echo "$line" | tee -a "$OUT/results.tsv"
done
python3 - "$OUT/results.tsv" "$HERE/INDEX.md" > "$OUT/results.md" <<'PY'
import sys, collections
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1])][1:]
req = {}
for line in open(sys.argv[2]):
    cells = [c.strip() for c in line.split('|')]
    if len(cells) > 4 and cells[1] not in ('id', '---', ''):
        req[cells[1]] = (cells[2], cells[3])
print('| id | breaks | level | outcome | exit | verdict | failed | non-strict |')
print('|---|---|---|---|---|---|---|---|')
for r in rows:
    rq, lv = req.get(r[0], ('?', '?'))
    print(f"| {r[0]} | {rq} | {lv} | {r[1]} | {r[2]} | {r[3] if len(r)>3 else ''} | {r[4] if len(r)>4 else ''} | {r[5] if len(r)>5 else ''} |")
c = collections.Counter((req.get(r[0], ('?','?'))[1], r[1]) for r in rows)
print()
for lv in ('MUST', 'SHOULD', 'NONE'):
    n = sum(v for (l, _), v in c.items() if l == lv)
    parts = ', '.join(f"{o} {v}" for (l, o), v in sorted(c.items()) if l == lv)
    print(f"- {lv}: {n} patches: {parts}")
PY
echo; cat "$OUT/results.md"
