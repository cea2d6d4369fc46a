#!/usr/bin/env bash
# Export time for the three-cloud plan: whole-process wall time of `trustbridge export`, N runs.
#   tests/bench/export.sh [BINARY] [RUNS]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-/var/tmp/trustbridge-cache/target}
BIN=${1:-$TARGET/release/trustbridge}
RUNS=${2:-50}
PLAN=$ROOT/tests/fixtures/plans/three-clouds.json
[ -x "$BIN" ] || { echo "build it first: cargo build --release -p trustbridge-app" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
times=()
for i in $(seq 1 "$RUNS"); do
  t0=$(date +%s%N)
  "$BIN" export --plan "$PLAN" --out "$TMP/out-$i" >/dev/null 2>&1
  t1=$(date +%s%N)
  times+=($(( (t1 - t0) / 1000 )))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
min=$(head -1 <<<"$sorted"); max=$(tail -1 <<<"$sorted")
median=$(sed -n "$(( (RUNS + 1) / 2 ))p" <<<"$sorted")
files=$(find "$TMP/out-1" -type f | wc -l)
echo "command: $BIN export --plan tests/fixtures/plans/three-clouds.json --out DIR   ($RUNS runs, $files files each)"
echo "export wall time per process: median ${median} µs, min ${min} µs, max ${max} µs"
