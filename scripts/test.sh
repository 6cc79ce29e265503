#!/usr/bin/env bash
# `make test`: lint, then unit and end-to-end tests against a fresh local stack of its own
# (STACK=test on port 4599), destroyed and checked for leftovers at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

export STACK=test PORT=${TEST_PORT:-4599}
export EVENTLAB_OUTPUTS=.state/test/outputs.json EVENTLAB_CREDENTIALS=.state/test/learner.json
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1

step() { printf '\n=== %s\n' "$*"; }
trap 'scripts/local-stack.sh stop' EXIT

step "lint"
make --no-print-directory lint

step "build"
make --no-print-directory build

step "local stack"
scripts/local-stack.sh stop # a stale test stack from an interrupted run
scripts/local-stack.sh start
scripts/local-stack.sh validate
scripts/local-stack.sh apply
target/debug/labctl learner

step "unit and end-to-end tests"
cargo test --workspace --all-targets

step "destroy"
scripts/local-stack.sh destroy
target/debug/labctl leftovers
