#include "orchestrator/modules/compose_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/modules/module_test_util.h"

using deployctl::ComposeModule;
using deployctl::Value;
using deployctl::testing::ModuleHarness;
using Strings = std::vector<std::string>;

namespace {

const std::string kDir = "/srv/myapp/releases/1700000000";
const std::string kCompose =
    "docker-compose -p myapp -f " + kDir + "/docker-compose.yml --project-directory " + kDir;
const std::string kDb = "bbb|/myapp_postgres_1|postgres|False|running|true|healthy|0\n";
const std::string kRunning = "aaa|/myapp_app_1|app|False|running|true||0\n" + kDb;

// A host with compose v1, app `myapp` and release 1700000000.
ModuleHarness Host() {
  ModuleHarness h;
  h.vars = {{"apps",
             {{"myapp",
               {{"root", "/srv/myapp"},
                {"source", {{"type", "dir"}, {"path", "./build"}}},
                {"compose", {{"project", "myapp"}}}}}}}};
  h.host.AddDir(kDir);
  h.host.OnCommand("docker compose version", {0, "v1\n", ""});
  return h;
}

Value Args(std::initializer_list<std::pair<const std::string, Value>> extra) {
  Value args = {{"app", "myapp"}, {"release_id", "1700000000"}};
  for (const auto& [k, v] : extra) args[k] = v;
  return args;
}

}  // namespace

TEST_CASE("compose up runs in the release with a fixed project name", "[modules][compose]") {
  ModuleHarness h = Host();
  h.host.OnCommand("ps -q -a", {0, "", ""}, 1);  // before: nothing
  h.host.OnCommand("ps -q -a", {0, kRunning, ""});
  auto r = h.Run(ComposeModule(), Args({}));
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  CHECK(r.changed);
  const auto& cmds = h.host.commands();
  REQUIRE(cmds.size() == 4);  // detect, look, up, look
  CHECK_THAT(cmds[0], Catch::Contains("docker compose version"));
  CHECK_THAT(cmds[1], Catch::StartsWith("cd " + kDir + " && sh -c ") &&
                          Catch::Contains(kCompose + " ps -q -a)"));
  CHECK(cmds[2] == "cd " + kDir + " && " + kCompose + " up -d --remove-orphans");
  CHECK(h.host.runs()[1].read_only);
  CHECK_FALSE(h.host.runs()[2].read_only);
  CHECK(r.data["release"] == "1700000000");
  CHECK(r.data["release_dir"] == kDir);
  CHECK(r.data["project"] == "myapp");
  CHECK(r.data["services"] == Value{{"app", "running"}, {"postgres", "running"}});
  CHECK(r.data["containers"].size() == 2);
  CHECK(r.data["containers"][1]["health"] == "healthy");
}

TEST_CASE("compose up is not changed when the same containers keep running", "[modules][compose]") {
  ModuleHarness h = Host();
  h.host.OnCommand("ps -q -a", {0, kRunning, ""});
  auto r = h.Run(ComposeModule(), Args({}));
  CHECK_FALSE(r.failed);
  CHECK_FALSE(r.changed);

  // A recreated container (new id) or a started one is a change.
  ModuleHarness recreated = Host();
  recreated.host.OnCommand("ps -q -a", {0, kRunning, ""}, 1);
  recreated.host.OnCommand("ps -q -a",
                           {0, "ccc|/myapp_app_1|app|False|running|true||0\n" + kDb, ""});
  CHECK(recreated.Run(ComposeModule(), Args({})).changed);

  ModuleHarness started = Host();
  started.host.OnCommand("ps -q -a", {0, "aaa|/myapp_app_1|app|False|exited|false||0\n", ""}, 1);
  started.host.OnCommand("ps -q -a", {0, "aaa|/myapp_app_1|app|False|running|true||0\n", ""});
  CHECK(started.Run(ComposeModule(), Args({})).changed);
}

TEST_CASE("compose up of some services, with compose v2", "[modules][compose]") {
  ModuleHarness h;
  h.vars = Host().vars;
  h.host.AddDir(kDir);
  h.host.OnCommand("docker compose version", {0, "v2\n", ""});
  auto r = h.Run(ComposeModule(), Args({{"services", Value::array({"app", "worker"})}}));
  CHECK_FALSE(r.failed);
  CHECK(h.host.commands()[2] == "cd " + kDir + " && docker compose -p myapp -f " + kDir +
                                    "/docker-compose.yml --project-directory " + kDir +
                                    " up -d --remove-orphans app worker");
}

TEST_CASE("compose release: current reads the current link", "[modules][compose]") {
  ModuleHarness h = Host();
  h.host.AddLink("/srv/myapp/current", "releases/1700000000");
  auto r = h.Run(ComposeModule(), {{"app", "myapp"}, {"release", "current"}, {"state", "stopped"}});
  CHECK_FALSE(r.failed);
  CHECK(r.data["release"] == "1700000000");
  CHECK(h.host.commands()[2] == "cd " + kDir + " && " + kCompose + " stop");

  auto implicit = h.Run(ComposeModule(), {{"app", "myapp"}, {"state", "stopped"}});
  CHECK(implicit.data["release"] == "1700000000");

  ModuleHarness none = Host();
  auto missing = none.Run(ComposeModule(), {{"app", "myapp"}, {"release", "current"}});
  CHECK(missing.failed);
  CHECK(missing.msg ==
        "compose: app 'myapp' has no current release on web01 (/srv/myapp/current does not exist)");
  CHECK(none.host.commands().empty());
}

TEST_CASE("compose stop is changed only when something ran", "[modules][compose]") {
  ModuleHarness h = Host();
  h.host.OnCommand("ps -q -a", {0,
                                "aaa|/myapp_app_1|app|False|exited|false||0\n"
                                "bbb|/myapp_postgres_1|postgres|False|running|true||0\n",
                                ""});
  auto app_only = h.Run(ComposeModule(), Args({{"state", "stopped"}, {"services", {"app"}}}));
  CHECK_FALSE(app_only.failed);
  CHECK_FALSE(app_only.changed);  // app was already stopped
  CHECK(h.host.commands()[2] == "cd " + kDir + " && " + kCompose + " stop app");
  CHECK(app_only.data["services"] == Value{{"app", "exited"}, {"postgres", "running"}});

  h.host.ClearLog();
  auto all = h.Run(ComposeModule(), Args({{"state", "stopped"}}));
  CHECK(all.changed);  // postgres was running
}

TEST_CASE("compose restarted and down", "[modules][compose]") {
  ModuleHarness h = Host();
  h.host.OnCommand("ps -q -a", {0, kRunning, ""});
  auto restarted = h.Run(ComposeModule(), Args({{"state", "restarted"}, {"services", {"app"}}}));
  CHECK(restarted.changed);
  CHECK(h.host.commands()[2] == "cd " + kDir + " && " + kCompose + " up -d --remove-orphans app");
  CHECK(h.host.commands()[3] == "cd " + kDir + " && " + kCompose + " restart app");

  h.host.ClearLog();
  auto down = h.Run(ComposeModule(), Args({{"state", "down"}}));
  CHECK(down.changed);
  CHECK(h.host.commands()[2] == "cd " + kDir + " && " + kCompose + " down --remove-orphans");

  ModuleHarness empty = Host();
  CHECK_FALSE(empty.Run(ComposeModule(), Args({{"state", "down"}})).changed);

  auto bad = h.Run(ComposeModule(), Args({{"state", "down"}, {"services", {"app"}}}));
  CHECK(bad.failed);
  CHECK_THAT(bad.msg, Catch::Contains("state=stopped"));
}

TEST_CASE("compose failures carry the end of compose's stderr", "[modules][compose]") {
  ModuleHarness h = Host();
  h.host.OnCommand(" up -d", {1, "",
                              "Pulling app (deployctl/nope:1)...\n"
                              "Get \"https://registry-1.docker.io/v2/\": no such host\n"});
  auto r = h.Run(ComposeModule(), Args({}));
  CHECK(r.failed);
  CHECK(r.msg ==
        "compose up of myapp release 1700000000 failed on web01 (exit 1): Pulling app "
        "(deployctl/nope:1)...\nGet \"https://registry-1.docker.io/v2/\": no such host");
  CHECK(r.data["rc"] == 1);
  CHECK(h.host.commands().size() == 3);  // no look after a failure
}

TEST_CASE("compose refuses bad arguments before touching anything", "[modules][compose]") {
  ModuleHarness h = Host();
  CHECK(h.Run(ComposeModule(), Args({{"state", "started"}})).msg ==
        "compose: argument 'state' must be one of up, stopped, restarted, down, got 'started'");
  CHECK_THAT(h.Run(ComposeModule(), Args({{"services", {"-x"}}})).msg,
             Catch::Contains("'-x' is not a compose service name"));
  CHECK_THAT(h.Run(ComposeModule(), {{"app", "myapp"}, {"release_id", "../x"}}).msg,
             Catch::Contains("must be digits"));
  CHECK_THAT(h.Run(ComposeModule(), Args({{"release", "current"}})).msg,
             Catch::Contains("not both"));
  CHECK_THAT(h.Run(ComposeModule(), {{"app", "myapp"}, {"release_id", "1"}}).msg,
             Catch::Contains("release directory /srv/myapp/releases/1 does not exist on web01"));
  CHECK(h.host.commands().empty());
}

TEST_CASE("compose --check looks for real and records the change", "[modules][compose]") {
  ModuleHarness h = Host();
  h.host.OnCommand("ps -q -a", {0, kRunning, ""});
  auto up = h.Check(ComposeModule(), Args({}));
  CHECK_FALSE(up.failed);
  CHECK(up.changed);
  CHECK(h.plan == Strings{"run: cd " + kDir + " && " + kCompose + " up -d --remove-orphans"});
  CHECK(up.msg == "would run: cd " + kDir + " && " + kCompose + " up -d --remove-orphans");

  ModuleHarness stopped = Host();
  stopped.host.OnCommand("ps -q -a", {0, "aaa|/myapp_app_1|app|False|exited|false||0\n", ""});
  CHECK_FALSE(stopped.Check(ComposeModule(), Args({{"state", "stopped"}})).changed);

  // The release exists only in the plan of an earlier task.
  ModuleHarness fresh = Host();
  fresh.host.Remove(kDir);
  auto planned = fresh.Check(ComposeModule(), Args({}));
  CHECK_FALSE(planned.failed);
  CHECK(planned.changed);
  CHECK(fresh.plan.size() == 1);
}
