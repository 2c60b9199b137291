#!/usr/bin/env bash
# Run every test: install dependencies, build, bring the test bed up, ctest.
# Works as root on a fresh Debian 12 machine from a fresh clone. The exit
# status is ctest's. Extra arguments go to ctest (e.g. -L unit, -R testbed).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${DEPLOYCTL_BUILD_DIR:-$REPO/build}
cd "$REPO"

echo "== install dependencies"
"$REPO/scripts/install-deps.sh"

echo "== build"
DEPLOYCTL_BUILD_DIR=$BUILD_DIR "$REPO/scripts/build.sh"

echo "== test bed"
"$REPO/scripts/testbed.sh" up

echo "== ctest"
status=0
ctest --test-dir "$BUILD_DIR" --output-on-failure "$@" || status=$?
exit "$status"
