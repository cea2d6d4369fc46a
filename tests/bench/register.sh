#!/usr/bin/env bash
# Benchmark "finish the job with the vendor": the wall time of one `trustbridge apply` that
# registers the role with ML cube's API (the vendor issues the external id, its trust policy is
# checked) and then creates the role and its two inline policies — whole process, against a local
# moto server and the TEST DOUBLE of ML cube's API (started by the e2e rig). Median and min of RUNS
# runs (default 7); each run is followed by an untimed `revoke` so the next one registers again.
#
# Needs: cargo, python3 with moto[server] and boto3, dbus-run-session and gnome-keyring (the API key
# is read from a real OS keyring in a private session). TRUSTBRIDGE_BIN skips the release build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/trustbridge-cache/target}
RUNS=${RUNS:-7}

if [[ -z ${TB_BENCH_IN_SESSION:-} ]]; then
  BIN=${TRUSTBRIDGE_BIN:-}
  if [[ -z $BIN ]]; then
    echo "building: cargo build --release -p trustbridge-app" >&2
    cargo build --release -q -p trustbridge-app --manifest-path "$ROOT/Cargo.toml" >&2
    BIN=$CARGO_TARGET_DIR/release/trustbridge
  fi
  echo "building the rig: cargo build -p trustbridge-cloud --example e2e_rig" >&2
  cargo build -q -p trustbridge-cloud --example e2e_rig --manifest-path "$ROOT/Cargo.toml" >&2
  for t in dbus-run-session gnome-keyring-daemon; do
    command -v $t >/dev/null || { echo "$t is not installed (apt-get install -y dbus-daemon gnome-keyring)" >&2; exit 1; }
  done
  H=$(mktemp -d)
  trap 'rm -rf "$H"' EXIT
  mkdir -p "$H/run" "$H/cache" "$H/config" "$H/data" "$H/tmp"
  chmod 700 "$H/run"
  # A private session: the real keyring of this machine is never touched.
  env -i PATH="$PATH" HOME="$H" XDG_RUNTIME_DIR="$H/run" XDG_CACHE_HOME="$H/cache" XDG_CONFIG_HOME="$H/config" \
    XDG_DATA_HOME="$H/data" TMPDIR="$H/tmp" TB_BENCH_IN_SESSION=1 RUNS="$RUNS" BIN="$BIN" \
    RIG="$CARGO_TARGET_DIR/debug/examples/e2e_rig" \
    dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null && exec "$0"' "$0"
  exit $?
fi

if command -v moto_server >/dev/null 2>&1; then MOTO=(moto_server); else MOTO=(python3 -m moto.server); fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(free_port)
MOTO_URL=http://127.0.0.1:$PORT
"${MOTO[@]}" -H 127.0.0.1 -p "$PORT" >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -sf "$MOTO_URL/moto-api/" >/dev/null 2>&1 && break; sleep 0.1; done

KEY="bench-api-key-$(od -An -tx8 -N8 /dev/urandom | tr -d ' ')"
# The rig keeps the API double up until its stdin closes.
mkfifo "$WORK/rig.in"
"$RIG" <"$WORK/rig.in" >"$WORK/rig.out" 2>"$WORK/rig.err" &
PIDS+=($!)
exec 3>"$WORK/rig.in"
printf '{"vendor": {"api_key": "%s", "projects": ["bench-project"]}}\n' "$KEY" >&3
for _ in $(seq 100); do [[ -s $WORK/rig.out ]] && break; sleep 0.1; done
API=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["vendor_url"])' "$WORK/rig.out")

export AWS_ENDPOINT_URL=$MOTO_URL AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
python3 -c "import boto3; boto3.client('s3').create_bucket(Bucket='bench-data'); boto3.client('events').create_event_bus(Name='bench-events')"

PLAN=$WORK/plan.json
cat >"$PLAN" <<EOF
{"version": 1, "platform": "mlcube",
 "integration": {"name": "BENCH", "project_id": "bench-project", "default": true, "api_url": "$API"},
 "aws": {"account_id": "123456789012", "region": "us-east-1", "role_name": "bench-mlcube",
         "storage": [{"bucket": "bench-data"}], "events": [{"event_bus_name": "bench-events"}]}}
EOF
printf '%s' "$KEY" | "$BIN" secrets set --plan "$PLAN" --kind vendor-api-key >/dev/null

times=()
for _ in $(seq "$RUNS"); do
  t0=$(date +%s%N)
  "$BIN" apply --plan "$PLAN" >"$WORK/apply.out" 2>&1 || { cat "$WORK/apply.out" >&2; exit 1; }
  t1=$(date +%s%N)
  grep -q "registered role" "$WORK/apply.out" || { echo "apply did not register:" >&2; cat "$WORK/apply.out" >&2; exit 1; }
  times+=($(((t1 - t0) / 1000000)))
  "$BIN" revoke --plan "$PLAN" >/dev/null 2>&1
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | sed -n "$(((RUNS + 1) / 2))p")
min=$(echo "$sorted" | head -1)
echo "register + apply (one trustbridge apply: ML cube registration, trust check, role + 2 inline policies), whole process: median ${median} ms, min ${min} ms over ${RUNS} runs (${times[*]} ms)"
echo "command: RUNS=$RUNS tests/bench/register.sh  (binary $BIN, moto + the ML cube API double on loopback)"
