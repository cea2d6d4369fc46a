#!/usr/bin/env bash
# Builds the .deb: `tauri build --bundles deb` (the window binary; Tauri's beforeBundleCommand,
# scripts/bundle-cli.sh, adds the `trustbridge` command), then repacks it with xz -9e. The two
# binaries share most of their code (the AWS SDK, HTTPS, the keyring, the core): xz's window finds
# that, gzip's — the only .deb compression this Tauri offers — does not (13.0 MB with gzip).
#   scripts/package.sh [--repack-only]   (--repack-only: repack the newest .deb already built)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${TRUSTBRIDGE_CACHE:-/var/tmp/trustbridge-cache}/target}
if [[ ${1:-} != --repack-only ]]; then
  (cd "$ROOT" && npx --prefix ui tauri build --bundles deb)
fi
DEB=$(find "$CARGO_TARGET_DIR/release/bundle/deb" -maxdepth 1 -name '*.deb' -printf '%T@ %p\n' | sort -nr | head -n 1 | cut -d' ' -f2-)
[[ -n $DEB ]] || { echo "package: no .deb under $CARGO_TARGET_DIR/release/bundle/deb" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
dpkg-deb -R "$DEB" "$TMP/pkg"
dpkg-deb --root-owner-group -Zxz -z9 -Sextreme -b "$TMP/pkg" "$TMP/out.deb" >/dev/null
mv "$TMP/out.deb" "$DEB"
echo "$DEB"
