#!/usr/bin/env bash
# Code size before and after: lines of hand-written source, the largest file,
# and the `duplicates` pair count, for two commits read from git (nothing is built or run).
#
#   tests/bench/size.sh [BEFORE [AFTER]]
#
# BEFORE defaults to 89a2152, the last commit before the one-model reshaping began; AFTER to HEAD.
# Counted: tracked .rs .ts .svelte .mjs .sh files, generated TypeScript bindings
# (ui/src/lib/ipc/bindings) and lock/data files left out; lines as `wc -l` counts them. The later
# commit also holds the features added since, so the totals are not the reshaping's
# alone; the largest file and the duplicate pairs say more about its shape.
# `duplicates` is the workplace's duplicate finder (a tool of the development machine, not of CI):
# where it is not installed the line says so.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BEFORE=${1:-89a2152}
AFTER=${2:-HEAD}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

measure() {
  local rev=$1 dir=$TMP/$1
  mkdir -p "$dir"
  git -C "$ROOT" archive "$rev" | tar -x -C "$dir"
  local files
  files=$(git -C "$ROOT" ls-tree -r --name-only "$rev" | { grep -E '\.(rs|ts|svelte|mjs|sh)$' || true; } |
    { grep -vE '(^|/)node_modules/|^ui/src/lib/ipc/bindings/' || true; })
  local total largest
  total=$(cd "$dir" && printf '%s\n' "$files" | xargs -d '\n' cat | wc -l)
  largest=$(cd "$dir" && printf '%s\n' "$files" | xargs -d '\n' wc -l | grep -v ' total$' | sort -nr | head -n 1 | awk '{print $2 " (" $1 " lines)"}')
  local nfiles
  nfiles=$(printf '%s\n' "$files" | grep -c . || true)
  local dups="duplicates: not installed on this machine"
  if command -v duplicates >/dev/null 2>&1; then
    # Only the counted files: the rest of the tree (fixtures, docs) is not code.
    (cd "$dir" && find . -type f ! -regex '.*\.\(rs\|ts\|svelte\|mjs\|sh\)' -delete && rm -rf ui/src/lib/ipc/bindings)
    local line pairs
    line=$(cd "$dir" && duplicates --repo . --seconds 120 | head -n 1)
    pairs=$(sed -n 's/^\([0-9]*\) pairs.*/\1/p' <<<"$line")
    dups="duplicates: $line${pairs:+; $(awk -v p="$pairs" -v l="$total" 'BEGIN {printf "%.2f", p * 1000 / l}') pairs per 1,000 lines}"
  fi
  echo "$(git -C "$ROOT" rev-parse --short "$rev"): $total lines in $nfiles files; largest $largest; $dups"
}

echo "command: tests/bench/size.sh $BEFORE $AFTER"
measure "$BEFORE"
measure "$AFTER"
