#!/usr/bin/env bash
# Installs what Trustbridge needs on a Debian/Ubuntu machine, only what is missing:
# system packages (apt), the UI's and the end-to-end tests' npm packages, the Python test tools
# (moto, checkers), and tauri-driver. Safe to re-run; fast when everything is present.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${TRUSTBRIDGE_CACHE:-/var/tmp/trustbridge-cache}
TOOLS=$CACHE/tools
mkdir -p "$CACHE" "$TOOLS"

log() { printf 'setup: %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

APT_PACKAGES=(libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libsoup-3.0-dev
  build-essential pkg-config libssl-dev xvfb webkit2gtk-driver gnome-keyring dbus-x11 libsecret-tools
  xdotool imagemagick shellcheck curl python3-pip dbus-daemon openssl)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing system packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

command -v cargo >/dev/null || { log "Rust is missing: install it from https://rustup.rs and re-run"; exit 1; }
command -v npm >/dev/null || { log "Node.js 20+ and npm are missing: install them and re-run"; exit 1; }

npm_ci() {
  local dir=$1
  # Reinstall only when package-lock.json changed since the last install.
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "npm ci in ${dir#"$ROOT"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_ci "$ROOT/ui"
npm_ci "$ROOT/tests/e2e"

PY_TOOLS=("moto[server]" parliament cfn-lint checkov python-hcl2 gcp-storage-emulator)
if ! python3 -c 'import moto, parliament, cfnlint, checkov, hcl2, gcp_storage_emulator' >/dev/null 2>&1; then
  log "installing Python test tools: ${PY_TOOLS[*]}"
  python3 -m pip install -q --disable-pip-version-check "${PY_TOOLS[@]}" 2>&1 | grep -v 'WARNING: Running pip as' || true
fi

# The aws CLI, as a customer runs the exported scripts with it, in a venv of its own (moto pins a
# botocore that the aws CLI of the same Python would not start with). Tests find it there.
if [ ! -x "$CACHE/awscli/bin/aws" ]; then
  log "installing the aws CLI into $CACHE/awscli"
  python3 -m venv "$CACHE/awscli"
  "$CACHE/awscli/bin/pip" install -q --disable-pip-version-check awscli
fi

# Azurite (the Azure Blob emulator) for the Azure connectivity tests, outside the clone.
if [ ! -x "$CACHE/azurite/node_modules/.bin/azurite-blob" ]; then
  log "installing azurite into $CACHE/azurite"
  mkdir -p "$CACHE/azurite"
  npm i --prefix "$CACHE/azurite" --no-audit --no-fund --loglevel=error azurite@3
fi

if [ ! -x "$TOOLS/bin/tauri-driver" ]; then
  log "installing tauri-driver into $TOOLS"
  cargo install tauri-driver --locked --root "$TOOLS" -q
fi
log "ready"
