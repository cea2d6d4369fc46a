#!/usr/bin/env bash
# Regenerates the raster icons from icon.svg with ImageMagick 6 (Debian: imagemagick).
# Tauri needs RGBA PNGs, hence the PNG32: prefix.
set -euo pipefail
cd "$(dirname "$0")"
convert=${CONVERT:-/usr/bin/convert}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$convert" -background none -density 384 icon.svg -resize 1024x1024 "PNG32:$tmp/1024.png"
render() { "$convert" "$tmp/1024.png" -filter Lanczos -resize "$1x$1" -strip "PNG32:$2"; }
render 32 32x32.png
render 128 128x128.png
render 256 128x128@2x.png
render 512 icon.png
"$convert" "$tmp/1024.png" -strip -define icon:auto-resize=256,64,48,32,24,16 icon.ico
ls -l ./*.png icon.ico
