#!/usr/bin/env bash
# Benchmark `trustbridge apply` on a plan's Google Cloud section and on an Azure section, whole
# process, against the marked TEST DOUBLES of their APIs (src-tauri/crates/cloud/examples/
# api_doubles.rs; no emulator of them exists here):
#   GCP: a service account, ML cube's custom role, grants on BUCKETS buckets and TOPICS topics
#        (default 4 and 2); bindings on different resources read and written eight at a time;
#   Azure: an app registration, its service principal, a role assignment on each of BUCKETS
#        containers and TOPICS topics; assignments read and made eight at a time.
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
cargo build --release -q -p trustbridge-cloud --example api_doubles --manifest-path "$ROOT/Cargo.toml" >&2
DOUBLES=$CARGO_TARGET_DIR/release/examples/api_doubles

WORK=$(mktemp -d)
cleanup() {
  exec 3>&- 4>&- 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

TENANT=72f988bf-86f1-41af-91ab-2d7cd011db47
SUB=0b1f6471-1bf0-4dda-aec3-cb9272f09590
RG=/subscriptions/$SUB/resourceGroups/bench-rg/providers
GARGS=() AARGS=() STORAGE="" EVENTS="" ASTORAGE="" AEVENTS=""
for i in $(seq 1 "$NB"); do
  GARGS+=("bucket:bench-bucket-$i"); STORAGE+="${STORAGE:+,}{\"bucket\":\"bench-bucket-$i\"}"
  AARGS+=("scope:$RG/Microsoft.Storage/storageAccounts/benchacct/blobServices/default/containers/bench-$i")
  ASTORAGE+="${ASTORAGE:+,}{\"storage_account\":\"benchacct\",\"container\":\"bench-$i\"}"
done
for i in $(seq 1 "$NT"); do
  GARGS+=("topic:bench-topic-$i"); EVENTS+="${EVENTS:+,}{\"topic\":\"bench-topic-$i\"}"
  AARGS+=("scope:$RG/Microsoft.EventGrid/topics/bench-topic-$i"); AEVENTS+="${AEVENTS:+,}{\"topic\":\"bench-topic-$i\"}"
done
cat > "$WORK/gcp.json" <<JSON
{"version":1,"platform":"mlcube","integration":{"name":"BENCH_01","project_id":"x"},
 "gcp":{"project_id":"my-project","service_account":"ml3-platform-sa","storage":[$STORAGE],"events":[$EVENTS]}}
JSON
cat > "$WORK/azure.json" <<JSON
{"version":1,"platform":"mlcube","integration":{"name":"BENCH_01","project_id":"x"},
 "azure":{"tenant_id":"$TENANT","subscription_id":"$SUB","resource_group":"bench-rg","storage":[$ASTORAGE],"events":[$AEVENTS]}}
JSON
mkfifo "$WORK/gin" "$WORK/ain"
"$DOUBLES" gcp "$WORK/adc.json" "${GARGS[@]}" < "$WORK/gin" > "$WORK/genv" &
exec 3>"$WORK/gin"
"$DOUBLES" azure "$TENANT" "${AARGS[@]}" < "$WORK/ain" > "$WORK/aenv" &
exec 4>"$WORK/ain"
for _ in $(seq 1 200); do [[ -s $WORK/genv && -s $WORK/aenv ]] && break; sleep 0.05; done

bench() { # NAME PLAN ENVFILE
  local name=$1 plan=$2 envv times=() calls=""
  read -r -a envv < "$3"
  for _ in $(seq 1 "$RUNS"); do
    env "${envv[@]}" "$BIN" revoke --plan "$plan" >/dev/null
    local t0 t1
    t0=$(date +%s%N)
    env "${envv[@]}" "$BIN" apply --plan "$plan" > "$WORK/out"
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
    calls=$(grep -o 'applied [0-9]* change(s) ([0-9]* calls' "$WORK/out") || { cat "$WORK/out" >&2; exit 1; }
  done
  python3 - "$name" "$calls" "${times[@]}" <<'PY'
import statistics, sys, re
name, calls = sys.argv[1], sys.argv[2]
us = sorted(int(x) for x in sys.argv[3:])
m = re.match(r"applied (\d+) change\(s\) \((\d+) calls", calls)
ch, n = int(m.group(1)), int(m.group(2))
print(f"{name} apply, {len(us)} runs, whole process: median {statistics.median(us)/1000:.1f} ms (min {us[0]/1000:.1f}, max {us[-1]/1000:.1f}); "
      f"{ch} changes, {n} HTTP calls (sign-in and reads included): {n/ch:.2f} per change")
PY
}
bench "Google Cloud" "$WORK/gcp.json" "$WORK/genv"
bench "Azure" "$WORK/azure.json" "$WORK/aenv"
