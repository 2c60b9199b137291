// deploy_history: one JSON line appended to .deployctl/history.jsonl.
#include "orchestrator/modules/deploy_history_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/core/redact.h"
#include "orchestrator/modules/module_test_util.h"
#include "remote/fault/fault_transport.h"

namespace {

using deployctl::ModuleContext;
using deployctl::ModuleResult;
using deployctl::Value;
using deployctl::remote::fault::Fault;
using deployctl::remote::fault::FaultTransport;
using deployctl::testing::ModuleHarness;

const std::string kHistory = "/srv/myapp/.deployctl/history.jsonl";

ModuleHarness Host() {
  ModuleHarness h;
  h.vars = {{"apps", {{"myapp", {{"root", "/srv/myapp"}, {"source", {{"path", "."}}}}}}},
            {"deployctl_run",
             {{"token", "0123abcd"}, {"user", "alice"}, {"controller", "laptop"}, {"pid", 42}}}};
  return h;
}

ModuleResult Run(ModuleHarness& h, const Value& args, std::vector<Fault> faults = {}) {
  FaultTransport host(h.host, std::move(faults));
  ModuleContext ctx{host, args, h.vars, false, h.project_dir};
  return deployctl::DeployHistoryModule().Run(ctx);
}

const Value kArgs = {{"app", "myapp"},
                     {"event", "deploy"},
                     {"result", "ok"},
                     {"release_id", "300"},
                     {"backup", "db_backup_300.dump.zst"},
                     {"message", "it's \"done\""}};

}  // namespace

TEST_CASE("deploy_history appends one JSON line naming the run", "[deploy_history]") {
  ModuleHarness h = Host();
  const auto r = Run(h, kArgs);
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  CHECK(r.changed);
  CHECK(r.msg == "recorded deploy ok in " + kHistory);
  const Value line = r.data["line"];
  CHECK(line["user"] == "alice");
  CHECK(line["controller"] == "laptop");
  CHECK(line["token"] == "0123abcd");
  CHECK(line["event"] == "deploy");
  CHECK(line["app"] == "myapp");
  CHECK(line["release"] == "300");
  CHECK(line["backup"] == "db_backup_300.dump.zst");
  CHECK(line["result"] == "ok");
  CHECK(line["message"] == "it's \"done\"");
  CHECK_THAT(line["time"].get<std::string>(),
             Catch::Matches("20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"));
  REQUIRE(h.host.runs().size() == 1);
  const std::string script = *h.host.runs()[0].shell;
  CHECK(script == "mkdir -p -- /srv/myapp/.deployctl && printf '%s\\n' " +
                      deployctl::remote::ShellQuote(line.dump()) + " >> " + kHistory);
}

TEST_CASE("deploy_history leaves out what it was not given, and masks secrets",
          "[deploy_history]") {
  deployctl::RegisterSecret("hunter2-history");
  ModuleHarness h = Host();
  h.vars.erase("deployctl_run");
  h.vars["deployctl_run"] = {{"token", "t"}};
  const auto r = Run(h, {{"app", "myapp"},
                         {"event", "rollback"},
                         {"result", "failed"},
                         {"release_id", ""},
                         {"message", "psql: password hunter2-history rejected"}});
  const Value line = r.data["line"];
  CHECK(line["release"].is_null());
  CHECK(line["backup"].is_null());
  CHECK(line["user"].is_null());
  CHECK(line["message"] == "psql: password ******** rejected");
  CHECK(h.host.runs()[0].shell->find("hunter2") == std::string::npos);
}

TEST_CASE("deploy_history refuses words that are not words", "[deploy_history]") {
  ModuleHarness h = Host();
  CHECK(
      Run(h, {{"app", "myapp"}, {"event", "Deploy now"}, {"result", "ok"}}).msg ==
      "deploy_history: argument 'event' must be a word like deploy or rollback, got 'Deploy now'");
  CHECK(Run(h, {{"app", "myapp"}, {"event", "deploy"}, {"result", "ok; rm -rf /"}}).msg ==
        "deploy_history: argument 'result' must be ok, failed or rolled_back, got 'ok; rm -rf /'");
  CHECK(
      Run(h, {{"app", "myapp"}, {"event", "deploy"}, {"result", "ok"}, {"release_id", "v2"}}).msg ==
      "deploy_history: argument 'release_id' must be digits (UTC epoch seconds), got 'v2'");
  CHECK(h.host.commands().empty());
}

TEST_CASE("deploy_history --check records the append instead of making it", "[deploy_history]") {
  ModuleHarness h = Host();
  const auto r = h.Check(deployctl::DeployHistoryModule(), kArgs);
  CHECK(r.msg == "would record deploy ok in " + kHistory);
  REQUIRE(h.plan.size() == 1);
  CHECK_THAT(h.plan[0], Catch::StartsWith("run: sh -c "));
  CHECK_THAT(h.plan[0], Catch::Contains(kHistory));
  CHECK(h.host.commands().empty());
}

TEST_CASE("deploy_history whose append fails says so; a lost host throws", "[deploy_history]") {
  ModuleHarness h = Host();
  const auto r =
      Run(h, kArgs,
          {Fault::FailCommand(
              1, "history.jsonl",
              {1, "", "sh: 1: cannot create " + kHistory + ": Read-only file system\n"})});
  CHECK(r.failed);
  CHECK(r.msg == "appending to " + kHistory + " failed (rc=1): sh: 1: cannot create " + kHistory +
                     ": Read-only file system");
  CHECK_THROWS_WITH(Run(h, kArgs, {Fault::LoseHostOnCommand(1)}),
                    "web01: connection lost while running a command: Socket error: disconnected");
}
