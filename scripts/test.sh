#!/usr/bin/env bash
# Runs every test: UI checks and unit tests, all Rust tests (core, CLI, IPC, checkers, emulators),
# then the end-to-end tests through the real window under Xvfb. Installs what is missing first.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${TRUSTBRIDGE_CACHE:-/var/tmp/trustbridge-cache}/target}
cd "$ROOT"

step() { printf '\n== %s (%ss)\n' "$*" "$SECONDS" >&2; }

step "setup"
scripts/setup.sh

step "ui: build, type check, unit tests"
(cd ui && npm run --silent build && npm run --silent check && npm run --silent test)

step "rust: format"
cargo fmt --all --check

step "rust: all tests"
# One feature set for tests and the binary, so the app is compiled once (custom-protocol embeds ui/dist).
cargo test --workspace --features trustbridge/custom-protocol --no-fail-fast

step "end to end: the real window"
tests/e2e/run.sh "$CARGO_TARGET_DIR/debug/trustbridge"

step "all tests passed"
