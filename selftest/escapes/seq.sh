#!/usr/bin/env bash
# Replay one event sequence against the reference with patch <id> applied (or "none"):
#   selftest/escapes/seq.sh <id|none> "REGISTER A; link A.c1; GO_OFFLINE A.primary; ADVANCE 14d"
# A copy of the working tree under /tmp, the patch applied, then sequence.ts there (bounded).
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"; ROOT="$(cd "$HERE/../.." && pwd)"
ID="$1"; shift
DIR="$(mktemp -d /tmp/escapes-seq.XXXXXX)"; trap 'rm -rf "$DIR"' EXIT
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$DIR"
ln -s "$ROOT/node_modules" "$DIR/node_modules"
if [ "$ID" != none ]; then (cd "$DIR" && git apply "$HERE/$ID.patch") || exit 2; fi
cd "$DIR" && nice -n 10 timeout 120 npx tsx selftest/escapes/sequence.ts "$@"
