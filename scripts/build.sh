#!/usr/bin/env bash
# Configure and build deployctl with CMake + Ninja (RelWithDebInfo) into
# build/ (or $DEPLOYCTL_BUILD_DIR), warnings as errors, then print the
# binary's path.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${DEPLOYCTL_BUILD_DIR:-$REPO/build}
BUILD_TYPE=${CMAKE_BUILD_TYPE:-RelWithDebInfo}
# Warnings are errors here (and so in CI); DEPLOYCTL_WERROR=OFF to build anyway.
WERROR=${DEPLOYCTL_WERROR:-ON}

cmake -S "$REPO" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
  -DDEPLOYCTL_WERROR="$WERROR" >&2
ninja -C "$BUILD_DIR" >&2

bin="$BUILD_DIR/deployctl"
[[ -x $bin ]] || { echo "build: error: $bin was not produced" >&2; exit 1; }
echo "$bin"
