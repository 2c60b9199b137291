#!/usr/bin/env bash
# deployctl rollback end to end on the real stack (sshd, dockerd, compose,
# PostgreSQL) with examples/sampleapp on web1: back to the previous release,
# the release rolled away from marked bad, --to, the schema check and
# --force, a failing health check that puts back what was current, the lock,
# --check, the history. See docs/rollback.md.
. "$(dirname "$0")/lib.sh"
require_deployctl
testbed_up

APP=rbapp
APP_PORT=18083
DB_PORT=55434
PROJ=$TEST_TMP/proj
ROOT=$TESTBED/hosts/web1/srv/$APP
URL=http://127.0.0.1:$APP_PORT
JOURNAL=$ROOT/.deployctl/journal.json

rb_clean() {
  compose_project_rm "$APP" # only this app's: other tests share the dockerd
  rm -rf "$ROOT"
}
rb_clean
on_exit rb_clean

# The deploy project: examples/sampleapp deployed to web1 only as app rbapp.
sampleapp_project "$PROJ" "$APP" "$APP_PORT" "$DB_PORT" rb-Secret-pw
cd "$PROJ"

# use_version v1|v2: the code the next deploy ships.
use_version() {
  rm -rf "$PROJ/src"
  cp -r "$REPO/examples/sampleapp/$1" "$PROJ/src"
}
page() { curl -fsS --max-time 5 "$URL/"; }
current_id() { basename "$(readlink "$ROOT/current")"; }
status_of() { jq -r --arg id "$1" '.releases[] | select(.id == $id) | .status' "$JOURNAL"; }
db_container() { container_of "$APP" postgres; }
psql_app() { # psql_app SQL: run SQL in the app's database
  docker exec -i "$(db_container)" psql -X -q -t -A -v ON_ERROR_STOP=1 \
    -U app -p "$DB_PORT" -d sampleapp -c "$1"
}
deploy() { "$DEPLOYCTL" deploy "$@"; }
rollback() { "$DEPLOYCTL" rollback "$@"; }
# snapshot NAME: what "nothing changed" compares: current, the journal,
# releases/, the app's containers.
snapshot() {
  {
    readlink "$ROOT/current"
    cat "$JOURNAL"
    ls "$ROOT/releases"
    docker ps -q --no-trunc --filter "label=com.docker.compose.project=$APP" | sort
  } >"$TEST_TMP/$1.snapshot"
}
assert_unchanged_since() { # assert_unchanged_since NAME WHAT
  snapshot now
  diff "$TEST_TMP/$1.snapshot" "$TEST_TMP/now.snapshot" >&2 || fail "$2 changed the app"
}

# ------------------------------------------------------------ v1, then v2
step "deploy v1, then v2"
use_version v1
assert_success deploy
V1=$(current_id)
assert_contains "$(page)" "sampleapp v1"
# The next deploy's backup needs the database up (the first start runs initdb).
wait_until 60 "postgres to accept connections" psql_app "SELECT 1"
sleep 1
use_version v2
assert_success deploy
V2=$(current_id)
assert_ne "$V1" "$V2" "a new release id"
assert_contains "$(page)" "sampleapp v2"

# ------------------------------------------------------------ bad input
step "bad input: --to that is not a release id is a usage error (exit 2), nothing contacted"
snapshot before
assert_status 2 rollback --to ../etc
assert_contains "$stderr" "deployctl: error: --to '../etc'"
assert_status 2 rollback app=nope
assert_contains "$stderr" "'nope'"

step "--to a release that does not exist: one clear error, exit 4, nothing changed"
assert_status 4 rollback --to 1234567890
assert_contains "$stderr" "deployctl: error: rollback of $APP refused on web1: release 1234567890 of app '$APP' does not exist on web1"
assert_contains "$stderr" "releases you can go back to: $V1"
assert_eq 1 "$(grep -c 'deployctl: error:' <<<"$stderr")" "one error line"
assert_unchanged_since before "a refused rollback"
assert_not_exists "$ROOT/.deployctl/lock" "the lock was given back"
assert_contains "$(page)" "sampleapp v2"

step "--to the current release: refused, nothing changed"
assert_status 4 rollback --to "$V2"
assert_contains "$stderr" "already is current"
assert_unchanged_since before "a refused rollback"

# ------------------------------------------------------------ the lock
step "a held lock refuses the rollback (exit 4), naming it"
mkdir "$ROOT/.deployctl/lock"
assert_status 4 rollback
assert_contains "$stderr" "locked"
assert_unchanged_since before "a rollback refused by the lock"
rmdir "$ROOT/.deployctl/lock"

# ------------------------------------------------------------ --check
step "--check shows the plan and changes nothing, taking no lock"
assert_success rollback --check
assert_contains "$stdout" "would roll back $APP from release $V2 to release $V1"
assert_unchanged_since before "rollback --check"
assert_not_exists "$ROOT/.deployctl/lock"

# ------------------------------------------- failing health check
step "the target's health check fails: what was current is put back, exit 1"
sed -i 's/timeout: 20 }/timeout: 3 }/' "$PROJ/inv/group_vars/all.yml"
mv "$ROOT/releases/$V1/www/health" "$TEST_TMP/v1-health"
assert_status 1 rollback
assert_contains "$stderr" "failed at 'health check'"
assert_contains "$stderr" "put back release $V2"
assert_eq "$V2" "$(current_id)" "current is the release that was current"
assert_contains "$(page)" "sampleapp v2"
assert_eq live "$(status_of "$V2")" "the put-back release is live again"
assert_eq good "$(status_of "$V1")" "the release tried is still good"
assert_eq failed "$(tail -n1 "$ROOT/.deployctl/history.jsonl" | jq -r .result)" "history"
mv "$TEST_TMP/v1-health" "$ROOT/releases/$V1/www/health"
sed -i 's/timeout: 3 }/timeout: 20 }/' "$PROJ/inv/group_vars/all.yml"

# ------------------------------------------------------------ rollback
step "rollback: v1 served, current -> v1's release, v2 marked bad"
assert_success rollback
assert_contains "$stdout" "rolled back $APP from release $V2 to release $V1"
assert_eq "releases/$V1" "$(readlink "$ROOT/current")" "current points at v1's release"
assert_contains "$(page)" "sampleapp v1"
assert_eq live "$(status_of "$V1")" "v1 is live"
assert_eq bad "$(status_of "$V2")" "v2 is marked bad"
assert_eq 1 "$(docker ps -q --filter "label=com.docker.compose.project=$APP" --filter label=com.docker.compose.service=app | wc -l)" \
  "exactly one app container"
last=$(tail -n1 "$ROOT/.deployctl/history.jsonl")
assert_eq rollback "$(jq -r .event <<<"$last")" "history event"
assert_eq ok "$(jq -r .result <<<"$last")" "history result"
assert_eq "$V1" "$(jq -r .release <<<"$last")" "history release"
assert_contains "$(jq -r .message <<<"$last")" "from release $V2"
assert_not_exists "$ROOT/.deployctl/lock" "the lock was given back"

step "the bad release is not a rollback target"
snapshot after_rollback
assert_status 4 rollback --to "$V2"
assert_contains "$stderr" "release $V2 of app '$APP' on web1 is marked bad"
assert_contains "$stderr" "never a rollback target"
assert_status 4 rollback
assert_contains "$stderr" "no release to go back to"
assert_unchanged_since after_rollback "a refused rollback"
assert_success "$DEPLOYCTL" releases
grep "$V2" <<<"$stdout" | grep bad >/dev/null || fail "releases does not show $V2 as bad:
$stdout"

# ------------------------------------------------------------ schema check
step "deploy v2 again; then the schema moves on (a table created): rollback refused, exit 4"
sleep 1
assert_success deploy
V3=$(current_id)
assert_contains "$(page)" "sampleapp v2"
snapshot before_schema
wait_until 30 "postgres to accept connections" psql_app "SELECT 1"
psql_app "CREATE TABLE added_after_v1 (id int)"
assert_status 4 rollback
assert_contains "$stderr" "the database schema of $APP has moved on since release $V1"
assert_matches "$stderr" "schema revision md5:[0-9a-f]{32} then, md5:[0-9a-f]{32} now"
then_rev=$(sed -n 's/.*schema revision \(md5:[0-9a-f]*\) then, \(md5:[0-9a-f]*\) now.*/\1/p' <<<"$stderr" | head -n1)
now_rev=$(sed -n 's/.*schema revision \(md5:[0-9a-f]*\) then, \(md5:[0-9a-f]*\) now.*/\2/p' <<<"$stderr" | head -n1)
assert_ne "$then_rev" "$now_rev" "the two revisions differ"
assert_contains "$stderr" "--force"
assert_contains "$stderr" "--restore-database"
assert_eq 1 "$(grep -c 'deployctl: error:' <<<"$stderr")" "one error line"
assert_unchanged_since before_schema "a rollback refused by the schema check"
assert_contains "$(page)" "sampleapp v2"
assert_eq refused "$(tail -n1 "$ROOT/.deployctl/history.jsonl" | jq -r .result)" "history records the refusal"

step "--check shows the refusal too"
assert_status 4 rollback --check
assert_contains "$stderr" "has moved on since release $V1"

step "--force rolls the code back anyway, with a warning naming both revisions"
assert_success rollback --force
assert_contains "$stderr" "warning: --force"
assert_contains "$stderr" "$then_rev"
assert_contains "$stderr" "$now_rev"
assert_eq "releases/$V1" "$(readlink "$ROOT/current")" "current points at v1's release"
assert_contains "$(page)" "sampleapp v1"
assert_eq bad "$(status_of "$V3")" "the release rolled away from is bad"
assert_eq 1 "$(psql_app "SELECT count(*) FROM pg_tables WHERE tablename = 'added_after_v1'")" \
  "the database was left alone"
assert_contains "$(tail -n1 "$ROOT/.deployctl/history.jsonl" | jq -r .message)" "forced"

assert_not_contains "$output" "rb-Secret-pw" "the database password leaked"

# ------------------------------------------------- --restore-database
step "rollback --restore-database: v2 deployed over v1's data, a migration, more writes"
psql_app "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)"
psql_app "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 500) g"
items_v1=$(psql_app "SELECT md5(string_agg(id || ':' || name, ',' ORDER BY id)) FROM items")
sleep 1
use_version v2
assert_success deploy
V4=$(current_id)
assert_contains "$(page)" "sampleapp v2"
BK=db_backup_$V4.dump.zst
assert_file_exists "$ROOT/backups/$BK"
# What a v2 migration would do: a new column, rows rewritten; then v2 writes.
psql_app "ALTER TABLE items ADD COLUMN extra text"
psql_app "UPDATE items SET name = upper(name), extra = 'v2'"
psql_app "INSERT INTO items SELECT g, 'v2 item', 'v2' FROM generate_series(501, 600) g"
items_v2=$(psql_app "SELECT md5(string_agg(id || ':' || name || ':' || extra, ',' ORDER BY id)) FROM items")

step "without --yes and without a terminal: refused (exit 4), nothing changed"
snapshot before_restore
run rollback --restore-database </dev/null
((status == 4)) || fail "expected exit 4, got $status: $output"
assert_contains "$stderr" "--yes"
assert_contains "$stderr" "every write since that backup is lost"
assert_unchanged_since before_restore "a rollback --restore-database without --yes"
assert_eq "$items_v2" "$(psql_app "SELECT md5(string_agg(id || ':' || name || ':' || extra, ',' ORDER BY id)) FROM items")" \
  "the database is untouched"

step "the restored database fails v1's health check: database and code are put back, exit 1"
sed -i 's/timeout: 20 }/timeout: 3 }/' "$PROJ/inv/group_vars/all.yml"
mv "$ROOT/releases/$V1/www/health" "$TEST_TMP/v1-health"
assert_status 1 rollback --restore-database --yes </dev/null
assert_contains "$stderr" "failed at 'health check'"
assert_contains "$stderr" "put back release $V4"
assert_contains "$stderr" "its database is back too (the restored one from $BK is kept as sampleapp__failed_"
assert_eq "$V4" "$(current_id)" "current is the release that was current"
assert_contains "$(page)" "sampleapp v2"
assert_eq "$items_v2" "$(psql_app "SELECT md5(string_agg(id || ':' || name || ':' || extra, ',' ORDER BY id)) FROM items")" \
  "the database is the one v2 ran on, with every write"
assert_eq "" "$(psql_app "SELECT datname FROM pg_database WHERE datname LIKE 'sampleapp\\_\\_before\\_%'")" \
  "no replaced database left: it is live again"
failed_db=$(psql_app "SELECT datname FROM pg_database WHERE datname LIKE 'sampleapp\\_\\_failed\\_%'")
assert_ne "" "$failed_db" "the restored database is kept aside"
assert_eq 500 "$(docker exec -i "$(db_container)" psql -X -q -t -A -U app -p "$DB_PORT" -d "$failed_db" -c "SELECT count(*) FROM items")" \
  "the kept-aside database is the restored one"
assert_eq live "$(status_of "$V4")" "the put-back release is live again"
mv "$TEST_TMP/v1-health" "$ROOT/releases/$V1/www/health"
sed -i 's/timeout: 3 }/timeout: 20 }/' "$PROJ/inv/group_vars/all.yml"
sleep 1 # the next restore's names are dated by the second

step "with --yes: v1 served on the database as it was before v2 went live"
assert_success rollback --restore-database --yes </dev/null
assert_contains "$stdout" "rolled back $APP from release $V4 to release $V1"
assert_contains "$stdout" "database 'sampleapp' restored from $BK; the database it replaced is kept as sampleapp__before_"
assert_eq "releases/$V1" "$(readlink "$ROOT/current")" "current points at v1's release"
assert_contains "$(page)" "sampleapp v1"
assert_eq bad "$(status_of "$V4")" "the release rolled away from is bad"
assert_eq "$items_v1" "$(psql_app "SELECT md5(string_agg(id || ':' || name, ',' ORDER BY id)) FROM items")" \
  "items as they were before v2 went live"
assert_eq 0 "$(psql_app "SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'extra'")" \
  "the v2 column is gone"
before_db=$(psql_app "SELECT datname FROM pg_database WHERE datname LIKE 'sampleapp\\_\\_before\\_%' ORDER BY datname DESC LIMIT 1")
assert_ne "" "$before_db" "the replaced database is kept under a dated name"
assert_eq 600 "$(docker exec -i "$(db_container)" psql -X -q -t -A -U app -p "$DB_PORT" -d "$before_db" -c "SELECT count(*) FROM items")" \
  "the kept database holds the post-v2 rows"
safety=$(find "$ROOT/backups" -name 'db_backup_safety_*.manifest.json' | sort | tail -n1)
assert_ne "" "$safety" "a safety backup was taken"
assert_eq 600 "$(jq -r '.tables["public.items"]' "$safety")" "the safety backup holds the post-v2 rows"
assert_eq "$before_db" "$(jq -r .dumped_database "$safety")" "... taken of the replaced database"
last=$(tail -n1 "$ROOT/.deployctl/history.jsonl")
assert_eq ok "$(jq -r .result <<<"$last")" "history result"
assert_eq "$BK" "$(jq -r .backup <<<"$last")" "history names the restored backup"
assert_not_exists "$ROOT/.deployctl/lock" "the lock was given back"
assert_not_contains "$output" "rb-Secret-pw" "the database password leaked"

step "--lock-wait waits for another run's lock instead of failing at once"
mkdir "$ROOT/.deployctl/lock"
(sleep 3 && rmdir "$ROOT/.deployctl/lock") &
holder=$!
started=$SECONDS
run rollback --lock-wait 30
wait "$holder"
((SECONDS - started >= 3)) || fail "rollback did not wait for the lock"
# It got the lock, then found nothing to go back to (v1 is the oldest release).
((status == 4)) || fail "expected exit 4, got $status: $output"
assert_contains "$stderr" "no release to go back to"
assert_not_contains "$stderr" "locked"
assert_not_exists "$ROOT/.deployctl/lock" "the lock was given back"
