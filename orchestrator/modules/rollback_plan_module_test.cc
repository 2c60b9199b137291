#include "orchestrator/modules/rollback_plan_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/modules/module_test_util.h"

using deployctl::RollbackPlanModule;
using deployctl::Value;
using deployctl::testing::ModuleHarness;

namespace {

const char* kJournal = R"({"app": "myapp", "releases": [
  {"id": "100", "status": "good", "schema_revision": "rev-a", "backup": null},
  {"id": "150", "status": "bad", "reason": "health check failed"},
  {"id": "200", "status": "live", "schema_revision": "rev-b", "backup": "db_backup_200.dump.zst"}
]})";

ModuleHarness Host(bool database = false) {
  ModuleHarness h;
  Value app = {{"root", "/srv/myapp"}, {"source", {{"type", "dir"}, {"path", "./build"}}}};
  if (database) app["database"] = {{"service", "postgres"}, {"name", "myapp"}, {"user", "app"}};
  h.vars = {{"apps", {{"myapp", app}}}};
  h.host.AddFile("/srv/myapp/.deployctl/journal.json", kJournal);
  h.host.AddDir("/srv/myapp/releases/100");
  h.host.AddDir("/srv/myapp/releases/150");
  h.host.AddDir("/srv/myapp/releases/200");
  h.host.AddLink("/srv/myapp/current", "releases/200");
  return h;
}

}  // namespace

TEST_CASE("rollback_plan chooses the previous good release and only reads",
          "[modules][rollback_plan]") {
  ModuleHarness h = Host();
  auto r = h.Run(RollbackPlanModule(), {{"app", "myapp"}});
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(r.data["current"] == "200");
  CHECK(r.data["target"] == "100");
  CHECK(r.data["target_schema_revision"] == "rev-a");
  CHECK(r.data["database"] == false);
  CHECK(r.msg == "roll myapp back from release 200 to 100 (schema revision rev-a)");
  CHECK(h.host.writes().empty());
  CHECK(h.host.commands().empty());

  r = h.Check(RollbackPlanModule(), {{"app", "myapp"}, {"to", "100"}});
  CHECK_FALSE(r.failed);
  CHECK(r.data["target"] == "100");
  CHECK(h.plan.empty());
}

TEST_CASE("rollback_plan refuses a bad or unknown target (exit 4)", "[modules][rollback_plan]") {
  ModuleHarness h = Host();
  auto r = h.Run(RollbackPlanModule(), {{"app", "myapp"}, {"to", "150"}});
  CHECK(r.failed);
  CHECK(r.refused);
  CHECK(r.msg ==
        "release 150 of app 'myapp' on web01 is marked bad (health check failed): a bad release is "
        "never a rollback target; releases you can go back to: 100");

  r = h.Run(RollbackPlanModule(), {{"app", "myapp"}, {"to", "12345"}});
  CHECK(r.refused);
  CHECK(r.msg ==
        "release 12345 of app 'myapp' does not exist on web01; releases you can go back "
        "to: 100");
  CHECK(h.host.writes().empty());
}

TEST_CASE("rollback_plan refuses a release whose directory is gone", "[modules][rollback_plan]") {
  ModuleHarness h = Host();
  h.host.Remove("/srv/myapp/releases/100");
  auto r = h.Run(RollbackPlanModule(), {{"app", "myapp"}});
  CHECK(r.refused);
  CHECK(r.msg ==
        "release 100 of app 'myapp' is in the journal on web01 but "
        "/srv/myapp/releases/100 does not exist: it cannot be a rollback target");
}

TEST_CASE("rollback_plan with a database reads the backups (one read-only probe)",
          "[modules][rollback_plan]") {
  ModuleHarness h = Host(true);
  h.host.AddFile("/srv/myapp/backups/db_backup_200.dump.zst.manifest.json", "{}");
  auto r = h.Run(RollbackPlanModule(), {{"app", "myapp"}});
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  CHECK(r.data["database"] == true);
  REQUIRE(h.host.runs().size() == 1);
  CHECK(h.host.runs()[0].read_only);
  CHECK(r.data["backup"].is_null());
  CHECK(r.msg ==
        "roll myapp back from release 200 to 100 (schema revision rev-a); no matching "
        "backup: no automatic backup with a complete manifest was taken while release "
        "100 was live (before release 200 went live)");
}
