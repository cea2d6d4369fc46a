#!/usr/bin/env bash
# End-to-end tests against the real Trustbridge window.
#
#   tests/e2e/run.sh [APP_BINARY]
#
# APP_BINARY defaults to ${CARGO_TARGET_DIR:-/var/tmp/trustbridge-cache/target}/debug/trustbridge and
# must embed ui/dist (built with `--features custom-protocol`). Everything runs in a private session:
# a temporary HOME and XDG dirs, its own Xvfb display, its own D-Bus session with an unlocked
# gnome-keyring, and tauri-driver (→ WebKitWebDriver → the app) on free ports. Every process this
# script starts is stopped by its PID on exit. Runs smoke.mjs and then every *.e2e.mjs; exits 0 only
# if all of them passed. Screenshots and logs go to test-output/e2e/ at the repository root.
#
# Environment: E2E_ONLY=word runs only the scripts whose name contains it; E2E_SCRIPTS="x.mjs y.mjs"
# runs exactly these; E2E_KEEP=1 keeps the temporary directory; E2E_TIMEOUT (seconds, default 300) bounds
# each test script; TRUSTBRIDGE_TOOLS (default /var/tmp/trustbridge-cache/tools) holds tauri-driver.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS=${TRUSTBRIDGE_TOOLS:-/var/tmp/trustbridge-cache/tools}
NATIVE_DRIVER=${WEBKIT_WEBDRIVER:-/usr/bin/WebKitWebDriver}
OUT=${E2E_OUT:-$ROOT/test-output/e2e}
TEST_TIMEOUT=${E2E_TIMEOUT:-300}

log() { printf 'e2e: %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

# Sends TERM to a process group we created with setsid (falls back to the single PID), waits up to
# 5 s, then KILLs what is left.
stop_pid() {
  local pid=$1 name=$2 i
  [[ -n $pid ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name ($pid) did not stop on TERM; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# A TCP port on 127.0.0.1 that nobody listens on right now.
free_port() {
  node -e 'const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

wait_for_port() {
  local port=$1 pid=$2 name=$3 i
  for ((i = 0; i < 150; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited before listening on port $port"
      return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  log "$name did not listen on port $port within 15 s"
  return 1
}

# ---------------------------------------------------------------------------------------------
# Inside the private D-Bus session (run.sh re-invokes itself through dbus-run-session).
# ---------------------------------------------------------------------------------------------
KEYRING_PID=""
DRIVER_PID=""
# shellcheck disable=SC2317,SC2329  # invoked by the trap
cleanup_session() {
  stop_pid "$DRIVER_PID" tauri-driver
  stop_pid "$KEYRING_PID" gnome-keyring-daemon
}

secrets_owned() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}

login_unlocked() {
  dbus-send --session --print-reply --dest=org.freedesktop.secrets \
    /org/freedesktop/secrets/collection/login org.freedesktop.DBus.Properties.Get \
    string:org.freedesktop.Secret.Collection string:Locked 2>/dev/null | grep -q 'boolean false'
}

inside_session() {
  local port native_port i
  trap cleanup_session EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  # gnome-keyring in the foreground (so we own its PID), unlocked with a throw-away password.
  # Poll with NameHasOwner first: asking org.freedesktop.secrets itself would make D-Bus start a
  # second, locked daemon by service activation.
  printf '%s' "e2e-$$-$RANDOM" |
    gnome-keyring-daemon --foreground --unlock --components=secrets >"$OUT/gnome-keyring.log" 2>&1 &
  KEYRING_PID=$!
  for ((i = 0; i < 100; i++)); do
    secrets_owned && login_unlocked && break
    if ! kill -0 "$KEYRING_PID" 2>/dev/null; then
      log "gnome-keyring-daemon exited:"
      cat "$OUT/gnome-keyring.log" >&2
      return 2
    fi
    sleep 0.1
  done
  ((i < 100)) || { log "the keyring did not come up unlocked within 10 s"; return 2; }

  port=$(free_port)
  native_port=$(free_port)
  while [[ $native_port == "$port" ]]; do native_port=$(free_port); done
  log "tauri-driver on 127.0.0.1:$port (WebKitWebDriver on $native_port), display $DISPLAY"
  setsid "$TOOLS/bin/tauri-driver" --port "$port" --native-port "$native_port" \
    --native-driver "$NATIVE_DRIVER" >"$OUT/tauri-driver.log" 2>&1 &
  DRIVER_PID=$!
  if ! wait_for_port "$port" "$DRIVER_PID" tauri-driver; then
    tail -n 40 "$OUT/tauri-driver.log" >&2 || true
    return 2
  fi

  local scripts=() script passed=0 failed=0 failed_names=()
  local candidates=("$HERE/smoke.mjs" "$HERE"/*.e2e.mjs)
  # E2E_SCRIPTS="a.mjs b.mjs" runs exactly these (names in tests/e2e), e.g. for the benchmark.
  if [[ -n ${E2E_SCRIPTS:-} ]]; then
    read -r -a candidates <<<"$E2E_SCRIPTS"
    candidates=("${candidates[@]/#/$HERE/}")
  fi
  for script in "${candidates[@]}"; do
    [[ -e $script ]] || { log "no such script: $(basename "$script")"; return 2; }
    # E2E_ONLY=word runs only the scripts whose name contains it.
    [[ -z ${E2E_ONLY:-} || $(basename "$script") == *"$E2E_ONLY"* ]] && scripts+=("$script")
  done
  if ((${#scripts[@]} == 0)); then
    log "no script matches (E2E_SCRIPTS='${E2E_SCRIPTS:-}', E2E_ONLY='${E2E_ONLY:-}'): nothing was tested"
    return 2
  fi
  for script in "${scripts[@]}"; do
    log "running $(basename "$script")"
    if (cd "$HERE" && TAURI_DRIVER_PORT=$port timeout --kill-after=10 "$TEST_TIMEOUT" node "$script"); then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      failed_names+=("$(basename "$script")")
    fi
  done
  if ((failed > 0)); then
    log "failed: ${failed_names[*]} (logs and screenshots in $OUT)"
    log "last lines of tauri-driver.log (WebKitWebDriver and app output):"
    tail -n 30 "$OUT/tauri-driver.log" >&2 || true
  fi
  printf 'e2e: %d passed, %d failed\n' "$passed" "$failed"
  ((failed == 0))
}

if [[ ${1:-} == --inside-session ]]; then
  inside_session
  exit $?
fi

# ---------------------------------------------------------------------------------------------
# Outside: check inputs, install what is missing, set up the private environment and display.
# ---------------------------------------------------------------------------------------------
BIN=${1:-${CARGO_TARGET_DIR:-/var/tmp/trustbridge-cache/target}/debug/trustbridge}
[[ -f $BIN && -x $BIN ]] || die "app binary not found or not executable: $BIN (build both with: cargo build -p trustbridge-app -p trustbridge --features trustbridge/custom-protocol)"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

for tool in Xvfb dbus-run-session dbus-send gnome-keyring-daemon node setsid timeout xdotool; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian: xvfb dbus-x11 gnome-keyring nodejs util-linux coreutils xdotool)"
done
[[ -x $NATIVE_DRIVER ]] || die "$NATIVE_DRIVER is missing (Debian: webkit2gtk-driver)"

# Installs use the real HOME (npm and cargo caches) before it is swapped for the private one.
if [[ ! -d $HERE/node_modules/webdriverio ]]; then
  log "installing webdriverio (npm ci)"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi
if [[ ! -x $TOOLS/bin/tauri-driver ]]; then
  log "installing tauri-driver into $TOOLS"
  cargo install tauri-driver --locked --version '^2' --root "$TOOLS" >&2
fi

mkdir -p "$OUT"
rm -f "$OUT"/*.png "$OUT"/*.html "$OUT"/*.log

WORK=$(mktemp -d "${TMPDIR:-/tmp}/trustbridge-e2e.XXXXXX")
XVFB_PID=""
# shellcheck disable=SC2317,SC2329  # invoked by the trap
cleanup() {
  stop_pid "$XVFB_PID" Xvfb
  if [[ ${E2E_KEEP:-0} == 1 ]]; then
    log "kept $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$WORK/home" "$WORK/runtime" "$WORK/cache" "$WORK/config" "$WORK/data"
chmod 700 "$WORK" "$WORK/runtime"
# The rig of emulators and test doubles for gcp-azure.e2e.mjs (an example of the cloud crate, built by
# `cargo test`; built here when missing). Found before HOME is swapped (cargo's caches).
# Always the debug build in the cargo target directory, whichever app binary is tested (a release
# binary, the benchmark's hello-world example).
TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/trustbridge-cache/target}
RIG=${TRUSTBRIDGE_E2E_RIG:-$TARGET_DIR/debug/examples/e2e_rig}
if [[ ! -x $RIG ]]; then
  log "building the emulator rig (cargo build -p trustbridge-cloud --example e2e_rig)"
  (cd "$ROOT" && CARGO_TARGET_DIR=$TARGET_DIR cargo build -q -p trustbridge-cloud --example e2e_rig) >&2
fi
mkdir -p "$WORK/tmp"
export HOME=$WORK/home
export XDG_RUNTIME_DIR=$WORK/runtime
export XDG_CACHE_HOME=$WORK/cache
export XDG_CONFIG_HOME=$WORK/config
export XDG_DATA_HOME=$WORK/data
export TMPDIR=$WORK/tmp # private too, so the canary search covers the temp dir
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY GNOME_KEYRING_CONTROL SSH_AUTH_SOCK

# A free display: no lock file and no socket. Xvfb may still lose a race; then try the next one.
display=""
for ((n = 99; n < 160; n++)); do
  [[ -e /tmp/.X$n-lock || -e /tmp/.X11-unix/X$n ]] && continue
  setsid Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$OUT/xvfb.log" 2>&1 &
  XVFB_PID=$!
  for ((i = 0; i < 50; i++)); do
    [[ -S /tmp/.X11-unix/X$n ]] && break
    kill -0 "$XVFB_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$XVFB_PID" 2>/dev/null && [[ -S /tmp/.X11-unix/X$n ]]; then
    display=":$n"
    break
  fi
  stop_pid "$XVFB_PID" Xvfb
  XVFB_PID=""
done
[[ -n $display ]] || die "could not start Xvfb on any display from :99 to :159"
export DISPLAY=$display

# WebKitGTK under Xvfb: no GPU, no DMA-BUF; keep accessibility bus and GTK portals out of it.
export WEBKIT_DISABLE_DMABUF_RENDERER=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1 GTK_USE_PORTAL=0
export TRUSTBRIDGE_BIN=$BIN TRUSTBRIDGE_E2E_RIG=$RIG TRUSTBRIDGE_TOOLS=$TOOLS E2E_OUT=$OUT WEBKIT_WEBDRIVER=$NATIVE_DRIVER E2E_TIMEOUT=$TEST_TIMEOUT

log "app $BIN"
status=0
dbus-run-session -- bash "$HERE/run.sh" --inside-session || status=$?
exit "$status"
