# Shared helpers for the benchmark scripts in scripts/bench/ (sourced, not run).
# Benchmarks run on demand against the test bed (scripts/testbed.sh up);
# they are never part of CI or ctest. See docs/benchmarks.md.

BENCH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_TESTBED=${DEPLOYCTL_TESTBED:-/tmp/deployctl-testbed}
BENCH_KEY=$BENCH_TESTBED/ssh/id_ed25519
BENCH_DIR=${BENCH_DIR:-/tmp/deployctl-bench}
BENCH_RUNS=${BENCH_RUNS:-3}

bench_log() { printf '%s: %s\n' "${BENCH_NAME:-bench}" "$*" >&2; }
bench_die() { printf '%s: error: %s\n' "${BENCH_NAME:-bench}" "$*" >&2; exit 1; }

# The deployctl binary: $DEPLOYCTL, else the first one built in the checkout.
bench_find_deployctl() {
  if [[ -n ${DEPLOYCTL:-} ]]; then
    [[ -x $DEPLOYCTL ]] || bench_die "DEPLOYCTL=$DEPLOYCTL is not an executable"
    DEPLOYCTL=$(cd "$(dirname "$DEPLOYCTL")" && pwd)/$(basename "$DEPLOYCTL")
    return
  fi
  local d
  for d in build-bench build; do
    if [[ -x $BENCH_REPO/$d/deployctl ]]; then DEPLOYCTL=$BENCH_REPO/$d/deployctl; return; fi
  done
  bench_die "no deployctl binary: build one (scripts/build.sh) or set DEPLOYCTL=PATH"
}

# Starts whatever part of the test bed is not running (idempotent, quick when up).
bench_testbed_up() {
  if [[ ${BENCH_SKIP_TESTBED:-0} != 1 ]]; then
    "$BENCH_REPO/scripts/testbed.sh" up >&2 || bench_die "scripts/testbed.sh up failed"
  fi
  [[ -s $BENCH_KEY ]] || bench_die "no test bed key $BENCH_KEY: run scripts/testbed.sh up"
}

# bench_ssh ADDR CMD...: run a shell command on a sandbox host, strict host keys.
bench_ssh() {
  local addr=$1
  shift
  ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes \
    -o ConnectTimeout=10 -o LogLevel=ERROR -i "$BENCH_KEY" -p 2222 "root@$addr" "$@"
}

bench_now() { date +%s.%N; }
bench_elapsed() { awk -v a="$1" -v b="$(bench_now)" 'BEGIN { printf "%.3f", b - a }'; }

# bench_median X...: the median (mean of the two middle values for an even count).
bench_median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR == 0) exit 1
          if (NR % 2) printf "%.3f", v[(NR + 1) / 2]
          else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
bench_list() { local IFS=' '; echo "$*"; }

bench_check_runs() {
  [[ $BENCH_RUNS =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_RUNS must be a positive integer (got '$BENCH_RUNS')"
}

bench_disk_check() { # bench_disk_check MB: refuse to start without MB free in /tmp
  local free_mb
  free_mb=$(df -Pm /tmp | awk 'NR == 2 { print $4 }')
  ((free_mb >= $1)) || bench_die "only ${free_mb} MB free in /tmp; this run needs about $1 MB"
}
