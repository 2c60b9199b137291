#!/usr/bin/env bash
# Build deployctl/app:latest: busybox (static) and its applets, and tini.
# `busybox httpd -f -p 127.0.0.1:PORT -h DIR` makes a health-checkable app.
# Usage: build-app-image.sh WORKDIR TAG [LABEL=VALUE...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/testbed/rootfs.sh
. "$here/rootfs.sh"

work=$1 tag=$2; shift 2
root=$work/rootfs
rootfs_init "$root"
rootfs_busybox "$root"
# tini as PID 1 (docker.io depends on it): a bare httpd as PID 1 ignores
# SIGTERM, so every `compose down` would wait out the 10 s stop timeout.
cp /usr/bin/tini-static "$root/usr/bin/tini"

cat >"$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
www-data:x:33:33:www-data:/var/www:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat >"$root/etc/group" <<'G'
root:x:0:
www-data:x:33:
nogroup:x:65534:
G
mkdir -p "$root/srv/www" "$root/app"
echo "deployctl sandbox app" >"$root/srv/www/index.html"
echo "ok" >"$root/srv/www/health"

changes=(
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  'WORKDIR /app'
  'ENTRYPOINT ["/usr/bin/tini", "--"]'
  'CMD ["httpd", "-f", "-v", "-p", "127.0.0.1:8080", "-h", "/srv/www"]'
)
for l in "$@"; do changes+=("LABEL $l"); done
rootfs_import "$root" "$tag" "${changes[@]}"
rm -rf "$root"
