#!/usr/bin/env bash
# Rehearses the learner's AWS journey exactly as the README's "Deploy to a throwaway AWS
# account" section runs it — make deploy, make api-key-aws, make token-aws, curl, make
# bench-aws, make destroy — against a fresh MiniStack standing in for the AWS account.
#
# The only differences from a real run, each printed as it happens:
#   - the endpoint: AWS_ENDPOINT_URL sends the SDKs, the CLI and (through scripts/stack.sh)
#     Terraform's provider to the stand-in;
#   - the credentials: a named profile in a temporary AWS_CONFIG_FILE, and a role to assume
#     in account 123456789012, as a learner reaching a member account through
#     OrganizationAccountAccessRole has;
#   - the Lambda zips: the stand-in runs `bootstrap` as a host process, so host (x86_64) zips
#     stand where the arm64 ones go (the arm64 zips are proven separately, under qemu);
#   - the facts API: a stub on 127.0.0.1 that checks the key the learner stored;
#   - the stand-in resolves unsigned calls (Cognito's InitiateAuth) in the member account,
#     as AWS finds the app client wherever it is.
#
# It asserts that everything lands in the role's account and nothing in the base one, that
# the curl `make curl-aws` prints publishes, no token gets 401 and a request over the cap 400, that the bench report says where it
# ran, and that `make destroy` removes everything even after the zips it deployed were
# deleted.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

port=${REHEARSAL_PORT:-4598}
name=aws-rehearsal                 # the state folder of the rehearsed AWS stack
emulator=aws-rehearsal-emulator    # the state folder of the MiniStack standing in for AWS
state=.state/$name
role_account=123456789012
base_account=000000000000

# A learner's shell: none of the test stack's settings, credentials only from the profile.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE \
  AWS_REGION AWS_DEFAULT_REGION STACK PORT TARGET EVENTLAB_OUTPUTS EVENTLAB_CREDENTIALS AUTO_APPROVE

say() { printf '\n>>> [rehearsal] %s\n' "$*"; }
fail() { printf '\nREHEARSAL FAILED: %s\n' "$*" >&2; exit 1; }
run() { printf '\n$ %s\n' "$*"; "$@"; }

stub_pid=""
cleanup() {
  [ -z "$stub_pid" ] || kill "$stub_pid" 2>/dev/null || true
  STACK=$emulator PORT=$port scripts/stack.sh stop >/dev/null
}
trap cleanup EXIT

say "a fresh MiniStack on 127.0.0.1:$port stands in for the AWS account (STAND-IN, not AWS)"
rm -rf ".state/$name" ".state/$emulator"
STACK=$emulator PORT=$port scripts/stack.sh stop >/dev/null
# On AWS, Cognito's unauthenticated InitiateAuth finds an app client in any account; the
# stand-in resolves unsigned calls in its default account, so that is the member account.
# Signed calls keep their own: the profile's key below is the base account's id.
start_stand_in() { MINISTACK_ACCOUNT_ID=$role_account STACK=$emulator PORT=$port scripts/stack.sh start; }
start_stand_in
mkdir -p "$state"

say "credentials as a learner's: profile 'lab' (base account $base_account) and OrganizationAccountAccessRole in $role_account"
export AWS_CONFIG_FILE=$root/$state/aws-config AWS_SHARED_CREDENTIALS_FILE=$root/$state/aws-credentials
cat >"$AWS_CONFIG_FILE" <<EOF
[profile lab]
region = us-east-1
EOF
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<EOF
[lab]
aws_access_key_id = $base_account
aws_secret_access_key = rehearsal/secret/not/a/real/key
EOF
export TF_VAR_region=us-east-1
export TF_VAR_aws_profile=lab
export TF_VAR_assume_role_arn=arn:aws:iam::$role_account:role/OrganizationAccountAccessRole
export TF_VAR_budget_email=learner@example.com
export TF_VAR_alarm_email=learner@example.com
export AWS_ENDPOINT_URL=http://127.0.0.1:$port
export AWS_STACK_NAME=$name
echo "AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL  (the one setting a real run does not have)"

say "facts API stand-in on 127.0.0.1 (the generator would call api.api-ninjas.com on AWS)"
key=rehearsal-$RANDOM$RANDOM
: >"$state/facts-keys" && rm -f "$state/facts-port"
python3 scripts/rehearsal/facts_stub.py --port-file "$state/facts-port" --keys-file "$state/facts-keys" \
  --expect "$key" --seconds 1800 &
stub_pid=$!
for _ in $(seq 1 50); do [ -s "$state/facts-port" ] && break; sleep 0.1; done
[ -s "$state/facts-port" ] || fail "the facts stub did not start"
export TF_VAR_facts_base_url=http://127.0.0.1:$(cat "$state/facts-port")

say "SUBSTITUTION: host (x86_64) zips, in $state/host-zips, stand where the arm64 zips go, because the stand-in runs bootstrap on this host"
export EVENTLAB_SUBSTITUTE_HOST_ZIPS=$root/$state/host-zips

say "make deploy (answering the confirmation with yes)"
if ! echo yes | run make --no-print-directory deploy; then
  # As on the emulators scripts/stack.sh starts itself: under the burst of a first apply the
  # provider now and then retries a create the stand-in had already carried out, and the
  # retry is refused as a duplicate. The stand-in holds nothing else yet, so it starts over
  # from empty, the state of what it held is dropped, and make deploy runs once more.
  grep -q 'AlreadyExists' "$state/terraform-apply.log" 2>/dev/null || fail "make deploy failed"
  say "the stand-in refused a create it had already carried out (a retried request); starting it over from empty and running make deploy once more"
  STACK=$emulator PORT=$port scripts/stack.sh stop
  rm -f "$state"/terraform.tfstate* "$state/outputs.json" "$state/inventory.json"
  start_stand_in
  echo yes | run make --no-print-directory deploy
fi
outputs=$state/outputs.json
account=$(jq -r .account_id.value "$outputs")
[ "$account" = "$role_account" ] || fail "the stack was applied to account $account, not the role's $role_account"
echo "stack applied to account $account (the role's)"

say "the base account holds nothing of the stack; the role's account holds all of it"
run env STACK=$name EVENTLAB_OUTPUTS="$outputs" target/debug/labctl leftovers --without-role
if env STACK=$name EVENTLAB_OUTPUTS="$outputs" target/debug/labctl leftovers >"$state/leftovers-deployed.log" 2>&1; then
  fail "the leftovers check found nothing in the role's account while the stack is deployed: it cannot be trusted"
fi
grep -c '^  ' "$state/leftovers-deployed.log" | sed 's/^/resources found in the role account while deployed (the check can fail): /'
# Every resource of the AWS-shaped stack (its budget and alarm e-mail included) is asked about and found.
grep -qE ' ([0-9]+) of its \1 resources' "$state/leftovers-deployed.log" && ! grep -q 'NOT checked' "$state/leftovers-deployed.log" ||
  fail "while deployed, the leftovers check did not find every resource: $(head -n 3 "$state/leftovers-deployed.log")"

say "make api-key-aws"
API_NINJAS_KEY=$key run make --no-print-directory api-key-aws

say "make curl-aws, and the curl it prints, run as printed (a learner pastes it)"
printed=$(make --no-print-directory -s curl-aws)
printf '%s\n' "$printed" | sed -E 's/(Bearer )[^"]+/\1<token>/'
bash -c "$printed" >"$state/curl.json"
jq -c '{requested, fact_source, lanes: [.lanes[] | {service, published: (.events | length), failures: (.failures | length)}]}' "$state/curl.json"
[ "$(jq -r '.requested' "$state/curl.json")" = 3 ] || fail "the printed curl did not publish 3 events: $(cat "$state/curl.json")"
[ "$(jq -r '[.lanes[] | select((.events | length) == 3 and (.failures | length) == 0)] | length' "$state/curl.json")" = 7 ] ||
  fail "the printed curl did not publish 3 events to each of the 7 lanes"
[ "$(jq -r .fact_source "$state/curl.json")" = api-ninjas ] ||
  fail "the generator did not use the stored API key (fact_source $(jq -r .fact_source "$state/curl.json"))"
grep -qx "$key" "$state/facts-keys" || fail "the facts API never saw the stored key"
echo "the printed curl published 3 events to every lane; the key stored with make api-key-aws reached the facts API"

say "make token-aws: the token's limits, and no token"
token=$(make --no-print-directory -s token-aws)
api=$(jq -r .api_url.value "$outputs")
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$api/sqs" -H 'content-type: application/json' -d '{"count": 1}')
[ "$status" = 401 ] || fail "POST /sqs without a token answered $status, not 401"
echo "401 without a token"
status=$(curl -s -o "$state/curl-cap.json" -w '%{http_code}' -X POST "$api/all" \
  -H "Authorization: Bearer $token" -H 'content-type: application/json' -d '{"count": 11}')
[ "$status" = 400 ] || fail "a request above max_events_per_request answered $status, not 400"
echo "400 above the per-request cap: $(jq -r .error "$state/curl-cap.json")"

say "make bench-aws (small)"
# The report it names (other benches may be writing theirs beside it: make test runs the
# README's commands on another stack meanwhile).
run make --no-print-directory bench-aws BENCH_ARGS="--events 20 --rate 20 --timeout 90" | tee "$state/bench-aws.log"
report=$(sed -n 's/^Report: //p' "$state/bench-aws.log" | tail -n 1)
[ -n "$report" ] && [ -f "$report" ] || fail "make bench-aws named no report"
report=$(dirname "$report")
[ "$(jq -r .environment "$report/summary.json")" != aws ] || fail "$report labels a stand-in emulator as AWS"
grep -q "not AWS" "$report/report.md" || fail "$report/report.md does not say it is not AWS"
grep -q "$AWS_ENDPOINT_URL" "$report/report.md" || fail "$report/report.md does not name the endpoint it ran against"
echo "report $report: labelled '$(jq -r .environment "$report/summary.json")' at $AWS_ENDPOINT_URL"

say "make destroy with the zips it deployed deleted (as a learner who cleaned dist/), answering yes"
rm -rf "$EVENTLAB_SUBSTITUTE_HOST_ZIPS"
echo yes | run make --no-print-directory destroy
run env STACK=$name EVENTLAB_OUTPUTS="$outputs" target/debug/labctl leftovers --without-role

say "PASSED: deploy, api key, token, curl, bench and destroy, in account $role_account through the role; nothing in $base_account"
