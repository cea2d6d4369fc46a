#!/usr/bin/env bash
# Benchmark the AWS path against one local moto server:
#   1. `trustbridge apply` wall time vs the aws CLI making the same calls (ratio; target ≤ 0.5),
#   2. `trustbridge verify` wall time vs its slowest single probe (ratio; target ≤ 1.3),
#   3. `trustbridge verify --timeout 1` wall time against a black-holed endpoint (the bound),
#   4. `trustbridge apply` vs a bare aws-sdk-rust program making the same 9 calls (pre-flight's 4 reads) (the example
#      `bare_apply` of trustbridge-cloud, built here in release; ratio, goal <= 1.2), interleaved,
#      median of BARE_RUNS runs (default 15), microsecond clock.
# Every figure is printed with the command that produced it. Medians of RUNS runs (default 5).
#
# Needs: cargo, python3 with moto[server] (pip install 'moto[server]'), curl. Uses a working `aws`
# on PATH, or installs awscli into a private venv (BENCH_VENV). TRUSTBRIDGE_BIN skips the build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/trustbridge-cache/target}
RUNS=${RUNS:-5}
BIN=${TRUSTBRIDGE_BIN:-}

if [[ -z $BIN ]]; then
  echo "building: cargo build --release -p trustbridge-app" >&2
  cargo build --release -q -p trustbridge-app --manifest-path "$ROOT/Cargo.toml" >&2
  BIN=$CARGO_TARGET_DIR/release/trustbridge
fi
echo "building: cargo build --release -p trustbridge-cloud --example bare_apply" >&2
cargo build --release -q -p trustbridge-cloud --example bare_apply --manifest-path "$ROOT/Cargo.toml" >&2
BARE=$CARGO_TARGET_DIR/release/examples/bare_apply
BARE_RUNS=${BARE_RUNS:-15}

AWS=aws
if ! aws --version >/dev/null 2>&1; then
  VENV=${BENCH_VENV:-/var/tmp/trustbridge-bench-venv}
  if [[ ! -x $VENV/bin/aws ]]; then
    echo "installing awscli into $VENV (pip install awscli)" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q awscli >&2
  fi
  AWS=$VENV/bin/aws
fi

if command -v moto_server >/dev/null 2>&1; then
  MOTO=(moto_server)
elif python3 -c 'import moto.server' >/dev/null 2>&1; then
  MOTO=(python3 -m moto.server)
else
  echo "moto is not installed: pip install 'moto[server]'" >&2
  exit 1
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

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
unset AWS_PROFILE TRUSTBRIDGE_VENDOR_PROFILE TRUSTBRIDGE_VENDOR_ACCESS_KEY_ID TRUSTBRIDGE_VENDOR_SECRET_ACCESS_KEY

PLAN=$WORK/plan.json
cat >"$PLAN" <<'JSON'
{
  "version": 1,
  "platform": "mlcube",
  "integration": { "name": "BENCH", "project_id": "bench" },
  "aws": {
    "account_id": "123456789012",
    "region": "us-east-1",
    "role_name": "bench-role",
    "external_id": "Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA",
    "storage": [{ "bucket": "bench-data" }],
    "events": [{ "event_bus_name": "bench-events" }]
  }
}
JSON
# The aws CLI gets exactly the documents trustbridge sends (from the export bundle).
"$BIN" export --plan "$PLAN" --out "$WORK/bundle" >/dev/null 2>&1
DOCS=$WORK/bundle/aws

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

fresh() {
  curl -fs -X POST "$URL/moto-api/reset" >/dev/null
  "$AWS" s3api create-bucket --bucket bench-data >/dev/null
  "$AWS" events create-event-bus --name bench-events >/dev/null
}

aws_cli_apply() {
  "$AWS" sts get-caller-identity >/dev/null
  # Pre-flight's reads, as apply makes them.
  "$AWS" organizations describe-organization >/dev/null 2>&1 || true
  "$AWS" s3api get-bucket-policy --bucket bench-data >/dev/null 2>&1 || true
  "$AWS" s3api get-bucket-encryption --bucket bench-data >/dev/null 2>&1 || true
  "$AWS" events describe-event-bus --name bench-events >/dev/null 2>&1 || true
  "$AWS" iam get-role --role-name bench-role >/dev/null 2>&1 || true
  "$AWS" iam create-role --role-name bench-role --path / \
    --assume-role-policy-document "file://$DOCS/trust-policy.json" \
    --description "Access for ML cube Platform (integration BENCH)" \
    --tags Key=managed-by,Value=trustbridge Key=trustbridge-integration,Value=BENCH >/dev/null
  "$AWS" iam put-role-policy --role-name bench-role --policy-name trustbridge-storage-read \
    --policy-document "file://$DOCS/storage-policy.json" >/dev/null
  "$AWS" iam put-role-policy --role-name bench-role --policy-name trustbridge-events-publish \
    --policy-document "file://$DOCS/events-policy.json" >/dev/null
}

: >"$WORK/tb" && : >"$WORK/cli"
for _ in $(seq 1 "$RUNS"); do
  fresh
  t0=$(now_ms); "$BIN" apply --plan "$PLAN" >/dev/null 2>&1; t1=$(now_ms)
  echo $((t1 - t0)) >>"$WORK/tb"
  fresh
  t0=$(now_ms); aws_cli_apply; t1=$(now_ms)
  echo $((t1 - t0)) >>"$WORK/cli"
done
TB=$(median <"$WORK/tb")
CLI=$(median <"$WORK/cli")

now_us() { echo $(($(date +%s%N) / 1000)); }
: >"$WORK/tb_us" && : >"$WORK/bare_us"
for _ in $(seq 1 "$BARE_RUNS"); do
  fresh
  t0=$(now_us); "$BIN" apply --plan "$PLAN" >/dev/null 2>&1; t1=$(now_us)
  echo $((t1 - t0)) >>"$WORK/tb_us"
  fresh
  t0=$(now_us)
  "$BARE" bench-role "$DOCS/trust-policy.json" "$DOCS/storage-policy.json" "$DOCS/events-policy.json" BENCH bench-data bench-events
  t1=$(now_us)
  echo $((t1 - t0)) >>"$WORK/bare_us"
done
TB_US=$(median <"$WORK/tb_us")
BARE_US=$(median <"$WORK/bare_us")

: >"$WORK/vw" && : >"$WORK/vi" && : >"$WORK/vs" && : >"$WORK/start"
for _ in $(seq 1 "$RUNS"); do
  t0=$(now_ms); "$BIN" verify --plan "$PLAN" >"$WORK/verify.txt"; t1=$(now_ms)
  echo $((t1 - t0)) >>"$WORK/vw"
  # In-process wall time (the summary line) and the slowest probe (the per-probe lines).
  sed -n 's/^connectivity test .*(\([0-9]*\) ms)$/\1/p' "$WORK/verify.txt" >>"$WORK/vi"
  awk '$4 == "ms" && $3 > max { max = $3 } END { print max }' "$WORK/verify.txt" >>"$WORK/vs"
  t0=$(now_ms); "$BIN" profiles >/dev/null; t1=$(now_ms)
  echo $((t1 - t0)) >>"$WORK/start"
done
# Pre-flight alone (reads only: organization, bucket policy and encryption, event bus policy).
: >"$WORK/pf"
for _ in $(seq 1 "$RUNS"); do
  t0=$(now_ms); "$BIN" preflight --plan "$PLAN" >/dev/null; t1=$(now_ms)
  echo $((t1 - t0)) >>"$WORK/pf"
done
PF=$(median <"$WORK/pf")
VW=$(median <"$WORK/vw")
VI=$(median <"$WORK/vi")
VS=$(median <"$WORK/vs")
START=$(median <"$WORK/start")
SLOWEST_ID=$(awk '$4 == "ms" && $3 > max { max = $3; id = $2 } END { print id }' "$WORK/verify.txt")

# A black hole: accepts connections, never answers.
HOLE_PORT=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64); s.settimeout(30)
held, end = [], time.time() + 30
while time.time() < end:
    try: held.append(s.accept()[0])
    except socket.timeout: break
' "$HOLE_PORT" &
PIDS+=("$!")
sleep 0.3
t0=$(now_ms)
AWS_ENDPOINT_URL=http://127.0.0.1:$HOLE_PORT "$BIN" verify --plan "$PLAN" --timeout 1 --json >"$WORK/hole.json" || true
t1=$(now_ms)
HOLE=$((t1 - t0))
HOLE_CODES=$(python3 -c 'import json,sys; print(",".join(sorted({p.get("code") or p["status"] for p in json.load(open(sys.argv[1]))})))' "$WORK/hole.json")

MOTO_VERSION=$(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null || echo "?")
echo "AWS benchmark against moto $MOTO_VERSION (${MOTO[*]} on 127.0.0.1), median of $RUNS runs; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "apply, fresh account (4 pre-flight reads + 5 calls): trustbridge ${TB} ms   [$BIN apply --plan plan.json]"
echo "apply, same calls with the aws CLI: ${CLI} ms   [$AWS sts get-caller-identity; organizations describe-organization; s3api get-bucket-policy; s3api get-bucket-encryption; events describe-event-bus; iam get-role; iam create-role; iam put-role-policy x2]"
echo "pre-flight alone, whole process: ${PF} ms   [$BIN preflight --plan plan.json]"
echo "apply ratio trustbridge/aws-CLI: $(ratio "$TB" "$CLI")   (target <= 0.5)"
echo "apply vs bare aws-sdk-rust, same 9 calls (4 pre-flight reads + 5 apply calls), whole process, median of $BARE_RUNS interleaved runs: trustbridge ${TB_US} µs, bare ${BARE_US} µs   [$BARE bench-role trust.json storage.json events.json BENCH bench-data bench-events]"
echo "apply ratio trustbridge/bare-SDK: $(ratio "$TB_US" "$BARE_US")   (target <= 1.2)"
echo "verify, in-process wall time: ${VI} ms   [$BIN verify --plan plan.json: the summary line's figure, 6 concurrent probes]"
echo "verify, slowest single probe: ${VS} ms ($SLOWEST_ID)"
echo "verify ratio in-process wall/slowest-probe: $(ratio "$VI" "$VS")   (target <= 1.3)"
echo "verify, whole process: ${VW} ms, of which process start ≈ ${START} ms   [$BIN profiles: process start of the CLI binary]"
echo "verify ratio whole-process/slowest-probe: $(ratio "$VW" "$VS")"
echo "verify against a black-holed endpoint with --timeout 1: ${HOLE} ms, probe outcomes: ${HOLE_CODES}   [AWS_ENDPOINT_URL=<black hole> $BIN verify --plan plan.json --timeout 1 --json]"
