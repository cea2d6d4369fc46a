#!/usr/bin/env bash
# Tauri's beforeBundleCommand: builds the `trustbridge` command (crates/app, no GTK/WebKit) in
# release and puts it where tauri.conf.json's deb `files` picks it up (/usr/bin/trustbridge in the
# .deb, beside the window binary /usr/bin/trustbridge-window that Tauri bundles itself).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps --manifest-path "$ROOT/Cargo.toml" | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')}
cargo build --release -q -p trustbridge-app --bin trustbridge --manifest-path "$ROOT/Cargo.toml"
mkdir -p "$ROOT/src-tauri/target-cli"
cp "$TARGET/release/trustbridge" "$ROOT/src-tauri/target-cli/trustbridge"
