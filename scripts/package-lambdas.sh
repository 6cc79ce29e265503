#!/usr/bin/env bash
# Zips the host-built Lambda binaries for the local stack: dist/local/<function>.zip, each
# holding one stripped `bootstrap`. Zips are byte-for-byte stable for the same binary, so
# Terraform only updates a function whose code really changed.
set -euo pipefail
cd "$(dirname "$0")/.."

out=dist/local
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for function in generator transform; do
  binary=target/debug/$function
  [ -x "$binary" ] || { echo "error: $binary is missing: run cargo build --workspace --all-targets" >&2; exit 1; }
  strip -o "$work/bootstrap" "$binary"
  touch -d '2000-01-01T00:00:00Z' "$work/bootstrap"
  rm -f "$work/$function.zip"
  (cd "$work" && zip -q -X -9 "$function.zip" bootstrap)
  if ! cmp -s "$work/$function.zip" "$out/$function.zip"; then mv "$work/$function.zip" "$out/$function.zip"; fi
  printf '==> %-22s %s (%s)\n' "$function" "$out/$function.zip" "$(du -h "$out/$function.zip" | cut -f1)"
done
