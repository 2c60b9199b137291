#!/usr/bin/env bash
# The demo: install dependencies, build, bring the test bed up (three sandbox
# servers on loopback, Docker, local images), then show deployctl at work
# against inventories/sandbox.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${DEPLOYCTL_BUILD_DIR:-$REPO/build}
cd "$REPO"

banner() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { # show CMD...: print the command, then run it
  printf '\n$ %s\n' "$*"
  "$@"
}

# ------------------------------------------------------------------ setup
banner "setup: dependencies, build, test bed"
"$REPO/scripts/install-deps.sh"
DEPLOYCTL_BUILD_DIR=$BUILD_DIR "$REPO/scripts/build.sh" >/dev/null
"$REPO/scripts/testbed.sh" up
DEPLOYCTL=$BUILD_DIR/deployctl
INV=inventories/sandbox
[[ $BUILD_DIR == "$REPO/build" ]] && DEPLOYCTL=build/deployctl

# ------------------------------------------------------------------- demo
banner "demo: the sandbox inventory"
show "$DEPLOYCTL" inventory --graph -i "$INV"

banner "demo: run a playbook on web1..web3"
show "$DEPLOYCTL" playbook playbooks/examples/hello.yml -i "$INV"

banner "done"
echo "The test bed keeps running; stop it with: scripts/testbed.sh down"
