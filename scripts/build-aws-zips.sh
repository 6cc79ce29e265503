#!/usr/bin/env bash
# Builds the Lambda zips for AWS: arm64 (Graviton), release profile (LTO, one codegen unit,
# stripped), cross-compiled with cargo-lambda and zig from the project's venv.
# Output: dist/aws/<function>.zip, each holding one `bootstrap`.
#
# EVENTLAB_SUBSTITUTE_HOST_ZIPS=<folder> (only the AWS-path rehearsal in `make test` sets it)
# puts the host zips from dist/local in that folder instead, loudly, and builds nothing:
# the stand-in emulator runs `bootstrap` as a host process. dist/aws is never touched then,
# and scripts/stack.sh deploys from that folder only to a stand-in (AWS_ENDPOINT_URL set).
set -euo pipefail
cd "$(dirname "$0")/.."

functions=(generator transform)

if [ -n "${EVENTLAB_SUBSTITUTE_HOST_ZIPS:-}" ]; then
  out=$EVENTLAB_SUBSTITUTE_HOST_ZIPS
  mkdir -p "$out"
  echo "==> SUBSTITUTION: the HOST (x86_64) zips from dist/local go to $out, not arm64 builds to dist/aws"
  for function in "${functions[@]}"; do
    [ -f "dist/local/$function.zip" ] || { echo "error: dist/local/$function.zip is missing: run make build" >&2; exit 1; }
    cp "dist/local/$function.zip" "$out/$function.zip"
    printf '==> %-22s %s (host build, %s)\n' "$function" "$out/$function.zip" "$(du -h "$out/$function.zip" | cut -f1)"
  done
  exit 0
fi

scripts/check-disk.sh "the arm64 release build" 1100 target/aws # it filled 1.0 GiB (2026-11-29)
[ -x .venv/bin/cargo-lambda ] || { echo "error: cargo-lambda is missing: run 'make venv-aws'" >&2; exit 1; }
rustup target list --installed | grep -q '^aarch64-unknown-linux-gnu$' || rustup target add aarch64-unknown-linux-gnu
export PATH="$PWD/.venv/bin:$PATH"

mkdir -p dist/aws
# Its own target folder: the arm64 release build never invalidates the local debug build.
export CARGO_TARGET_DIR="$PWD/target/aws"
cargo lambda build --release --arm64 --output-format zip \
  -p eventlab-generator -p eventlab-transformers --lambda-dir "$CARGO_TARGET_DIR/lambda"
for function in "${functions[@]}"; do
  cp "$CARGO_TARGET_DIR/lambda/$function/bootstrap.zip" "dist/aws/$function.zip"
  printf '==> %-22s %s (%s)\n' "$function" "dist/aws/$function.zip" "$(du -h "dist/aws/$function.zip" | cut -f1)"
done
