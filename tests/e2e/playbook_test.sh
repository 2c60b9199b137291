#!/usr/bin/env bash
# deployctl playbook against the three sandbox servers over real SSH:
# files created, templates rendered, a failing task marks only its host
# failed, blocks rescue, --check changes nothing, and bad input is refused
# with one clear error before any server is touched.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
testbed_up

FIX="$REPO/tests/e2e/fixtures/playbook"
WORK=$TEST_TMP
for h in web1 web2 web3; do ssh_host "$h" "rm -rf /tmp/deployctl-testbed/hosts/$h/e2e-site /tmp/deployctl-testbed/hosts/$h/e2e-marker"; done

# run NAME ARGS...: runs deployctl, keeps stdout/stderr/status in $WORK/NAME.*
run() {
  local name=$1; shift
  set +e
  "$DEPLOYCTL" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  echo $? >"$WORK/$name.rc"
  set -e
}
rc() { cat "$WORK/$1.rc"; }

echo "--- first run: web3 fails, web1/web2 complete"
run site playbook "$FIX/site.yml" -i "$SANDBOX_INV"
cat "$WORK/site.out"
assert_eq 1 "$(rc site)" "exit status when one host fails"
assert_contains "$(cat "$WORK/site.out")" "failed: [web3]"
assert_contains "$(cat "$WORK/site.err")" "deployctl: error: task 'fail on web3 only'"
assert_contains "$(cat "$WORK/site.err")" "web3"
grep -Eq '^web1 +: ok=[0-9]+ +changed=[1-9][0-9]* +unreachable=0 +failed=0 +skipped=1 +rescued=1' "$WORK/site.out" \
  || fail "recap for web1 wrong: $(grep '^web1 ' "$WORK/site.out")"
grep -Eq '^web3 +: .*failed=1' "$WORK/site.out" || fail "recap for web3 should show failed=1"

for h in web1 web2; do
  site=/tmp/deployctl-testbed/hosts/$h/e2e-site
  assert_eq "static content" "$(ssh_host $h cat $site/static.txt)" "copy on $h"
  assert_eq "640" "$(ssh_host $h stat -c %a $site/static.txt)" "copy mode on $h"
  assert_eq "750" "$(ssh_host $h stat -c %a $site)" "directory mode on $h"
  assert_contains "$(ssh_host $h cat $site/config.ini)" "name = $h"
  assert_eq "$site/config.ini" "$(ssh_host $h readlink $site/current.ini)" "link on $h"
  assert_eq "after" "$(ssh_host $h cat $site/after.txt)" "task after the failure ran on $h"
  assert_eq "rescued" "$(ssh_host $h cat $site/rescued.txt)" "rescue ran on $h"
  assert_eq "always" "$(ssh_host $h cat $site/always.txt)" "always ran on $h"
  ssh_host $h test ! -e $site/never.txt || fail "a task after a failure in a block ran on $h"
  assert_eq "web1" "$(ssh_host $h cat $site/first.txt)" "run_once result shared with $h"
done
ssh_host web3 test ! -e /tmp/deployctl-testbed/hosts/web3/e2e-site/after.txt \
  || fail "web3 went on after its failed task"

echo "--- second run: nothing changes on the healthy hosts"
run site2 playbook "$FIX/site.yml" -i "$SANDBOX_INV" -l 'web:!web3'
assert_eq 0 "$(rc site2)" "exit status of the rerun without web3: $(cat "$WORK/site2.err")"
grep -Eq '^web1 +: ok=[0-9]+ +changed=0 ' "$WORK/site2.out" \
  || fail "a rerun should change nothing, got: $(grep '^web1 ' "$WORK/site2.out")"

echo "--- --check changes nothing"
run check playbook "$FIX/marker.yml" -i "$SANDBOX_INV" --check
assert_eq 0 "$(rc check)" "--check exit status: $(cat "$WORK/check.err")"
assert_contains "$(cat "$WORK/check.out")" "changed: [web1]"
assert_contains "$(cat "$WORK/check.out")" "e2e-marker"
for h in web1 web2 web3; do
  ssh_host $h test ! -e /tmp/deployctl-testbed/hosts/$h/e2e-marker || fail "--check created a directory on $h"
done

echo "--- --output json"
run json playbook "$FIX/marker.yml" -i "$SANDBOX_INV" --check --output json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["stats"]["web2"]["changed"]==1, d["stats"]' "$WORK/json.out" \
  || fail "json output not parseable or wrong: $(head -c 500 "$WORK/json.out")"

echo "--- bad input: one clear error each, nothing changed"
run malformed playbook "$FIX/malformed.yml" -i "$SANDBOX_INV"
assert_eq 2 "$(rc malformed)" "malformed YAML exit status"
assert_contains "$(cat "$WORK/malformed.err")" "malformed.yml:"

run unknown_module playbook "$FIX/unknown_module.yml" -i "$SANDBOX_INV"
assert_eq 2 "$(rc unknown_module)" "unknown module exit status"
assert_contains "$(cat "$WORK/unknown_module.err")" "unknown_module.yml:4:7: unknown module or task keyword 'comand' (did you mean 'command'?)"

run unknown_arg playbook "$FIX/unknown_arg.yml" -i "$SANDBOX_INV"
assert_eq 2 "$(rc unknown_arg)" "unknown argument exit status"
assert_contains "$(cat "$WORK/unknown_arg.err")" "unknown_arg.yml:6:15: unknown argument 'stat' for module 'file' (did you mean 'state'?)"

run undefined playbook "$FIX/undefined_var.yml" -i "$SANDBOX_INV"
assert_eq 1 "$(rc undefined)" "undefined variable exit status"
assert_contains "$(cat "$WORK/undefined.err")" "no_such_variable"
assert_contains "$(cat "$WORK/undefined.err")" "undefined_var.yml:3:7"

run badflag playbook "$FIX/marker.yml" -i "$SANDBOX_INV" --frobnicate
assert_eq 2 "$(rc badflag)" "bad flag exit status"
assert_contains "$(cat "$WORK/badflag.err")" "deployctl: error:"
assert_contains "$(cat "$WORK/badflag.err")" "--frobnicate"

run badcmd deplyo
assert_eq 2 "$(rc badcmd)" "unknown command exit status"
assert_contains "$(cat "$WORK/badcmd.err")" "did you mean 'deploy'?"

echo "--- unknown host key: refused, fingerprint and how to accept it shown"
mkdir -p "$WORK/home/.ssh"
HOME="$WORK/home" run hostkey playbook "$FIX/marker.yml" -i "$SANDBOX_INV" -l web1
assert_eq 3 "$(rc hostkey)" "unknown host key exit status"
assert_contains "$(cat "$WORK/hostkey.out" "$WORK/hostkey.err")" "SHA256:"
assert_contains "$(cat "$WORK/hostkey.out" "$WORK/hostkey.err")" "ssh-keyscan"
ssh_host web1 test ! -e /tmp/deployctl-testbed/hosts/web1/e2e-marker || fail "ran despite an unknown host key"

echo "--- unreachable host: named, with the reason"
mkdir -p "$WORK/inv"
cat >"$WORK/inv/hosts.yml" <<INV
all:
  hosts:
    ghost:
      ansible_host: 127.0.0.11
      ansible_port: 2299
      ansible_user: root
      ansible_ssh_private_key_file: /tmp/deployctl-testbed/ssh/id_ed25519
INV
cat >"$WORK/ping.yml" <<PB
- hosts: all
  tasks:
    - command: "true"
PB
run unreachable playbook "$WORK/ping.yml" -i "$WORK/inv"
assert_eq 3 "$(rc unreachable)" "unreachable exit status"
assert_contains "$(cat "$WORK/unreachable.err")" "ghost"
assert_contains "$(cat "$WORK/unreachable.out")" "unreachable: [ghost]"

echo "PASS playbook_test"
