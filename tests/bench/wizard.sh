#!/usr/bin/env bash
# Wizard benchmark: prints each figure with the command that produced it.
#
#   tests/bench/wizard.sh [--no-build]
#
# 1. `.deb` size: builds the production bundle with scripts/package.sh (`tauri build --bundles deb`,
#    then an xz repack; skipped with --no-build when a .deb already exists), and checks that the
#    package's `trustbridge` runs and loads no WebKit.
# 2. start → first step interactive, median of BENCH_RUNS (default 9) launches of the release
#    binary through tauri-driver: from the app process's start to the later of the page's
#    `trustbridge-interactive` mark (vendor list rendered from Rust) and its first contentful paint.
# 3. idle RSS and PSS of the app + WebKit processes (app started directly, BENCH_IDLE_S seconds
#    after launch), without and with WEBKIT_DISABLE_DMABUF_RENDERER=1 WEBKIT_DISABLE_COMPOSITING_MODE=1.
# 4. user actions from launch to export on the AWS path (counted by tests/e2e/aws.e2e.mjs).
# 5. the same launch figure for a minimal Tauri 2 window (src-tauri/examples/hello_window.rs, one
#    static page, built here in release with the same Tauri and profile), launched after each of
#    ours in the same run (so both see the same machine), and wizard / hello-world (goal <= 1.1).
#    The wizard is started as users start it: `trustbridge`, which execs `trustbridge-window`.
# Everything with a window runs in tests/e2e/run.sh's private session (Xvfb, D-Bus, temp HOME).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/trustbridge-cache/target}
BIN=$CARGO_TARGET_DIR/release/trustbridge
OUT=$ROOT/test-output/bench
BUILD=1
[[ ${1:-} == --no-build ]] && BUILD=0

mkdir -p "$OUT"
find_deb() { find "$CARGO_TARGET_DIR/release/bundle/deb" -maxdepth 1 -name '*.deb' -printf '%T@ %p\n' 2>/dev/null | sort -nr | head -n 1 | cut -d' ' -f2-; }

if ((BUILD == 1)) || [[ -z $(find_deb) || ! -x $BIN ]]; then
  echo "building: scripts/package.sh (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)" >&2
  t0=$(date +%s)
  "$ROOT/scripts/package.sh" >"$OUT/tauri-build.log" 2>&1 || {
    tail -n 30 "$OUT/tauri-build.log" >&2
    exit 1
  }
  echo "build took $(($(date +%s) - t0)) s" >&2
fi

DEB=$(find_deb)
[[ -n $DEB ]] || { echo "no .deb under $CARGO_TARGET_DIR/release/bundle/deb" >&2; exit 1; }
deb_bytes=$(stat -c %s "$DEB")
bin_bytes=$(stat -c %s "$BIN")

echo "== .deb size"
echo "command: scripts/package.sh"
win_bytes=$(stat -c %s "$CARGO_TARGET_DIR/release/trustbridge-window")
printf '.deb: %s  %d bytes (%.1f MiB); binaries: trustbridge (CLI) %.1f MiB, trustbridge-window %.1f MiB\n' "$(basename "$DEB")" "$deb_bytes" \
  "$(echo "$deb_bytes / 1048576" | bc -l)" "$(echo "$bin_bytes / 1048576" | bc -l)" "$(echo "$win_bytes / 1048576" | bc -l)"
pkg=$(mktemp -d)
dpkg-deb -x "$DEB" "$pkg"
printf 'the package: %s; its trustbridge loads %s WebKit/GTK libraries\n' "$("$pkg/usr/bin/trustbridge" --version)" \
  "$(ldd "$pkg/usr/bin/trustbridge" | grep -cE 'webkit|gtk' || true)"
rm -rf "$pkg"

# The minimal Tauri window, launched after each of ours in the same run (measure.mjs).
echo "building: cargo build --release -p trustbridge --features custom-protocol --example hello_window" >&2
cargo build --release -q -p trustbridge --features custom-protocol --example hello_window --manifest-path "$ROOT/Cargo.toml" >&2
HELLO=$CARGO_TARGET_DIR/release/examples/hello_window

echo "== start → first step interactive (ours, and the minimal Tauri window launched after each of ours), idle memory, user actions (release binaries, Xvfb)"
echo "command: BENCH_BASELINE_BIN=$HELLO E2E_SCRIPTS='measure.mjs aws.e2e.mjs' E2E_OUT=$OUT tests/e2e/run.sh $BIN"
log=$OUT/measure.txt # run.sh clears *.log in its output folder
status=0
BENCH_BASELINE_BIN=$HELLO E2E_SCRIPTS="measure.mjs aws.e2e.mjs" E2E_OUT=$OUT "$ROOT/tests/e2e/run.sh" "$BIN" >"$log" 2>&1 || status=$?
grep -E '^# bench ' "$log" | sed -e 's/^# bench baseline /hello-world /' -e 's/^# bench //' || true
actions=$(grep -E '^# user-actions launch→export: ' "$log" | sed 's/.*: //' || true)
echo "user actions launch → export (AWS, ML cube): ${actions:-unknown} (tests/e2e/aws.e2e.mjs; a click, a filled field or a key shortcut each count 1)"
if ((status != 0)); then
  echo "some measurement failed (exit $status); see $log" >&2
  grep -E '^not ok' "$log" >&2 || true
  exit "$status"
fi
