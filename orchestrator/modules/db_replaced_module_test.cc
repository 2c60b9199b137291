#include "orchestrator/modules/db_replaced_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/app/backup_manifest.h"
#include "orchestrator/modules/module_test_util.h"

using deployctl::BackupManifest;
using deployctl::DbReplacedModule;
using deployctl::Value;
using deployctl::testing::ModuleHarness;

namespace {

const long long kNow = 1800000000;

// A host whose cluster has `databases`, and a safety backup of each of
// `backed_up` (by its manifest's dumped_database).
ModuleHarness Host(const std::string& databases, const std::vector<std::string>& backed_up,
                   int keep = 1) {
  ModuleHarness h;
  Value app = {{"root", "/srv/myapp"},
               {"source", {{"type", "dir"}, {"path", "./build"}}},
               {"database",
                {{"service", "postgres"},
                 {"name", "myapp"},
                 {"user", "app"},
                 {"keep_replaced_databases", keep}}}};
  h.vars = {{"apps", {{"myapp", app}}}};
  std::string entries;
  long long stamp = 1700000000;
  for (const std::string& db : backed_up) {
    BackupManifest m;
    m.file = "db_backup_safety_" + std::to_string(++stamp) + ".dump.zst";
    m.kind = "safety";
    m.app = "myapp";
    m.database = "myapp";
    m.dumped_database = db;
    m.size = 10;
    m.sha256 = std::string(64, 'a');
    m.compression = "zstd";
    m.format = "custom";
    m.created = stamp;
    m.pg_dump_version = m.server_version = "15.5";
    h.host.AddFile("/srv/myapp/backups/" + m.file + ".manifest.json", RenderManifest(m));
    entries += "entry=10 " + std::to_string(stamp) + " " + m.file + "\nentry=400 " +
               std::to_string(stamp) + " " + m.file + ".manifest.json\n";
  }
  h.host.OnCommand("for f in db_backup_*",
                   {0, "current=releases/1700000000\nzstd=yes\n" + entries, ""});
  h.host.OnCommand("docker compose version", {0, "v1\n", ""});
  h.host.OnCommand("status=running", {0, "app\npostgres\n", ""});
  h.host.OnCommand("docker ps --filter", {0, "c0ffee01 app\nc0ffee02 postgres\n", ""});
  h.host.OnCommandMatching("psql .* -d postgres$", {0, databases, ""});
  return h;
}

std::vector<std::string> Strings(const Value& list) {
  std::vector<std::string> out;
  for (const auto& v : list) out.push_back(v.get<std::string>());
  return out;
}

std::vector<std::string> Dropped(const ModuleHarness& h) {
  std::vector<std::string> out;
  for (const auto& run : h.host.runs()) {
    if (run.stdin_data.value_or("").find("DROP DATABASE") == std::string::npos) continue;
    for (const auto& w : run.argv) {
      if (w.starts_with("new=")) out.push_back(w.substr(4));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("db_replaced pruned keeps the newest and never drops one without a safety backup",
          "[modules][db_replaced]") {
  ModuleHarness h = Host(
      "myapp\nmyapp__before_100\nmyapp__before_200\nmyapp__before_300\nmyapp__failed_50\nother\n",
      {"myapp__before_100", "myapp__before_300"});
  auto r = h.Run(DbReplacedModule([] { return kNow; }),
                 {{"app", "myapp"}, {"state", "pruned"}, {"sql", "psql"}});
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  CHECK(r.changed);
  CHECK(Strings(r.data["dropped"]) == std::vector<std::string>{"myapp__before_100"});
  CHECK(Strings(r.data["kept"]) ==
        std::vector<std::string>{"myapp__before_300", "myapp__before_200"});
  CHECK(Strings(r.data["kept_without_safety_backup"]) ==
        std::vector<std::string>{"myapp__before_200"});
  CHECK(Dropped(h) == std::vector<std::string>{"myapp__before_100"});
  CHECK_THAT(r.msg, Catch::Contains("no safety backup of them"));
}

TEST_CASE("db_replaced pruned with keep_replaced_databases: 0 drops every backed-up one",
          "[modules][db_replaced]") {
  ModuleHarness h = Host("myapp\nmyapp__before_300\n", {"myapp__before_300"}, 0);
  auto r = h.Run(DbReplacedModule([] { return kNow; }),
                 {{"app", "myapp"}, {"state", "pruned"}, {"sql", "psql"}});
  CHECK(Dropped(h) == std::vector<std::string>{"myapp__before_300"});
  h = Host("myapp\nmyapp__before_300\n", {}, 0);
  r = h.Run(DbReplacedModule([] { return kNow; }),
            {{"app", "myapp"}, {"state", "pruned"}, {"sql", "psql"}});
  CHECK(Dropped(h).empty());
  CHECK_FALSE(r.changed);
}

TEST_CASE("db_replaced live stops the app and swaps the replaced database back",
          "[modules][db_replaced]") {
  ModuleHarness h = Host("myapp\nmyapp__before_300\n", {});
  auto r = h.Run(
      DbReplacedModule([] { return kNow; }),
      {{"app", "myapp"}, {"state", "live"}, {"database", "myapp__before_300"}, {"sql", "psql"}});
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  CHECK(r.msg ==
        "put 'myapp__before_300' back as 'myapp'; the one it replaced is kept as "
        "'myapp__failed_1800000000'");
  std::vector<std::string> steps;
  for (const auto& run : h.host.runs()) {
    std::string argv;
    for (const auto& w : run.argv) argv += w + " ";
    if (argv == "docker stop c0ffee01 ") steps.push_back("stop");
    if (argv == "docker start c0ffee01 ") steps.push_back("start");
    if (run.stdin_data.value_or("").find("RENAME TO") != std::string::npos) {
      steps.push_back("swap");
      CHECK_THAT(argv, Catch::Contains("-v before=myapp__failed_1800000000 -v live=myapp -v "
                                       "new=myapp__before_300"));
    }
  }
  CHECK(steps == std::vector<std::string>{"stop", "swap"});
}

TEST_CASE("db_replaced refuses what is not a replaced database", "[modules][db_replaced]") {
  ModuleHarness h = Host("myapp\n", {});
  auto r = h.Run(DbReplacedModule([] { return kNow; }),
                 {{"app", "myapp"}, {"state", "live"}, {"database", "myapp"}});
  CHECK(r.failed);
  CHECK_THAT(r.msg, Catch::Contains("a database a restore replaced ('myapp__before_<ts>')"));
  r = h.Run(
      DbReplacedModule([] { return kNow; }),
      {{"app", "myapp"}, {"state", "live"}, {"database", "myapp__before_9"}, {"sql", "psql"}});
  CHECK(r.failed);
  CHECK_THAT(r.msg, Catch::Contains("'myapp__before_9' does not exist; nothing was changed"));
  CHECK(h.host.commands().end() ==
        std::find_if(h.host.commands().begin(), h.host.commands().end(),
                     [](const auto& c) { return c.find("docker stop") != std::string::npos; }));
}
