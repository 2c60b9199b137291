#include "orchestrator/modules/migrate_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/app/wait_until.h"
#include "orchestrator/modules/module_test_util.h"
#include "remote/local/local_transport.h"

using deployctl::MigrateModule;
using deployctl::Value;
using deployctl::testing::ModuleHarness;
using Strings = std::vector<std::string>;

namespace {

const std::string kDir = "/srv/myapp/releases/1700000000";
const Strings kCompose = {"docker-compose",      "-p", "myapp", "-f", kDir + "/docker-compose.yml",
                          "--project-directory", kDir};
const std::string kComposeText =
    "docker-compose -p myapp -f " + kDir + "/docker-compose.yml --project-directory " + kDir;

ModuleHarness Host(bool migrate = true, bool database = true) {
  ModuleHarness h;
  Value app = {{"root", "/srv/myapp"}, {"source", {{"type", "dir"}, {"path", "./build"}}}};
  if (migrate)
    app["migrate"] = {{"service", "app"}, {"command", "alembic upgrade head && echo 'ok'"}};
  if (database) app["database"] = {{"service", "postgres"}, {"name", "myapp"}, {"user", "app"}};
  h.vars = {{"apps", {{"myapp", app}}}};
  h.host.AddDir(kDir);
  h.host.OnCommand("docker compose version", {0, "v1\n", ""});
  return h;
}

const Value kArgs = {{"app", "myapp"}, {"release_id", "1700000000"}};

}  // namespace

TEST_CASE("migrate without apps.NAME.migrate does nothing", "[modules][migrate]") {
  ModuleHarness h = Host(false);
  auto r = h.Run(MigrateModule(), kArgs);
  CHECK_FALSE(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(r.data["skipped"] == true);
  CHECK(r.msg == "skipped: apps.myapp.migrate is not configured");
  CHECK(h.host.commands().empty());
}

TEST_CASE("migrate waits for the database, then runs the command in the service",
          "[modules][migrate]") {
  ModuleHarness h = Host();
  h.host.OnCommand("deployctl-wait", {0, "attempts=3\nelapsed=2\n", ""});
  h.host.OnCommand("exec -T app", {0, "INFO  [alembic] Running upgrade\n", "note\n"});
  auto r = h.Run(MigrateModule(), kArgs);
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  CHECK(r.changed);
  REQUIRE(h.host.runs().size() == 3);  // detect, wait, migrate

  Strings wait = {"sh", "-c", deployctl::WaitUntilSucceedsScript(), "deployctl-wait", "60"};
  wait.insert(wait.end(), kCompose.begin(), kCompose.end());
  wait.insert(wait.end(), {"exec", "-T", "postgres", "pg_isready", "-U", "app", "-d", "myapp"});
  CHECK(h.host.runs()[1].argv == wait);
  CHECK(h.host.runs()[1].cwd == kDir);
  CHECK(h.host.runs()[1].timeout_seconds == 120);

  CHECK(h.host.commands()[2] ==
        "cd " + kDir + " && " + kComposeText +
            " exec -T app sh -c 'alembic upgrade head && echo '\\''ok'\\'''");
  CHECK(h.host.runs()[2].timeout_seconds == 0);
  CHECK(r.data == Value{{"release", "1700000000"},
                        {"service", "app"},
                        {"command", "alembic upgrade head && echo 'ok'"},
                        {"database_wait", {{"attempts", 3}, {"elapsed", 2}}},
                        {"rc", 0},
                        {"stdout", "INFO  [alembic] Running upgrade"},
                        {"stderr", "note"}});
}

TEST_CASE("migrate without a database section runs the command at once", "[modules][migrate]") {
  ModuleHarness h = Host(true, false);
  auto r =
      h.Run(MigrateModule(), {{"app", "myapp"}, {"release", "1700000000"}, {"wait_timeout", 5}});
  CHECK_FALSE(r.failed);
  REQUIRE(h.host.commands().size() == 2);
  CHECK(r.data["database_wait"].is_null());
}

TEST_CASE("migrate fails with the command's stderr", "[modules][migrate]") {
  ModuleHarness h = Host();
  h.host.OnCommand("exec -T app", {2, "", "alembic: error: Can't locate revision abc\n"});
  auto r = h.Run(MigrateModule(), kArgs);
  CHECK(r.failed);
  CHECK(r.changed);
  CHECK(r.msg ==
        "migration 'alembic upgrade head && echo 'ok'' in service 'app' failed on web01 "
        "(exit 2): alembic: error: Can't locate revision abc");
  CHECK(r.data["rc"] == 2);
}

TEST_CASE("migrate names a stopped service when compose v1 exec says nothing",
          "[modules][migrate]") {
  ModuleHarness h = Host();
  h.host.OnCommand("exec -T app", {1, "", ""});
  h.host.OnCommand("ps -q -a app", {0, "aaa|/myapp_app_1|app|False|exited|false||3\n", ""});
  auto r = h.Run(MigrateModule(), kArgs);
  CHECK(r.failed);
  CHECK_THAT(r.msg,
             Catch::EndsWith("(exit 1): service 'app' is not running (exited, exit code 3)"));
}

TEST_CASE("migrate stops when the database never accepts connections", "[modules][migrate]") {
  ModuleHarness h = Host();
  h.host.OnCommand("deployctl-wait", {1, "attempts=11\nelapsed=10\n", ""});
  h.host.OnCommand("ps -q -a postgres", {0, "", ""});
  auto r = h.Run(MigrateModule(),
                 Value{{"app", "myapp"}, {"release_id", "1700000000"}, {"wait_timeout", "10"}});
  CHECK(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(r.msg ==
        "database service 'postgres' of myapp did not accept connections within 10 s "
        "on web01: service 'postgres' has no container");
  CHECK(r.data["database_wait"] == Value{{"attempts", 11}, {"elapsed", 10}});
  for (const auto& c : h.host.commands()) CHECK(c.find("exec -T app") == std::string::npos);

  ModuleHarness said = Host();
  said.host.OnCommand("deployctl-wait",
                      {1, "attempts=61\nelapsed=60\n", "/var/run/postgresql:5432 - no response\n"});
  CHECK_THAT(said.Run(MigrateModule(), kArgs).msg,
             Catch::EndsWith("within 60 s on web01: /var/run/postgresql:5432 - no response"));
}

TEST_CASE("migrate --check records both steps", "[modules][migrate]") {
  ModuleHarness h = Host();
  auto r = h.Check(MigrateModule(), kArgs);
  CHECK_FALSE(r.failed);
  CHECK(r.changed);
  REQUIRE(h.plan.size() == 2);
  CHECK_THAT(h.plan[0], Catch::Contains("deployctl-wait 60"));
  CHECK_THAT(h.plan[1], Catch::Contains("exec -T app sh -c"));
  CHECK_THAT(r.msg, Catch::StartsWith("would wait for postgres, then run: cd " + kDir));
}

TEST_CASE("the wait script retries about once a second, then gives up",
          "[modules][migrate][script]") {
  deployctl::remote::LocalTransport local("localhost");
  auto run = [&](Strings tail) {
    Strings argv = {"sh", "-c", deployctl::WaitUntilSucceedsScript(), "deployctl-wait"};
    argv.insert(argv.end(), tail.begin(), tail.end());
    return local.Run(deployctl::remote::Command::Argv(argv));
  };
  auto at_once = run({"5", "true"});
  CHECK(at_once.exit_status == 0);
  CHECK(at_once.out == "attempts=1\nelapsed=0\n");

  auto never = run({"1", "sh", "-c", "echo rejecting; exit 1"});
  CHECK(never.exit_status == 1);
  CHECK_THAT(never.out, Catch::StartsWith("attempts=2\n") || Catch::StartsWith("attempts=3\n"));
  CHECK(never.err == "rejecting\n");
}
