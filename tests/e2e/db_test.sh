#!/usr/bin/env bash
# deployctl db backup|list|verify|restore end to end on the real stack (sshd,
# dockerd, compose, PostgreSQL 15): what a user sees. Backups made and listed;
# a restore returns the tables to the backup's state, keeps a safety backup
# and the replaced database under a dated name; bad names, missing and
# corrupt backups are refused with one clear error and change nothing; a
# restore killed on the server halfway leaves the live database as it was
# and the app running.
# Uses app `dbapp` (compose project dbapp, app port 18082, database port
# 55433) on web1 only; other tests use other names and ports.
. "$(dirname "$0")/lib.sh"
require_deployctl
testbed_up

APP=dbapp
APP_PORT=18082
DB_PORT=55433
PROJ=$TEST_TMP/proj
ROOT=$TESTBED/hosts/web1/srv/$APP
BACKUPS=$ROOT/backups
URL=http://127.0.0.1:$APP_PORT

clean_app() {
  compose_project_rm "$APP" # only this app's: other tests share the dockerd
  rm -rf "$ROOT"
}
clean_app
on_exit clean_app

# The deploy project: examples/sampleapp v1 as app dbapp on web1.
mkdir -p "$PROJ/inv/group_vars"
cp -r "$REPO/examples/sampleapp/templates" "$PROJ/"
cp -r "$REPO/examples/sampleapp/v1" "$PROJ/src"
echo "inventory: inv" >"$PROJ/deployctl.yml"
cat >"$PROJ/inv/hosts.yml" <<INV
all:
  children:
    web:
      hosts:
        web1: { ansible_host: $(sandbox_addr web1) }
INV
DB_PASSWORD=db-e2e-Secret-pw
cat >"$PROJ/inv/group_vars/all.yml" <<VARS
ansible_port: $SANDBOX_PORT
ansible_user: root
ansible_ssh_private_key_file: $SANDBOX_KEY
sampleapp_app_port: $APP_PORT
sampleapp_db_port: $DB_PORT
sampleapp_db_name: $APP
sampleapp_db_password: $DB_PASSWORD
apps:
  $APP:
    root: "$TESTBED/hosts/{{ inventory_hostname }}/srv/$APP"
    source: { type: dir, path: ./src }
    templates: [{ src: env.j2, dest: .env }]
    compose: { project: $APP }
    database: { service: postgres, name: $APP, user: app }
    healthcheck: { url: "$URL/health", timeout: 30 }
VARS
cd "$PROJ"

dctl() { "$DEPLOYCTL" "$@" </dev/null; }
container() { container_of "$APP" "$1"; }
psql_db() { # psql_db DB SQL: run SQL in the app's PostgreSQL, print the rows
  docker exec -i "$(container postgres)" psql -X -q -t -A -v ON_ERROR_STOP=1 -U app -d "$1" -c "$2"
}
items() { psql_db "$APP" "SELECT id || ':' || name FROM items ORDER BY id" | tr '\n' ' '; }
databases() { psql_db postgres "SELECT datname FROM pg_database WHERE datname LIKE '${APP}%' ORDER BY 1" | tr '\n' ' '; }
app_healthy() { curl -fsS --max-time 5 "$URL/health" >/dev/null; }
one_error_line() { # the stderr of the last run has exactly one error line
  local n
  n=$(grep -c '^deployctl: error:' <<<"$stderr" || true)
  assert_eq 1 "$n" "error lines on stderr: $stderr"
}

# ---------------------------------------------------------------- deploy
step "deploy $APP to web1 and fill its database"
assert_success dctl deploy
wait_until 60 "PostgreSQL of $APP" psql_db "$APP" "SELECT 1"
psql_db "$APP" "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)"
psql_db "$APP" "INSERT INTO items VALUES (1, 'apple'), (2, 'banana'), (3, 'cherry')"
psql_db postgres "ALTER DATABASE $APP SET work_mem = '7MB'"
# Database-level grants and per-role settings, to see them carried over.
psql_db postgres "CREATE ROLE ${APP}_reader LOGIN"
psql_db postgres "REVOKE ALL ON DATABASE $APP FROM PUBLIC"
psql_db postgres "GRANT CONNECT ON DATABASE $APP TO ${APP}_reader"
psql_db postgres "ALTER ROLE ${APP}_reader IN DATABASE $APP SET search_path = public, pg_catalog"
BEFORE_ITEMS=$(items)
assert_eq "1:apple 2:banana 3:cherry " "$BEFORE_ITEMS"

# ------------------------------------------------------------- bad names
step "bad backup names: one clear error, exit 2, nothing contacted"
for bad in 'a/b' '..' 'x;y' 'a b'; do
  assert_status 2 dctl db backup --name "$bad"
  one_error_line
  assert_contains "$stderr" "backup name '$bad'"
  assert_not_contains "$stdout" "TASK"
done
for bad in 'a/b' '..' 'x;y' 'a b' '../../etc/passwd'; do
  assert_status 2 dctl db restore "$bad" --yes
  one_error_line
  assert_contains "$stderr" "backup '$bad'"
  assert_status 2 dctl db verify "$bad"
  one_error_line
done
[[ ! -d $BACKUPS ]] || [[ -z $(ls -A "$BACKUPS") ]] || fail "a refused command wrote a backup"

# --------------------------------------------------------------- backups
step "db backup --name v1.0 and a manual backup"
assert_success dctl db backup --name v1.0
assert_contains "$stdout" "backup db_backup_v1.0.dump.zst of database '$APP' written on web1"
assert_not_contains "$output" "$DB_PASSWORD"
assert_file_exists "$BACKUPS/db_backup_v1.0.dump.zst"
assert_file_exists "$BACKUPS/db_backup_v1.0.dump.zst.manifest.json"
assert_success dctl db backup
assert_matches "$stdout" "backup db_backup_manual_[0-9]+\.dump\.zst of database"

step "an existing name is refused"
assert_status 1 dctl db backup --name v1.0
one_error_line
assert_contains "$stderr" "backup 'v1.0' already exists"

step "db list shows every backup with kind, time, size, manifest state and release"
RELEASE=$(basename "$(readlink "$ROOT/current")")
assert_success dctl db list
assert_matches "$stdout" "db_backup_v1\.0\.dump\.zst +named +20[0-9-]+T[0-9:]+Z +[0-9.]+ (B|KiB|MiB) +ok +$RELEASE"
assert_matches "$stdout" "db_backup_manual_[0-9]+\.dump\.zst +manual +.* ok +$RELEASE"
assert_success dctl db list --output json
printf '%s' "$stdout" >"$TEST_TMP/list.json"
python3 - "$RELEASE" "$TEST_TMP/list.json" <<'PY' || fail "db list --output json: $stdout"
import json, sys
d = json.load(open(sys.argv[2]))
kinds = {b["file"]: b["kind"] for b in d["backups"]}
assert kinds["db_backup_v1.0.dump.zst"] == "named", kinds
assert sorted(kinds.values()) == ["manual", "named"], kinds
for b in d["backups"]:
    assert b["manifest"] == "ok" and len(b["sha256"]) == 64 and b["size"] > 0, b
    assert b["release"] == sys.argv[1], b
PY

# ---------------------------------------------------------------- verify
step "db verify: checksum, read to the end, scratch restore with matching row counts"
assert_success dctl db verify v1.0
assert_contains "$stdout" "backup db_backup_v1.0.dump.zst on web1 is good"
assert_not_contains "$(databases)" "__verify_"

# --------------------------------------------------------------- restore
step "writes after the backup"
psql_db "$APP" "INSERT INTO items VALUES (4, 'durian'); UPDATE items SET name = 'APPLE' WHERE id = 1; DELETE FROM items WHERE id = 2"
AFTER_ITEMS=$(items)
assert_eq "1:APPLE 3:cherry 4:durian " "$AFTER_ITEMS"

step "a backup that does not exist: one clear error, nothing changed"
assert_status 1 dctl db restore nope --yes
one_error_line
assert_contains "$stderr" "backup 'nope' not found in $BACKUPS on web1"
assert_eq "$AFTER_ITEMS" "$(items)"

step "restore without a terminal and without --yes is refused (exit 4)"
assert_status 4 dctl db restore v1.0
one_error_line
assert_contains "$stderr" "--yes"
assert_contains "$stderr" "every write since then would be lost"
assert_eq "$AFTER_ITEMS" "$(items)"

step "on a terminal, restore asks, saying what will be lost; 'no' changes nothing"
printf 'no\n' >"$TEST_TMP/no.txt"
run script -qec "$(printf '%q ' "$DEPLOYCTL" db restore v1.0)" /dev/null <"$TEST_TMP/no.txt"
assert_eq 4 "$status" "exit status after answering no: $output"
assert_contains "$output" "db restore replaces database '$APP' of app '$APP' on web1 with db_backup_v1.0.dump.zst"
assert_contains "$output" "Every write to '$APP' since"
assert_contains "$output" "will be lost"
assert_contains "$output" "db restore cancelled: nothing was changed"
assert_eq "$AFTER_ITEMS" "$(items)"

step "db restore v1.0 --yes: the tables are back to the backup's state"
assert_success dctl db restore v1.0 --yes
assert_contains "$stdout" "database '$APP' on web1 restored from db_backup_v1.0.dump.zst"
grep -E "restored from|database-level steps" <<<"$stdout"
assert_not_contains "$output" "$DB_PASSWORD"
assert_contains "$stdout" "database-level steps ran with libpq through an SSH forward to 127.0.0.1:$DB_PORT on web1"
assert_eq "$BEFORE_ITEMS" "$(items)" "items after the restore"
app_healthy || fail "the app is not healthy after the restore"
BEFORE_DB=$(grep -o "kept as '${APP}__before_[0-9]*'" <<<"$stdout" | grep -o "${APP}__before_[0-9]*")
[[ -n $BEFORE_DB ]] || fail "no kept database named in: $stdout"
assert_contains "$(databases)" "$BEFORE_DB"
assert_not_contains "$(databases)" "__restore_"
assert_eq "$AFTER_ITEMS" "$(psql_db "$BEFORE_DB" "SELECT id || ':' || name FROM items ORDER BY id" | tr '\n' ' ')" \
  "the replaced database keeps the writes"
assert_eq "7MB" "$(psql_db "$APP" "SHOW work_mem")" "database-level settings carry over"
assert_eq "t f app" "$(psql_db postgres "SELECT has_database_privilege('${APP}_reader', '$APP', 'CONNECT'),
  has_database_privilege('public', '$APP', 'TEMP'), pg_get_userbyid(datdba) FROM pg_database WHERE datname = '$APP'" | tr '|' ' ')" \
  "grants and owner carry over"
assert_eq "{\"search_path=public, pg_catalog\"}" "$(psql_db postgres "SELECT s.setconfig FROM pg_db_role_setting s
  JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = '$APP' AND s.setrole = '${APP}_reader'::regrole")" \
  "per-role settings carry over"
SAFETY=$(cd "$BACKUPS" && ls db_backup_safety_*.dump.zst)
assert_file_exists "$BACKUPS/$SAFETY.manifest.json"
assert_success dctl db list
assert_matches "$stdout" "db_backup_safety_[0-9]+\.dump\.zst +safety +.* ok"
# The safety backup holds the state before the restore (the writes), and verifies.
zstd -dc -q <"$BACKUPS/$SAFETY" | docker exec -i "$(container postgres)" pg_restore -f - --data-only -t items \
  >"$TEST_TMP/safety.sql"
grep -q "^4	durian$" "$TEST_TMP/safety.sql" || fail "the safety backup lacks the writes: $(cat "$TEST_TMP/safety.sql")"
grep -q "^1	APPLE$" "$TEST_TMP/safety.sql" || fail "the safety backup lacks the update"
assert_success dctl db verify "$SAFETY"

# ----------------------------------------------------- corrupt/truncated
step "a truncated backup is refused at verification; the live database is untouched"
psql_db "$APP" "INSERT INTO items VALUES (5, 'elderberry')"
LIVE_ITEMS=$(items)
assert_success dctl db backup --name cut
size=$(stat -c %s "$BACKUPS/db_backup_cut.dump.zst")
truncate -s $((size / 2)) "$BACKUPS/db_backup_cut.dump.zst"
assert_status 1 dctl db restore cut --yes
one_error_line
assert_contains "$stderr" "refused"
assert_contains "$stderr" "nothing was changed"
assert_eq "$LIVE_ITEMS" "$(items)"
assert_not_contains "$(databases)" "__restore_"
assert_status 1 dctl db verify cut
one_error_line

step "a corrupt backup (same size, bytes changed) is refused too"
assert_success dctl db backup --name flipped
printf 'XXXXXXXX' | dd of="$BACKUPS/db_backup_flipped.dump.zst" bs=1 seek=200 conv=notrunc status=none
assert_status 1 dctl db restore flipped --yes
assert_contains "$stderr" "refused"
assert_eq "$LIVE_ITEMS" "$(items)"
app_healthy || fail "the app is not healthy after a refused restore"

# ------------------------------------- health check failing after the swap
step "the app fails its health check on the restored database: the replaced one is live again, exit 1"
sed -i 's|timeout: 30 }|timeout: 3 }|' "$PROJ/inv/group_vars/all.yml"
release_dir=$(readlink -f "$ROOT/current")
mv "$release_dir/www/health" "$TEST_TMP/health"
assert_status 1 dctl db restore v1.0 --yes
assert_contains "$stderr" "the app failed its health check on the restored database, so the one it replaced is live again (the restored one is kept as ${APP}__failed_"
assert_eq "$LIVE_ITEMS" "$(items)" "the live database is the one from before the restore, with every write"
assert_not_contains "$(databases)" "__restore_"
failed_db=$(databases | tr ' ' '\n' | grep "^${APP}__failed_" || true)
assert_ne "" "$failed_db" "the restored database is kept aside"
assert_eq "$BEFORE_ITEMS" "$(psql_db "$failed_db" "SELECT id || ':' || name FROM items ORDER BY id" | tr '\n' ' ')" \
  "the kept-aside database holds the backup's rows"
mv "$TEST_TMP/health" "$release_dir/www/health"
sed -i 's|timeout: 3 }|timeout: 30 }|' "$PROJ/inv/group_vars/all.yml"
app_healthy || fail "the app is not healthy again"
assert_eq failed "$(tail -n1 "$ROOT/.deployctl/history.jsonl" | jq -r .result)" "history records the failed restore"
sleep 1 # the next restore's names are dated by the second

# ------------------------------------------------------- plain format
step "plain backups (.sql.gz): verified and restored through psql -v ON_ERROR_STOP=1"
sed -i "s/database: { service: postgres, name: $APP, user: app }/database: { service: postgres, name: $APP, user: app, backup_format: plain }/" \
  "$PROJ/inv/group_vars/all.yml"
assert_success dctl db backup --name plain1
assert_file_exists "$BACKUPS/db_backup_plain1.sql.gz"
psql_db "$APP" "DELETE FROM items WHERE id > 2"
assert_success dctl db verify plain1
assert_success dctl db restore plain1 --yes
assert_eq "$LIVE_ITEMS" "$(items)" "items after restoring the plain backup"

step "retention: a second restore drops the older replaced database (its safety backup exists)"
# keep_replaced_databases defaults to 1: the newest replaced database stays.
assert_eq "$BEFORE_DB" "$(jq -r .dumped_database "$BACKUPS/$SAFETY.manifest.json")" \
  "the first safety backup was taken of the database that restore replaced"
assert_not_contains "$(databases)" "$BEFORE_DB"
assert_eq 1 "$(databases | tr ' ' '\n' | grep -c "^${APP}__before_")" "replaced databases kept"
newest_safety=$(cd "$BACKUPS" && ls db_backup_safety_*.manifest.json | sort | tail -n1)
assert_eq "$(databases | tr ' ' '\n' | grep "^${APP}__before_")" "$(jq -r .dumped_database "$BACKUPS/$newest_safety")" \
  "the kept replaced database has its safety backup too"
sed -i "s/, backup_format: plain }/ }/" "$PROJ/inv/group_vars/all.yml"

# ----------------------------------------------------- killed halfway
step "a restore killed on the server halfway leaves the live database as it was"
psql_db "$APP" "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS a, md5((g * 7)::text) AS b FROM generate_series(1, 1500000) g"
psql_db "$APP" "CREATE INDEX big_a ON big (a)"
assert_success dctl db backup --name big
psql_db "$APP" "INSERT INTO items VALUES (6, 'fig')"
LIVE_ITEMS=$(items)
"$DEPLOYCTL" db restore big --yes </dev/null >"$TEST_TMP/killed.out" 2>"$TEST_TMP/killed.err" &
restore_pid=$!
killed=
deadline=$((SECONDS + 240))
while ((SECONDS < deadline)) && kill -0 "$restore_pid" 2>/dev/null; do
  # The pg_restore processes themselves (in the container), not the script or compose around them.
  pids=$(pgrep -f "^pg_restore -j 2 --exit-on-error -U app -d ${APP}__restore_" || true)
  if [[ -n $pids ]]; then
    sleep 0.3
    kill -9 $pids 2>/dev/null || true
    killed=yes
    break
  fi
  sleep 0.1
done
rc=0
wait "$restore_pid" || rc=$?
[[ -n $killed ]] || fail "never saw pg_restore running (exit $rc): $(cat "$TEST_TMP/killed.out" "$TEST_TMP/killed.err")"
assert_eq 1 "$rc" "exit status of the killed restore: $(cat "$TEST_TMP/killed.err")"
assert_contains "$(cat "$TEST_TMP/killed.err")" "pg_restore failed"
assert_contains "$(cat "$TEST_TMP/killed.err")" "the live database '$APP' was not changed"
assert_eq "$LIVE_ITEMS" "$(items)" "live database after the killed restore"
assert_eq 1500000 "$(psql_db "$APP" "SELECT count(*) FROM big")"
assert_not_contains "$(databases)" "__restore_"
app_healthy || fail "the app is not running after the killed restore"
[[ -z $(docker exec "$(container postgres)" sh -c 'ls /tmp/deployctl-restore-* 2>/dev/null') ]] \
  || fail "the staged archive was left in the container"

step "the lock is free again"
[[ ! -e $ROOT/.deployctl/lock ]] || fail "the deploy lock was left behind"
