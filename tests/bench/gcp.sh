#!/usr/bin/env bash
# Benchmark `trustbridge apply` on a plan's Google Cloud section, whole process, against the marked
# TEST DOUBLE of Google's IAM-related APIs (src-tauri/crates/cloud/examples/gcp_double.rs; no
# emulator of them exists here): a service account, ML cube's custom role, and grants on BUCKETS
# buckets and TOPICS topics (default 4 and 2), bindings on different resources written concurrently.
# Each timed apply starts from nothing (revoke, untimed). Prints the median wall time of RUNS runs
# (default 9) and the HTTP calls per change the CLI reports. Needs: cargo, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/trustbridge-cache/target}
RUNS=${RUNS:-9}
NB=${BUCKETS:-4}
NT=${TOPICS:-2}
BIN=${TRUSTBRIDGE_BIN:-}
if [[ -z $BIN ]]; then
  echo "building: cargo build --release -p trustbridge-app" >&2
  cargo build --release -q -p trustbridge-app --manifest-path "$ROOT/Cargo.toml" >&2
  BIN=$CARGO_TARGET_DIR/release/trustbridge
fi
cargo build --release -q -p trustbridge-cloud --example gcp_double --manifest-path "$ROOT/Cargo.toml" >&2
DOUBLE=$CARGO_TARGET_DIR/release/examples/gcp_double

WORK=$(mktemp -d)
cleanup() {
  exec 3>&- 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
ARGS=()
STORAGE=""
EVENTS=""
for i in $(seq 1 "$NB"); do ARGS+=("bucket:b$i"); STORAGE+="${STORAGE:+,}{\"bucket\":\"b$i\"}"; done
for i in $(seq 1 "$NT"); do ARGS+=("topic:t$i"); EVENTS+="${EVENTS:+,}{\"topic\":\"t$i\"}"; done
cat > "$WORK/plan.json" <<JSON
{"version":1,"platform":"mlcube","integration":{"name":"BENCH_01","project_id":"x"},
 "gcp":{"project_id":"my-project","service_account":"ml3-platform-sa","storage":[$STORAGE],"events":[$EVENTS]}}
JSON
mkfifo "$WORK/in"
"$DOUBLE" "$WORK/adc.json" "${ARGS[@]}" < "$WORK/in" > "$WORK/env" &
exec 3>"$WORK/in"
for _ in $(seq 1 100); do [[ -s $WORK/env ]] && break; sleep 0.05; done
read -r -a ENVV < "$WORK/env"

times=()
calls=""
for _ in $(seq 1 "$RUNS"); do
  env "${ENVV[@]}" "$BIN" revoke --plan "$WORK/plan.json" >/dev/null
  t0=$(date +%s%N)
  env "${ENVV[@]}" "$BIN" apply --plan "$WORK/plan.json" > "$WORK/out"
  t1=$(date +%s%N)
  times+=($(( (t1 - t0) / 1000 )))
  calls=$(grep -o 'applied [0-9]* change(s) ([0-9]* calls' "$WORK/out" || true)
done
python3 - "$calls" "${times[@]}" <<'PY'
import statistics, sys, re
calls = sys.argv[1]
us = sorted(int(x) for x in sys.argv[2:])
m = re.match(r"applied (\d+) change\(s\) \((\d+) calls", calls)
print(f"gcp apply, {len(us)} runs, whole process: median {statistics.median(us)/1000:.1f} ms (min {us[0]/1000:.1f}, max {us[-1]/1000:.1f})")
if m:
    ch, n = int(m.group(1)), int(m.group(2))
    print(f"changes {ch}, HTTP calls {n} (token exchange and reads included): {n/ch:.2f} calls per change")
PY
