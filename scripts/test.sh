#!/usr/bin/env bash
# `make test`: lint, Terraform checks, the build, the arm64 build (in the background while
# the stack comes up), then unit, end-to-end and arm64 tests against a fresh local stack of
# its own (STACK=test on port 4599), destroyed and checked for leftovers; last, the
# learner's AWS journey rehearsed on another fresh emulator (scripts/rehearse-aws.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

export STACK=test PORT=${TEST_PORT:-4599}
export EVENTLAB_OUTPUTS=.state/test/outputs.json EVENTLAB_CREDENTIALS=.state/test/learner.json
export EVENTLAB_STATE_JSON=.state/test/state.json
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1

step() { printf '\n=== [%s] %s\n' "$(date -u +%T)" "$*"; }
zips=""
trap '[ -z "$zips" ] || kill "$zips" 2>/dev/null; scripts/stack.sh stop' EXIT

step "lint"
make --no-print-directory lint

step "security scan (checkov)"
make --no-print-directory scan

step "terraform test (variable validation, mocked provider)"
scripts/stack.sh tftest

step "provider lookup: only the pinned version, never a project's .terraform cache"
scripts/stack.sh check-plugin-dir

step "build"
make --no-print-directory build

step "headless Chromium, for the browser tests; qemu, for the arm64 proof"
make --no-print-directory chromium qemu

# The arm64 release zips (as make deploy builds them, in a target folder of their own) build
# while the local stack comes up: the emulator and Terraform mostly wait, the build computes.
step "arm64 release zips, in the background (log: .state/zips-aws.log)"
mkdir -p .state
make --no-print-directory zips-aws >.state/zips-aws.log 2>&1 &
zips=$!

step "unit and fixture tests, no stack (make unit: the stack tests show as ignored)"
make --no-print-directory unit

step "local stack (make up, as a learner brings one up)"
# The test stack's queues hide a received message for 30 s, not the default 180 s: a
# drill's failed SQS batch comes back in seconds. The rehearsal below keeps the defaults.
export TF_VAR_sqs_visibility_timeout_seconds=30
scripts/stack.sh stop # a stale test stack from an interrupted run
scripts/stack.sh validate
make --no-print-directory up
scripts/stack.sh show >"$EVENTLAB_STATE_JSON"

step "the AWS variables plan cleanly (arm64, budget alert, alarm e-mail)"
scripts/stack.sh plan -no-color -var lambda_architecture=arm64 -var budget_email=learner@example.com -var alarm_email=learner@example.com \
  -var kinesis_shard_count=2 >.state/test/plan-aws-variables.log ||
  { tail -n 30 .state/test/plan-aws-variables.log; exit 1; }
grep -E '^Plan:' .state/test/plan-aws-variables.log
grep -q 'aws_sns_topic_subscription.alarm_email\[0\] will be created' .state/test/plan-aws-variables.log ||
  { echo 'error: alarm_email did not plan an e-mail subscription' >&2; exit 1; }

step "the arm64 release zips, waited for"
wait "$zips" || { tail -n 40 .state/zips-aws.log; echo "error: the arm64 zips did not build" >&2; exit 1; }
zips=""
tail -n 3 .state/zips-aws.log
export EVENTLAB_ARM64_ZIPS=dist/aws

step "unit and end-to-end tests"
# The stack-needing tests are #[ignore]d (a plain `cargo test` lists them, with why); here
# the stack is up and the arm64 zips are built, so every test runs.
cargo test --workspace --all-targets -- --include-ignored

step "destroy (make down: destroy, check that nothing is left, stop the emulator)"
make --no-print-directory down

step "the learner's AWS journey, rehearsed against a stand-in emulator"
unset TF_VAR_sqs_visibility_timeout_seconds
scripts/rehearse-aws.sh
