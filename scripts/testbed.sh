#!/usr/bin/env bash
# The deployctl test bed: real servers on loopback for the demo and the e2e tests.
#
#   scripts/testbed.sh up       start whatever is not running (idempotent, quick when up)
#   scripts/testbed.sh status   show what is up
#   scripts/testbed.sh down     stop what `up` started (by recorded PID); delete nothing
#
# up brings up:
#   - sandbox servers web1, web2, web3: one sshd each on 127.0.0.11:2222,
#     127.0.0.12:2222, 127.0.0.13:2222, key-only root login with
#     $STATE/ssh/id_ed25519, host keys in ~/.ssh/known_hosts, deploy root
#     $STATE/hosts/<name>/;
#   - a Docker engine (an already running one is used as it is);
#   - images deployctl/app:latest and deployctl/postgres:15, built locally
#     with `docker import` when missing or when their recipe changed.
# State (keys, configs, PIDs, logs) lives in ${DEPLOYCTL_TESTBED:-/tmp/deployctl-testbed}.
# See docs/testbed.md.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$REPO/scripts/testbed
STATE=${DEPLOYCTL_TESTBED:-/tmp/deployctl-testbed}
HOSTS=(web1 web2 web3)
declare -A ADDR=([web1]=127.0.0.11 [web2]=127.0.0.12 [web3]=127.0.0.13)
SSH_PORT=2222
SESSION_PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
KNOWN_HOSTS=${HOME:-/root}/.ssh/known_hosts
APP_IMAGE=deployctl/app:latest
PG_IMAGE=deployctl/postgres:15
DOCKER_WAIT=${DEPLOYCTL_TESTBED_DOCKER_WAIT:-60}

log() { printf 'testbed: %s\n' "$*"; }
warn() { printf 'testbed: warning: %s\n' "$*" >&2; }
die() { printf 'testbed: error: %s\n' "$*" >&2; exit 1; }

# pid_of PIDFILE PATTERN: print the PID recorded in PIDFILE if that process
# is alive and its command line contains PATTERN (a reused PID is not ours).
pid_of() {
  local pidfile=$1 pattern=$2 pid
  [[ -s $pidfile ]] || return 1
  read -r pid <"$pidfile" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' </proc/"$pid"/cmdline | grep -qF -- "$pattern" || return 1
  echo "$pid"
}

# stop_pid PID NAME TIMEOUT: SIGTERM, wait up to TIMEOUT seconds, then SIGKILL.
stop_pid() {
  local pid=$1 name=$2 timeout=$3 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  warn "$name (PID $pid) did not stop in ${timeout}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

# listener_pid ADDR PORT: PID of the process listening on ADDR:PORT, if any.
listener_pid() {
  ss -Hltnp "src $1 and sport = :$2" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1
}

ssh_check() { # ssh_check NAME: a strict-host-key, key-only login runs a command
  ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes \
    -o ConnectTimeout=5 -o LogLevel=ERROR -i "$STATE/ssh/id_ed25519" \
    -p "$SSH_PORT" "root@${ADDR[$1]}" true </dev/null
}

# ---------------------------------------------------------------- ssh servers

client_key() {
  mkdir -p "$STATE/ssh" "$STATE/hosts"
  chmod 700 "$STATE/ssh"
  if [[ ! -s $STATE/ssh/id_ed25519 || ! -s $STATE/ssh/id_ed25519.pub ]]; then
    rm -f "$STATE/ssh/id_ed25519" "$STATE/ssh/id_ed25519.pub"
    ssh-keygen -q -t ed25519 -N '' -C deployctl-testbed -f "$STATE/ssh/id_ed25519"
  fi
  chmod 600 "$STATE/ssh/id_ed25519"
  if ! cmp -s "$STATE/ssh/id_ed25519.pub" "$STATE/ssh/authorized_keys" 2>/dev/null; then
    cp "$STATE/ssh/id_ed25519.pub" "$STATE/ssh/authorized_keys"
    chmod 600 "$STATE/ssh/authorized_keys"
  fi
}

# root_login_possible: without PAM, sshd refuses accounts whose shadow
# password starts with '!' ("account is locked"), even for key logins.
root_login_possible() {
  local pw
  pw=$(getent shadow root | cut -d: -f2) || return 0
  if [[ $pw == '!'* ]]; then
    warn "root's password is locked ('!' in /etc/shadow); sshd without PAM would refuse key logins."
    warn "Setting it to '*' (no password can match either): usermod -p '*' root"
    usermod -p '*' root
  fi
}

sshd_up() { # sshd_up NAME
  local name=$1 addr=${ADDR[$1]} dir=$STATE/sshd/$1 cfg pid
  cfg=$dir/sshd_config
  mkdir -p "$dir" "$STATE/hosts/$name"
  if [[ ! -s $dir/ssh_host_ed25519_key ]]; then
    rm -f "$dir/ssh_host_ed25519_key" "$dir/ssh_host_ed25519_key.pub"
    ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$dir/ssh_host_ed25519_key"
  fi
  chmod 600 "$dir/ssh_host_ed25519_key"
  sed -e "s|@NAME@|$name|g" -e "s|@ADDR@|$addr|g" -e "s|@PORT@|$SSH_PORT|g" \
    -e "s|@DIR@|$dir|g" -e "s|@STATE@|$STATE|g" -e "s|@SESSION_PATH@|$SESSION_PATH|g" \
    "$HERE/sshd_config.in" >"$cfg.new"

  if pid=$(pid_of "$dir/sshd.pid" "$cfg"); then
    if cmp -s "$cfg.new" "$cfg"; then
      rm -f "$cfg.new"
      return 0
    fi
    log "$name: sshd configuration changed; restarting sshd (PID $pid)"
    stop_pid "$pid" "sshd $name" 5
  fi
  mv "$cfg.new" "$cfg"
  rm -f "$dir/sshd.pid"

  # An sshd of ours whose PID file is gone or wrong: restart it (it may run
  # an older config or keys). Anything else on the address is a conflict.
  pid=$(listener_pid "$addr" "$SSH_PORT")
  if [[ -n $pid ]]; then
    if tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | grep -qF -- "-f $cfg"; then
      log "$name: restarting sshd PID $pid (its PID file was lost)"
      stop_pid "$pid" "sshd $name" 5
    else
      die "$addr:$SSH_PORT is already in use by PID $pid ($(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)); stop it or free the address"
    fi
  fi

  /usr/sbin/sshd -t -f "$cfg" || die "$name: sshd rejects $cfg"
  /usr/sbin/sshd -f "$cfg" -E "$dir/sshd.log" 9>&- || die "$name: sshd failed to start; see $dir/sshd.log"
  local i
  for ((i = 0; i < 50; i++)); do
    pid_of "$dir/sshd.pid" "$cfg" >/dev/null && [[ -n $(listener_pid "$addr" "$SSH_PORT") ]] && break
    sleep 0.1
  done
  pid=$(pid_of "$dir/sshd.pid" "$cfg") || die "$name: sshd did not start; see $dir/sshd.log"
  log "$name: sshd PID $pid listening on $addr:$SSH_PORT"
}

# known_hosts: one plain entry per host, in root's file and in $STATE/ssh.
known_hosts_up() {
  local name entry want=() current
  mkdir -p "$(dirname "$KNOWN_HOSTS")"
  chmod 700 "$(dirname "$KNOWN_HOSTS")"
  touch "$KNOWN_HOSTS"
  for name in "${HOSTS[@]}"; do
    entry="[${ADDR[$name]}]:$SSH_PORT $(awk '{print $1" "$2}' "$STATE/sshd/$name/ssh_host_ed25519_key.pub")"
    want+=("$entry")
    # ssh-keygen -F also finds hashed entries; exactly our line means done.
    current=$(ssh-keygen -F "[${ADDR[$name]}]:$SSH_PORT" -f "$KNOWN_HOSTS" 2>/dev/null | grep -v '^#' || true)
    if [[ $current != "$entry" ]]; then
      ssh-keygen -R "[${ADDR[$name]}]:$SSH_PORT" -f "$KNOWN_HOSTS" >/dev/null 2>&1 || true
      echo "$entry" >>"$KNOWN_HOSTS"
      log "$name: host key written to $KNOWN_HOSTS"
    fi
  done
  rm -f "$KNOWN_HOSTS.old"
  printf '%s\n' "${want[@]}" >"$STATE/ssh/known_hosts"
}

ssh_up() {
  [[ -x /usr/sbin/sshd ]] || die "/usr/sbin/sshd is missing; run scripts/install-deps.sh"
  mkdir -p /run/sshd
  chmod 755 /run/sshd
  root_login_possible
  client_key
  local name
  for name in "${HOSTS[@]}"; do sshd_up "$name"; done
  known_hosts_up
  # Log in to all three at once (an OpenSSH login costs ~0.5 s here).
  local pids=()
  for name in "${HOSTS[@]}"; do
    (
      for ((i = 0; i < 20; i++)); do
        ssh_check "$name" 2>"$STATE/sshd/$name/check.err" && exit 0
        sleep 0.25
      done
      exit 1
    ) &
    pids+=($!)
  done
  local failed=()
  for i in "${!HOSTS[@]}"; do
    wait "${pids[$i]}" || failed+=("${HOSTS[$i]}")
  done
  for name in "${failed[@]}"; do
    warn "$name: ssh root@${ADDR[$name]} -p $SSH_PORT fails: $(cat "$STATE/sshd/$name/check.err"); see $STATE/sshd/$name/sshd.log"
  done
  ((${#failed[@]} == 0)) || die "ssh login fails on: ${failed[*]}"
}

ssh_down() {
  local name pid
  for name in "${HOSTS[@]}"; do
    if pid=$(pid_of "$STATE/sshd/$name/sshd.pid" "$STATE/sshd/$name/sshd_config"); then
      stop_pid "$pid" "sshd $name" 5
      log "$name: sshd PID $pid stopped"
    fi
    rm -f "$STATE/sshd/$name/sshd.pid"
  done
}

# ------------------------------------------------------------------- docker

docker_answers() { timeout 10 docker info >/dev/null 2>&1; }

docker_up() {
  command -v dockerd >/dev/null || die "dockerd is missing; run scripts/install-deps.sh"
  mkdir -p "$STATE/docker"
  local pid
  if docker_answers; then
    pid_of "$STATE/docker/dockerd.pid" dockerd >/dev/null || rm -f "$STATE/docker/dockerd.pid"
    return 0
  fi
  if ! pid=$(pid_of "$STATE/docker/dockerd.pid" dockerd); then
    rm -f "$STATE/docker/dockerd.pid"
    local other
    if other=$(pid_of /var/run/docker.pid dockerd); then
      log "waiting for a dockerd this test bed did not start (PID $other)"
    else
      log "starting dockerd (log: $STATE/docker/dockerd.log)"
      # Its own session, so it outlives this script and the test that ran it.
      setsid dockerd --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
        >>"$STATE/docker/dockerd.log" 2>&1 </dev/null 9>&- &
      pid=$!
      echo "$pid" >"$STATE/docker/dockerd.pid"
    fi
  fi
  local i
  for ((i = 0; i < DOCKER_WAIT * 4; i++)); do
    docker_answers && break
    if [[ -n ${pid:-} ]] && ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$STATE/docker/dockerd.log" >&2 || true
      rm -f "$STATE/docker/dockerd.pid"
      die "dockerd exited; see $STATE/docker/dockerd.log"
    fi
    sleep 0.25
  done
  docker_answers || die "docker info did not answer within ${DOCKER_WAIT}s; see $STATE/docker/dockerd.log"
  [[ -n ${pid:-} ]] && log "dockerd PID $pid ready"
}

docker_down() {
  local pid
  if pid=$(pid_of "$STATE/docker/dockerd.pid" dockerd); then
    # dockerd stops its containers (up to 10 s each, in parallel) and its containerd.
    stop_pid "$pid" dockerd 60
    log "dockerd PID $pid stopped"
  elif docker_answers; then
    log "docker: left running (not started by the test bed)"
  fi
  rm -f "$STATE/docker/dockerd.pid"
}

# ------------------------------------------------------------------- images

# recipe_of SCRIPT: a hash of what an image is built from; a change rebuilds it.
recipe_of() {
  cat "$HERE/rootfs.sh" "$@" | sha256sum | cut -c1-16
}

image_up() { # image_up TAG BUILD-SCRIPT [EXTRA-INPUT...]
  local tag=$1 script=$2 recipe have
  recipe=$(recipe_of "${@:2}")
  have=$(docker image inspect -f '{{index .Config.Labels "org.deployctl.testbed.recipe"}}' "$tag" 2>/dev/null || true)
  [[ $have == "$recipe" ]] && return 0
  local old start
  old=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  start=$(date +%s)
  log "building image $tag${old:+ (recipe changed)}"
  mkdir -p "$STATE/build"
  local work
  work=$(mktemp -d "$STATE/build/image.XXXXXX")
  if ! "$script" "$work" "$tag" "org.deployctl.testbed.recipe=$recipe"; then
    rm -rf "$work"
    die "building $tag failed"
  fi
  rm -rf "$work"
  if [[ -n $old ]]; then docker image rm "$old" >/dev/null 2>&1 || true; fi
  log "image $tag built in $(($(date +%s) - start))s"
}

images_up() {
  image_up "$APP_IMAGE" "$HERE/build-app-image.sh"
  image_up "$PG_IMAGE" "$HERE/build-postgres-image.sh" "$HERE/postgres-entrypoint.sh"
}

# ------------------------------------------------------------------ commands

status() {
  local name pid rc=0
  echo "test bed state: $STATE"
  for name in "${HOSTS[@]}"; do
    if pid=$(pid_of "$STATE/sshd/$name/sshd.pid" "$STATE/sshd/$name/sshd_config"); then
      if ssh_check "$name" 2>/dev/null; then
        printf '  %-6s up    sshd PID %s on %s:%s, deploy root %s\n' "$name" "$pid" "${ADDR[$name]}" "$SSH_PORT" "$STATE/hosts/$name"
      else
        printf '  %-6s BROKEN sshd PID %s runs but ssh login fails\n' "$name" "$pid"; rc=1
      fi
    else
      printf '  %-6s down\n' "$name"; rc=1
    fi
  done
  if docker_answers; then
    if pid=$(pid_of "$STATE/docker/dockerd.pid" dockerd); then
      printf '  %-6s up    dockerd PID %s (started by the test bed)\n' docker "$pid"
    else
      printf '  %-6s up    (not started by the test bed)\n' docker
    fi
    local tag id
    for tag in "$APP_IMAGE" "$PG_IMAGE"; do
      if id=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null); then
        printf '  %-6s %s %s\n' image "$tag" "${id:7:12}"
      else
        printf '  %-6s %s missing\n' image "$tag"; rc=1
      fi
    done
  else
    printf '  %-6s down\n' docker; rc=1
  fi
  return $rc
}

with_lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  if ! flock -w 600 9; then die "another testbed.sh holds $STATE/.lock"; fi
}

case "${1:-}" in
  up)
    start=${EPOCHREALTIME/./}
    with_lock
    ssh_up
    docker_up
    images_up
    ms=$(((${EPOCHREALTIME/./} - start) / 1000))
    printf 'testbed: up in %d.%03ds: web1 127.0.0.11, web2 127.0.0.12, web3 127.0.0.13 (port %s), key %s\n' \
      $((ms / 1000)) $((ms % 1000)) "$SSH_PORT" "$STATE/ssh/id_ed25519"
    ;;
  down)
    with_lock
    ssh_down
    docker_down
    log "down (state kept in $STATE)"
    ;;
  status)
    status
    ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
