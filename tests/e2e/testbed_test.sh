#!/usr/bin/env bash
# The test bed itself works: strict-host-key SSH to web1..web3 (with the
# tools deployctl needs on PATH, SFTP, a deploy root each), the sandbox
# inventory as real Ansible reads it, and a compose project with both local
# images (httpd app, PostgreSQL with pg_dump through `compose exec -T`).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

step "test bed up"
testbed_up

# ---------------------------------------------------------------- SSH hosts
for host in web1 web2 web3; do
  step "$host: ssh, sftp, strict host keys"
  addr=$(sandbox_addr "$host")
  # Exactly the check a user would make: root's known_hosts, strict.
  run ssh -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes \
    -i "$SANDBOX_KEY" -p 2222 "root@$addr" 'echo "$(id -un) $PATH"'
  ((status == 0)) || fail "$host: strict ssh root@$addr:2222 failed: $output"
  assert_contains "$stdout" "root " "$host: remote user"
  assert_contains "$stdout" "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" "$host: session PATH"

  assert_success ssh_host "$host" 'command -v docker && command -v docker-compose && command -v zstd && command -v gzip'
  assert_success ssh_host "$host" "test -d $(sandbox_root "$host") && test -w $(sandbox_root "$host")"

  # SFTP subsystem (libssh's SFTP uses it).
  echo "sftp $host" >"$TEST_TMP/sftp-$host.txt"
  assert_success sftp -b - -o BatchMode=yes -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes \
    -i "$SANDBOX_KEY" -P 2222 "root@$addr" <<EOF
put $TEST_TMP/sftp-$host.txt $(sandbox_root "$host")/.sftp-probe
EOF
  assert_eq "sftp $host" "$(ssh_host "$host" "cat $(sandbox_root "$host")/.sftp-probe; rm $(sandbox_root "$host")/.sftp-probe")" "$host: file written over sftp"

  # Host key checking is really strict: a wrong key is refused.
  echo "[$addr]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm9kiPGmlsXaM8OHqzl2Kq8H4ac2BHSTyXeRJgQ3x9N" >"$TEST_TMP/bad_known_hosts"
  assert_failure ssh -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes \
    -o UserKnownHostsFile="$TEST_TMP/bad_known_hosts" -i "$SANDBOX_KEY" -p 2222 "root@$addr" true
  assert_contains "$output" "HOST IDENTIFICATION HAS CHANGED" "$host: a wrong host key must be refused"
done

# The test bed's own copy of the host keys works as a known_hosts file too.
assert_success ssh -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes \
  -o UserKnownHostsFile="$TESTBED/ssh/known_hosts" -i "$SANDBOX_KEY" -p 2222 root@127.0.0.12 true

# Password logins are off.
assert_failure ssh -o StrictHostKeyChecking=yes -o BatchMode=yes -o PubkeyAuthentication=no \
  -o PreferredAuthentications=password,keyboard-interactive -p 2222 root@127.0.0.13 true

# ----------------------------------------------------------- the inventory
step "sandbox inventory through ansible-inventory and ansible"
assert_file_exists "$SANDBOX_INV/hosts.yml"
run ansible-inventory -i "$SANDBOX_INV" --list
((status == 0)) || fail "ansible-inventory cannot read $SANDBOX_INV: $output"
inv=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
hv = d["_meta"]["hostvars"]
for h in ("web1", "web2", "web3"):
    v = hv[h]
    print(h, v["ansible_host"], v["ansible_port"], v["ansible_user"], v["ansible_ssh_private_key_file"], v["sandbox_root"])
print("web:", " ".join(sorted(d["web"]["hosts"])))
' <<<"$stdout")
assert_contains "$inv" "web1 127.0.0.11 2222 root $SANDBOX_KEY /tmp/deployctl-testbed/hosts/{{ inventory_hostname }}"
assert_contains "$inv" "web3 127.0.0.13 2222 root"
assert_contains "$inv" "web: web1 web2 web3"

# Real Ansible reaches every host through it (templated sandbox_root too).
run env ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=False \
  ansible -i "$SANDBOX_INV" web -o -m command -a 'echo {{ sandbox_root }}'
((status == 0)) || fail "ansible could not run a command on the sandbox hosts: $output"
for host in web1 web2 web3; do
  assert_contains "$stdout" "$host | CHANGED | rc=0 | (stdout) /tmp/deployctl-testbed/hosts/$host"
done

# ------------------------------------------------- compose with both images
step "compose project with deployctl/app and deployctl/postgres"
docker info >/dev/null 2>&1 || fail "docker info does not answer"
docker image inspect deployctl/app:latest >/dev/null || fail "image deployctl/app:latest is missing"
docker image inspect deployctl/postgres:15 >/dev/null || fail "image deployctl/postgres:15 is missing"

pg_port=$(free_port 55432)
app_port=$(free_port 18099)
project="tbtest$$$RANDOM"
proj_dir=$TEST_TMP/compose
mkdir -p "$proj_dir/www"
echo "hello from the sandbox $project" >"$proj_dir/www/index.html"
cat >"$proj_dir/docker-compose.yml" <<EOF
version: "2.4"
services:
  postgres:
    image: deployctl/postgres:15
    network_mode: host
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: s3cret-pw
      POSTGRES_DB: appdb
      PGPORT: "$pg_port"
    volumes:
      - pgdata:/var/lib/postgresql/data
  app:
    image: deployctl/app:latest
    network_mode: host
    command: ["httpd", "-f", "-p", "127.0.0.1:$app_port", "-h", "/srv/www"]
    volumes:
      - ./www:/srv/www:ro
    depends_on:
      postgres:
        condition: service_healthy
volumes:
  pgdata: {}
EOF
cd "$proj_dir" || fail "cannot cd to $proj_dir"
on_exit compose -p "$project" -f "$proj_dir/docker-compose.yml" down -v --timeout 10

assert_success compose -p "$project" up -d
pg_cid=$(compose -p "$project" ps -q postgres)
[[ -n $pg_cid ]] || fail "compose did not create the postgres container"
wait_until 90 "the postgres service to be healthy" \
  sh -c "docker inspect -f '{{.State.Health.Status}}' $pg_cid | grep -qx healthy"
wait_until 30 "the app on 127.0.0.1:$app_port" curl -fsS "http://127.0.0.1:$app_port/index.html"
assert_eq "hello from the sandbox $project" "$(curl -fsS "http://127.0.0.1:$app_port/index.html")" "page served by the app image"

step "postgres healthy, app serving; psql and pg_dump through compose exec"
assert_success compose -p "$project" exec -T postgres pg_isready -U app -d appdb
assert_success compose -p "$project" exec -T postgres psql -v ON_ERROR_STOP=1 -U app -d appdb \
  -c "CREATE TABLE testbed_probe (id serial PRIMARY KEY, note text NOT NULL)" \
  -c "INSERT INTO testbed_probe (note) VALUES ('written through compose exec')"

# The seeds' backup command, verbatim.
run compose -p "$project" exec -T postgres pg_dump -U app appdb
((status == 0)) || fail "pg_dump through compose exec failed: $output"
assert_contains "$stdout" "CREATE TABLE public.testbed_probe" "pg_dump output"
assert_contains "$stdout" "written through compose exec" "pg_dump output"

# Custom format through zstd inside the container, restored to a list.
run compose -p "$project" exec -T postgres sh -c 'pg_dump -Fc -Z0 -U app appdb | zstd -q -c | zstd -dc | pg_restore -l'
((status == 0)) || fail "pg_dump -Fc | zstd | pg_restore -l in the container failed: $output"
assert_contains "$stdout" "TABLE public testbed_probe app"

# TCP from the host: listens on 127.0.0.1 only, and the password is required.
run env PGPASSWORD=s3cret-pw PGCONNECT_TIMEOUT=5 psql -X -At -h 127.0.0.1 -p "$pg_port" -U app -d appdb -c 'SELECT note FROM testbed_probe'
((status == 0)) || fail "psql over TCP from the host failed: $output"
assert_eq "written through compose exec" "$stdout"
assert_failure env PGPASSWORD=wrong PGCONNECT_TIMEOUT=5 psql -X -h 127.0.0.1 -p "$pg_port" -U app -d appdb -c 'SELECT 1'
assert_contains "$output" "password authentication failed"
listen=$(ss -Htln "sport = :$pg_port" | awk '{print $4}' | sort -u | tr '\n' ' ')
assert_eq "127.0.0.1:$pg_port " "$listen" "postgres listens on loopback only"

step "restart and down"
# A restart keeps the data and stops promptly (SIGTERM becomes a fast shutdown).
start=$SECONDS
assert_success compose -p "$project" restart -t 20 postgres
((SECONDS - start < 15)) || fail "restarting postgres took $((SECONDS - start))s"
wait_until 60 "postgres to accept connections after a restart" \
  compose -p "$project" exec -T postgres psql -U app -d appdb -c 'SELECT 1 FROM testbed_probe'

assert_success compose -p "$project" down -v --timeout 10
[[ -z $(docker ps -aq --filter "label=com.docker.compose.project=$project") ]] || fail "containers of $project remain after down"
[[ -z $(docker volume ls -q --filter "label=com.docker.compose.project=$project") ]] || fail "volumes of $project remain after down -v"
