#!/usr/bin/env bash
# deployctl db backup end to end while the app writes: the manifest's row
# counts come from the same snapshot as the dump, so `db verify` (a scratch
# restore whose row counts must equal the manifest's) accepts the backup,
# and the manifest's count of the table being written equals what a restore
# of the file holds.
# Uses app `e2econsist` (compose project e2econsist, app port 18095, database
# port 55438) on web1 only; other tests use other names and ports.
. "$(dirname "$0")/lib.sh"
require_deployctl
testbed_up
command -v jq >/dev/null || fail "jq is needed (scripts/install-deps.sh installs it)"

APP=e2econsist
APP_PORT=18095
DB_PORT=55438
DB=sampleapp
PROJ=$TEST_TMP/proj
ROOT=$TESTBED/hosts/web1/srv/$APP
BACKUPS=$ROOT/backups
WRITER=e2econsist_writer # the writer's application_name

stop_writer() {
  local c
  c=$(container_of "$APP" postgres)
  [[ -z $c ]] || docker exec "$c" psql -X -q -t -A -U app -p "$DB_PORT" -d postgres -c \
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '$WRITER'" \
    >/dev/null 2>&1 || true
}
clean_app() {
  stop_writer
  compose_project_rm "$APP" # only this app's: other tests share the dockerd
  rm -rf "$ROOT"
}
clean_app
on_exit clean_app

sampleapp_project "$PROJ" "$APP" "$APP_PORT" "$DB_PORT"
cd "$PROJ"

dctl() { "$DEPLOYCTL" "$@" </dev/null; }
psql_db() { # psql_db DB SQL: run SQL in the app's PostgreSQL, print the rows
  docker exec -i "$(container_of "$APP" postgres)" psql -X -q -t -A -v ON_ERROR_STOP=1 \
    -U app -p "$DB_PORT" -d "$1" -c "$2"
}
events() { psql_db "$DB" "SELECT count(*) FROM events"; }

# ---------------------------------------------------------------- deploy
step "deploy $APP to web1 and fill a table (300k rows, so the dump takes a while)"
assert_success dctl deploy
wait_until 60 "PostgreSQL of $APP" psql_db "$DB" "SELECT 1"
psql_db "$DB" "CREATE TABLE events (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(), payload text NOT NULL)"
psql_db "$DB" "INSERT INTO events (payload) SELECT repeat(md5(i::text), 4) FROM generate_series(1, 300000) AS i"
psql_db "$DB" "CREATE TABLE quiet (id int PRIMARY KEY)"
psql_db "$DB" "INSERT INTO quiet SELECT generate_series(1, 1000)"

# ------------------------------------------------------------- the writer
# One committed insert every ~2 ms for up to 120 s (stopped after the
# backup), in its own session inside the database container.
step "start a writer that commits an insert every ~2 ms"
docker exec -e "PGAPPNAME=$WRITER" "$(container_of "$APP" postgres)" \
  psql -X -q -U app -p "$DB_PORT" -d "$DB" -c "DO \$\$
DECLARE deadline timestamptz := clock_timestamp() + interval '120 seconds';
BEGIN
  WHILE clock_timestamp() < deadline LOOP
    INSERT INTO events (payload) VALUES ('written during the backup');
    COMMIT;
    PERFORM pg_sleep(0.002);
  END LOOP;
END \$\$" >"$TEST_TMP/writer.log" 2>&1 &
WRITER_PID=$!
on_exit kill "$WRITER_PID"
before=$(events)
writing() { (($(events) > before + 50)); }
wait_until 30 "the writer's first commits" writing

# ---------------------------------------------------------------- backup
step "db backup --name consist1 while the writer commits"
start_rows=$(events)
assert_success dctl db backup --name consist1
end_rows=$(events)
stop_writer
wait "$WRITER_PID" 2>/dev/null || true
((end_rows > start_rows)) || fail "the writer did not commit during the backup ($start_rows -> $end_rows rows)"
MANIFEST=$BACKUPS/db_backup_consist1.dump.zst.manifest.json
assert_file_exists "$MANIFEST"
manifest_rows=$(jq -r '.tables["public.events"]' "$MANIFEST")
assert_matches "$manifest_rows" '^[0-9]+$' "the manifest's row count of public.events"
assert_eq 1000 "$(jq -r '.tables["public.quiet"]' "$MANIFEST")" "the manifest's row count of public.quiet"
((manifest_rows >= start_rows && manifest_rows <= end_rows)) ||
  fail "the manifest counts $manifest_rows rows in public.events, not between $start_rows and $end_rows"
echo "events: $start_rows rows when the backup started, $manifest_rows in the manifest, $end_rows when it ended"

# ---------------------------------------------------------------- verify
step "db verify: the scratch restore's row counts equal the manifest's"
assert_success dctl db verify consist1
assert_contains "$stdout" "backup db_backup_consist1.dump.zst on web1 is good"

step "a restore of the file holds exactly the manifest's rows"
psql_db postgres "CREATE DATABASE consist_check"
zstd -dc -q "$BACKUPS/db_backup_consist1.dump.zst" |
  docker exec -i "$(container_of "$APP" postgres)" pg_restore -U app -p "$DB_PORT" -d consist_check --no-owner --exit-on-error
restored_rows=$(psql_db consist_check "SELECT count(*) FROM events")
assert_eq "$manifest_rows" "$restored_rows" "rows of public.events: manifest vs restore of the file"
assert_eq 1000 "$(psql_db consist_check "SELECT count(*) FROM quiet")" "rows of public.quiet after the restore"
psql_db postgres "DROP DATABASE consist_check"
