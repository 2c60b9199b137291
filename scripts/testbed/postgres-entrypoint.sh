#!/bin/sh
# deployctl test bed PostgreSQL entrypoint (/bin/sh is dash; tools are busybox), modelled on the
# official image's: on first start initdb into $PGDATA honouring
# POSTGRES_USER (default postgres), POSTGRES_PASSWORD, POSTGRES_DB (default
# $POSTGRES_USER, created if missing), POSTGRES_INITDB_ARGS and
# /docker-entrypoint-initdb.d/*.sql|*.sh; then exec postgres as the postgres
# user, listening on 127.0.0.1 only (POSTGRES_LISTEN_ADDRESSES), port $PGPORT
# (default 5432); SIGTERM stops it with a fast shutdown. Other commands
# (`docker run IMAGE psql ...`) run as given.
set -eu

PGDATA=${PGDATA:-/var/lib/postgresql/data}
PGPORT=${PGPORT:-5432}
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
POSTGRES_LISTEN_ADDRESSES=${POSTGRES_LISTEN_ADDRESSES:-127.0.0.1}
export PGDATA PGPORT

if [ $# -eq 0 ] || [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi
if [ "$1" != postgres ]; then
  exec "$@"
fi
shift

log() { echo "docker-entrypoint: $*" >&2; }
as_postgres() { /usr/bin/setpriv --reuid=999 --regid=999 --clear-groups "$@"; }

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /run/postgresql
  chown postgres:postgres /run/postgresql
  chmod 2775 /run/postgresql
  [ -s "$PGDATA/PG_VERSION" ] || chown -R postgres:postgres "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  export HOME=/var/lib/postgresql
else
  as_postgres() { "$@"; }
fi

stop_requested=
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  # A stop during initialisation takes effect when it is complete, so a
  # cluster is never left half made (dash runs the trap between commands).
  trap 'stop_requested=1' TERM INT
  log "initialising a new cluster in $PGDATA (superuser $POSTGRES_USER)"
  pwfile=
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    pwfile=$(mktemp /tmp/pwfile.XXXXXX)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    chown postgres:postgres "$pwfile" 2>/dev/null || true
    auth_host=scram-sha-256
  else
    log "WARNING: POSTGRES_PASSWORD is not set; TCP connections are trusted"
    auth_host=trust
  fi
  # --no-sync: a test bed database; saves seconds on every first start.
  # shellcheck disable=SC2086
  as_postgres initdb -D "$PGDATA" -U "$POSTGRES_USER" -E UTF8 --locale=C --no-sync \
    --auth-local=trust --auth-host="$auth_host" ${pwfile:+--pwfile="$pwfile"} \
    ${POSTGRES_INITDB_ARGS:-} >/dev/null
  [ -z "$pwfile" ] || rm -f "$pwfile"

  # A private socket and no TCP: nobody can reach the cluster until the
  # real server starts, so "accepting connections" means initialised.
  initsock=$(mktemp -d /tmp/pginit.XXXXXX)
  chown postgres:postgres "$initsock" 2>/dev/null || true
  as_postgres pg_ctl -D "$PGDATA" -w -s \
    -o "-c listen_addresses='' -c unix_socket_directories=$initsock -p $PGPORT" start
  psql_init() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$initsock" -p "$PGPORT" -U "$POSTGRES_USER" "$@"; }
  psql_init -d postgres -v db="$POSTGRES_DB" <<'SQL'
SELECT format('CREATE DATABASE %I', :'db')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db')\gexec
SQL
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)
        log "running $f"
        # shellcheck disable=SC1090
        PGHOST=$initsock . "$f"
        ;;
      *.sql) log "running $f"; psql_init -d "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) log "running $f"; gzip -dc "$f" | psql_init -d "$POSTGRES_DB" ;;
      *.sql.zst) log "running $f"; zstd -dc "$f" | psql_init -d "$POSTGRES_DB" ;;
      *) ;;
    esac
  done
  as_postgres pg_ctl -D "$PGDATA" -w -s -m fast stop
  rmdir "$initsock" 2>/dev/null || true
  log "cluster ready"
  if [ -n "$stop_requested" ]; then
    log "stopped during initialisation; not starting"
    exit 0
  fi
fi

set -- postgres -c listen_addresses="$POSTGRES_LISTEN_ADDRESSES" -p "$PGPORT" "$@"
if [ "$(id -u)" = 0 ]; then
  set -- /usr/bin/setpriv --reuid=999 --regid=999 --clear-groups "$@"
fi
# `docker import` cannot set STOPSIGNAL, so stay PID 1 and turn docker's
# SIGTERM into SIGINT (fast shutdown), as the official image's STOPSIGNAL
# does: a smart shutdown would wait for every client to disconnect.
"$@" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null || true' TERM INT
trap 'kill -QUIT "$pid" 2>/dev/null || true' QUIT
rc=0
while :; do
  rc=0
  wait "$pid" || rc=$?
  kill -0 "$pid" 2>/dev/null || break
done
exit "$rc"
