#!/usr/bin/env bash
# Install every Debian 12 package deployctl needs to build, test and run its
# test bed. Idempotent: when all packages are present it only runs dpkg-query
# (well under a second); otherwise one `apt-get update`, then one install.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config git
  libssh-dev libpq-dev libyaml-cpp-dev libspdlog-dev libfmt-dev catch2
  nlohmann-json3-dev libcli11-dev libssl-dev
  # checks run by ctest: formatting, the layer rules (python3-yaml)
  clang-format python3-yaml
  # test bed: sandbox servers, Docker engine, local images, PostgreSQL
  openssh-server openssh-client docker.io docker-compose busybox-static tini
  zstd gzip postgresql-15 postgresql-client-15 tzdata
  # tools the scripts and e2e tests call
  ansible curl jq iproute2 openssl procps python3 util-linux coreutils
  # benchmarks (scripts/bench/): /usr/bin/time -v for peak RSS
  time
)

declare -A installed=()
while read -r pkg status; do
  [[ $status == ii* ]] && installed[${pkg%%:*}]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null || true)
missing=()
for p in "${PACKAGES[@]}"; do
  [[ -n ${installed[$p]:-} ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "install-deps: error: run as root (missing: ${missing[*]})" >&2; exit 1; }
  SUDO=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
# Packages must not start services (openssh-server, docker.io, postgresql):
# the test bed starts its own daemons. Add a deny-all policy-rc.d only if the
# machine has none, and take it away again afterwards.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
  "${SUDO[@]}" chmod 755 "$policy"
  trap '"${SUDO[@]}" rm -f "$policy"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
echo "install-deps: done"
