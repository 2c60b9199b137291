#!/usr/bin/env bash
# Benchmark: the same small deploy done by `deployctl playbook` and by
# `ansible-playbook`, against the sandbox hosts web1..web3, side by side.
#
#   scripts/bench/deploy_vs_ansible.sh           run the benchmark
#   scripts/bench/deploy_vs_ansible.sh cleanup   remove what it made on the hosts and in BENCH_DIR
#
# The deploy (one playbook, run unchanged by both tools; written to
# $BENCH_DIR/deploy/deploy-<BENCH_UPLOAD>.yml): create releases/<id> and the shared dirs,
# upload a release of BENCH_FILES files (default 200, in 20 directories,
# 2 MB) in one of two ways (BENCH_UPLOAD):
#   archive (default)  the release as one tar file (`copy`), unpacked on the
#                      server (`command: tar -xf`), the tar removed (`file`);
#   files              `copy` once per file in a loop (deployctl's copy has
#                      no directory mode), after `file` made the directories:
#                      about 220 loop items per host, slow in Ansible;
# link shared .env and storage/ into the release, switch `current` with
# `file: state=link` (both tools replace the link atomically by rename),
# check it with `stat`/`fail`, keep the newest 5 releases (`shell`).
# Modules used: file, copy, command, stat, fail, shell, debug. Each tool deploys into
# its own root (<sandbox_root>/srv/benchdeploy-<tool>) so both start every
# run from the same state.
#
# Reported per tool: wall time (median of BENCH_RUNS, default 3, after one
# untimed warm-up run) and peak RSS from /usr/bin/time -v (the largest single
# process: for Ansible that is the controller or one of its forks, not their
# sum). Ansible runs with its defaults (no pipelining, forks 5, host key
# checking on, known_hosts from scripts/testbed.sh up), facts off
# (gather_facts: false in the playbook), interpreter /usr/bin/python3 (no
# discovery), and a fresh SSH ControlPersist directory per run, so every run
# of either tool opens its SSH connections cold.
#
# Environment: BENCH_RUNS, BENCH_FILES, BENCH_UPLOAD, BENCH_WARMUP=1 (0: no
# untimed warm-up run), DEPLOYCTL, BENCH_DIR,
# BENCH_SKIP_TESTBED (see backup_bench.sh). Runs on demand only: never in CI
# or ctest. See docs/benchmarks.md.
set -euo pipefail
BENCH_NAME=deploy_vs_ansible
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WORK=$BENCH_DIR/deploy
HOSTS=(web1 web2 web3)
declare -A ADDR=([web1]=127.0.0.11 [web2]=127.0.0.12 [web3]=127.0.0.13)
INVENTORY=$BENCH_REPO/inventories/sandbox
BENCH_FILES=${BENCH_FILES:-200}
KEEP=5
BENCH_UPLOAD=${BENCH_UPLOAD:-archive}
BENCH_WARMUP=${BENCH_WARMUP:-1}
[[ $BENCH_FILES =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_FILES must be a positive integer"
[[ $BENCH_UPLOAD =~ ^(archive|files)$ ]] || bench_die "BENCH_UPLOAD must be archive or files"

remote_root() { echo "$BENCH_TESTBED/hosts/$1/srv/benchdeploy-$2"; }

case ${1:-run} in
  run) ;;
  cleanup)
    for h in "${HOSTS[@]}"; do
      bench_ssh "${ADDR[$h]}" "rm -rf -- '$(remote_root "$h" deployctl)' '$(remote_root "$h" ansible)'" || true
    done
    rm -rf -- "$WORK"
    bench_log "removed benchdeploy-* on ${HOSTS[*]} and $WORK"
    exit 0
    ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) bench_die "unknown argument '$1' (run | cleanup)" ;;
esac

bench_check_runs
bench_find_deployctl
command -v ansible-playbook >/dev/null || bench_die "ansible-playbook not found: run scripts/install-deps.sh"
[[ -x /usr/bin/time ]] || bench_die "/usr/bin/time not found: run scripts/install-deps.sh (package time)"
bench_testbed_up
for h in "${HOSTS[@]}"; do
  ssh-keygen -F "[${ADDR[$h]}]:2222" >/dev/null ||
    bench_die "no host key for [${ADDR[$h]}]:2222 in ~/.ssh/known_hosts: run scripts/testbed.sh up"
done

# ---- the release to upload: BENCH_FILES files, deterministic contents
SRC=$WORK/src
mkdir -p "$WORK/logs"
if [[ ! -f $SRC/.complete-$BENCH_FILES ]]; then
  rm -rf -- "$SRC"
  mkdir -p "$SRC"
  for ((i = 0; i < BENCH_FILES; i++)); do
    d=$SRC/$(printf 'app/mod%02d' $((i % 20)))
    mkdir -p "$d"
    # 1 to 16 KiB of text per file
    awk -v n=$(((i * 37) % 16 + 1)) -v i="$i" 'BEGIN { for (l = 0; l < n * 16; l++)
      printf "file %d line %04d: the quick brown fox jumps over the lazy dog %08x\n", i, l, i * 7919 + l }' \
      | head -c $(((i * 37) % 16 * 1024 + 1024)) >"$d/$(printf 'file%03d.txt' "$i")"
  done
  touch "$SRC/.complete-$BENCH_FILES"
  rm -f -- "$WORK/release.tar"
fi
ARCHIVE=$WORK/release.tar
[[ -s $ARCHIVE ]] || tar -C "$SRC" --exclude='.complete-*' --sort=name -cf "$ARCHIVE" .

# ---- the playbook (lists of directories and files inlined as play vars)
PLAYBOOK=$WORK/deploy-$BENCH_UPLOAD.yml
{
  cat <<YAML
# Written by scripts/bench/deploy_vs_ansible.sh; runs unchanged under
# deployctl playbook and ansible-playbook. Extra vars: release_id, bench_tool.
- name: benchmark deploy
  hosts: web
  gather_facts: false
  vars:
    app_root: "{{ sandbox_root }}/srv/benchdeploy-{{ bench_tool }}"
    release_path: "{{ app_root }}/releases/{{ release_id }}"
    keep_releases: $KEEP
YAML
  if [[ $BENCH_UPLOAD == files ]]; then
    echo "    src_dir: $SRC"
    echo "    release_dirs:"
    (cd "$SRC" && find . -mindepth 1 -type d | sed 's|^\./||' | sort | sed 's/^/      - /')
    echo "    release_files:"
    (cd "$SRC" && find . -type f ! -name '.complete-*' | sed 's|^\./||' | sort | sed 's/^/      - /')
  else
    echo "    archive: $ARCHIVE"
    echo '    upload: "{{ app_root }}/uploads/{{ release_id }}.tar"'
  fi
  cat <<'YAML'
  tasks:
    - name: release and shared directories
      file:
        path: "{{ item }}"
        state: directory
        mode: "0755"
      loop:
        - "{{ app_root }}/releases"
        - "{{ app_root }}/uploads"
        - "{{ app_root }}/shared/storage"
        - "{{ release_path }}"

    - name: shared .env (created once, kept across releases)
      copy:
        content: "APP_ENV=bench\n"
        dest: "{{ app_root }}/shared/.env"
        mode: "0600"
        force: false
YAML
  if [[ $BENCH_UPLOAD == files ]]; then
    cat <<'YAML'

    - name: release subdirectories
      file:
        path: "{{ release_path }}/{{ item }}"
        state: directory
      loop: "{{ release_dirs }}"

    - name: upload the release files
      copy:
        src: "{{ src_dir }}/{{ item }}"
        dest: "{{ release_path }}/{{ item }}"
        mode: "0644"
      loop: "{{ release_files }}"
YAML
  else
    cat <<'YAML'

    - name: upload the release archive
      copy:
        src: "{{ archive }}"
        dest: "{{ upload }}"
        mode: "0600"

    - name: unpack the release
      command: tar -xf "{{ upload }}" -C "{{ release_path }}"

    - name: remove the archive
      file:
        path: "{{ upload }}"
        state: absent
YAML
  fi
  cat <<'YAML'

    - name: link shared files into the release
      file:
        src: "{{ app_root }}/shared/{{ item }}"
        dest: "{{ release_path }}/{{ item }}"
        state: link
      loop:
        - .env
        - storage

    - name: switch current to the new release
      file:
        src: "releases/{{ release_id }}"
        dest: "{{ app_root }}/current"
        state: link

    - name: read current
      stat:
        path: "{{ app_root }}/current"
      register: current_link

    - name: check current
      fail:
        msg: "current is not a link to releases/{{ release_id }}"
      when: not current_link.stat.islnk or current_link.stat.lnk_target != ('releases/' ~ release_id)

    - name: keep the newest releases
      shell: cd "{{ app_root }}/releases" && ls -1 | sort -n | head -n -{{ keep_releases }} | xargs -r rm -rf --

    - name: done
      debug:
        msg: "{{ inventory_hostname }} serves release {{ release_id }}"
YAML
} >"$PLAYBOOK"

# check_deploy TOOL ID: every host has current -> releases/ID with all files, at most KEEP releases.
check_deploy() {
  local tool=$1 id=$2 h root out
  for h in "${HOSTS[@]}"; do
    root=$(remote_root "$h" "$tool")
    out=$(bench_ssh "${ADDR[$h]}" "cd '$root' && readlink current && find -L current/ -type f | wc -l && ls releases | wc -l")
    mapfile -t lines <<<"$out"
    [[ ${lines[0]} == "releases/$id" ]] || bench_die "$tool: $h current is '${lines[0]}', expected releases/$id"
    [[ ${lines[1]} -eq $((BENCH_FILES + 1)) ]] ||
      bench_die "$tool: $h current has ${lines[1]} files, expected $((BENCH_FILES + 1)) (files + .env)"
    ((${lines[2]} <= KEEP)) || bench_die "$tool: $h keeps ${lines[2]} releases, expected at most $KEEP"
  done
}

SEQ=0
next_id() { SEQ=$((SEQ + 1)); printf '%s%02d' "$(date +%s)" "$SEQ"; }

# run_tool TOOL LOG: one deploy; prints "SECONDS MAXRSS_KB".
run_tool() {
  local tool=$1 log=$2 id started t rc=0 rss
  id=$(next_id)
  started=$(bench_now)
  if [[ $tool == deployctl ]]; then
    (cd "$WORK" && /usr/bin/time -v -o "$log.time" "$DEPLOYCTL" playbook "$PLAYBOOK" -i "$INVENTORY" \
      -e "release_id=$id" -e bench_tool=deployctl) >"$log" 2>&1 || rc=$?
  else
    local cp
    cp=$(mktemp -d "$WORK/cp.XXXXXX")
    (cd "$WORK" && ANSIBLE_SSH_CONTROL_PATH_DIR=$cp ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
      ANSIBLE_NOCOLOR=1 ANSIBLE_LOCAL_TEMP=$WORK/ansible-tmp ANSIBLE_RETRY_FILES_ENABLED=0 \
      /usr/bin/time -v -o "$log.time" ansible-playbook -i "$INVENTORY" "$PLAYBOOK" \
      -e "release_id=$id" -e bench_tool=ansible) >"$log" 2>&1 || rc=$?
    # Ansible's ControlPersist masters for this run: ask them to exit now.
    local sock
    for sock in "$cp"/*; do
      [[ -S $sock ]] && ssh -o ControlPath="$sock" -O exit dummy >/dev/null 2>&1 || true
    done
    rm -rf -- "$cp"
  fi
  t=$(bench_elapsed "$started")
  if ((rc != 0)); then
    tail -n 30 "$log" >&2
    bench_die "$tool run failed (exit $rc); full output in $log"
  fi
  check_deploy "$tool" "$id"
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log.time")
  echo "$t $rss"
}

echo "deploy: upload=$BENCH_UPLOAD, $BENCH_FILES files ($(du -sk --exclude='.complete-*' "$SRC" | cut -f1) KiB) to ${HOSTS[*]}, keep $KEEP releases; playbook $PLAYBOOK"
echo "deployctl: $("$DEPLOYCTL" --version 2>/dev/null | head -n1); ansible: $(ansible-playbook --version 2>/dev/null | sed -n 1p)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ $BENCH_WARMUP == 1 ]]; then
  bench_log "warm-up: one untimed run of each tool"
  run_tool deployctl "$WORK/logs/deployctl-warmup.log" >/dev/null
  run_tool ansible "$WORK/logs/ansible-warmup.log" >/dev/null
fi

printf '%-4s %12s %16s %12s %16s\n' run deployctl_s deployctl_rss_MB ansible_s ansible_rss_MB
d_t=() d_r=() a_t=() a_r=()
for ((i = 1; i <= BENCH_RUNS; i++)); do
  read -r dt dr < <(run_tool deployctl "$WORK/logs/deployctl-$BENCH_UPLOAD-run$i.log")
  read -r at ar < <(run_tool ansible "$WORK/logs/ansible-$BENCH_UPLOAD-run$i.log")
  d_t+=("$dt") d_r+=("$dr") a_t+=("$at") a_r+=("$ar")
  printf '%-4s %12s %16s %12s %16s\n' "$i" "$dt" "$(awk -v k="$dr" 'BEGIN { printf "%.1f", k / 1024 }')" \
    "$at" "$(awk -v k="$ar" 'BEGIN { printf "%.1f", k / 1024 }')"
done
dm=$(bench_median "${d_t[@]}") am=$(bench_median "${a_t[@]}")
drm=$(bench_median "${d_r[@]}") arm=$(bench_median "${a_r[@]}")
printf '%-24s %12s %12s\n' "" deployctl ansible
printf '%-24s %12s %12s\n' "median wall time (s)" "$dm" "$am"
printf '%-24s %12s %12s\n' "median peak RSS (MB)" "$(awk -v k="$drm" 'BEGIN { printf "%.1f", k / 1024 }')" \
  "$(awk -v k="$arm" 'BEGIN { printf "%.1f", k / 1024 }')"
echo "ansible/deployctl wall time: $(bench_ratio "$am" "$dm")x"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
