// release_prune: what it removes on the host (rm commands), what the
// journal is left with, and what a failure half-way leaves.
#include "orchestrator/modules/release_prune_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/modules/module_test_util.h"
#include "remote/fault/fault_transport.h"

namespace {

using deployctl::ModuleContext;
using deployctl::ModuleResult;
using deployctl::Value;
using deployctl::remote::fault::Fault;
using deployctl::remote::fault::FaultTransport;
using deployctl::testing::ModuleHarness;
using Strings = std::vector<std::string>;

const std::string kJournalPath = "/srv/myapp/.deployctl/journal.json";

ModuleHarness Host(bool database = true) {
  ModuleHarness h;
  Value app = {{"root", "/srv/myapp"}, {"source", {{"path", "."}}}, {"keep_releases", 3}};
  if (database) {
    app["database"] = {{"service", "postgres"},
                       {"name", "myapp"},
                       {"keep_backups", 2},
                       {"keep_manual_backups", 1}};
  }
  h.vars = {{"apps", {{"myapp", app}}}};
  std::string releases;
  for (int id = 1; id <= 7; ++id) {
    releases += std::string(releases.empty() ? "" : ",") + "{\"id\": \"" + std::to_string(id) +
                "\", \"status\": \"" +
                (id == 7   ? "live"
                 : id == 5 ? "bad"
                           : "good") +
                "\", \"backup\": \"db_backup_" + std::to_string(id) + ".dump.zst\"}";
    h.host.AddDir("/srv/myapp/releases/" + std::to_string(id));
  }
  h.host.AddFile(kJournalPath, "{\"app\": \"myapp\", \"releases\": [" + releases + "]}");
  h.host.AddLink("/srv/myapp/current", "releases/7");
  h.host.AddDir("/srv/myapp/backups");
  h.host.OnCommand("ls -1A -- /srv/myapp/backups",
                   {0,
                    "db_backup_4.dump.zst\ndb_backup_5.dump.zst\ndb_backup_6.dump.zst\n"
                    "db_backup_7.dump.zst\ndb_backup_7.dump.zst.manifest.json\n"
                    "db_backup_manual_100.dump.zst\ndb_backup_manual_200.dump.zst\n"
                    "db_backup_v1.dump.zst\ndb_backup_2024.dump.zst\n"
                    "db_backup_2024.dump.zst.manifest.json\nREADME\n",
                    ""});
  // A named backup whose name reads like a release id: its manifest says so.
  h.host.AddFile("/srv/myapp/backups/db_backup_2024.dump.zst.manifest.json",
                 R"({"kind": "named", "name": "2024"})");
  h.host.AddFile("/srv/myapp/backups/db_backup_7.dump.zst.manifest.json",
                 R"({"kind": "automatic", "release": "7"})");
  return h;
}

ModuleResult Run(ModuleHarness& h, std::vector<Fault> faults = {}) {
  FaultTransport host(h.host, std::move(faults));
  const Value args = {{"app", "myapp"}};
  ModuleContext ctx{host, args, h.vars, false, h.project_dir};
  return deployctl::ReleasePruneModule().Run(ctx);
}

std::string Ids(ModuleHarness& h) {
  const Value j = Value::parse(*h.host.ReadFile(kJournalPath));
  std::string out;
  for (const auto& r : j["releases"]) out += (out.empty() ? "" : " ") + r["id"].get<std::string>();
  return out;
}

std::string RmBackup(const std::string& file) {
  const std::string path = "/srv/myapp/backups/" + file;
  return "rm -f -- " + path + " " + path + ".manifest.json";
}

const Strings kRemovals = {
    "rm -rf -- /srv/myapp/releases/1",        "rm -rf -- /srv/myapp/releases/2",
    "rm -rf -- /srv/myapp/releases/3",        "rm -rf -- /srv/myapp/releases/5",
    RmBackup("db_backup_4.dump.zst"),         RmBackup("db_backup_5.dump.zst"),
    RmBackup("db_backup_manual_100.dump.zst")};

Strings Changes(const ModuleHarness& h) {
  Strings out;
  for (const auto& c : h.host.commands()) {
    if (c.starts_with("rm ")) out.push_back(c);
  }
  return out;
}

}  // namespace

TEST_CASE(
    "release_prune removes old and bad releases and old backups, and drops them from "
    "the journal",
    "[release_prune]") {
  ModuleHarness h = Host();
  const auto r = Run(h);
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  CHECK(r.changed);
  // keep 3: current 7, previous 6, then 4; 5 is bad. Backups: 7 and 6
  // (current, previous), manual_200; named ones never.
  CHECK(Changes(h) == kRemovals);
  CHECK(Ids(h) == "4 6 7");
  CHECK(r.msg == "removed 4 release(s) and 3 backup(s) of myapp");
  CHECK(r.data["removed_releases"] == Value({"1", "2", "3", "5"}));
  CHECK(r.data["kept_releases"] == Value({"7", "6", "4"}));
  CHECK(r.data["removed_backups"] ==
        Value({"db_backup_4.dump.zst", "db_backup_5.dump.zst", "db_backup_manual_100.dump.zst"}));
}

TEST_CASE("release_prune without a database prunes releases only", "[release_prune]") {
  ModuleHarness h = Host(false);
  const auto r = Run(h);
  CHECK(r.msg == "removed 4 release(s) and 0 backup(s) of myapp");
  for (const auto& c : h.host.commands()) CHECK_FALSE(c.starts_with("ls "));
}

TEST_CASE("release_prune with nothing to prune writes nothing", "[release_prune]") {
  ModuleHarness h = Host(false);
  h.host.AddFile(kJournalPath, R"({"releases": [{"id": "6", "status": "good"},
                                               {"id": "7", "status": "live"}]})");
  const auto r = Run(h);
  CHECK_FALSE(r.changed);
  CHECK(r.msg == "nothing to prune for myapp");
  CHECK(h.host.writes().empty());
  CHECK(Changes(h).empty());
}

TEST_CASE("release_prune --check lists what it would remove and removes nothing",
          "[release_prune]") {
  ModuleHarness h = Host();
  const auto r = h.Check(deployctl::ReleasePruneModule(), {{"app", "myapp"}});
  CHECK(r.msg == "would remove 4 release(s) and 3 backup(s) of myapp");
  Strings planned;
  for (const auto& line : h.plan) {
    if (line.starts_with("run: ")) planned.push_back(line.substr(5));
  }
  CHECK(planned == kRemovals);
  CHECK(Changes(h).empty());
  CHECK(h.host.writes().empty());
  CHECK(Ids(h) == "1 2 3 4 5 6 7");
}

TEST_CASE("release_prune goes on past a release it cannot remove and keeps it in the journal",
          "[release_prune]") {
  ModuleHarness h = Host();
  const auto r =
      Run(h, {Fault::FailCommand(1, "releases/2", {1, "", "rm: cannot remove 'x': Device busy"})});
  CHECK(r.failed);
  CHECK(r.msg ==
        "pruning myapp on web01: removing /srv/myapp/releases/2: rm: cannot remove 'x': Device "
        "busy");
  CHECK(Ids(h) == "2 4 6 7");
  CHECK(r.data["removed_releases"] == Value({"1", "3", "5"}));
  CHECK(r.data["removed_backups"].size() == 3);
}

TEST_CASE("release_prune whose journal cannot be written stops before the backups",
          "[release_prune]") {
  ModuleHarness h = Host();
  const auto r = Run(h, {Fault::FailWrite(1)});
  CHECK(r.failed);
  CHECK(r.msg == "web01: cannot write " + kJournalPath + ": permission denied");
  // The directories are gone but the journal still lists them: the next
  // prune removes them again (rm -rf of nothing) and drops them then.
  CHECK(Ids(h) == "1 2 3 4 5 6 7");
  CHECK(Changes(h) == Strings(kRemovals.begin(), kRemovals.begin() + 4));
}

TEST_CASE("release_prune that cannot list the backups removes nothing", "[release_prune]") {
  ModuleHarness h = Host();
  const auto r = Run(h, {Fault::FailCommand(
                            1, "ls -1A", {2, "", "ls: cannot open directory: Permission denied"})});
  CHECK(r.failed);
  CHECK(r.msg ==
        "listing /srv/myapp/backups failed (rc=2): ls: cannot open directory: "
        "Permission denied");
  CHECK(Changes(h).empty());
  CHECK(h.host.writes().empty());
}

TEST_CASE("release_prune on a host lost half-way throws; the journal is as it was",
          "[release_prune]") {
  ModuleHarness h = Host();
  CHECK_THROWS_AS(Run(h, {Fault::LoseHostOnCommand(2, "rm -rf")}),
                  deployctl::remote::UnreachableError);
  CHECK(Changes(h) == Strings{"rm -rf -- /srv/myapp/releases/1"});
  CHECK(Ids(h) == "1 2 3 4 5 6 7");
}

// Regression: release_prune joined rm's stderr into its message as it was,
// trailing newline included ("...: rm: busy\n; removing ..."), where
// CheckRan trims it for every other module.
TEST_CASE("release_prune messages carry no newline from rm's stderr", "[release_prune]") {
  ModuleHarness h = Host();
  const auto r = Run(h, {Fault::FailCommand(1, "releases/2", {1, "", "rm: busy\n"}),
                         Fault::FailCommand(1, "releases/3", {1, "", "rm: busy\n"})});
  CHECK(r.msg ==
        "pruning myapp on web01: removing /srv/myapp/releases/2: rm: busy; removing "
        "/srv/myapp/releases/3: rm: busy");
}
