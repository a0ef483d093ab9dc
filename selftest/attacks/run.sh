#!/bin/sh
# Run every attack script in turn (bounded); print the FAIL/DOC-DIFF lines at the end.
cd "$(dirname "$0")" || exit 2
out=$(mktemp)
for s in takeover keychange codes testcontrol dormancy restartDormancy resource bindrows docdiff tcdeadline; do
  echo "== $s" | tee -a "$out"
  timeout 420 node --import tsx "$s.ts" 2>&1 | tee -a "$out"
done
echo "== summary"; grep -E '^(FAIL|DOC-DIFF)' "$out"; grep -c '^PASS' "$out" | sed 's/^/PASS lines: /'
