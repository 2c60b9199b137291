# shellcheck shell=bash
# Shared helpers for the bash end-to-end tests (tests/e2e/*_test.sh).
# Source it first:   . "$(dirname "$0")/lib.sh"
#
# Variables: REPO, DEPLOYCTL (the binary), TESTBED (test bed state dir),
#            SANDBOX_INV (inventories/sandbox), TEST_TMP (a temp dir per test,
#            removed on exit unless DEPLOYCTL_KEEP_TMP is set), SANDBOX_KEY
#            (the test bed's client key).
# An end-to-end test never skips: if the test bed or a tool is missing, it FAILS.

set -euo pipefail
set -E # the ERR trap below also fires inside functions

REPO=${DEPLOYCTL_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
DEPLOYCTL=${DEPLOYCTL_BIN:-$REPO/build/deployctl}
TESTBED=${DEPLOYCTL_TESTBED:-/tmp/deployctl-testbed}
SANDBOX_INV=$REPO/inventories/sandbox
SANDBOX_KEY=$TESTBED/ssh/id_ed25519
SANDBOX_PORT=2222
declare -A SANDBOX_ADDR=([web1]=127.0.0.11 [web2]=127.0.0.12 [web3]=127.0.0.13)
TEST_NAME=$(basename "$0" .sh)
export REPO DEPLOYCTL TESTBED SANDBOX_INV

# ------------------------------------------------------------------ failing

# _e2e_where: file:line of the test code that called into lib.sh.
_e2e_where() {
  local i
  for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
    if [[ ${BASH_SOURCE[$i]} != "${BASH_SOURCE[0]}" ]]; then
      echo "${BASH_SOURCE[$i]}:${BASH_LINENO[$((i - 1))]}"
      return
    fi
  done
  echo "?"
}

# fail MESSAGE...: print where and what failed, exit 1.
fail() {
  printf '\nFAIL [%s] %s: %s\n' "$TEST_NAME" "$(_e2e_where)" "$*" >&2
  : >"$_E2E_FAILED_MARK" 2>/dev/null || true # also seen from subshells
  exit 1
}

# Any other failing command aborts the test (set -e); say which one, once.
_e2e_on_err() {
  local rc=$1 line=$2 cmd=$3
  [[ $- == *e* ]] || return 0 # under `set +e` a failure is the test's business
  [[ -e $_E2E_FAILED_MARK ]] && return 0
  : >"$_E2E_FAILED_MARK" 2>/dev/null || true
  printf '\nFAIL [%s] %s:%s: command exited %s: %s\n' "$TEST_NAME" "${BASH_SOURCE[1]:-$0}" "$line" "$rc" "$cmd" >&2
}
trap '_e2e_on_err $? $LINENO "$BASH_COMMAND"' ERR

# ---------------------------------------------------- temp dir and cleanup

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/deployctl-e2e.${TEST_NAME}.XXXXXX")
_E2E_FAILED_MARK=$TEST_TMP/.failed
_E2E_CLEANUP=()

# on_exit COMMAND...: run COMMAND when the test exits (last registered runs first).
on_exit() {
  local q
  printf -v q '%q ' "$@"
  _E2E_CLEANUP+=("$q")
}

_e2e_exit() {
  local rc=$? i
  set +e
  trap - ERR
  for ((i = ${#_E2E_CLEANUP[@]} - 1; i >= 0; i--)); do
    eval "${_E2E_CLEANUP[$i]}" >/dev/null 2>&1
  done
  if [[ -n ${DEPLOYCTL_KEEP_TMP:-} ]]; then
    echo "[$TEST_NAME] temp dir kept: $TEST_TMP" >&2
  else
    rm -rf "$TEST_TMP"
  fi
  if ((rc == 0)); then
    printf 'PASS [%s]\n' "$TEST_NAME"
  else
    printf 'FAILED [%s] (exit %s)\n' "$TEST_NAME" "$rc" >&2
  fi
  exit "$rc"
}
trap _e2e_exit EXIT

# step TEXT: say what the test does next (with seconds since it started).
step() { printf '[%s +%ss] %s\n' "$TEST_NAME" "$SECONDS" "$*"; }

# ------------------------------------------------------------------ asserts

assert_eq() { # assert_eq EXPECTED ACTUAL [WHAT]
  [[ $1 == "$2" ]] || fail "${3:-values differ}: expected [$1], got [$2]"
}

assert_ne() { # assert_ne UNEXPECTED ACTUAL [WHAT]
  [[ $1 != "$2" ]] || fail "${3:-values are equal}: did not expect [$1]"
}

assert_contains() { # assert_contains HAYSTACK NEEDLE [WHAT]
  [[ $1 == *"$2"* ]] || fail "${3:-text does not contain [$2]}: expected [$2] in:
$1"
}

assert_not_contains() { # assert_not_contains HAYSTACK NEEDLE [WHAT]
  [[ $1 != *"$2"* ]] || fail "${3:-text contains [$2]}: did not expect [$2] in:
$1"
}

assert_matches() { # assert_matches TEXT ERE [WHAT]
  [[ $1 =~ $2 ]] || fail "${3:-text does not match /$2/}: got:
$1"
}

assert_file_exists() { [[ -f $1 ]] || fail "${2:-file missing}: $1"; }
assert_dir_exists() { [[ -d $1 ]] || fail "${2:-directory missing}: $1"; }
assert_symlink() { [[ -L $1 ]] || fail "${2:-not a symlink}: $1"; }
assert_not_exists() { [[ ! -e $1 && ! -L $1 ]] || fail "${2:-should not exist}: $1"; }

# run COMMAND...: run without aborting; sets $status, $output (stdout+stderr),
# $stdout and $stderr.
status=0 output='' stdout='' stderr=''
run() {
  local out=$TEST_TMP/.run.out err=$TEST_TMP/.run.err
  status=0
  "$@" >"$out" 2>"$err" || status=$?
  stdout=$(cat "$out")
  stderr=$(cat "$err")
  output=$stdout${stdout:+${stderr:+$'\n'}}$stderr
  return 0
}

assert_success() { # assert_success COMMAND...: runs it; fails with its output if non-zero
  run "$@"
  ((status == 0)) || fail "command failed (exit $status): $*
$output"
}

assert_status() { # assert_status EXPECTED COMMAND...
  local want=$1; shift
  run "$@"
  ((status == want)) || fail "expected exit $want, got $status: $*
$output"
}

assert_failure() { # assert_failure COMMAND...: must exit non-zero
  run "$@"
  ((status != 0)) || fail "command succeeded but should have failed: $*
$output"
}

# wait_until SECONDS WHAT COMMAND...: poll COMMAND until it succeeds.
wait_until() {
  local secs=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out after ${secs}s waiting for $what"
    sleep 0.5
  done
}

# -------------------------------------------------------------- test bed

# testbed_up: bring the test bed up (quick when it already is). A test bed
# that does not come up is a test failure, never a skip.
testbed_up() {
  if ! "$REPO/scripts/testbed.sh" up >"$TEST_TMP/.testbed-up.log" 2>&1; then
    cat "$TEST_TMP/.testbed-up.log" >&2
    fail "the test bed did not come up (scripts/testbed.sh up failed; output above)"
  fi
}

require_deployctl() {
  [[ -x $DEPLOYCTL ]] || fail "deployctl binary not found at $DEPLOYCTL (build it: scripts/build.sh, or set DEPLOYCTL_BIN)"
}

sandbox_addr() { # sandbox_addr NAME: the loopback address of web1..web3
  [[ -n ${SANDBOX_ADDR[$1]:-} ]] || fail "unknown sandbox host: $1"
  echo "${SANDBOX_ADDR[$1]}"
}

sandbox_root() { echo "$TESTBED/hosts/$1"; } # a host's deploy root

# ssh_host NAME CMD...: run a shell command on a sandbox host with the system
# ssh client (strict host key checking, the test bed key). Like ssh, the
# words of CMD are joined and run by the remote shell. Stdin is passed on.
ssh_host() {
  local name=$1 addr
  shift
  addr=$(sandbox_addr "$name")
  ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes \
    -o ConnectTimeout=10 -o LogLevel=ERROR -i "$SANDBOX_KEY" -p "$SANDBOX_PORT" \
    "root@$addr" -- "$@"
}

# free_port [START]: print a TCP port free on loopback, from START (default 20000).
free_port() {
  local p=${1:-20000}
  while ss -Htln "sport = :$p" | grep -q .; do p=$((p + 1)); done
  echo "$p"
}

# compose: docker-compose (v1, Debian 12) or `docker compose` (v2), whichever exists.
compose() {
  if command -v docker-compose >/dev/null; then
    docker-compose "$@"
  else
    docker compose "$@"
  fi
}

# ---------------------------------------------------------- sample app

# sampleapp_project DIR APP APP_PORT DB_PORT [DB_PASSWORD]: a deploy project for
# examples/sampleapp in DIR: deployctl.yml, an inventory (inv/) that deploys
# app APP to web1 with compose project APP, the app on APP_PORT and its
# PostgreSQL on DB_PORT, templates/env.j2, and the code in DIR/src (v1).
# Tests edit DIR/inv/group_vars/all.yml or DIR/src to vary it.
sampleapp_project() {
  local dir=$1 app=$2 app_port=$3 db_port=$4 db_password=${5:-e2e-Secret-pw}
  mkdir -p "$dir/inv/group_vars"
  cp -r "$REPO/examples/sampleapp/templates" "$dir/"
  rm -rf "$dir/src"
  cp -r "$REPO/examples/sampleapp/v1" "$dir/src"
  echo "inventory: inv" >"$dir/deployctl.yml"
  cat >"$dir/inv/hosts.yml" <<INV
all:
  children:
    web:
      hosts:
        web1: { ansible_host: $(sandbox_addr web1) }
INV
  cat >"$dir/inv/group_vars/all.yml" <<VARS
ansible_port: $SANDBOX_PORT
ansible_user: root
ansible_ssh_private_key_file: $SANDBOX_KEY
sampleapp_app_port: $app_port
sampleapp_db_port: $db_port
sampleapp_db_password: $db_password
apps:
  $app:
    root: "$TESTBED/hosts/{{ inventory_hostname }}/srv/$app"
    keep_releases: 5
    source: { type: dir, path: ./src }
    templates: [{ src: env.j2, dest: .env }]
    compose: { project: $app }
    database: { service: postgres, name: sampleapp, user: app, keep_backups: 3 }
    healthcheck: { url: "http://127.0.0.1:$app_port/health", timeout: 20 }
VARS
}

# compose_project_rm PROJECT: remove the containers and volumes of a compose
# project (by label, so no compose file is needed).
compose_project_rm() {
  local ids
  ids=$(docker ps -aq --filter "label=com.docker.compose.project=$1")
  [[ -z $ids ]] || docker rm -f $ids >/dev/null
  ids=$(docker volume ls -q --filter "label=com.docker.compose.project=$1")
  [[ -z $ids ]] || docker volume rm $ids >/dev/null
}

# container_of PROJECT SERVICE: the id of the service's running container.
container_of() {
  docker ps -q --filter "label=com.docker.compose.project=$1" \
    --filter "label=com.docker.compose.service=$2"
}
