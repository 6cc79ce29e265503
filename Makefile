# eventlab: the local lab runs the real Terraform and Lambda binaries against MiniStack.
#   make demo   set everything up, publish events through the API, show the S3 results
#   make test   lint, unit tests, and end-to-end tests on fresh stacks of their own
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

MINISTACK_VERSION := 1.5.33
CRYPTOGRAPHY_VERSION := 50.0.2
# MiniStack answers CBOR (the Rust SDK's protocol for CloudWatch) only with cbor2 beside it.
CBOR2_VERSION := 6.2.1

# The learner's stack; `make test` uses its own (STACK=test on 4599, STACK=readme on 4597).
STACK ?= local
PORT ?= 4566
export STACK PORT
export EVENTLAB_OUTPUTS := .state/$(STACK)/outputs.json
export EVENTLAB_CREDENTIALS := .state/$(STACK)/learner.json
LOCAL_AWS := AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
LABCTL := $(LOCAL_AWS) target/debug/labctl
BENCH := $(LOCAL_AWS) target/debug/eventlab-bench
# `make bench BENCH_ARGS="--events 500 --rate 100"`; see `target/debug/eventlab-bench run --help`.
BENCH_ARGS ?= --events 100 --rate 50

.PHONY: help venv venv-aws venv-scan scan build zips-aws qemu chromium up token curl api-url demo bench drill redrive watch watch-tui watch-screenshot report-screenshot tune tune-experiment sweep model down test unit lint format clippy criterion coldstart \
	deploy destroy bench-aws token-aws api-key-aws curl-aws

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

CHECKOV_VERSION := 3.3.30
CARGO_LAMBDA_VERSION := 1.9.2
ZIGLANG_VERSION := 0.15.2

venv: .venv/.installed ## install MiniStack (pinned) into .venv

.venv/.installed: Makefile
	python3 -m venv .venv
	.venv/bin/pip install --quiet --disable-pip-version-check \
	  ministack==$(MINISTACK_VERSION) cryptography==$(CRYPTOGRAPHY_VERSION) cbor2==$(CBOR2_VERSION)
	touch $@

venv-aws: .venv/.installed-aws ## install cargo-lambda and zig (pinned) into .venv for the arm64 build

.venv/.installed-aws: .venv/.installed
	.venv/bin/pip install --quiet --disable-pip-version-check \
	  cargo-lambda==$(CARGO_LAMBDA_VERSION) ziglang==$(ZIGLANG_VERSION)
	touch $@

venv-scan: .venv/.installed-scan

.venv/.installed-scan: .venv/.installed
	.venv/bin/pip install --quiet --disable-pip-version-check checkov==$(CHECKOV_VERSION)
	touch $@

# Runs the arm64 Lambda binaries on x86_64 hosts, for make test's arm64 proof: qemu, and the
# aarch64 glibc the binaries link against (no binfmt registration: the test starts
# qemu-aarch64-static itself, with -L pointing at that glibc).
qemu:
	@if ! command -v qemu-aarch64-static >/dev/null || [ ! -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ]; then \
	  apt-get update -qq && apt-get install -y -qq qemu-user-static libc6-arm64-cross libgcc-s1-arm64-cross; fi

scan: venv-scan ## checkov over the Terraform: no failed check; every skip says why, inline
	.venv/bin/checkov -d terraform --framework terraform --quiet --compact

# One build of the whole workspace, tests included, so that `cargo test` reuses it.
build: ## build everything and zip the Lambdas for the local stack
	@scripts/check-disk.sh "the first build" 4700 target/debug # it filled 4.3 GiB (2026-11-29)
	@echo "==> building the lab: Lambdas, tools and tests (the first time takes minutes: cargo names each crate as it goes)"
	cargo build --workspace --all-targets
	scripts/package-lambdas.sh

up: venv build ## start MiniStack, apply the stack, create the learner, print a curl
	@echo "==> starting the local AWS emulator (MiniStack), then applying the Terraform to it"
	scripts/stack.sh start
	scripts/stack.sh apply
	@echo "==> creating the learner user"
	$(LABCTL) learner
	@echo; echo "API: $$(jq -r .api_url.value $(EVENTLAB_OUTPUTS))"; echo "Try it (token valid for 1 hour; 'make token' prints a new one):"; echo
	@$(LABCTL) curl
	@echo

token: ## print a fresh JWT for the API
	@$(LABCTL) token

curl: ## print a ready-to-paste curl command with a fresh JWT
	@$(LABCTL) curl

api-url: ## print the API's URL (make up prints it too)
	@jq -er .api_url.value $(EVENTLAB_OUTPUTS) 2>/dev/null || { echo "no stack outputs at $(EVENTLAB_OUTPUTS): run make up first" >&2; exit 1; }

# Processes per binary in the demo report's cold-start table.
COLDSTARTS ?= 3

demo: up ## make up, then bench all seven lanes and the binaries' cold starts; write the report
	@echo "==> benching every lane through the API, then the Lambdas' cold starts"
	$(BENCH) run $(BENCH_ARGS) --coldstart $(COLDSTARTS)

bench: ## bench the running stack again (BENCH_ARGS to change the drive)
	$(BENCH) run $(BENCH_ARGS)

# `make drill DRILL_ARGS="--lanes sqs,kinesis --outage 20"`; see `target/debug/eventlab-bench drill --help`.
DRILL_ARGS ?= --events 120 --rate 2 --break-after 10 --outage 30

drill: ## break every lane's consumer for 30 s, restore it, account for every event (report in bench/reports/)
	$(BENCH) drill $(DRILL_ARGS)

redrive: ## move what waits in each lane's dead-letter or on-failure queue back into the lane
	$(BENCH) redrive $(REDRIVE_ARGS)

# The live view's port on 127.0.0.1: `make watch WATCH_PORT=8090`.
WATCH_PORT ?= 8077

watch: ## watch events flow through every lane, live, at http://127.0.0.1:8077/ (make bench in another shell)
	$(BENCH) watch --port $(WATCH_PORT) $(WATCH_ARGS)

watch-tui: ## the same counters as a live table in this terminal (for SSH sessions)
	$(BENCH) watch --tui $(WATCH_ARGS)

# docs/watch.png, the README's picture: a running `make watch`, after a `make bench`.
watch-screenshot: chromium
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1150 \
	  --screenshot=docs/watch.png http://127.0.0.1:$(WATCH_PORT)/ 2>/dev/null

# docs/report.png, the README's picture: the first screen of the newest bench report (after make bench).
report-screenshot: chromium
	@report=$$(ls -dt bench/reports/bench-*/report.html 2>/dev/null | head -1); \
	test -n "$$report" || { echo "no bench report yet: run make bench first" >&2; exit 1; }; \
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,900 \
	  --screenshot=docs/report.png "file://$$PWD/$$report" 2>/dev/null; \
	echo "docs/report.png: the first screen of $$report"

# Headless Chromium for the browser tests of the pages (Debian's package).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

# `make tune TUNE_ARGS="--target-p99 1s --lanes sqs,kinesis --for 5m"`; see `target/debug/eventlab-bench tune --help`.
TUNE_ARGS ?= --target-p99 2s

tune: ## batching that follows demand: hold a p99 target at the least cost, until Ctrl-C; its watch page on :8077
	$(BENCH) tune --watch-port 8077 $(TUNE_ARGS)

# `make tune-experiment EXPERIMENT_ARGS="--lanes sqs,kinesis --profile 2x60,50x60,2x60"`.
EXPERIMENT_ARGS ?=

tune-experiment: ## a changing load with small fixed, large fixed and tuned batching, side by side (~8 min)
	$(BENCH) experiment $(EXPERIMENT_ARGS)

sweep: ## rerun with different batching settings; chart latency against cost
	$(BENCH) sweep --events 50 --rate 50

model: build ## model monthly cost per service from 1 to 100,000 events/s (no stack needed)
	target/debug/eventlab-bench model --out bench/reports/model

coldstart: build ## cold starts and request cost of the Lambda binaries: the local stack's build beside the release profile (~8 min to build from clean)
	cargo build --release -p eventlab-generator -p eventlab-transformers --bins
	$(BENCH) coldstart --build local=target/debug --build release=target/release $(COLDSTART_ARGS)

criterion: ## in-process micro-benchmarks (a release build: ~15 min from clean)
	cargo bench -p eventlab-bench --bench hot_paths

zips-aws: venv-aws ## build the arm64 release zips for AWS into dist/aws (5½ min from clean on 2 cores, 1 GiB)
	scripts/build-aws-zips.sh

# The learner's AWS path. Set TF_VAR_region, TF_VAR_aws_profile, TF_VAR_assume_role_arn,
# TF_VAR_budget_email as needed (see the README). Terraform and the lab's tools use the same
# profile and role: the tools read them from the stack's outputs. AWS_STACK_NAME names the
# state folder (.state/aws); `make test` rehearses this path with its own.
AWS_STACK_NAME ?= aws
AWS_OUTPUTS := .state/$(AWS_STACK_NAME)/outputs.json
AWS_STACK := STACK=$(AWS_STACK_NAME) TARGET=aws EVENTLAB_OUTPUTS=$(AWS_OUTPUTS) EVENTLAB_CREDENTIALS=.state/$(AWS_STACK_NAME)/learner.json

deploy: zips-aws build ## deploy the lab to your (throwaway) AWS account: shows the plan, asks, applies, creates the learner
	$(AWS_STACK) scripts/stack.sh apply
	$(AWS_STACK) target/debug/labctl learner
	@echo; echo "API: $$(jq -r .api_url.value $(AWS_OUTPUTS))"
	@echo "While deployed and idle it costs about \$$$$(jq -r .idle_cost_per_hour_usd.value $(AWS_OUTPUTS)) per hour (Kinesis shards, SQS polling), more per event."
	@echo "The API accepts at most $$(jq -r .max_events_per_request.value $(AWS_OUTPUTS)) events per request and publishes at most $$(jq -r .max_publish_rate_per_second.value $(AWS_OUTPUTS)) events/s (see the README for what that costs)."
	@echo "Next: make api-key-aws (optional), make token-aws, make bench-aws; tear it down with: make destroy"

api-key-aws: ## store your API Ninjas key (API_NINJAS_KEY, or typed) in the deployment's SSM SecureString
	@$(AWS_STACK) target/debug/labctl api-key

destroy: ## remove everything deploy created, bucket contents included, and check nothing is left
	$(AWS_STACK) scripts/stack.sh destroy
	@if [ -x target/debug/labctl ] && [ -f $(AWS_OUTPUTS) ]; then $(AWS_STACK) target/debug/labctl leftovers; \
	else echo "(build the lab, then run 'make destroy' again to check that nothing is left)"; fi

bench-aws: build ## the bench against the AWS deployment
	$(AWS_STACK) target/debug/eventlab-bench run $(BENCH_ARGS)

token-aws: ## a fresh JWT for the AWS deployment
	@$(AWS_STACK) target/debug/labctl token

curl-aws: ## a ready-to-paste curl for the AWS deployment
	@$(AWS_STACK) target/debug/labctl curl

down: ## destroy the stack, check that nothing is left, stop MiniStack
	scripts/stack.sh destroy
	$(LABCTL) leftovers
	scripts/stack.sh stop

lint: format clippy ## rustfmt, terraform fmt, the dev profile's entries, clippy

format: ## the quick part of lint (seconds): rustfmt, terraform fmt, the dev profile's entries
	cargo fmt --all -- --check
	scripts/stack.sh fmt-check
	scripts/check-profile.sh

clippy: ## clippy, every target, warnings as errors
	cargo clippy --workspace --all-targets -- -D warnings

unit: ## unit and fixture tests, no stack needed (the stack tests show as ignored)
	cargo test --workspace --all-targets

test: venv ## everything: lint, unit and end-to-end tests on fresh stacks of their own
	scripts/test.sh
