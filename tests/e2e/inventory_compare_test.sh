#!/usr/bin/env bash
# `deployctl inventory --list/--graph` must print what `ansible-inventory`
# prints for every example inventory (read as a directory and as its hosts
# file). Needs no test bed: only the deployctl binary and ansible-core.
set -euo pipefail

REPO="${DEPLOYCTL_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
DEPLOYCTL="${DEPLOYCTL_BIN:-$REPO/build/deployctl}"

fail() {
  echo "inventory_compare_test: FAIL: $*" >&2
  exit 1
}

[[ -x "$DEPLOYCTL" ]] || fail "no deployctl binary at $DEPLOYCTL (set DEPLOYCTL_BIN)"
command -v ansible-inventory >/dev/null || fail "ansible-inventory is not installed (apt-get install ansible-core)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Run both tools from an empty directory with an empty ansible.cfg, so that
# neither picks up a deployctl.yml, ansible.cfg or group_vars/ from the cwd.
cd "$work"
: >ansible.cfg
export ANSIBLE_CONFIG="$work/ansible.cfg" ANSIBLE_NOCOLOR=1

# JSON with every list sorted, so that only content is compared.
normalise_json() {
  python3 -c '
import json, sys
def norm(v):
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return sorted((norm(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))
    return v
print(json.dumps(norm(json.load(open(sys.argv[1]))), indent=2, sort_keys=True))
' "$1"
}

compare() {  # name expected actual
  if ! diff -u --label "ansible-inventory $1" --label "deployctl inventory $1" "$2" "$3"; then
    fail "deployctl and ansible-inventory differ for $1 (diff above)"
  fi
}

checked=0
for dir in "$REPO"/inventories/examples/*/; do
  dir="${dir%/}"
  hosts_file="$(find "$dir" -maxdepth 1 -type f -name 'hosts*' | sort | head -n1)"
  [[ -n "$hosts_file" ]] || fail "$dir has no hosts file"
  for source in "$dir" "$hosts_file"; do
    name="${source#"$REPO"/}"
    ansible-inventory -i "$source" --list >ansible.json 2>ansible.err ||
      { cat ansible.err >&2; fail "ansible-inventory --list failed on $name"; }
    "$DEPLOYCTL" inventory --list -i "$source" >deployctl.json ||
      fail "deployctl inventory --list failed on $name"
    normalise_json ansible.json >ansible.norm
    normalise_json deployctl.json >deployctl.norm
    compare "--list -i $name" ansible.norm deployctl.norm

    ansible-inventory -i "$source" --graph >ansible.graph 2>ansible.err ||
      { cat ansible.err >&2; fail "ansible-inventory --graph failed on $name"; }
    "$DEPLOYCTL" inventory --graph -i "$source" >deployctl.graph ||
      fail "deployctl inventory --graph failed on $name"
    compare "--graph -i $name" ansible.graph deployctl.graph
    checked=$((checked + 1))
  done
done
[[ $checked -ge 4 ]] || fail "expected at least the yaml and ini examples, checked $checked sources"
echo "inventory_compare_test: OK ($checked inventory sources match ansible-inventory)"
