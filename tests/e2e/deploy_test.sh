#!/usr/bin/env bash
# deployctl deploy end to end on the real stack (sshd, dockerd, compose,
# PostgreSQL): releases, the pre-deploy backup, the atomic switch, the
# compose restart, the health check, retention, the lock, and what happens
# when a step fails or the controller dies.
. "$(dirname "$0")/lib.sh"
require_deployctl
testbed_up

APP=e2edeploy
APP_PORT=18085
DB_PORT=55436
PROJ=$TEST_TMP/proj
ROOT=$TESTBED/hosts/web1/srv/$APP
URL=http://127.0.0.1:$APP_PORT

clean_app() {
  compose_project_rm "$APP"
  rm -rf "$ROOT"
}
clean_app
on_exit clean_app

sampleapp_project "$PROJ" "$APP" "$APP_PORT" "$DB_PORT"
cd "$PROJ"
VARS=$PROJ/inv/group_vars/all.yml

# set_version TEXT: the page the next release serves.
set_version() {
  printf '<!doctype html>\n<p>%s</p>\n' "$1" >"$PROJ/src/www/index.html"
}
page() { curl -fsS --max-time 5 "$URL/"; }
current_id() { basename "$(readlink "$ROOT/current")"; }
release_count() { find "$ROOT/releases" -mindepth 1 -maxdepth 1 -type d | wc -l; }
psql_app() { # psql_app DB SQL: run SQL in the app's PostgreSQL container
  docker exec -i "$(container_of "$APP" postgres)" psql -X -q -t -A -v ON_ERROR_STOP=1 \
    -U app -p "$DB_PORT" -d "$1" -c "$2"
}
deploy() { "$DEPLOYCTL" deploy "$@"; }

# ------------------------------------------------------------ bad input
step "bad input: one clear error each, exit 2, nothing on the server"
assert_status 2 deploy app=nope
assert_contains "$stderr" "deployctl: error:"
assert_contains "$stderr" "'nope'"
assert_contains "$stderr" "$APP"

assert_status 2 deploy "app=../$APP"
assert_contains "$stderr" "app=../$APP"

cp "$VARS" "$TEST_TMP/vars.good"
sed -i '/^    root:/d' "$VARS"
assert_status 2 deploy
assert_contains "$stderr" "'root'"
assert_contains "$stderr" "inv"
cp "$TEST_TMP/vars.good" "$VARS"

sed -i 's|path: ./src|path: ./no-such-dir|' "$VARS"
assert_status 2 deploy
assert_contains "$stderr" "no-such-dir"
cp "$TEST_TMP/vars.good" "$VARS"

sed -i "s|^    root: .*|    root: \"relative/$APP\"|" "$VARS"
assert_status 2 deploy
assert_contains "$stderr" "root"
cp "$TEST_TMP/vars.good" "$VARS"

assert_status 2 deploy --frobnicate
assert_not_exists "$ROOT" "a refused deploy created the app root"

# ------------------------------------------------------------ deploy v1
step "deploy v1: served, current -> releases/<id>, first backup skipped"
set_version "e2e v1"
assert_success deploy
assert_contains "$stdout" "PLAY RECAP"
assert_not_contains "$output" "e2e-Secret-pw" "the database password leaked"
V1=$(current_id)
assert_matches "$V1" '^[0-9]{10}$' "release id"
assert_symlink "$ROOT/current"
assert_eq "releases/$V1" "$(readlink "$ROOT/current")" "current is a relative link"
assert_contains "$(page)" "e2e v1"
assert_eq 600 "$(stat -c %a "$ROOT/releases/$V1/.env")" ".env holds secrets: mode 0600"
skipped=$(jq -r --arg id "$V1" '.releases[] | select(.id == $id) | .backup_skipped' "$ROOT/.deployctl/journal.json")
assert_ne "null" "$skipped" "the journal says why the first deploy has no backup"

step "data written by v1"
wait_until 30 "postgres to accept connections" psql_app sampleapp "SELECT 1"
psql_app sampleapp "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)"
psql_app sampleapp "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1000) g"
psql_app sampleapp "CREATE TABLE notes (body text)"
psql_app sampleapp "INSERT INTO notes VALUES ('it''s \"quoted\"'), (E'line\\nbreak')"

# ------------------------------------------------------------ deploy v2
step "deploy v2: switched, v1 kept, one app container, verified backup"
set_version "e2e v2"
sleep 1
assert_success deploy
V2=$(current_id)
assert_ne "$V1" "$V2" "a new release id"
assert_contains "$(page)" "e2e v2"
assert_dir_exists "$ROOT/releases/$V1"
assert_eq 1 "$(docker ps -q --filter "label=com.docker.compose.project=$APP" --filter label=com.docker.compose.service=app | wc -l)" \
  "exactly one app container"

BK=$ROOT/backups/db_backup_$V2.dump.zst
assert_file_exists "$BK"
assert_file_exists "$BK.manifest.json"
assert_eq "$(sha256sum <"$BK" | cut -d' ' -f1)" "$(jq -r .sha256 "$BK.manifest.json")" "manifest checksum"
assert_eq "$(stat -c %s "$BK")" "$(jq -r .size "$BK.manifest.json")" "manifest size"
assert_eq "$V2" "$(jq -r --arg id "$V2" '.releases[] | select(.id == $id) | .backup' "$ROOT/.deployctl/journal.json" | sed 's/db_backup_//; s/\.dump\.zst//')" \
  "the journal links the release to its backup"

step "the backup restores into a fresh database with the same data"
psql_app postgres "DROP DATABASE IF EXISTS e2e_check"
psql_app postgres "CREATE DATABASE e2e_check"
zstd -dc "$BK" | docker exec -i "$(container_of "$APP" postgres)" \
  pg_restore -U app -p "$DB_PORT" -d e2e_check --no-owner --exit-on-error
assert_eq 1000 "$(psql_app e2e_check "SELECT count(*) FROM items")" "rows restored"
assert_eq "$(psql_app sampleapp "SELECT md5(string_agg(body, '|' ORDER BY body)) FROM notes")" \
  "$(psql_app e2e_check "SELECT md5(string_agg(body, '|' ORDER BY body)) FROM notes")" "text restored exactly"
psql_app postgres "DROP DATABASE e2e_check"

step "releases lists both, current marked, with the backup"
assert_success "$DEPLOYCTL" releases
assert_matches "$stdout" "\\* $V2 .*db_backup_$V2"
assert_contains "$stdout" "$V1"

# ------------------------------------------------- plain (.sql.gz) format
step "backup_format: plain gives a .sql.gz that gunzip | psql restores"
sed -i 's/keep_backups: 3 }/keep_backups: 3, backup_format: plain }/' "$VARS"
psql_app sampleapp "INSERT INTO items VALUES (1001, 'plain')"
set_version "e2e v3"
sleep 1
assert_success deploy
V3=$(current_id)
PK=$ROOT/backups/db_backup_$V3.sql.gz
assert_file_exists "$PK"
assert_eq "$(sha256sum <"$PK" | cut -d' ' -f1)" "$(jq -r .sha256 "$PK.manifest.json")" "plain manifest checksum"
psql_app postgres "DROP DATABASE IF EXISTS e2e_plain"
psql_app postgres "CREATE DATABASE e2e_plain"
gunzip -c "$PK" | docker exec -i "$(container_of "$APP" postgres)" \
  psql -X -q -v ON_ERROR_STOP=1 -U app -p "$DB_PORT" -d e2e_plain >/dev/null
assert_eq 1001 "$(psql_app e2e_plain "SELECT count(*) FROM items")" "rows restored from plain"
psql_app postgres "DROP DATABASE e2e_plain"
cp "$TEST_TMP/vars.good" "$VARS"

# ------------------------------------------------------------ the lock
step "a second deploy while one runs is refused by the lock, naming the holder"
set_version "e2e locked"
sleep 1
"$DEPLOYCTL" deploy >"$TEST_TMP/first.out" 2>&1 &
first=$!
wait_until 20 "the first deploy to take the lock" test -d "$ROOT/.deployctl/lock"
assert_status 4 deploy
assert_contains "$stderr" "locked"
assert_contains "$stderr" "deployctl unlock"
wait "$first" || fail "the first deploy failed: $(cat "$TEST_TMP/first.out")"
assert_not_exists "$ROOT/.deployctl/lock" "the lock was given back"

# ---------------------------------- current never missing, retention
step "a named backup before the deploys"
assert_success "$DEPLOYCTL" db backup --name keep-me.v1
assert_file_exists "$ROOT/backups/db_backup_keep-me.v1.dump.zst"

step "seven deploys while a reader checks current: never missing or dangling"
(
  bad=0 checks=0
  while [[ ! -e $TEST_TMP/stop-reader ]]; do
    target=$(readlink "$ROOT/current" 2>/dev/null) || { bad=$((bad + 1)); continue; }
    [[ -d $ROOT/$target ]] || bad=$((bad + 1))
    checks=$((checks + 1))
  done
  echo "$checks $bad" >"$TEST_TMP/reader.result"
) &
reader=$!
for i in 1 2 3 4 5 6 7; do
  set_version "e2e loop $i"
  sleep 1
  assert_success deploy
done
touch "$TEST_TMP/stop-reader"
wait "$reader"
read -r checks bad <"$TEST_TMP/reader.result"
((checks > 1000)) || fail "the reader checked current only $checks times"
assert_eq 0 "$bad" "times current was missing or dangling (of $checks checks)"
assert_contains "$(page)" "e2e loop 7"

step "retention: five releases kept (current and previous among them), three automatic backups"
assert_eq 5 "$(release_count)" "releases kept"
CUR=$(current_id)
PREV=$(jq -r '[.releases[] | select(.status == "good")] | last | .id' "$ROOT/.deployctl/journal.json")
assert_dir_exists "$ROOT/releases/$CUR"
assert_dir_exists "$ROOT/releases/$PREV"
assert_eq 3 "$(find "$ROOT/backups" -name 'db_backup_[0-9]*.dump.zst' | wc -l)" "automatic backups kept"
assert_file_exists "$ROOT/backups/db_backup_$CUR.dump.zst" "the current release's backup is kept"
assert_file_exists "$ROOT/backups/db_backup_$PREV.dump.zst" "the previous release's backup is kept"
assert_file_exists "$ROOT/backups/db_backup_keep-me.v1.dump.zst" "named backups are never pruned"
assert_file_exists "$ROOT/backups/db_backup_keep-me.v1.dump.zst.manifest.json" "the named backup keeps its manifest"

# ---------------------------------------------------- failing health check
step "a failing health check puts the previous release back"
BEFORE=$(current_id)
rm "$PROJ/src/www/health"
set_version "e2e unhealthy"
sed -i 's/timeout: 20 }/timeout: 3 }/' "$VARS"
sleep 1
assert_status 1 deploy
assert_contains "$stderr" "rolled back to release $BEFORE"
assert_eq "$BEFORE" "$(current_id)" "current is the previous release again"
assert_contains "$(page)" "e2e loop 7"
BADID=$(jq -r '.releases | last | .id' "$ROOT/.deployctl/journal.json")
assert_eq bad "$(jq -r '.releases | last | .status' "$ROOT/.deployctl/journal.json")" "the failed release is marked bad"
git -C "$REPO" show HEAD:examples/sampleapp/v1/www/health >"$PROJ/src/www/health" 2>/dev/null ||
  cp "$REPO/examples/sampleapp/v1/www/health" "$PROJ/src/www/health"
cp "$TEST_TMP/vars.good" "$VARS"

# ---------------------------------------------------- failing backup
step "a failing backup (database stopped) refuses the deploy; nothing changes"
docker stop "$(container_of "$APP" postgres)" >/dev/null
ls "$ROOT/releases" >"$TEST_TMP/releases.before"
BEFORE=$(current_id)
set_version "e2e no backup"
sleep 1
assert_failure deploy
assert_contains "$stderr" "backup"
assert_eq "$BEFORE" "$(current_id)" "current untouched"
ls "$ROOT/releases" >"$TEST_TMP/releases.after"
diff "$TEST_TMP/releases.before" "$TEST_TMP/releases.after" || fail "releases changed after a failed backup"
assert_not_exists "$ROOT/.deployctl/lock" "the lock was given back"
docker start "$(docker ps -aq --filter "label=com.docker.compose.project=$APP" --filter label=com.docker.compose.service=postgres)" >/dev/null
wait_until 30 "postgres to come back" psql_app sampleapp "SELECT 1"

# ---------------------------------------------------- killed controller
step "a controller killed mid-deploy: current valid, stale lock shown, unlock, deploy again"
set_version "e2e killed"
sleep 1
"$DEPLOYCTL" deploy >"$TEST_TMP/killed.out" 2>&1 &
victim=$!
wait_until 20 "the deploy to take the lock" test -d "$ROOT/.deployctl/lock"
kill -KILL "$victim"
wait "$victim" 2>/dev/null || true
target=$(readlink "$ROOT/current")
assert_dir_exists "$ROOT/$target" "current is valid after the kill"
assert_success "$DEPLOYCTL" status
assert_contains "$stdout" "lock"
assert_contains "$stdout" "pid $victim"
assert_status 4 deploy
assert_success "$DEPLOYCTL" unlock
assert_contains "$stdout" "$victim"
assert_not_exists "$ROOT/.deployctl/lock"
set_version "e2e after unlock"
sleep 1
assert_success deploy
assert_contains "$(page)" "e2e after unlock"

step "--check prints the plan and changes nothing"
ls -la "$ROOT/releases" >"$TEST_TMP/check.before"
CUR=$(current_id)
assert_success deploy --check
assert_eq "$CUR" "$(current_id)" "current untouched by --check"
ls -la "$ROOT/releases" >"$TEST_TMP/check.after"
diff "$TEST_TMP/check.before" "$TEST_TMP/check.after" || fail "--check changed releases/"
assert_not_exists "$ROOT/.deployctl/lock" "--check takes no lock"

# ------------------------------------- failed deploy after migrations
step "migrations ran, then the health check failed: previous code and its database put back"
BEFORE=$(current_id)
ROWS=$(psql_app sampleapp "SELECT count(*) FROM items")
cat >>"$VARS" <<'MIGRATE'
    migrate:
      service: postgres
      command: psql -X -v ON_ERROR_STOP=1 -U app -p "$PGPORT" -d sampleapp -c "ALTER TABLE items ADD COLUMN migrated int DEFAULT 1; DELETE FROM items WHERE id > 10"
MIGRATE
rm "$PROJ/src/www/health"
set_version "e2e migrated but unhealthy"
sed -i 's/timeout: 20 }/timeout: 3 }/' "$VARS"
sleep 1
assert_status 1 deploy
assert_contains "$stderr" "rolled back to release $BEFORE"
assert_contains "$stderr" "database restored from db_backup_"
assert_eq "$BEFORE" "$(current_id)" "current is the previous release again"
assert_contains "$(page)" "e2e after unlock"
assert_eq 0 "$(psql_app sampleapp "SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'migrated'")" \
  "the migration's column is gone"
assert_eq "$ROWS" "$(psql_app sampleapp "SELECT count(*) FROM items")" "the rows the migration deleted are back"
kept=$(psql_app postgres "SELECT datname FROM pg_database WHERE datname LIKE 'sampleapp__before_%'")
assert_ne "" "$kept" "the migrated database is kept under a dated name"
cp "$REPO/examples/sampleapp/v1/www/health" "$PROJ/src/www/health"
cp "$TEST_TMP/vars.good" "$VARS"
