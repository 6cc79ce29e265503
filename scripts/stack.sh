#!/usr/bin/env bash
# One stack and its state under .state/$STACK.
#
# TARGET=emulator (the default for any STACK but `aws`): MiniStack on 127.0.0.1:$PORT with
# the lab's Terraform applied to it; stacks with different STACK/PORT never meet, so
# `make test` can run beside a learner's `make up`.
# TARGET=aws (the default for STACK=aws): the same Terraform applied to the AWS account of
# the caller's credentials (TF_VAR_aws_profile, TF_VAR_assume_role_arn), after showing the
# plan and asking. With AWS_ENDPOINT_URL set, everything goes to that endpoint instead: that
# is how `make test` rehearses the AWS path against a stand-in emulator.
#
#   scripts/stack.sh start|plan|apply|validate|show|destroy|stop|status|plugin-dir|tftest|fmt-check|check-plugin-dir
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
stack=${STACK:-local}
port=${PORT:-4566}
state=$root/.state/$stack
endpoint=http://127.0.0.1:$port
pidfile=$state/ministack.pid
if [ "$stack" = aws ]; then target=${TARGET:-aws}; else target=${TARGET:-emulator}; fi
case "$target" in aws | emulator) ;; *) echo "error: TARGET must be aws or emulator, not $target" >&2; exit 1 ;; esac

if [ "$target" = emulator ]; then
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
  rm -f "$state"/terraform.tfstate* "$state/outputs.json" "$state/inventory.json"
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

# The provider version versions.tf pins; the only one init may use.
provider_version=$(sed -n 's/^ *version *= *"\([0-9.]*\)".*/\1/p' terraform/versions.tf | head -n 1)

# Lab machines have the pinned AWS provider preinstalled as a filesystem mirror (and no
# registry). Look for exactly that version, only in the few places mirrors are installed
# (never a project's own .terraform cache, which may hold any version), and only a few
# levels deep. Elsewhere (a learner's laptop) nothing is found and Terraform downloads the
# pinned version as usual. TF_PLUGIN_DIR overrides the search.
plugin_dir() {
  if [ -n "${TF_PLUGIN_DIR:-}" ]; then echo "$TF_PLUGIN_DIR"; return; fi
  local candidates=(/opt /usr/local/share/terraform /usr/share/terraform "$HOME/.terraform.d" "$HOME/.local/share/terraform")
  [ -z "${PLUGIN_ROOT:-}" ] || candidates=("$PLUGIN_ROOT") # check_plugin_dir searches a scratch folder only
  local roots=() dir found
  for dir in "${candidates[@]}"; do
    [ -d "$dir" ] && roots+=("$dir")
  done
  [ ${#roots[@]} -gt 0 ] || return 0
  found=$(find "${roots[@]}" -maxdepth 7 -type f \
    -path "*/registry.terraform.io/hashicorp/aws/$provider_version/*/terraform-provider-aws_v${provider_version}_*" \
    -not -path '*/.terraform/*' -print -quit 2>/dev/null || true)
  [ -z "$found" ] || echo "${found%%/registry.terraform.io/*}"
}

if [ "$target" = aws ]; then
  # Region, profile, role to assume, budget e-mail: TF_VAR_region, TF_VAR_aws_profile, … (see the README).
  # The arm64 zips make zips-aws builds; a rehearsal's host zips (see scripts/build-aws-zips.sh)
  # only ever go to a stand-in.
  zips=${EVENTLAB_SUBSTITUTE_HOST_ZIPS:-$root/dist/aws}
  tf_vars=(-var "lambda_architecture=arm64" -var "lambda_zip_dir=$zips")
  if [ -n "${AWS_ENDPOINT_URL:-}" ]; then
    # The SDKs and the CLI honour AWS_ENDPOINT_URL by themselves; Terraform is told here.
    say "AWS_ENDPOINT_URL is set: every call goes to $AWS_ENDPOINT_URL, a stand-in for AWS, not AWS"
    tf_vars+=(-var "endpoint_url=$AWS_ENDPOINT_URL")
  elif [ -n "${EVENTLAB_SUBSTITUTE_HOST_ZIPS:-}" ]; then
    die "EVENTLAB_SUBSTITUTE_HOST_ZIPS names host zips, which cannot run on AWS: unset it (it is for the rehearsal's stand-in)"
  fi
else
  # The local stack takes requests as large as the generator allows; the AWS default is small.
  tf_vars=(-var "endpoint_url=$endpoint" -var "lambda_architecture=x86_64" -var "lambda_zip_dir=$root/dist/local"
    -var "max_events_per_request=500")
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
  [ "$target" = aws ] || healthy || die "MiniStack is not running on $endpoint: run start first"
}

# On an account, nothing changes before the learner has seen what will and said yes
# (AUTO_APPROVE=1 skips the question, e.g. in a script that has already shown the plan).
confirm() {
  local question=$1
  [ "$target" = aws ] || return 0
  [ "${AUTO_APPROVE:-0}" = 1 ] && return 0
  local answer=""
  printf '%s Type yes to go on: ' "$question"
  read -r answer || true
  [ "$answer" = yes ] || die "stopped: nothing was changed"
}

# Terraform's error blocks from a log (or its tail when there are none), without colour.
tf_errors() {
  local errors
  errors=$(sed 's/\x1b\[[0-9;]*m//g' "$1" | grep -A 12 'Error:' || true)
  if [ -n "$errors" ]; then echo "$errors" >&2; else tail -n 40 "$1" >&2; fi
}

# Prints a plan's resources, one line each (what Terraform would do), and its summary.
show_plan() {
  local planfile=$1
  terraform -chdir=terraform show -no-color "$planfile" | grep -E '^  # |^Plan:|^No changes' | sed 's/^  # /  /'
}

# "account <id> in region <region>", from the plan's caller-identity read and its variables.
plan_target() {
  terraform -chdir=terraform show -json "$1" | jq -r '
    ([.prior_state.values.root_module.resources[]? | select(.address == "data.aws_caller_identity.current")
      | .values.account_id][0] // "?") as $account
    | "account \($account) in region \(.variables.region.value)"'
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
  # A first apply on an emulator this script started may be started over (see below).
  local first=0
  [ "$target" = emulator ] && ours && [ -z "$(terraform -chdir=terraform state list 2>/dev/null)" ] && first=1
  apply_once && return 0
  # Now and then, under the burst of a first apply, the provider retries a create that the
  # emulator had already carried out, and the retry is refused as a duplicate
  # (EntityAlreadyExists on an IAM role, ParameterAlreadyExists on an SSM parameter). The
  # emulator holds nothing else yet, so start it over from empty and apply once more.
  if [ "$first" = 1 ] && grep -q 'AlreadyExists' "$state/terraform-apply.log"; then
    say "the emulator refused a create it had already carried out (a retried request); starting it over from empty and applying once more"
    stop
    start
    init
    apply_once && return 0
  fi
  tf_errors "$state/terraform-apply.log"
  die "terraform apply failed (full log: .state/$stack/terraform-apply.log)"
}

# One plan and apply; a failed apply returns non-zero, its log in $state/terraform-apply.log.
apply_once() {
  local planfile=$state/apply.tfplan
  say "terraform plan"
  terraform -chdir=terraform plan -input=false -out="$planfile" "${tf_vars[@]}" >"$state/terraform-plan.log" 2>&1 ||
    { tf_errors "$state/terraform-plan.log"; die "terraform plan failed (full log: .state/$stack/terraform-plan.log)"; }
  if [ "$target" = aws ]; then
    show_plan "$planfile"
    confirm "Apply this to $(plan_target "$planfile")?"
  fi
  say "terraform apply"
  terraform -chdir=terraform apply -input=false "$planfile" >"$state/terraform-apply.log" 2>&1 || { save_inventory; return 1; }
  save_inventory
  rm -f "$planfile"
  grep -E '^Apply complete' "$state/terraform-apply.log" | sed "s/^/==> [$stack] /"
  terraform -chdir=terraform output -json >"$state/outputs.json"
}

validate() {
  init
  terraform -chdir=terraform validate
}

# Formatting only: no init, no provider, no emulator.
fmt_check() {
  terraform fmt -check -recursive terraform
}

# What Terraform created, as it recorded it: `labctl leftovers` asks about each of these
# after a destroy. Saved after every apply (a failed one too) and again before a destroy; a
# state that is already empty never overwrites it.
save_inventory() {
  [ -n "$(terraform -chdir=terraform state list 2>/dev/null)" ] || return 0
  terraform -chdir=terraform show -json "$state/terraform.tfstate" >"$state/inventory.json.tmp" &&
    mv "$state/inventory.json.tmp" "$state/inventory.json"
}

destroy() {
  [ -f "$state/terraform.tfstate" ] || { say "no Terraform state: nothing to destroy"; return; }
  [ "$target" = aws ] || healthy ||
    die "MiniStack is not running on $endpoint, so its resources are already gone; remove .state/$stack to forget them"
  init
  if [ "$target" = aws ]; then
    local count
    count=$(terraform -chdir=terraform state list | wc -l)
    say "destroy removes all $count resources in .state/$stack/terraform.tfstate, the results bucket's objects included"
    confirm "Destroy the lab?"
  fi
  save_inventory
  say "terraform destroy"
  terraform -chdir=terraform destroy -auto-approve -input=false "${tf_vars[@]}" >"$state/terraform-destroy.log" 2>&1 ||
    { tf_errors "$state/terraform-destroy.log"; die "terraform destroy failed (full log: .state/$stack/terraform-destroy.log)"; }
  grep -E '^Destroy complete' "$state/terraform-destroy.log" | sed "s/^/==> [$stack] /"
  left=$(terraform -chdir=terraform state list)
  [ -z "$left" ] || die "resources left in Terraform state after destroy: $left"
}

# The applied state as JSON, for the tests that read it.
show() {
  terraform -chdir=terraform show -json "$state/terraform.tfstate"
}

# terraform/tests/*.tftest.hcl: plans with a mocked provider, no backend, no emulator.
tftest() {
  local data=$root/.state/tftest
  mkdir -p "$data"
  local plugins; plugins=$(plugin_dir)
  TF_DATA_DIR=$data terraform -chdir=terraform init -backend=false ${plugins:+-plugin-dir="$plugins"} >"$data/init.log" ||
    { cat "$data/init.log" >&2; die "terraform init for the tests failed"; }
  TF_DATA_DIR=$data terraform -chdir=terraform test -no-color
}

# The provider lookup finds only the pinned version in a mirror, and never a version a
# project's own .terraform cache holds (such folders, planted in a scratch folder, must be
# ignored, and a mirror planted there found); init then selects exactly the pinned version.
check_plugin_dir() {
  local scratch found; scratch=$(mktemp -d)
  plant() { mkdir -p "$scratch/$(dirname "$1")" && touch "$scratch/$1"; }
  plant plugins/registry.terraform.io/hashicorp/aws/5.31.0/linux_amd64/terraform-provider-aws_v5.31.0_x5
  plant project/.terraform/providers/registry.terraform.io/hashicorp/aws/$provider_version/linux_amd64/terraform-provider-aws_v${provider_version}_x5
  found=$(PLUGIN_ROOT=$scratch TF_PLUGIN_DIR='' plugin_dir)
  [ -z "$found" ] || { rm -rf "$scratch"; die "the provider lookup picked a planted folder: $found"; }
  plant mirror/registry.terraform.io/hashicorp/aws/$provider_version/linux_amd64/terraform-provider-aws_v${provider_version}_x5
  found=$(PLUGIN_ROOT=$scratch TF_PLUGIN_DIR='' plugin_dir)
  rm -rf "$scratch"
  [ "$found" = "$scratch/mirror" ] || die "the provider lookup missed a mirror of $provider_version (found: ${found:-nothing})"
  say "provider lookup: ignores another version and a project's .terraform cache, finds a mirror of $provider_version"
  say "on this machine: $(plugin_dir || true)"
  [ "$provider_version" = 5.100.0 ] || die "versions.tf must pin the provider to exactly 5.100.0, the tested version (found: ${provider_version:-no exact pin})"
  init
  grep -q "version *= \"$provider_version\"" terraform/.terraform.lock.hcl || die "init did not select $provider_version"
  say "init selected hashicorp/aws $provider_version, the pinned version"
}

status() {
  if ours && healthy; then say "MiniStack running on $endpoint (pid $(cat "$pidfile"))"; else say "MiniStack not running"; fi
  [ -f "$state/outputs.json" ] && say "stack applied; outputs in .state/$stack/outputs.json" || true
}

command=${1:-}
shift || true
case "$command" in
  start | stop | plan | apply | destroy | validate | show | status) "$command" "$@" ;;
  plugin-dir) plugin_dir ;;
  tftest) tftest ;;
  fmt-check) fmt_check ;;
  check-plugin-dir) check_plugin_dir ;;
  *) die "usage: $0 start|plan|apply|validate|show|destroy|stop|status|plugin-dir|tftest|fmt-check|check-plugin-dir" ;;
esac
