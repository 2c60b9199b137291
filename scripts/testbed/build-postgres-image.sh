#!/usr/bin/env bash
# Build deployctl/postgres:15 from the host's PostgreSQL 15 packages: server
# and client binaries, the libraries ldd names, busybox for a shell, zstd and
# gzip, a postgres user, and docker-entrypoint.sh (initdb on first start).
# Usage: build-postgres-image.sh WORKDIR TAG [LABEL=VALUE...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/testbed/rootfs.sh
. "$here/rootfs.sh"

PG=/usr/lib/postgresql/15
PGSHARE=/usr/share/postgresql/15
[[ -x $PG/bin/postgres && -d $PGSHARE ]] || { echo "postgres image: $PG is missing (install postgresql-15)" >&2; exit 1; }

work=$1 tag=$2; shift 2
root=$work/rootfs
rootfs_init "$root"

# Server and client binaries, extensions, share files (catalog bootstrap,
# timezone sets, text search data) and the system time zone database.
mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql"
cp -a "$PG" "$root/usr/lib/postgresql/"
cp -a "$PGSHARE" "$root/usr/share/postgresql/"
rm -rf "$root$PGSHARE/man"
cp -a /usr/share/zoneinfo "$root/usr/share/"
rootfs_libs "$root" "$PG"/bin/* "$PG"/lib/*.so

rootfs_bin "$root" /usr/bin/zstd
rootfs_bin "$root" /bin/gzip /usr/bin/gzip
# util-linux setpriv: drop to the postgres user and exec (busybox setpriv cannot).
rootfs_bin "$root" /usr/bin/setpriv
# dash is /bin/sh, as on Debian: busybox's ash runs its own applets before
# PATH, so `sh -c 'gzip ...'` would never reach the real gzip or setpriv.
rootfs_bin "$root" /bin/dash /usr/bin/dash
ln -s dash "$root/usr/bin/sh"
rootfs_busybox "$root"
# Commands in the image run the real PostgreSQL binaries, never busybox's or
# Debian's pg_wrapper.
for b in "$PG"/bin/*; do ln -sf "../lib/postgresql/15/bin/$(basename "$b")" "$root/usr/bin/$(basename "$b")"; done
ln -sf zstd "$root/usr/bin/unzstd"
ln -sf zstd "$root/usr/bin/zstdcat"

cat >"$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
postgres:x:999:999:PostgreSQL administrator:/var/lib/postgresql:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat >"$root/etc/group" <<'G'
root:x:0:
postgres:x:999:
nogroup:x:65534:
G
mkdir -p "$root/var/lib/postgresql/data" "$root/run/postgresql" "$root/docker-entrypoint-initdb.d"
install -m 755 "$here/postgres-entrypoint.sh" "$root/docker-entrypoint.sh"

changes=(
  'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  'ENV PGDATA=/var/lib/postgresql/data'
  'VOLUME /var/lib/postgresql/data'
  'HEALTHCHECK --interval=2s --timeout=5s --start-period=60s --retries=5 CMD ["pg_isready", "-q"]'
  'ENTRYPOINT ["/docker-entrypoint.sh"]'
  'CMD ["postgres"]'
)
for l in "$@"; do changes+=("LABEL $l"); done
rootfs_import "$root" "$tag" "${changes[@]}"
rm -rf "$root"
