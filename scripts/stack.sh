#!/usr/bin/env bash
# One stack and its state under .state/$STACK. Local stacks (any STACK but `aws`) are
# MiniStack on 127.0.0.1:$PORT with the lab's Terraform applied to it; stacks with
# different STACK/PORT never meet, so `make test` can run beside a learner's `make up`.
# STACK=aws applies the same Terraform to the real AWS account of the caller's credentials.
#
#   scripts/stack.sh start|apply|validate|destroy|stop|status
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
stack=${STACK:-local}
port=${PORT:-4566}
state=$root/.state/$stack
endpoint=http://127.0.0.1:$port
pidfile=$state/ministack.pid

if [ "$stack" != aws ]; then
  # The emulator accepts any credentials; these keep SDKs and Terraform from looking further.
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
fi
export TF_DATA_DIR=$state/terraform TF_IN_AUTOMATION=1 TF_INPUT=0
# An unreadable CLI config only produces warnings; an empty one is equivalent and quiet.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -r "$TF_CLI_CONFIG_FILE" ]; then export TF_CLI_CONFIG_FILE=/dev/null; fi

say() { printf '==> [%s] %s\n' "$stack" "$*"; }
die() { printf 'error: [%s] %s\n' "$stack" "$*" >&2; exit 1; }

healthy() { curl -sf -o /dev/null --max-time 2 "$endpoint/_ministack/health"; }
ours() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

start() {
  [ -x .venv/bin/ministack ] || die "MiniStack is not installed: run 'make venv'"
  if ours && healthy; then say "MiniStack already running on $endpoint (pid $(cat "$pidfile"))"; return; fi
  healthy && die "port $port already serves an emulator that this stack did not start; stop it or set PORT"
  rm -rf "$state/tmp" "$state/ministack"
  mkdir -p "$state/tmp" "$state/ministack"
  # Emulator state is in memory: a fresh MiniStack makes any old Terraform state a lie.
  rm -f "$state"/terraform.tfstate* "$state/outputs.json"
  say "starting MiniStack on $endpoint (log: .state/$stack/ministack.log)"
  # Its own session, so stop can end it together with the Lambda processes it spawns.
  # Lambdas inherit this environment: AWS_ENDPOINT_URL points their SDK clients back here.
  setsid env TMPDIR="$state/tmp" STATE_DIR="$state/ministack" GATEWAY_PORT="$port" BIND_HOST=127.0.0.1 \
    LAMBDA_EXECUTOR=local IOT_MTLS_ENABLED=0 AWS_ENDPOINT_URL="$endpoint" AWS_LAMBDA_LOG_FORMAT=JSON \
    .venv/bin/ministack >"$state/ministack.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 60); do
    healthy && { say "MiniStack is up"; return; }
    ours || { tail -n 30 "$state/ministack.log" >&2; die "MiniStack exited during start"; }
    sleep 0.5
  done
  tail -n 30 "$state/ministack.log" >&2
  die "MiniStack did not become healthy within 30 s"
}

stop() {
  if ours; then
    local pid; pid=$(cat "$pidfile")
    say "stopping MiniStack (pid $pid) and its Lambda processes"
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# Lab machines have the AWS provider preinstalled as a filesystem mirror (and no registry):
# find the folder that holds registry.terraform.io rather than hard-coding where an image
# put it. Elsewhere (a learner's laptop) Terraform downloads the provider as usual.
plugin_dir() {
  if [ -n "${TF_PLUGIN_DIR:-}" ]; then echo "$TF_PLUGIN_DIR"; return; fi
  local found
  found=$(find /opt /usr/local/share /usr/share "$HOME/.terraform.d" / -xdev -path /proc -prune -o \
    -type f -name 'terraform-provider-aws_v5*' -path '*registry.terraform.io*' -print -quit 2>/dev/null || true)
  [ -z "$found" ] || echo "${found%%/registry.terraform.io/*}"
}

if [ "$stack" = aws ]; then
  # Region, profile, role to assume, budget e-mail: TF_VAR_region, TF_VAR_aws_profile, … (see the README).
  tf_vars=(-var "lambda_architecture=arm64" -var "lambda_zip_dir=$root/dist/aws")
else
  tf_vars=(-var "endpoint_url=$endpoint" -var "lambda_architecture=x86_64" -var "lambda_zip_dir=$root/dist/local")
fi

init() {
  mkdir -p "$state"
  local plugins; plugins=$(plugin_dir)
  terraform -chdir=terraform init -reconfigure ${plugins:+-plugin-dir="$plugins"} \
    -backend-config="path=$state/terraform.tfstate" >"$state/terraform-init.log" ||
    { cat "$state/terraform-init.log" >&2; die "terraform init failed"; }
}

# Local stacks need their emulator; AWS needs nothing started.
reachable() {
  [ "$stack" = aws ] || healthy || die "MiniStack is not running on $endpoint: run start first"
}

# Extra arguments go to terraform plan (e.g. -var budget_email=…).
plan() {
  reachable
  init
  terraform -chdir=terraform plan -lock=false "${tf_vars[@]}" "$@"
}

apply() {
  reachable
  init
  say "terraform apply"
  terraform -chdir=terraform apply -auto-approve "${tf_vars[@]}" >"$state/terraform-apply.log" ||
    { tail -n 40 "$state/terraform-apply.log" >&2; die "terraform apply failed (full log: .state/$stack/terraform-apply.log)"; }
  grep -E '^Apply complete' "$state/terraform-apply.log" | sed "s/^/==> [$stack] /"
  terraform -chdir=terraform output -json >"$state/outputs.json"
}

validate() {
  init
  terraform -chdir=terraform validate
}

destroy() {
  [ -f "$state/terraform.tfstate" ] || { say "no Terraform state: nothing to destroy"; return; }
  [ "$stack" = aws ] || healthy ||
    die "MiniStack is not running on $endpoint, so its resources are already gone; remove .state/$stack to forget them"
  init
  say "terraform destroy"
  terraform -chdir=terraform destroy -auto-approve "${tf_vars[@]}" >"$state/terraform-destroy.log" ||
    { tail -n 40 "$state/terraform-destroy.log" >&2; die "terraform destroy failed"; }
  grep -E '^Destroy complete' "$state/terraform-destroy.log" | sed "s/^/==> [$stack] /"
  left=$(terraform -chdir=terraform state list)
  [ -z "$left" ] || die "resources left in Terraform state after destroy: $left"
}

# The applied state as JSON, for the tests that read it.
show() {
  terraform -chdir=terraform show -json "$state/terraform.tfstate"
}

status() {
  if ours && healthy; then say "MiniStack running on $endpoint (pid $(cat "$pidfile"))"; else say "MiniStack not running"; fi
  [ -f "$state/outputs.json" ] && say "stack applied; outputs in .state/$stack/outputs.json" || true
}

command=${1:-}
shift || true
case "$command" in
  start | stop | plan | apply | destroy | validate | show | status) "$command" "$@" ;;
  *) die "usage: $0 start|plan|apply|validate|show|destroy|stop|status" ;;
esac
