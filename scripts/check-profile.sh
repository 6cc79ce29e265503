#!/usr/bin/env bash
# Every AWS SDK service crate in the build must have its own opt-level in Cargo.toml's dev
# profile: otherwise it inherits the dependencies' O2 and adds minutes to a clean build.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=0
for crate in $(sed -n 's/^name = "\(aws-sdk-[a-z0-9]*\)"$/\1/p' Cargo.lock | sort -u); do
  if ! grep -q "^\[profile\.dev\.package\.$crate\]$" Cargo.toml; then
    echo "error: $crate has no [profile.dev.package.$crate] opt-level in Cargo.toml" >&2
    missing=1
  fi
done
exit "$missing"
