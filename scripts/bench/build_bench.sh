#!/usr/bin/env bash
# Clean-build time of deployctl at one or more git revisions, side by side:
#   scripts/bench/build_bench.sh [REV ...]      (default: HEAD)
# Each revision is checked out into a temporary worktree and configured and
# built from nothing (RelWithDebInfo, Ninja's default parallelism, no
# compiler cache), as scripts/build.sh does. Prints one line per revision:
# wall seconds, CPU seconds, and the number of compiler runs. On demand only
# (minutes per revision): not part of the test suite.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
(($#)) || set -- HEAD
work=$(mktemp -d /tmp/deployctl-build-bench.XXXXXX)
trap 'for d in "$work"/src-*; do [ -d "$d" ] && git -C "$REPO" worktree remove --force "$d"; done; rm -rf "$work"' EXIT
printf '%-12s %10s %10s %8s\n' revision wall_s cpu_s compiles
for rev in "$@"; do
  sha=$(git -C "$REPO" rev-parse --short "$rev")
  src="$work/src-$sha" build="$work/build-$sha"
  git -C "$REPO" worktree add --detach --quiet "$src" "$sha"
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  start=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$work/time-$sha" ninja -C "$build" >"$work/log-$sha" 2>&1 ||
    { echo "build of $rev failed: $work/log-$sha" >&2; tail -20 "$work/log-$sha" >&2; exit 1; }
  end=$(date +%s.%N)
  read -r user sys <"$work/time-$sha"
  compiles=$(grep -c 'Building CXX' "$work/log-$sha" || true)
  awk -v r="$sha" -v w="$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')" \
    -v c="$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')" -v n="$compiles" \
    'BEGIN{printf "%-12s %10.1f %10.1f %8d\n", r, w, c, n}'
done
