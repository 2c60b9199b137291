# The benchmark app (sourced by backup_bench.sh and restore_bench.sh): the
# sample app (examples/sampleapp/v1) deployed by `deployctl deploy` to web1
# only, as app `benchapp` (compose project benchapp, app port 18084,
# PostgreSQL on 127.0.0.1:55435, database benchapp, user app), and a database
# of about BENCH_DB_MB MB (default 1024) generated inside it. Everything it
# makes is named benchapp: the compose project's containers and volume, the
# deploy root below, and $BENCH_DIR/benchapp (inventory, source, templates).
# `benchapp_cleanup` removes exactly those.

BENCHAPP=benchapp
BENCHAPP_HOST=web1
BENCHAPP_ADDR=127.0.0.11
BENCHAPP_ROOT=$BENCH_TESTBED/hosts/$BENCHAPP_HOST/srv/$BENCHAPP
BENCHAPP_APP_PORT=18084
BENCHAPP_DB_PORT=55435
BENCHAPP_DB=benchapp
BENCHAPP_DB_USER=app
BENCHAPP_DB_PASSWORD=bench-only-pw
BENCHAPP_PROJECT=$BENCH_DIR/benchapp
BENCH_DB_MB=${BENCH_DB_MB:-1024}

[[ $BENCH_DB_MB =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_DB_MB must be a positive integer (got '$BENCH_DB_MB')"

# The project directory deployctl runs in: inventory, source, templates.
benchapp_project() {
  local p=$BENCHAPP_PROJECT
  mkdir -p "$p/inv/group_vars" "$p/build" "$p/templates"
  rm -rf "$p/build/$BENCHAPP"
  cp -a "$BENCH_REPO/examples/sampleapp/v1" "$p/build/$BENCHAPP"
  cp "$BENCH_REPO/examples/sampleapp/templates/env.j2" "$p/templates/env.j2"
  cat >"$p/inv/hosts.yml" <<YAML
# Written by scripts/bench/benchapp.sh: the benchmark app on web1 only.
all:
  children:
    web:
      hosts:
        $BENCHAPP_HOST: { ansible_host: $BENCHAPP_ADDR }
YAML
  cat >"$p/inv/group_vars/all.yml" <<YAML
# Written by scripts/bench/benchapp.sh.
ansible_port: 2222
ansible_user: root
ansible_ssh_private_key_file: $BENCH_KEY
sampleapp_app_port: $BENCHAPP_APP_PORT
sampleapp_db_port: $BENCHAPP_DB_PORT
sampleapp_db_name: $BENCHAPP_DB
sampleapp_db_user: $BENCHAPP_DB_USER
sampleapp_db_password: $BENCHAPP_DB_PASSWORD
apps:
  $BENCHAPP:
    root: "$BENCHAPP_ROOT"
    keep_releases: 5
    source: { type: dir, path: ./build/$BENCHAPP }
    templates: [{ src: env.j2, dest: .env }]
    compose: { project: $BENCHAPP }
    database: { service: postgres, name: $BENCHAPP_DB, user: $BENCHAPP_DB_USER, keep_backups: 3 }
    healthcheck: { url: "http://127.0.0.1:$BENCHAPP_APP_PORT/health", timeout: 30 }
YAML
}

# Runs deployctl in the project directory.
benchapp_deployctl() { (cd "$BENCHAPP_PROJECT" && "$DEPLOYCTL" "$@" -i inv); }

# The compose command on the server (v2 plugin, else docker-compose v1),
# run in the current release with the app's project name.
BENCHAPP_COMPOSE_PROBE='if docker compose version >/dev/null 2>&1; then c="docker compose"; else c=docker-compose; fi'
benchapp_remote_compose() { # benchapp_remote_compose ARGS (a shell string)
  bench_ssh "$BENCHAPP_ADDR" "$BENCHAPP_COMPOSE_PROBE; cd $BENCHAPP_ROOT/current && \$c -p $BENCHAPP $1"
}

# psql from the controller to the database (the container uses the host's
# network). No parallel workers: they need dynamic shared memory, and the
# container's /dev/shm (64 MB by default) was too small for the key, index
# and VACUUM steps on 1 GB tables ("could not resize shared memory segment").
benchapp_psql_in() { # benchapp_psql_in DBNAME [PSQL ARGS...] (SQL on stdin or -c SQL)
  local db=$1
  shift
  PGPASSWORD=$BENCHAPP_DB_PASSWORD PGCONNECT_TIMEOUT=5 PGOPTIONS="-c client_min_messages=warning -c max_parallel_maintenance_workers=0 -c max_parallel_workers_per_gather=0" psql -X -q -At -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$BENCHAPP_DB_PORT" -U "$BENCHAPP_DB_USER" -d "$db" "$@"
}
benchapp_psql() { benchapp_psql_in "$BENCHAPP_DB" "$@"; }

benchapp_wait_db() {
  local i
  for ((i = 0; i < 120; i++)); do
    benchapp_psql -c 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  bench_die "database $BENCHAPP_DB on 127.0.0.1:$BENCHAPP_DB_PORT does not answer after 60 s"
}

# Deploys the app once (first run), or starts its stopped services again.
benchapp_ensure_running() {
  benchapp_project
  if bench_ssh "$BENCHAPP_ADDR" "test -L $BENCHAPP_ROOT/current"; then
    local running
    running=$(benchapp_remote_compose 'ps --services --filter status=running' 2>/dev/null || true)
    if ! grep -qx postgres <<<"$running"; then
      bench_log "starting the stopped services of $BENCHAPP on $BENCHAPP_HOST"
      benchapp_remote_compose 'up -d' >&2 || bench_die "compose up -d of $BENCHAPP failed"
    fi
  else
    bench_log "deploying $BENCHAPP to $BENCHAPP_HOST (deployctl deploy)"
    benchapp_deployctl deploy "app=$BENCHAPP" >&2 ||
      bench_die "deployctl deploy app=$BENCHAPP failed (see its output above)"
  fi
  benchapp_wait_db
}

benchapp_db_bytes() { benchapp_psql -c "SELECT pg_database_size(current_database())"; }

# Generates (or reuses) about BENCH_DB_MB MB of data in the live database:
# bench_orders (text, numbers, timestamps) and bench_events (a second table
# referencing it), filled in batches of 100000 rows with INSERT ... SELECT
# generate_series on the server; the primary keys, an index and the foreign
# key are added after the load (indexes are about a fifth of the total), then
# VACUUM ANALYZE so that every run dumps the same settled pages.
benchapp_ensure_data() {
  local target=$((BENCH_DB_MB * 1048576)) size
  size=$(benchapp_db_bytes)
  if ((size >= target * 90 / 100 && size <= target * 125 / 100)) &&
    [[ $(benchapp_psql -c "SELECT (SELECT count(*) FROM pg_indexes WHERE indexname = 'bench_events_order_id')
         + (SELECT count(*) FROM pg_constraint WHERE conname IN ('bench_orders_pkey', 'bench_events_pkey', 'bench_events_order_id_fkey'))") == 4 ]]; then
    bench_log "reusing database $BENCHAPP_DB: $((size / 1048576)) MB (target $BENCH_DB_MB MB)"
    return
  fi
  local has_tables
  has_tables=$(benchapp_psql -c "SELECT count(*) FROM pg_tables WHERE tablename IN ('bench_orders', 'bench_events')")
  if [[ $has_tables == 2 ]] && ((size >= target * 81 / 100 && size <= target * 125 / 100)); then
    bench_log "finishing database $BENCHAPP_DB: $((size / 1048576)) MB loaded, adding keys and indexes"
    benchapp_finish_data
    return
  fi
  bench_disk_check $((BENCH_DB_MB * 2 + 512))
  bench_log "generating about $BENCH_DB_MB MB in database $BENCHAPP_DB (currently $((size / 1048576)) MB)"
  local started
  started=$(bench_now)
  benchapp_psql <<'SQL'
DROP TABLE IF EXISTS bench_events;
DROP TABLE IF EXISTS bench_orders;
CREATE TABLE bench_orders (
  id bigint NOT NULL,
  customer_id integer NOT NULL,
  amount numeric(12, 2) NOT NULL,
  status text NOT NULL,
  note text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE bench_events (
  id bigint NOT NULL,
  order_id bigint NOT NULL,
  kind text NOT NULL,
  payload text NOT NULL,
  at timestamptz NOT NULL
);
SQL
  local batch=100000 next=1
  while :; do
    benchapp_psql <<SQL
BEGIN;
INSERT INTO bench_orders
SELECT g, (g * 7919) % 100000, ((g * 104729) % 1000000) / 100.0,
       (ARRAY['new', 'paid', 'shipped', 'returned'])[1 + g % 4],
       'order ' || g || ' ' || md5(g::text) || ' ' || md5((g * 31)::text),
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second'
FROM generate_series(${next}::bigint, $((next + batch - 1))) AS g;
INSERT INTO bench_events
SELECT g, g, (ARRAY['created', 'updated', 'paid', 'mailed'])[1 + g % 4],
       '{"seq": ' || g || ', "hash": "' || md5((g * 17)::text) || '", "ok": true}',
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' + interval '5 minutes'
FROM generate_series(${next}::bigint, $((next + batch - 1))) AS g;
COMMIT;
SQL
    next=$((next + batch))
    size=$(benchapp_db_bytes)
    ((size >= target * 81 / 100)) && break
  done
  benchapp_finish_data
  bench_log "generated $((next - 1)) orders + $((next - 1)) events in $(bench_elapsed "$started") s"
}

# Keys and indexes after the load (each step skipped when already there).
benchapp_finish_data() {
  benchapp_psql <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'bench_orders_pkey') THEN
    ALTER TABLE bench_orders ADD CONSTRAINT bench_orders_pkey PRIMARY KEY (id);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'bench_events_pkey') THEN
    ALTER TABLE bench_events ADD CONSTRAINT bench_events_pkey PRIMARY KEY (id);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'bench_events_order_id_fkey') THEN
    ALTER TABLE bench_events ADD CONSTRAINT bench_events_order_id_fkey
      FOREIGN KEY (order_id) REFERENCES bench_orders (id);
  END IF;
END $$;
CREATE INDEX IF NOT EXISTS bench_events_order_id ON bench_events (order_id);
VACUUM ANALYZE;
SQL
  bench_log "database $BENCHAPP_DB: $(($(benchapp_db_bytes) / 1048576)) MB"
}

benchapp_row_count() { benchapp_psql_in "${1:-$BENCHAPP_DB}" -c "SELECT count(*) FROM bench_orders"; }

# Removes everything benchapp made: its compose project (containers and the
# benchapp_pgdata volume), its deploy root on web1 and $BENCH_DIR/benchapp.
benchapp_cleanup() {
  if bench_ssh "$BENCHAPP_ADDR" "test -L $BENCHAPP_ROOT/current" 2>/dev/null; then
    benchapp_remote_compose 'down -v --remove-orphans' >&2 || bench_log "warning: compose down of $BENCHAPP failed"
  fi
  bench_ssh "$BENCHAPP_ADDR" "rm -rf -- '$BENCHAPP_ROOT'" || true
  rm -rf -- "$BENCHAPP_PROJECT"
  bench_log "removed $BENCHAPP (compose project $BENCHAPP, $BENCHAPP_ROOT, $BENCHAPP_PROJECT)"
}
