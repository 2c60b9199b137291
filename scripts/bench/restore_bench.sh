#!/usr/bin/env bash
# Benchmark (issue 4): `deployctl db restore` of a ~1 GB database against a
# bare `pg_restore -j2` of the same file into a fresh database on the same
# server, and how long the live database was unavailable during deployctl's
# restore.
#
#   scripts/bench/restore_bench.sh            run the benchmark
#   scripts/bench/restore_bench.sh cleanup    remove the benchmark app (as backup_bench.sh cleanup)
#
# Uses the same benchmark app and database as backup_bench.sh (benchapp.sh:
# `benchapp` on web1, BENCH_DB_MB, default 1024). Steps:
#   1. a named backup `bench-restore` of the live database, taken fresh by
#      `deployctl db backup --name bench-restore` (an older one is replaced);
#   2. each run (BENCH_RUNS, default 3; the median is reported), alternately:
#      a. deployctl: `deployctl db restore app=benchapp bench-restore --yes`,
#         timed end to end on the controller (it verifies the backup while
#         staging it, restores beside the live database, ANALYZEs, compares
#         row counts, swaps by rename, restarts the app, health check, then
#         takes the safety backup of the replaced database while the app
#         serves). Also printed: the time until the restored database was
#         live and the app healthy (from the time-stamped log: the start of
#         the safety backup task). Meanwhile two background loops on the controller probe,
#         every 50 ms plus the probe's own time, the live database (a new
#         connection each time: `psql -c 'SELECT 1'`) and the app's health
#         URL (curl): the longest run of failed probes, from the first
#         failure to the next success, is the measured unavailability of
#         each (resolution: the mean probe spacing, printed). deployctl's own
#         figure (`app services were stopped for N s`) is printed beside it.
#         deployctl runs with -v and its log lines are time-stamped
#         ($BENCH_DIR/logs/restore-deployctl-run<i>.log) for a breakdown. Afterwards the replaced database
#         (benchapp__before_<ts>) is dropped and the safety backup deleted, so
#         disk use stays bounded;
#      b. bare: on the server, `zstd -dc` of the same backup file into a file
#         inside the postgres container plus CREATE DATABASE (one
#         `docker-compose exec`), then `pg_restore -j2 --exit-on-error` of
#         that file into the fresh database (a second one), each timed from
#         the controller; the scratch database and file are removed after.
#         Reported: pg_restore -j2 alone, and the whole (decompress, create,
#         restore), which is the work deployctl's restore step must do too.
#         The same two probe loops run meanwhile (they cost some CPU: each
#         database probe is a new connection with SCRAM authentication), so
#         both sides share their overhead.
#   3. ratio deployctl total / bare total (target: within 1.15x; deployctl
#      also verifies the backup and takes a safety backup, which the bare
#      side does not), and the same for the time until restored and healthy.
#
# Environment: BENCH_DB_MB, BENCH_RUNS, DEPLOYCTL, BENCH_DIR,
# BENCH_SKIP_TESTBED, BENCH_POLL_INTERVAL (seconds, default 0.05).
# Runs on demand only: never in CI or ctest. See docs/benchmarks.md.
set -euo pipefail
BENCH_NAME=restore_bench
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/benchapp.sh"

case ${1:-run} in
  run) ;;
  cleanup) benchapp_cleanup; exit 0 ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) bench_die "unknown argument '$1' (run | cleanup)" ;;
esac

POLL_INTERVAL=${BENCH_POLL_INTERVAL:-0.05}
NAME=bench-restore
BACKUPS=$BENCHAPP_ROOT/backups
FILE=db_backup_$NAME.dump.zst
SCRATCH_DB=${BENCHAPP_DB}_bare_restore
LOGS=$BENCH_DIR/logs
mkdir -p "$LOGS"

bench_check_runs
bench_find_deployctl
bench_testbed_up
benchapp_ensure_running
benchapp_ensure_data
# Room for: the restored copy beside the live one, the uncompressed archive
# in the container, the safety backup.
bench_disk_check $((BENCH_DB_MB * 3 + 512))

backup_names() { bench_ssh "$BENCHAPP_ADDR" "ls -1 '$BACKUPS' 2>/dev/null || true" | sort; }

# Databases a run leaves behind (benchapp__before_<ts>, a failed run's
# benchapp__restore_<ts>, the bare side's scratch database): dropped.
drop_leftover_databases() {
  local db
  for db in $(benchapp_psql_in postgres -c "SELECT datname FROM pg_database WHERE datname LIKE '${BENCHAPP_DB}\\_\\_before\\_%' OR datname LIKE '${BENCHAPP_DB}\\_\\_restore\\_%' OR datname = '$SCRATCH_DB'"); do
    benchapp_psql_in postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
  done
}

# ---- 1. the backup every run restores
bench_log "taking the named backup $NAME (deployctl db backup --name $NAME)"
bench_ssh "$BENCHAPP_ADDR" "rm -f -- '$BACKUPS/$FILE' '$BACKUPS/$FILE.manifest.json'"
if ! benchapp_deployctl db backup "app=$BENCHAPP" --name "$NAME" >"$LOGS/restore-backup.log" 2>&1; then
  cat "$LOGS/restore-backup.log" >&2
  bench_die "deployctl db backup app=$BENCHAPP --name $NAME failed (output above, also in $LOGS/restore-backup.log)"
fi
backup_bytes=$(bench_ssh "$BENCHAPP_ADDR" "stat -c %s '$BACKUPS/$FILE'")
rows=$(benchapp_row_count)
drop_leftover_databases

# ---- the unavailability probes
# Two background loops on the controller, each writing "EPOCH ok|fail" lines:
# the live database (a new psql connection running SELECT 1) and the app
# (GET of its health URL, 2xx = ok), one probe every POLL_INTERVAL.
POLL_PIDS=()
poll_start() { # poll_start LOGPREFIX
  local log=$1
  (
    while :; do
      t=$(date +%s.%N)
      if PGPASSWORD=$BENCHAPP_DB_PASSWORD PGCONNECT_TIMEOUT=2 psql -X -q -At -h 127.0.0.1 \
        -p "$BENCHAPP_DB_PORT" -U "$BENCHAPP_DB_USER" -d "$BENCHAPP_DB" -c 'SELECT 1' >/dev/null 2>&1; then
        echo "$t ok"
      else
        echo "$t fail"
      fi
      sleep "$POLL_INTERVAL"
    done
  ) >"$log.db" &
  POLL_PIDS+=($!)
  (
    while :; do
      t=$(date +%s.%N)
      if curl -fsS -o /dev/null -m 2 "http://127.0.0.1:$BENCHAPP_APP_PORT/health" 2>/dev/null; then
        echo "$t ok"
      else
        echo "$t fail"
      fi
      sleep "$POLL_INTERVAL"
    done
  ) >"$log.app" &
  POLL_PIDS+=($!)
}
poll_stop() {
  local pid
  for pid in "${POLL_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  POLL_PIDS=()
}
trap poll_stop EXIT
# poll_summary LOG: "LONGEST_S TOTAL_S WINDOWS POLLS MEAN_SPACING_S". A window
# runs from its first failed probe to the next successful one.
poll_summary() {
  awk '{ if (NR == 1) first = $1
         if ($2 == "fail") { if (start == "") start = $1 }
         else if (start != "") { w = $1 - start; total += w; n++; if (w > longest) longest = w; start = "" }
         last = $1 }
       END { if (start != "") { w = last - start; total += w; n++; if (w > longest) longest = w }
             printf "%.3f %.3f %d %d %.3f\n", longest, total, n, NR, (NR > 1 ? (last - first) / (NR - 1) : 0) }' "$1"
}

# deployctl_restore I: prints "TOTAL_S DB_LONGEST_S DB_SPACING_S APP_LONGEST_S APP_SPACING_S REPORTED_S LIVE_S"
# (deployctl runs with -v; its log lines are stamped with the time, for a
# breakdown of where the time goes.)
deployctl_restore() {
  local i=$1 log=$LOGS/restore-deployctl-run$1.log before after new started t rc=0 reported db app live
  trap poll_stop EXIT  # this runs in a subshell: its own trap stops its probes
  before=$(backup_names)
  poll_start "$LOGS/restore-poll-run$i"
  sleep 0.5  # a few successful probes first
  started=$(bench_now)
  set +e
  benchapp_deployctl db restore "app=$BENCHAPP" "$NAME" --yes -v 2>&1 |
    perl -MTime::HiRes=time -ne 'BEGIN { $| = 1 } printf "%.3f %s", time, $_' >"$log"
  rc=${PIPESTATUS[0]}
  set -e
  t=$(bench_elapsed "$started")
  sleep 0.5
  poll_stop
  after=$(backup_names)
  new=$(comm -13 <(echo "$before") <(echo "$after"))
  [[ -n $new ]] && bench_ssh "$BENCHAPP_ADDR" "cd '$BACKUPS' && rm -f -- $(bench_list $new)"
  if ((rc != 0)); then
    tail -n 40 "$log" >&2
    bench_die "deployctl db restore run $i failed (exit $rc; output above, also in $log)"
  fi
  drop_leftover_databases
  reported=$(sed -n 's/.*stopped for \([0-9.]*\) s.*/\1/p' "$log" | tail -n1)
  # When the restored database was live and the app healthy again: the
  # first log line after the health check (the safety backup of the
  # replaced database comes after it, while the app serves).
  live=$(awk -v s="$started" '/TASK \[safety backup of the database the restore replaced\]/ { printf "%.3f", $1 - s; exit }' "$log")
  read -r db _ _ _ dbs < <(poll_summary "$LOGS/restore-poll-run$i.db")
  read -r app _ _ _ apps < <(poll_summary "$LOGS/restore-poll-run$i.app")
  echo "$t $db $dbs $app $apps ${reported:-n/a} ${live:-n/a}"
}

# bare_restore: prints "TOTAL_S PG_RESTORE_S"
bare_restore() {
  local started t1 t2 got
  # The same probes run here as during deployctl's restore, so both sides
  # pay for them (they are not summarised: the live database is not touched).
  trap poll_stop EXIT
  poll_start "$LOGS/restore-poll-bare"
  started=$(bench_now)
  bench_ssh "$BENCHAPP_ADDR" bash -s <<SH || bench_die "bare: decompressing into the container or CREATE DATABASE failed"
set -euo pipefail
$BENCHAPP_COMPOSE_PROBE
cd $BENCHAPP_ROOT/current
zstd -dc -q $BACKUPS/$FILE | \$c -p $BENCHAPP exec -T postgres sh -c 'set -e
psql -X -q -U $BENCHAPP_DB_USER -d postgres -c "CREATE DATABASE $SCRATCH_DB"
cat >/tmp/bench_bare_restore.dump'
SH
  t1=$(bench_now)
  bench_ssh "$BENCHAPP_ADDR" bash -s <<SH || bench_die "bare: pg_restore -j2 failed"
set -euo pipefail
$BENCHAPP_COMPOSE_PROBE
cd $BENCHAPP_ROOT/current
\$c -p $BENCHAPP exec -T postgres pg_restore -j2 --exit-on-error -U $BENCHAPP_DB_USER -d $SCRATCH_DB /tmp/bench_bare_restore.dump </dev/null
SH
  t2=$(bench_now)
  poll_stop
  got=$(benchapp_row_count "$SCRATCH_DB")
  [[ $got == "$rows" ]] || bench_die "bare: restored $got rows of bench_orders, expected $rows"
  benchapp_remote_compose 'exec -T postgres rm -f /tmp/bench_bare_restore.dump'
  drop_leftover_databases
  awk -v a="$started" -v b="$t1" -v c="$t2" 'BEGIN { printf "%.3f %.3f\n", c - a, c - b }'
}

echo "database: $BENCHAPP_DB on $BENCHAPP_HOST, $(($(benchapp_db_bytes) / 1048576)) MB (pg_database_size), $rows + $(benchapp_psql -c 'SELECT count(*) FROM bench_events') rows"
echo "backup:   $FILE, $((backup_bytes / 1048576)) MB"
echo "deployctl: deployctl db restore app=$BENCHAPP $NAME --yes ($("$DEPLOYCTL" --version 2>/dev/null | head -n1))"
echo "bare:      zstd -dc into the container + CREATE DATABASE, then pg_restore -j2 --exit-on-error (docker-compose exec, over ssh)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %12s %15s %14s %15s %11s %9s %18s\n' run deployctl_s restored_live_s db_unavail_s app_unavail_s reported_s bare_s bare_pg_restore_s
d_t=() d_l=() d_u=() d_a=() d_r=() b_t=() b_r=() spacing=()
for ((i = 1; i <= BENCH_RUNS; i++)); do
  read -r dt du dus da das dr dl < <(deployctl_restore "$i")
  read -r bt br < <(bare_restore)
  d_t+=("$dt") d_u+=("$du") d_a+=("$da") b_t+=("$bt") b_r+=("$br") spacing+=("$dus" "$das")
  [[ $dr == n/a ]] || d_r+=("$dr")
  [[ $dl == n/a ]] || d_l+=("$dl")
  printf '%-4s %12s %15s %14s %15s %11s %9s %18s\n' "$i" "$dt" "$dl" "$du" "$da" "$dr" "$bt" "$br"
  got=$(benchapp_row_count)
  [[ $got == "$rows" ]] || bench_die "after deployctl's restore the live database has $got rows of bench_orders, expected $rows"
done
dm=$(bench_median "${d_t[@]}") um=$(bench_median "${d_u[@]}") am=$(bench_median "${d_a[@]}")
bm=$(bench_median "${b_t[@]}") rm_=$(bench_median "${b_r[@]}")
ratio=$(bench_ratio "$dm" "$bm")
lm=$( ((${#d_l[@]})) && bench_median "${d_l[@]}" || echo n/a)
echo "median deployctl db restore (total):            ${dm} s"
echo "median until restored + app healthy (no safety backup yet): ${lm} s"
echo "median live database unavailable (probed):      ${um} s, longest $(printf '%s\n' "${d_u[@]}" | sort -g | tail -n1) s (0 = no probe failed; one probe every $(bench_median "${spacing[@]}") s on average)"
echo "median app health URL unavailable (probed):     ${am} s"
echo "median app services stopped (deployctl's own):  $( ((${#d_r[@]})) && bench_median "${d_r[@]}" || echo n/a) s"
echo "median bare total (decompress, create, -j2):    ${bm} s"
echo "median bare pg_restore -j2 alone:               ${rm_} s"
echo "ratio deployctl/bare total: ${ratio}x (target <= 1.15x: $(awk -v r="$ratio" 'BEGIN { print (r <= 1.15) ? "within target" : "OVER target" }')); deployctl/pg_restore alone: $(bench_ratio "$dm" "$rm_")x"
if [[ $lm != n/a ]]; then
  lratio=$(bench_ratio "$lm" "$bm")
  echo "ratio until restored + healthy / bare total: ${lratio}x (target <= 1.15x: $(awk -v r="$lratio" 'BEGIN { print (r <= 1.15) ? "within target" : "OVER target" }')); the safety backup of the replaced database follows while the app serves"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
