#!/usr/bin/env bash
# deployctl deploy to three servers at once: one release id for every host,
# each host switched and serving, the history written on each, and a host
# whose health check fails rolled back while the run exits non-zero.
. "$(dirname "$0")/lib.sh"
require_deployctl
testbed_up

APP=e2emulti
PROJ=$TEST_TMP/proj
declare -A PORT=([web1]=18091 [web2]=18092 [web3]=18093)

clean_app() {
  local h
  for h in web1 web2 web3; do
    compose_project_rm "${APP}_$h"
    rm -rf "$TESTBED/hosts/$h/srv/$APP"
  done
}
clean_app
on_exit clean_app

mkdir -p "$PROJ/inv/group_vars" "$PROJ/inv/host_vars" "$PROJ/src/www"
cat >"$PROJ/inv/hosts.yml" <<INV
all:
  children:
    web:
      hosts:
        web1: { ansible_host: $(sandbox_addr web1) }
        web2: { ansible_host: $(sandbox_addr web2) }
        web3: { ansible_host: $(sandbox_addr web3) }
INV
for h in web1 web2 web3; do echo "app_port: ${PORT[$h]}" >"$PROJ/inv/host_vars/$h.yml"; done
cat >"$PROJ/inv/group_vars/all.yml" <<VARS
ansible_port: $SANDBOX_PORT
ansible_user: root
ansible_ssh_private_key_file: $SANDBOX_KEY
app_env: { GREETING: "hello from {{ inventory_hostname }}" }
apps:
  $APP:
    hosts: web
    root: "$TESTBED/hosts/{{ inventory_hostname }}/srv/$APP"
    source: { type: dir, path: ./src }
    # env.j2 is the project's own; dotenv.j2 is deployctl's built-in one.
    templates: [{ src: env.j2, dest: .env }, { src: dotenv.j2, dest: app.env }]
    # The sandbox servers share one Docker engine: one project per host.
    compose: { project: "${APP}_{{ inventory_hostname }}" }
    healthcheck: { url: "http://127.0.0.1:{{ app_port }}/health", timeout: 10 }
VARS
mkdir -p "$PROJ/templates"
echo 'APP_PORT={{ app_port }}' >"$PROJ/templates/env.j2"
cat >"$PROJ/src/docker-compose.yml" <<'YML'
services:
  app:
    image: deployctl/app:latest
    network_mode: host
    command: httpd -f -p 127.0.0.1:${APP_PORT} -h /srv/www
    volumes:
      - ./www:/srv/www:ro
YML
echo ok >"$PROJ/src/www/health"
cd "$PROJ"

step "deploy to web1..web3: one release id, every host serving it"
echo "multi v1" >"$PROJ/src/www/index.html"
assert_success "$DEPLOYCTL" deploy -i inv
V1=$(basename "$(readlink "$TESTBED/hosts/web1/srv/$APP/current")")
for h in web1 web2 web3; do
  assert_eq "releases/$V1" "$(readlink "$TESTBED/hosts/$h/srv/$APP/current")" "$h: current"
  assert_eq "multi v1" "$(curl -fsS "http://127.0.0.1:${PORT[$h]}/")" "$h: page"
  assert_eq 1 "$(grep -c "\"release\":\"$V1\"" "$TESTBED/hosts/$h/srv/$APP/.deployctl/history.jsonl")" "$h: history"
  assert_contains "$(cat "$TESTBED/hosts/$h/srv/$APP/current/app.env")" "GREETING=hello from $h" "$h: built-in template"
done

step "an id already taken on one host: every host gets the next free second"
now=$(date +%s)
for i in 0 1 2 3 4 5 6 7 8 9; do mkdir -p "$TESTBED/hosts/web2/srv/$APP/releases/$((now + i))"; done
assert_success "$DEPLOYCTL" deploy -i inv
V1=$(basename "$(readlink "$TESTBED/hosts/web1/srv/$APP/current")")
((V1 >= now + 10)) || fail "release $V1 collides with a directory made on web2 ($now..$((now + 9)))"
for h in web1 web2 web3; do
  assert_eq "releases/$V1" "$(readlink "$TESTBED/hosts/$h/srv/$APP/current")" "$h: current"
done
for i in 0 1 2 3 4 5 6 7 8 9; do rmdir "$TESTBED/hosts/web2/srv/$APP/releases/$((now + i))"; done

step "-l web2 deploys to web2 only"
echo "multi v2" >"$PROJ/src/www/index.html"
sleep 1
assert_success "$DEPLOYCTL" deploy -i inv -l web2
assert_eq "multi v2" "$(curl -fsS "http://127.0.0.1:${PORT[web2]}/")" "web2 got v2"
assert_eq "multi v1" "$(curl -fsS "http://127.0.0.1:${PORT[web1]}/")" "web1 kept v1"
assert_eq "releases/$V1" "$(readlink "$TESTBED/hosts/web3/srv/$APP/current")" "web3 kept v1"

step "web3 unhealthy: the deploy fails everywhere, every host back on its previous release"
# web3's app listens on its port but its health check asks another one.
sed -i 's|{{ app_port }}/health|{{ health_port \| default(app_port) }}/health|' "$PROJ/inv/group_vars/all.yml"
echo "health_port: 18099" >>"$PROJ/inv/host_vars/web3.yml"
echo "multi v3" >"$PROJ/src/www/index.html"
sleep 1
assert_status 1 "$DEPLOYCTL" deploy -i inv -l web1,web3
assert_contains "$stderr" "web3 failed"
assert_contains "$stderr" "18099"
for h in web1 web3; do
  assert_eq "releases/$V1" "$(readlink "$TESTBED/hosts/$h/srv/$APP/current")" "$h rolled back to v1"
  assert_eq "multi v1" "$(curl -fsS "http://127.0.0.1:${PORT[$h]}/")" "$h serves v1 again"
  assert_not_exists "$TESTBED/hosts/$h/srv/$APP/.deployctl/lock" "$h: lock given back"
done
assert_eq "multi v2" "$(curl -fsS "http://127.0.0.1:${PORT[web2]}/")" "web2, not in the run, untouched"

step "an unreachable host stops the deploy before anything changes (exit 3)"
cp "$PROJ/inv/hosts.yml" "$TEST_TMP/hosts.good"
sed -i "s|web3: { ansible_host: $(sandbox_addr web3) }|web3: { ansible_host: $(sandbox_addr web3), ansible_port: $(free_port 2300) }|" "$PROJ/inv/hosts.yml"
before=$(readlink "$TESTBED/hosts/web1/srv/$APP/current")
assert_status 3 "$DEPLOYCTL" deploy -i inv
assert_contains "$stderr" "web3"
assert_contains "$stderr" "nothing changed"
assert_eq "$before" "$(readlink "$TESTBED/hosts/web1/srv/$APP/current")" "web1 untouched"
assert_not_exists "$TESTBED/hosts/web1/srv/$APP/.deployctl/lock" "no lock left on web1"
cp "$TEST_TMP/hosts.good" "$PROJ/inv/hosts.yml"
