#!/usr/bin/env bash
# Benchmark an organization-wide plan (member-role engine) against one local moto server holding a
# real AWS Organization (tests/checkers/org_stackset.py makes it: N member accounts over two OUs,
# each with its own bucket and bus made with its own credentials):
#   1. apply + verify of N accounts (default 50, concurrency 8), whole process, vs one account's
#      apply + verify × ceil(N / concurrency): the ratio (goal <= 1.2);
#   2. pre-flight of the N-account plan, whole process (goal <= 2 s).
#   3. moto's own CPU time during the N-account apply + verify (from /proc), and the same run with
#      concurrency 1: whether the wall time is the server's (moto is one Python process) or ours.
# Each timed run starts from no role anywhere (revoke, untimed). Medians of RUNS runs (default 3).
# Every figure is printed with the command that produced it.
#
# Needs: cargo, python3 with moto[server] and boto3, curl. TRUSTBRIDGE_BIN skips the build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/trustbridge-cache/target}
RUNS=${RUNS:-3}
N=${ACCOUNTS:-50}
C=${CONCURRENCY:-8}
BIN=${TRUSTBRIDGE_BIN:-}
ORG=$ROOT/tests/checkers/org_stackset.py

if [[ -z $BIN ]]; then
  echo "building: cargo build --release -p trustbridge-app" >&2
  cargo build --release -q -p trustbridge-app --manifest-path "$ROOT/Cargo.toml" >&2
  BIN=$CARGO_TARGET_DIR/release/trustbridge
fi
if command -v moto_server >/dev/null 2>&1; then
  MOTO=(moto_server)
elif python3 -c 'import moto.server' >/dev/null 2>&1; then
  MOTO=(python3 -m moto.server)
else
  echo "moto is not installed: pip install 'moto[server]'" >&2
  exit 1
fi

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

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
"${MOTO[@]}" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 200); do
  curl -fs "$URL/moto-api/" >/dev/null 2>&1 && break
  sleep 0.05
done
curl -fs "$URL/moto-api/" >/dev/null || { echo "moto did not start" >&2; exit 1; }

export AWS_ENDPOINT_URL=$URL AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE TRUSTBRIDGE_VENDOR_PROFILE TRUSTBRIDGE_VENDOR_ACCESS_KEY_ID TRUSTBRIDGE_VENDOR_SECRET_ACCESS_KEY TRUSTBRIDGE_AWS_ORG_PROFILE

echo "seeding: python3 tests/checkers/org_stackset.py seed $URL $N, then each account's bucket and bus" >&2
ACCOUNTS=$(python3 "$ORG" seed "$URL" "$N" | python3 -c 'import json, sys; print(" ".join(a[0] for a in json.load(sys.stdin)["accounts"]))')
# shellcheck disable=SC2086 # one argument per account id
python3 "$ORG" resources "$URL" $ACCOUNTS

plan() { # plan FILE ACCOUNT...
  local file=$1
  shift
  python3 - "$file" "$C" "$@" <<'PY'
import json, sys
file, c, ids = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
plan = {"version": 1, "platform": "mlcube", "integration": {"name": "BENCH_ORG", "project_id": "bench"},
        "aws": {"account_id": "123456789012", "region": "us-east-1", "role_name": "bench-role",
                "external_id": "Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA",
                "organization": {"engine": "member-role", "max_concurrency": c},
                "accounts": [{"account_id": a, "storage": [{"bucket": f"data-{a}"}], "events": [{"event_bus_name": "retrain-events"}]} for a in ids]}}
json.dump(plan, open(file, "w"))
PY
}
# shellcheck disable=SC2086
plan "$WORK/all.json" $ACCOUNTS
plan "$WORK/one.json" "${ACCOUNTS%% *}"
C_SAVED=$C
C=1
# shellcheck disable=SC2086
plan "$WORK/serial.json" $ACCOUNTS
C=$C_SAVED
MOTO_PID=${PIDS[0]}
cpu_ms() { # user + system CPU time of the moto process, in ms
  awk '{print ($14 + $15) * 10}' "/proc/$MOTO_PID/stat"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

timed() { # timed PLAN: apply + verify from no role, in ms; both must succeed
  "$BIN" revoke --plan "$1" >/dev/null 2>&1 || true
  local t0 t1
  t0=$(now_ms)
  "$BIN" apply --plan "$1" >"$WORK/apply.out" 2>&1 || { cat "$WORK/apply.out" >&2; exit 1; }
  "$BIN" verify --plan "$1" >"$WORK/verify.out" 2>&1 || { cat "$WORK/verify.out" >&2; exit 1; }
  t1=$(now_ms)
  echo $((t1 - t0))
}

: >"$WORK/one" && : >"$WORK/all" && : >"$WORK/pre" && : >"$WORK/serial" && : >"$WORK/busy"
for _ in $(seq 1 "$RUNS"); do
  timed "$WORK/one.json" >>"$WORK/one"
  c0=$(cpu_ms)
  timed "$WORK/all.json" >>"$WORK/all"
  c1=$(cpu_ms)
  echo $((c1 - c0)) >>"$WORK/busy"
  timed "$WORK/serial.json" >>"$WORK/serial"
  t0=$(now_ms)
  "$BIN" preflight --plan "$WORK/all.json" >"$WORK/pre.out" 2>&1 || { cat "$WORK/pre.out" >&2; exit 1; }
  t1=$(now_ms)
  echo $((t1 - t0)) >>"$WORK/pre"
done
ONE=$(median <"$WORK/one")
ALL=$(median <"$WORK/all")
PRE=$(median <"$WORK/pre")
SERIAL=$(median <"$WORK/serial")
BUSY=$(median <"$WORK/busy")
ROUNDS=$(((N + C - 1) / C))

echo "== member-role apply + verify, $N accounts, concurrency $C (median of $RUNS; each from no role)"
echo "command: trustbridge apply --plan all.json && trustbridge verify --plan all.json  vs the same with one account"
echo "one account: ${ONE} ms; $N accounts: ${ALL} ms; ratio $N accounts / (one × ceil($N/$C) = $ROUNDS): $(awk -v a="$ALL" -v b="$ONE" -v r="$ROUNDS" 'BEGIN {printf "%.2f", a / (b * r)}') (goal <= 1.2)"
echo "the same plan with concurrency 1: ${SERIAL} ms (concurrency $C is $(awk -v a="$SERIAL" -v b="$ALL" 'BEGIN {printf "%.2f", a / b}')x faster)"
echo "moto's own CPU time during the $N-account run: ${BUSY} ms of ${ALL} ms wall (moto is one Python process)"
echo "== pre-flight of the $N-account plan (median of $RUNS)"
echo "command: trustbridge preflight --plan all.json"
echo "pre-flight: ${PRE} ms (goal <= 2000 ms); $(tail -n 1 "$WORK/pre.out")"
