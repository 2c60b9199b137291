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

# The sample app: a busybox httpd serving the release's files, and
# PostgreSQL 15, both under docker compose on web1. Its config is
# apps.sampleapp in inventories/sandbox/group_vars/all.yml;
# examples/sampleapp/deployctl.yml points deployctl at that inventory.
cd "$REPO/examples/sampleapp"
[[ $DEPLOYCTL == /* ]] || DEPLOYCTL=$REPO/$DEPLOYCTL
URL=http://127.0.0.1:18081/
db() { # db SQL: psql in the sample app's database container
  docker exec -i "$(docker ps -q --filter label=com.docker.compose.project=sampleapp \
    --filter label=com.docker.compose.service=postgres)" \
    psql -X -q -t -A -U app -p 55432 -d sampleapp -v ON_ERROR_STOP=1 -c "$1"
}

# A fresh start: an earlier demo's sample app (its containers, volumes and
# deploy root on web1) is removed, so the demo shows a first deploy every
# time (and not, say, a deploy refused because that run's database
# container was stopped by a reboot).
for id in $(docker ps -aq --filter label=com.docker.compose.project=sampleapp); do
  docker rm -f "$id" >/dev/null
done
for volume in $(docker volume ls -q --filter label=com.docker.compose.project=sampleapp); do
  docker volume rm "$volume" >/dev/null
done
rm -rf "${DEPLOYCTL_TESTBED:-/tmp/deployctl-testbed}/hosts/web1/srv/sampleapp"

banner "demo: deploy v1 of the sample app (from examples/sampleapp: no -i needed)"
show "$DEPLOYCTL" deploy app=sampleapp version=v1
show curl -fsS "$URL"

banner "demo: the app writes data (into the table its migration created)"
show db "INSERT INTO visits (page) VALUES ('/'), ('/about')"

banner "demo: deploy v2: a verified database backup first, then the switch"
sleep 1 # release ids are epoch seconds
show "$DEPLOYCTL" deploy app=sampleapp version=v2
show curl -fsS "$URL"
show "$DEPLOYCTL" releases app=sampleapp
show "$DEPLOYCTL" status app=sampleapp

banner "demo: roll the code back to v1"
show "$DEPLOYCTL" rollback app=sampleapp
show curl -fsS "$URL"

banner "demo: deploy v2 again; the app writes more; roll back code and database"
sleep 1
show "$DEPLOYCTL" deploy app=sampleapp version=v2
show db "INSERT INTO visits (page) VALUES ('/written-after-v2')"
show db "SELECT count(*) FROM visits"
show "$DEPLOYCTL" db list app=sampleapp
show "$DEPLOYCTL" rollback app=sampleapp --restore-database --yes
show curl -fsS "$URL"
echo "(the row written after v2 went live is gone: the database is as it was before v2)"
show db "SELECT count(*) FROM visits"

banner "done"
echo "The test bed keeps running; stop it with: scripts/testbed.sh down"
