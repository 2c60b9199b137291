#!/usr/bin/env bash
# Benchmark (issue 3): deployctl's database backup, verification included,
# against the bare `pg_dump -Fc -Z0 | zstd -3` pipeline on the same server.
#
#   scripts/bench/backup_bench.sh            run the benchmark
#   scripts/bench/backup_bench.sh cleanup    remove the benchmark app (containers, volume, files)
#
# Environment:
#   BENCH_DB_MB=1024   database size to generate (reused when already about that size)
#   BENCH_RUNS=3       timed runs of each side; the median is reported
#   BENCH_MODE=auto    auto | cli | playbook: how deployctl takes the backup.
#                      cli: `deployctl db backup app=benchapp`; playbook: a
#                      playbook with the db_backup module (kind: manual) run
#                      by `deployctl playbook`; auto: cli, or playbook while
#                      `db backup` is not implemented.
#   DEPLOYCTL=PATH     the binary (default: build-bench/deployctl, then build/deployctl)
#   BENCH_DIR=/tmp/deployctl-bench   controller-side working files
#   BENCH_SKIP_TESTBED=1   do not call scripts/testbed.sh up
#
# The database is the sample app deployed as `benchapp` to web1 (see
# benchapp.sh). Both sides are timed end to end on the controller (SSH
# connection included); they run alternately, after one untimed warm-up run
# of each. The target compares deployctl (dump, checksum, verification,
# manifest) with the bare dump alone; for where the difference goes, the bare
# side's dump is then also checked by hand as deployctl checks its own
# (`zstd -dc | pg_restore -f /dev/null` in the container), timed apart
# (verify_s) and reported as bare+verify. Every backup file a run makes is deleted after it is measured, so
# disk use stays at about one compressed dump. Runs on demand only: never in
# CI or ctest. See docs/benchmarks.md.
set -euo pipefail
BENCH_NAME=backup_bench
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/benchapp.sh"

case ${1:-run} in
  run) ;;
  cleanup) benchapp_cleanup; exit 0 ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) bench_die "unknown argument '$1' (run | cleanup)" ;;
esac

BENCH_MODE=${BENCH_MODE:-auto}
[[ $BENCH_MODE =~ ^(auto|cli|playbook)$ ]] || bench_die "BENCH_MODE must be auto, cli or playbook"
bench_check_runs
bench_find_deployctl
bench_testbed_up
benchapp_ensure_running
benchapp_ensure_data

BACKUPS=$BENCHAPP_ROOT/backups
BARE_DIR=$BENCHAPP_ROOT/bench
BARE_FILE=$BARE_DIR/bare.dump.zst
LOGS=$BENCH_DIR/logs
mkdir -p "$LOGS"

cat >"$BENCHAPP_PROJECT/backup.yml" <<YAML
# Written by scripts/bench/backup_bench.sh: a manual backup of $BENCHAPP
# with the db_backup module (dump, compress, checksum, verify, manifest).
- name: benchmark backup
  hosts: $BENCHAPP_HOST
  gather_facts: false
  tasks:
    - name: manual backup of $BENCHAPP
      db_backup: { app: $BENCHAPP, kind: manual }
YAML

backup_names() { bench_ssh "$BENCHAPP_ADDR" "ls -1 '$BACKUPS' 2>/dev/null || true" | sort; }

# deployctl_backup LOG: one deployctl backup; prints "SECONDS BYTES FILE",
# then removes the files the run made.
MODE=$BENCH_MODE
deployctl_backup() {
  local log=$1 before after new started t rc=0 file size
  before=$(backup_names)
  started=$(bench_now)
  if [[ $MODE == playbook ]]; then
    benchapp_deployctl playbook backup.yml >"$log" 2>&1 || rc=$?
  else
    benchapp_deployctl db backup "app=$BENCHAPP" >"$log" 2>&1 || rc=$?
  fi
  t=$(bench_elapsed "$started")
  after=$(backup_names)
  new=$(comm -13 <(echo "$before") <(echo "$after"))
  if ((rc != 0)); then
    [[ -n $new ]] && bench_ssh "$BENCHAPP_ADDR" "cd '$BACKUPS' && rm -f -- $(bench_list $new)"
    return "$rc"
  fi
  file=$(grep -E '\.(dump\.zst|dump\.gz|sql\.gz)$' <<<"$new" | head -n1 || true)
  [[ -n $file ]] || { echo "no new backup file in $BACKUPS after the run" >>"$log"; return 1; }
  size=$(bench_ssh "$BENCHAPP_ADDR" "stat -c %s '$BACKUPS/$file' && cd '$BACKUPS' && rm -f -- $(bench_list $new)")
  echo "$t $size $file"
}

# bare_backup: the bare pipeline on the server, then (timed apart) the same
# read-to-the-end check deployctl makes, done by hand: `zstd -dc file |
# pg_restore -f /dev/null` in the container. Prints "DUMP_S BYTES VERIFY_S".
bare_backup() {
  local started t1 t2 size
  started=$(bench_now)
  bench_ssh "$BENCHAPP_ADDR" bash -s <<SH || bench_die "the bare pipeline failed on $BENCHAPP_HOST"
set -euo pipefail
$BENCHAPP_COMPOSE_PROBE
mkdir -p $BARE_DIR
cd $BENCHAPP_ROOT/current
\$c -p $BENCHAPP exec -T postgres pg_dump -Fc -Z0 -U $BENCHAPP_DB_USER -d $BENCHAPP_DB </dev/null | zstd -3 -q >$BARE_FILE
SH
  t1=$(bench_now)
  bench_ssh "$BENCHAPP_ADDR" bash -s <<SH || bench_die "the bare verification (zstd -dc | pg_restore -f /dev/null) failed on $BENCHAPP_HOST"
set -euo pipefail
$BENCHAPP_COMPOSE_PROBE
cd $BENCHAPP_ROOT/current
zstd -dc -q $BARE_FILE | \$c -p $BENCHAPP exec -T postgres pg_restore -f /dev/null
SH
  t2=$(bench_now)
  size=$(bench_ssh "$BENCHAPP_ADDR" "stat -c %s '$BARE_FILE' && rm -f -- '$BARE_FILE'")
  awk -v a="$started" -v b="$t1" -v c="$t2" -v s="$size" 'BEGIN { printf "%.3f %s %.3f\n", b - a, s, c - b }'
}

# Warm-up (untimed): page cache, images, and which deployctl command works.
bench_log "warm-up: one untimed run of each side"
if [[ $MODE != playbook ]]; then
  if out=$(deployctl_backup "$LOGS/backup-warmup.log"); then
    MODE=cli
  elif [[ $BENCH_MODE == auto ]] && grep -q 'not implemented' "$LOGS/backup-warmup.log"; then
    bench_log "\`deployctl db backup\` is not implemented in this build ($(grep -m1 'not implemented' "$LOGS/backup-warmup.log")); using \`deployctl playbook\` with the db_backup module"
    MODE=playbook
  else
    cat "$LOGS/backup-warmup.log" >&2
    bench_die "deployctl db backup app=$BENCHAPP failed (output above, also in $LOGS/backup-warmup.log)"
  fi
fi
if [[ $MODE == playbook ]]; then
  deployctl_backup "$LOGS/backup-warmup.log" >/dev/null || {
    cat "$LOGS/backup-warmup.log" >&2
    bench_die "deployctl playbook backup.yml failed (output above, also in $LOGS/backup-warmup.log)"
  }
fi
bare_backup >/dev/null

if [[ $MODE == cli ]]; then
  DEPLOYCTL_WHAT="deployctl db backup app=$BENCHAPP"
else
  DEPLOYCTL_WHAT="deployctl playbook backup.yml (db_backup, kind: manual)"
fi
db_bytes=$(benchapp_db_bytes)
echo "database: $BENCHAPP_DB on $BENCHAPP_HOST, $((db_bytes / 1048576)) MB (pg_database_size), $(benchapp_row_count) + $(benchapp_psql -c 'SELECT count(*) FROM bench_events') rows"
echo "deployctl: $DEPLOYCTL_WHAT ($("$DEPLOYCTL" --version 2>/dev/null | head -n1))"
echo "bare:      docker-compose exec -T postgres pg_dump -Fc -Z0 | zstd -3 > file (over ssh)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %12s %8s %10s %8s %10s %14s\n' run deployctl_s MB bare_s MB verify_s bare+verify_s
d_times=() b_times=() v_times=() bv_times=() d_size=0 b_size=0
for ((i = 1; i <= BENCH_RUNS; i++)); do
  read -r dt d_size _ < <(deployctl_backup "$LOGS/backup-run$i.log" || echo FAIL) || true
  if [[ ${dt:-FAIL} == FAIL ]]; then
    cat "$LOGS/backup-run$i.log" >&2
    bench_die "deployctl backup run $i failed (output above, also in $LOGS/backup-run$i.log)"
  fi
  read -r bt b_size vt < <(bare_backup)
  bvt=$(awk -v a="$bt" -v b="$vt" 'BEGIN { printf "%.3f", a + b }')
  d_times+=("$dt") b_times+=("$bt") v_times+=("$vt") bv_times+=("$bvt")
  printf '%-4s %12s %8s %10s %8s %10s %14s\n' "$i" "$dt" "$((d_size / 1048576))" "$bt" "$((b_size / 1048576))" "$vt" "$bvt"
done
dm=$(bench_median "${d_times[@]}")
bm=$(bench_median "${b_times[@]}")
ratio=$(bench_ratio "$dm" "$bm")
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.25) ? "within target" : "OVER target" }')
bvm=$(bench_median "${bv_times[@]}")
echo "median deployctl backup (verified):          ${dm} s"
echo "median bare pipeline:                        ${bm} s"
echo "median bare pipeline + the same check by hand: ${bvm} s"
echo "ratio deployctl/bare: ${ratio}x (target <= 1.25x: $verdict); deployctl/(bare + check): $(bench_ratio "$dm" "$bvm")x"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
