#include "orchestrator/modules/stat_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/core/sha256.h"
#include "orchestrator/modules/module_test_util.h"

using deployctl::Sha256Hex;
using deployctl::StatModule;
using deployctl::Value;
using deployctl::testing::ModuleHarness;

TEST_CASE("stat of a missing path says only that", "[modules][stat]") {
  ModuleHarness h;
  auto r = h.Run(StatModule(), {{"path", "/srv/nope"}});
  CHECK_FALSE(r.changed);
  CHECK_FALSE(r.failed);
  CHECK(r.data == Value{{"stat", {{"exists", false}}}, {"changed", false}});
}

TEST_CASE("stat of a regular file has mode, size and checksum", "[modules][stat]") {
  ModuleHarness h;
  h.host.AddFile("/srv/app/.env", "A=1\n", 0640);
  auto r = h.Run(StatModule(), {{"path", "/srv/app/.env"}});
  CHECK(r.data["stat"] == Value{{"exists", true},
                                {"path", "/srv/app/.env"},
                                {"isdir", false},
                                {"isreg", true},
                                {"islnk", false},
                                {"mode", "0640"},
                                {"size", 4},
                                {"mtime", 1700000000},
                                {"checksum", Sha256Hex("A=1\n")}});
  CHECK(h.host.commands().empty());

  auto no_sum = h.Run(StatModule(), {{"name", "/srv/app/.env"}, {"get_checksum", false}});
  CHECK_FALSE(no_sum.data["stat"].contains("checksum"));
}

TEST_CASE("stat does not follow links and reports the target", "[modules][stat]") {
  ModuleHarness h;
  h.host.AddDir("/srv/app/releases/1");
  h.host.AddLink("/srv/app/current", "releases/1");
  auto link = h.Run(StatModule(), {{"path", "/srv/app/current"}});
  CHECK(link.data["stat"]["islnk"] == true);
  CHECK(link.data["stat"]["isdir"] == false);
  CHECK(link.data["stat"]["lnk_target"] == "releases/1");
  CHECK_FALSE(link.data["stat"].contains("checksum"));

  auto dir = h.Run(StatModule(), {{"path", "/srv/app/releases/1"}});
  CHECK(dir.data["stat"]["isdir"] == true);
  CHECK_FALSE(dir.data["stat"].contains("lnk_target"));
}

TEST_CASE("stat checksums big files with a read-only sha256sum", "[modules][stat]") {
  ModuleHarness h;
  h.host.AddFile("/backups/db.dump", std::string((1 << 20) + 1, 'x'));
  h.host.OnCommand("sha256sum", {0, std::string(64, 'a') + "  /backups/db.dump\n", ""}, 1);
  auto r = h.Check(StatModule(), {{"path", "/backups/db.dump"}});
  CHECK(h.host.commands() == std::vector<std::string>{"sha256sum -- /backups/db.dump"});
  CHECK(h.plan.empty());
  CHECK(r.data["stat"]["checksum"] == std::string(64, 'a'));

  h.host.OnCommandMatching("^sha256sum", {1, "", "sha256sum: Permission denied\n"});
  h.host.AddFile("/backups/other.dump", std::string((1 << 20) + 1, 'x'));
  auto failed = h.Run(StatModule(), {{"path", "/backups/other.dump"}});
  CHECK(failed.failed);
}

TEST_CASE("stat needs a path", "[modules][stat]") {
  ModuleHarness h;
  CHECK(h.Run(StatModule(), Value::object()).msg == "stat: argument 'path' is required");
}
