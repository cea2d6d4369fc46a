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
# The real gcloud runs the exported GCP scripts' Cloud Storage and Pub/Sub commands in
# tests/tests/scripts_gcp_azure.rs. It comes from Google's apt repository, not Debian's: this kind
# of machine has it installed (package google-cloud-cli); elsewhere, install it and re-run.
command -v gcloud >/dev/null || { log "gcloud is missing: install Google's google-cloud-cli (https://cloud.google.com/sdk/docs/install#deb) and re-run"; exit 1; }

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

PY_TOOLS=("moto[server]" parliament cfn-lint checkov python-hcl2 gcp-storage-emulator jsonschema)
if ! python3 -c 'import moto, parliament, cfnlint, checkov, hcl2, gcp_storage_emulator, jsonschema' >/dev/null 2>&1; then
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

# Pulumi's Python SDK and the four provider SDKs the exported Pulumi programs import, at the versions
# the exported requirements.txt files allow (render/pulumi.rs), in a venv of their own (≈930 MB,
# ≈1.5 min): tests/tests/pulumi_mocks.rs runs every exported program under Pulumi's mocks with them.
PULUMI_SDKS=('pulumi>=3.0.0,<4.0.0' 'pulumi-aws>=6.0.0,<8.0.0' 'pulumi-gcp>=7.0.0,<9.0.0'
  'pulumi-azure-native>=2.0.0,<4.0.0' 'pulumi-azuread>=5.0.0,<7.0.0')
if ! "$CACHE/pulumi/bin/python" -c 'import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in ["pulumi", "pulumi_aws", "pulumi_gcp", "pulumi_azuread", "pulumi_azure_native"]))' >/dev/null 2>&1; then
  log "installing the Pulumi SDKs into $CACHE/pulumi"
  python3 -m venv "$CACHE/pulumi"
  "$CACHE/pulumi/bin/pip" install -q --disable-pip-version-check "${PULUMI_SDKS[@]}"
fi

# azure-cli, whose own parser tests/tests/az_parse.rs passes every az line of the Azure scripts
# through, in a venv of its own (≈730 MB, ≈1.5 min).
if ! "$CACHE/azure-cli/bin/python" -c 'import azure.cli.core' >/dev/null 2>&1; then
  log "installing azure-cli into $CACHE/azure-cli"
  python3 -m venv "$CACHE/azure-cli"
  "$CACHE/azure-cli/bin/pip" install -q --disable-pip-version-check azure-cli
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
