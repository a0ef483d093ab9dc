#!/usr/bin/env bash
# For each id given (default: all in sequences.txt): its sequence must pass on the unpatched
# reference and show a difference with the patch. Prints one line per id.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
ids=("$@")
[ ${#ids[@]} -eq 0 ] && mapfile -t ids < <(grep -v '^#' "$HERE/sequences.txt" | cut -d'|' -f1 | tr -d ' ')
for id in "${ids[@]}"; do
  sq="$(grep "^$id |" "$HERE/sequences.txt" | cut -d'|' -f2-)"
  [ -z "$sq" ] && { echo "$id: no sequence"; continue; }
  "$HERE/seq.sh" none "$sq" >/tmp/escapes-verify-none.txt 2>&1; a=$?
  "$HERE/seq.sh" "$id" "$sq" >/tmp/escapes-verify-bug.txt 2>&1; b=$?
  diffline="$(grep -A2 '^DIFF' /tmp/escapes-verify-bug.txt | head -3 | tr -s ' ' | tr '\n' ' ')"
  echo "$id: unpatched=$([ $a = 0 ] && echo pass || echo "DIFF($a)") patched=$([ $b = 1 ] && echo exposes || echo "no-diff($b)") $diffline"
done
