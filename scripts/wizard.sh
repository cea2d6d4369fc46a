#!/usr/bin/env bash
# Installs what is missing, builds the UI and the app, and opens the wizard.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${TRUSTBRIDGE_CACHE:-/var/tmp/trustbridge-cache}/target}
cd "$ROOT"
scripts/setup.sh
(cd ui && npm run --silent build)
cargo build --release -p trustbridge-app -p trustbridge --features trustbridge/custom-protocol
# `trustbridge` (the CLI) execs `trustbridge-window` from the same folder.
exec "$CARGO_TARGET_DIR/release/trustbridge" "$@"
