#!/usr/bin/env bash
# Builds the Lambda zips for AWS: arm64 (Graviton), release profile (LTO, one codegen unit,
# stripped), cross-compiled with cargo-lambda and zig from the project's venv.
# Output: dist/aws/<function>.zip, each holding one `bootstrap`.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/cargo-lambda ] || { echo "error: cargo-lambda is missing: run 'make venv-aws'" >&2; exit 1; }
rustup target list --installed | grep -q '^aarch64-unknown-linux-gnu$' || rustup target add aarch64-unknown-linux-gnu
export PATH="$PWD/.venv/bin:$PATH"

mkdir -p dist/aws
# Its own target folder: the arm64 release build never invalidates the local debug build.
export CARGO_TARGET_DIR="$PWD/target/aws"
cargo lambda build --release --arm64 --output-format zip \
  -p eventlab-generator -p eventlab-transformers --lambda-dir "$CARGO_TARGET_DIR/lambda"
for function in generator transform-eventbridge transform-sqs transform-kinesis transform-firehose; do
  cp "$CARGO_TARGET_DIR/lambda/$function/bootstrap.zip" "dist/aws/$function.zip"
  printf '==> %-22s %s (%s)\n' "$function" "dist/aws/$function.zip" "$(du -h "dist/aws/$function.zip" | cut -f1)"
done
