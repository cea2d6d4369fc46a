#!/usr/bin/env bash
# Runs every test: UI checks and unit tests, all Rust tests (core, CLI, IPC, checkers, emulators),
# then the end-to-end tests through the real window under Xvfb. Installs what is missing first.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${TRUSTBRIDGE_CACHE:-/var/tmp/trustbridge-cache}/target}
cd "$ROOT"

step() { printf '\n== %s (%ss)\n' "$*" "$SECONDS" >&2; }

# Every process a test starts must be gone when the suite ends: the servers and drivers the tests
# start, by command line, that were not running before this script began.
SERVERS='azurite|gcp-storage-emulator|moto[._]server|tauri-driver|WebKitWebDriver|Xvfb|gnome-keyring-daemon|e2e_rig|trustbridge-window'
servers() {
  local p
  for p in /proc/[0-9]*; do
    tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -Eq -- "$SERVERS" && echo "${p#/proc/}"
  done
  return 0
}
BEFORE=" $(servers | tr '\n' ' ') "

step "setup"
scripts/setup.sh

step "ui: build, type check, unit tests"
(cd ui && npm run --silent build && npm run --silent check && npm run --silent test)

step "rust: format"
cargo fmt --all --check

step "rust: lints"
# Every clippy warning of this machine's toolchain is an error (the same feature set as the tests).
cargo clippy --locked --workspace --all-targets --features trustbridge/custom-protocol -- -D warnings

step "rust: all tests"
# One feature set for tests and the binary, so the app is compiled once (custom-protocol embeds ui/dist).
cargo test --locked --workspace --features trustbridge/custom-protocol --no-fail-fast

step "end to end: the real window"
tests/e2e/run.sh "$CARGO_TARGET_DIR/debug/trustbridge"

step "no test process left running"
left=()
for _ in $(seq 1 50); do
  left=()
  for pid in $(servers); do
    [[ $BEFORE == *" $pid "* || $pid == "$$" ]] || left+=("$pid")
  done
  ((${#left[@]} == 0)) && break
  sleep 0.1
done
if ((${#left[@]} > 0)); then
  for pid in "${left[@]}"; do
    printf 'left running: pid %s (parent %s): %s\n' "$pid" "$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null)" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-200)" >&2
  done
  echo "FAILED: ${#left[@]} process(es) started by the tests outlived them" >&2
  exit 1
fi

step "all tests passed"
