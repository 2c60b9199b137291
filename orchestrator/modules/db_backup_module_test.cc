// db_backup on a fake database host: the probes it reads, the file and
// manifest it leaves, first deploys, and every way the backup can fail.
// (The backup script itself is tested against fake tools in
// orchestrator/app/backup_pipeline_test.cc.)
#include "orchestrator/modules/db_backup_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/modules/module_test_util.h"
#include "remote/fault/fault_transport.h"

namespace {

using deployctl::DbBackupModule;
using deployctl::ModuleContext;
using deployctl::ModuleResult;
using deployctl::Value;
using deployctl::remote::CommandResult;
using deployctl::remote::fault::Fault;
using deployctl::remote::fault::FaultTransport;
using deployctl::testing::ModuleHarness;

const long long kNow = 1800000000;
const std::string kSha(64, 'b');
const std::string kBackups = "/srv/myapp/backups";
const std::string kFile = "db_backup_300.dump.zst";
const std::string kPath = kBackups + "/" + kFile;
const std::string kManifest = kPath + ".manifest.json";
const std::string kScript = "# deployctl db_backup";

const std::string kReport = "file=" + kFile + "\nsize=1234\nsha256=" + kSha +
                            "\n--- metadata\npg_dump (PostgreSQL) 15.5\n"
                            "{\"server_version\" : \"15.5 (Debian)\"}\n"
                            "{\"schema_revision\" : \"abc\"}\n"
                            "{\"table\" : \"public.items\", \"rows\" : 3}\n";

// `entries`: "entry=<size> <mtime> <name>" lines of files already in backups/.
ModuleHarness Host(const std::string& entries = "", bool deployed = true,
                   const std::string& running = "app\npostgres\n") {
  ModuleHarness h;
  Value app = {{"root", "/srv/myapp"},
               {"source", {{"path", "."}}},
               {"database", {{"service", "postgres"}, {"name", "myapp"}}}};
  h.vars = {{"apps", {{"myapp", app}}}};
  h.host.AddDir(kBackups);
  h.host.OnCommand(
      "for f in db_backup_*",
      {0, std::string(deployed ? "current=releases/200\n" : "") + "zstd=yes\n" + entries, ""});
  h.host.OnCommand("docker compose version", {0, "v2\n", ""});
  h.host.OnCommand("status=running", {0, running, ""});
  h.host.OnCommand("docker ps -q", {0, "c0ffee02\n", ""});
  return h;
}

ModuleResult Run(ModuleHarness& h, const Value& args, std::vector<Fault> faults = {}) {
  FaultTransport host(h.host, std::move(faults));
  ModuleContext ctx{host, args, h.vars, false, h.project_dir};
  return DbBackupModule([] { return kNow; }).Run(ctx);
}

const Value kAutomatic = {{"app", "myapp"}, {"release", "300"}};

int Ran(const ModuleHarness& h, const std::string& needle) {
  int n = 0;
  for (const auto& c : h.host.commands()) n += c.find(needle) != std::string::npos;
  return n;
}

}  // namespace

TEST_CASE("db_backup takes the automatic backup and writes its manifest last", "[db_backup]") {
  ModuleHarness h = Host();
  h.host.OnCommand(kScript, {0, kReport, ""});
  const auto r = Run(h, kAutomatic);
  INFO(r.msg);
  REQUIRE_FALSE(r.failed);
  CHECK(r.changed);
  CHECK(r.msg == "wrote " + kPath + " (1234 bytes, sha256 " + kSha + ", schema revision abc)");
  CHECK(r.data == Value{{"file", kFile},
                        {"path", kPath},
                        {"size", 1234},
                        {"sha256", kSha},
                        {"kind", "automatic"},
                        {"skipped", false},
                        {"reason", nullptr},
                        {"schema_revision", "abc"}});
  // The dump runs in the database's container, found by its compose labels.
  CHECK(Ran(h, "docker exec -i c0ffee02 pg_dump") == 1);
  REQUIRE(h.host.writes().size() == 1);
  CHECK(h.host.writes()[0].path == kManifest);
  CHECK(h.host.writes()[0].mode == 0600);
  CHECK(h.host.log().back() == "write: " + kManifest + " 0600");
  const Value m = Value::parse(h.host.Find(kManifest)->content);
  CHECK(m["file"] == kFile);
  CHECK(m["kind"] == "automatic");
  CHECK(m["app"] == "myapp");
  CHECK(m["database"] == "myapp");
  CHECK(m["size"] == 1234);
  CHECK(m["sha256"] == kSha);
  CHECK(m["compression"] == "zstd");
  CHECK(m["format"] == "custom");
  CHECK(m["release"] == "300");
  CHECK(m["live_release"] == "200");
  CHECK(m["created"] == kNow);
  CHECK(m["pg_dump_version"] == "15.5");
  CHECK(m["server_version"] == "15.5");
  CHECK(m["schema_revision"] == "abc");
  CHECK(m["tables"] == Value{{"public.items", 3}});
}

TEST_CASE("db_backup names manual, named and safety backups by their kind", "[db_backup]") {
  SECTION("manual: the time, bumped past a name that is taken") {
    ModuleHarness h = Host("entry=10 1 db_backup_manual_1800000000.dump.zst\n");
    h.host.OnCommand(kScript, {0, kReport, ""});
    const auto r = Run(h, {{"app", "myapp"}, {"kind", "manual"}});
    CHECK(r.data["file"] == "db_backup_manual_1800000001.dump.zst");
    CHECK(
        Value::parse(h.host.Find(kBackups + "/db_backup_manual_1800000001.dump.zst.manifest.json")
                         ->content)["release"]
            .is_null());
  }
  SECTION("named") {
    ModuleHarness h = Host();
    h.host.OnCommand(kScript, {0, kReport, ""});
    const auto r = Run(h, {{"app", "myapp"}, {"kind", "named"}, {"name", "v2.0.0"}});
    CHECK(r.data["file"] == "db_backup_v2.0.0.dump.zst");
    CHECK(r.data["kind"] == "named");
  }
  SECTION("safety of the database a restore replaced") {
    ModuleHarness h = Host();
    h.host.OnCommand(kScript, {0, kReport, ""});
    const auto r =
        Run(h, {{"app", "myapp"}, {"kind", "safety"}, {"database", "myapp__before_1799999999"}});
    REQUIRE_FALSE(r.failed);
    CHECK(r.data["file"] == "db_backup_safety_1800000000.dump.zst");
    const Value m = Value::parse(
        h.host.Find(kBackups + "/db_backup_safety_1800000000.dump.zst.manifest.json")->content);
    CHECK(m["dumped_database"] == "myapp__before_1799999999");
    CHECK(m["database"] == "myapp");
    CHECK(Ran(h, "myapp__before_1799999999") == 1);
  }
}

TEST_CASE("db_backup before the first deploy is skipped, and says why", "[db_backup]") {
  SECTION("nothing deployed") {
    ModuleHarness h = Host("", /*deployed=*/false);
    const auto r = Run(h, kAutomatic);
    CHECK_FALSE(r.failed);
    CHECK_FALSE(r.changed);
    CHECK(r.msg ==
          "skipped: nothing is deployed yet (/srv/myapp/current does not exist): first deploy");
    CHECK(r.data["skipped"] == true);
    CHECK(r.data["reason"] ==
          "nothing is deployed yet (/srv/myapp/current does not exist): first deploy");
  }
  SECTION("no database container yet") {
    ModuleHarness h = Host("", true, "app\n");
    const auto r = Run(h, kAutomatic);
    CHECK_FALSE(r.failed);
    CHECK(r.msg == "skipped: the database service 'postgres' has no container yet: first deploy");
  }
  SECTION("no database section") {
    ModuleHarness h = Host();
    h.vars["apps"]["myapp"].erase("database");
    const auto r = Run(h, kAutomatic);
    CHECK(r.msg == "skipped: app 'myapp' has no database section");
    CHECK(h.host.commands().empty());
  }
}

TEST_CASE("db_backup asked for by hand with nothing deployed fails", "[db_backup]") {
  ModuleHarness h = Host("", /*deployed=*/false);
  const auto r = Run(h, {{"app", "myapp"}, {"kind", "manual"}});
  CHECK(r.failed);
  CHECK(r.msg ==
        "db_backup: cannot take a manual backup of 'myapp': nothing is deployed yet "
        "(/srv/myapp/current does not exist): first deploy");
}

TEST_CASE("db_backup of a stopped database fails, or warns when backups are not required",
          "[db_backup]") {
  ModuleHarness h = Host("", true, "app\n");
  h.host.OnCommand("ps -a -q postgres", {0, "deadbeef\n", ""});
  const std::string why =
      "the database service 'postgres' is not running (its container is stopped in "
      "/srv/myapp/releases/200)";
  auto r = Run(h, kAutomatic);
  CHECK(r.failed);
  CHECK(r.msg == "db_backup: " + why);
  CHECK(r.data["reason"] == why);

  h.vars["apps"]["myapp"]["database"]["backup_required"] = false;
  r = Run(h, kAutomatic);
  CHECK_FALSE(r.failed);
  CHECK(r.msg == "warning: no backup taken (database.backup_required is false): " + why);
  CHECK(r.data["skipped"] == true);
}

TEST_CASE("db_backup refuses a backup that exists, and bad arguments", "[db_backup]") {
  ModuleHarness h = Host("entry=10 1 db_backup_300.dump.gz\nentry=10 1 db_backup_v1.sql.gz\n");
  CHECK(Run(h, kAutomatic).msg == "db_backup: the backup for release 300 already exists (" +
                                      kBackups + "/db_backup_300.dump.gz)");
  CHECK(Run(h, {{"app", "myapp"}, {"kind", "named"}, {"name", "v1"}}).msg ==
        "db_backup: backup 'v1' already exists");
  CHECK(Run(h, {{"app", "myapp"}}).msg ==
        "db_backup: an automatic backup needs 'release' (the release it is taken for)");
  CHECK(Run(h, {{"app", "myapp"}, {"kind", "named"}}).msg ==
        "db_backup: a named backup needs 'name'");
  CHECK(Run(h, {{"app", "myapp"}, {"kind", "named"}, {"name", "a..b"}}).msg ==
        "db_backup: backup name 'a..b' must not contain '..'");
  CHECK(Run(h, {{"app", "myapp"}, {"kind", "named"}, {"name", "../x"}}).msg ==
        "db_backup: backup name '../x' may only use letters, digits, '.', '_' and '-'");
  CHECK(Run(h, {{"app", "myapp"}, {"kind", "named"}, {"name", "2024"}}).msg ==
        "db_backup: backup name '2024' must not be all digits (that reads as a release id)");
  CHECK(Run(h, {{"app", "myapp"}, {"kind", "manual"}, {"name", "x"}}).msg ==
        "db_backup: 'name' is only for kind: named");
  CHECK(Run(h, {{"app", "myapp"}, {"kind", "manual"}, {"database", "other"}}).msg ==
        "db_backup: 'database' is only for kind: safety (the database a restore replaced)");
  CHECK(Run(h, {{"app", "myapp"}, {"kind", "safety"}, {"database", "other"}}).msg ==
        "db_backup: argument 'database' must be a database a restore replaced "
        "('myapp__before_<ts>'), got 'other'");
  CHECK(Ran(h, kScript) == 0);
  CHECK(h.host.writes().empty());
}

TEST_CASE("db_backup --check says what it would write and writes nothing", "[db_backup]") {
  ModuleHarness h = Host();
  const auto r = h.Check(DbBackupModule([] { return kNow; }), kAutomatic);
  CHECK_FALSE(r.failed);
  CHECK(r.changed);
  CHECK(r.msg == "would write " + kPath +
                     ": pg_dump of database 'myapp' (service 'postgres', custom format, zstd), "
                     "verified, then " +
                     kFile + ".manifest.json");
  REQUIRE(h.plan.size() == 1);
  CHECK_THAT(h.plan[0], Catch::Contains(kScript));
  CHECK(Ran(h, kScript) == 0);
  CHECK(h.host.writes().empty());
}

// ------------------------------------------------------------------ faults

TEST_CASE("db_backup whose pg_dump fails says so and writes no manifest", "[db_backup]") {
  ModuleHarness h = Host();
  h.host.OnCommand(
      kScript, {1, "failed=pg_dump\nstatus=1\n", "pg_dump: error: connection to server failed\n"});
  const auto r = Run(h, kAutomatic);
  CHECK(r.failed);
  CHECK(r.msg == "db_backup: pg_dump failed (exit 1): pg_dump: error: connection to server failed");
  CHECK(r.data["file"].is_null());
  CHECK(h.host.writes().empty());
}

TEST_CASE("db_backup whose script times out fails naming the timeout", "[db_backup]") {
  ModuleHarness h = Host();
  const auto r = Run(h, kAutomatic, {Fault::TimeOutCommand(1, kScript)});
  CHECK(r.failed);
  CHECK_THAT(r.msg, Catch::StartsWith("db_backup: the backup script failed at 'script' (exit -1)"));
  CHECK_THAT(r.msg, Catch::Contains(": timed out after "));
  CHECK(h.host.writes().empty());
}

TEST_CASE("db_backup with unreadable script output removes the file it made", "[db_backup]") {
  ModuleHarness h = Host();
  h.host.OnCommand(kScript, {0, "file=" + kFile + "\nsize=12\nsha256=" + kSha + "\n", ""});
  const auto r = Run(h, kAutomatic);
  CHECK(r.failed);
  CHECK(r.msg ==
        "db_backup: unexpected output from the backup script (no pg_dump version in the "
        "output); " +
            kPath + " removed");
  CHECK(h.host.commands().back() == "rm -f -- " + kPath);
  CHECK(h.host.writes().empty());
}

TEST_CASE("db_backup whose manifest cannot be written removes the backup", "[db_backup]") {
  ModuleHarness h = Host();
  h.host.OnCommand(kScript, {0, kReport, ""});
  const auto r = Run(h, kAutomatic, {Fault::FailWrite(1, "no space left on device")});
  CHECK(r.failed);
  CHECK(r.msg == "db_backup: cannot write the manifest of " + kPath + " (web01: cannot write " +
                     kManifest + ": no space left on device); " + kPath + " removed");
  CHECK(h.host.commands().back() == "rm -f -- " + kPath);
  CHECK(h.host.Find(kManifest) == nullptr);
}

TEST_CASE("db_backup on a host lost while writing the manifest leaves the backup incomplete",
          "[db_backup]") {
  // No manifest: `db list` shows it as incomplete, restore refuses it.
  ModuleHarness h = Host();
  h.host.OnCommand(kScript, {0, kReport, ""});
  CHECK_THROWS_AS(Run(h, kAutomatic, {Fault::LoseHostOnWrite(1)}),
                  deployctl::remote::UnreachableError);
  CHECK(h.host.Find(kManifest) == nullptr);
  CHECK_THAT(h.host.commands().back(), Catch::Contains(kScript));  // no rm after it
}

TEST_CASE("db_backup whose probe fails reports it; a lost host throws", "[db_backup]") {
  ModuleHarness h = Host();
  auto r =
      Run(h, kAutomatic,
          {Fault::FailCommand(1, "for f in db_backup_*", {1, "", "sh: cd: Permission denied\n"})});
  CHECK(r.failed);
  CHECK(r.msg == "db_backup: cannot read " + kBackups + " on web01: sh: cd: Permission denied");
  CHECK_THROWS_AS(Run(h, kAutomatic, {Fault::LoseHostOnCommand(1, "status=running")}),
                  deployctl::remote::UnreachableError);
  CHECK(Ran(h, kScript) == 0);
}
