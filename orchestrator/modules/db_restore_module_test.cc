#include "orchestrator/modules/db_restore_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/app/backup_manifest.h"
#include "orchestrator/modules/module_test_util.h"

using deployctl::BackupManifest;
using deployctl::DbRestoreModule;
using deployctl::Value;
using deployctl::testing::ModuleHarness;

namespace {

const std::string kFile = "db_backup_manual_1700000000.dump.zst";
const std::string kSha(64, 'a');
const long long kNow = 1800000000;

std::string MetadataOut(long long rows) {
  return "pg_dump (PostgreSQL) 15.5\n{\"server_version\" : \"15.5\"}\n"
         "{\"schema_revision\" : \"abc\"}\n{\"table\" : \"public.items\", \"rows\" : " +
         std::to_string(rows) + "}\n";
}

ModuleHarness Host(bool swap_ok = true, bool docker_cli = true, bool verify_ok = true) {
  ModuleHarness h;
  Value app = {{"root", "/srv/myapp"},
               {"source", {{"type", "dir"}, {"path", "./build"}}},
               {"database", {{"service", "postgres"}, {"name", "myapp"}, {"user", "app"}}}};
  h.vars = {{"apps", {{"myapp", app}}}};
  BackupManifest m;
  m.file = kFile;
  m.kind = "manual";
  m.app = "myapp";
  m.database = "myapp";
  m.size = 10;
  m.sha256 = kSha;
  m.compression = "zstd";
  m.format = "custom";
  m.created = 1700000000;
  m.pg_dump_version = "15.5";
  m.server_version = "15.5";
  m.tables = {{"public.items", 3}};
  h.host.AddFile("/srv/myapp/backups/" + kFile + ".manifest.json", RenderManifest(m));
  h.host.OnCommand("for f in db_backup_*",
                   {0,
                    "current=releases/1700000000\nzstd=yes\nentry=10 1700000000 " + kFile +
                        "\nentry=400 1700000000 " + kFile + ".manifest.json\n",
                    ""});
  h.host.OnCommand("docker compose version", {0, "v1\n", ""});
  h.host.OnCommand("status=running", {0, "app\npostgres\n", ""});
  if (verify_ok) {
    h.host.OnCommand("verify a backup file and stage it",
                     {0, "sha256=" + kSha + "\nstaged=/tmp/x\n", ""});
  } else {
    h.host.OnCommand("verify a backup file and stage it",
                     {1, "failed=sha256\nstatus=1\n", "sha256 of x is b, the manifest says a"});
  }
  // The existence check (and the swap, which ignores its output).
  if (swap_ok) {
    h.host.OnCommand("-v before=", {0, "myapp\n", ""});
  } else {
    h.host.OnCommand("-v before=", {0, "myapp\n", ""}, 1);
    h.host.OnCommand("-v before=", {3, "", "ERROR:  database \"myapp\" is being accessed"});
  }
  if (docker_cli) {
    h.host.OnCommand("docker ps --filter", {0, "c0ffee01 app\nc0ffee02 postgres\n", ""});
  } else {
    h.host.OnCommand("docker ps --filter", {127, "", "sh: 1: docker: not found\n"});
    h.host.OnCommand("ps --services --filter status=running", {0, "app\npostgres\n", ""});
  }
  return h;
}

const Value kArgs = {{"app", "myapp"}, {"backup", kFile}, {"safety_backup", false}};

// What the module sent on stdin or ran, in order, as short tags.
std::vector<std::string> Steps(const ModuleHarness& h) {
  std::vector<std::string> steps;
  for (const auto& run : h.host.runs()) {
    const std::string stdin_data = run.stdin_data.value_or("");
    const std::string shell = run.shell.value_or("");
    std::string argv;
    for (const auto& w : run.argv) argv += w + " ";
    if (shell.find("verify a backup file and stage it") != std::string::npos)
      steps.push_back("verify");
    if (shell.find("restore a staged backup") != std::string::npos) steps.push_back("restore");
    if (stdin_data.find("CREATE DATABASE") != std::string::npos) steps.push_back("create");
    if (stdin_data.find("RENAME TO") != std::string::npos) steps.push_back("swap");
    if (stdin_data.find("DROP DATABASE") != std::string::npos) steps.push_back("drop");
    if (stdin_data.find("ALLOW_CONNECTIONS true") != std::string::npos &&
        stdin_data.find("RENAME") == std::string::npos) {
      steps.push_back("allow");
    }
    if (argv.find("pg_dump --version") != std::string::npos) steps.push_back("count");
    if (argv == "docker stop c0ffee01 ") steps.push_back("stop app");
    if (argv == "docker start c0ffee01 ") steps.push_back("start app");
  }
  return steps;
}

}  // namespace

TEST_CASE("db_restore verifies, restores beside, checks, then swaps while the app is stopped",
          "[modules][db_restore]") {
  ModuleHarness h = Host();
  h.host.OnCommand("restore a staged backup", {0, "restored=myapp__restore_1800000000\n", ""});
  h.host.OnCommand("pg_dump --version", {0, MetadataOut(3), ""});
  auto r = h.Run(DbRestoreModule([] { return kNow; }), kArgs);
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  CHECK(r.changed);
  CHECK(Steps(h) == std::vector<std::string>{"verify", "create", "restore", "count", "stop app",
                                             "swap", "start app"});
  CHECK(r.data["swapped"] == true);
  CHECK(r.data["before_database"] == "myapp__before_1800000000");
  CHECK(r.data["restored_database"] == "myapp__restore_1800000000");
  CHECK(r.data["tables"]["public.items"] == 3);
  CHECK(r.msg == "restored 'myapp' from " + kFile +
                     " (1 tables, row counts match); the old database is kept as "
                     "'myapp__before_1800000000'");
}

TEST_CASE("db_restore of a backup that fails verification changes nothing",
          "[modules][db_restore]") {
  ModuleHarness h = Host(true, true, false);
  auto r = h.Run(DbRestoreModule([] { return kNow; }), kArgs);
  CHECK(r.failed);
  CHECK_THAT(r.msg,
             Catch::StartsWith("db_restore: backup '" + kFile + "' refused: verification failed"));
  CHECK_THAT(r.msg, Catch::EndsWith("; nothing was changed"));
  CHECK(Steps(h) == std::vector<std::string>{"verify"});
}

TEST_CASE("db_restore killed halfway drops the half-restored database and leaves live alone",
          "[modules][db_restore]") {
  ModuleHarness h = Host();
  h.host.OnCommand("restore a staged backup", {-1, "", ""});
  auto r = h.Run(DbRestoreModule([] { return kNow; }), kArgs);
  CHECK(r.failed);
  CHECK_THAT(r.msg,
             Catch::Contains("restoring " + kFile + " failed: the restore script was stopped"));
  CHECK_THAT(r.msg, Catch::EndsWith("the live database 'myapp' was not changed "
                                    "(myapp__restore_1800000000 dropped)"));
  CHECK(Steps(h) == std::vector<std::string>{"verify", "create", "restore", "drop"});
  CHECK(r.data["swapped"] == false);
}

TEST_CASE("db_restore refuses a restored database whose row counts differ from the manifest",
          "[modules][db_restore]") {
  ModuleHarness h = Host();
  h.host.OnCommand("restore a staged backup", {0, "restored=x\n", ""});
  h.host.OnCommand("pg_dump --version", {0, MetadataOut(2), ""});
  auto r = h.Run(DbRestoreModule([] { return kNow; }), kArgs);
  CHECK(r.failed);
  CHECK_THAT(r.msg, Catch::Contains("public.items: 3 rows in the backup, 2 restored"));
  CHECK(Steps(h) == std::vector<std::string>{"verify", "create", "restore", "count", "drop"});
}

TEST_CASE("db_restore whose swap fails lets connections in again and starts the app",
          "[modules][db_restore]") {
  ModuleHarness h = Host(false);
  h.host.OnCommand("restore a staged backup", {0, "restored=x\n", ""});
  h.host.OnCommand("pg_dump --version", {0, MetadataOut(3), ""});
  auto r = h.Run(DbRestoreModule([] { return kNow; }), kArgs);
  CHECK(r.failed);
  CHECK_THAT(r.msg, Catch::Contains("the swap failed: ERROR:  database \"myapp\" "
                                    "is being accessed"));
  CHECK_THAT(r.msg, Catch::EndsWith("the live database 'myapp' was not changed "
                                    "(myapp__restore_1800000000 dropped)"));
  CHECK(Steps(h) == std::vector<std::string>{"verify", "create", "restore", "count", "stop app",
                                             "swap", "allow", "start app", "drop"});
  CHECK(r.data["swapped"] == false);
}

TEST_CASE("db_restore target scratch restores, compares and drops, without touching the app",
          "[modules][db_restore]") {
  ModuleHarness h = Host();
  h.host.OnCommand("restore a staged backup", {0, "restored=x\n", ""});
  h.host.OnCommand("pg_dump --version", {0, MetadataOut(3), ""});
  Value args = {{"app", "myapp"}, {"backup", kFile}, {"target", "scratch"}};
  auto r = h.Run(DbRestoreModule([] { return kNow; }), args);
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(Steps(h) == std::vector<std::string>{"verify", "create", "restore", "count", "drop"});
  CHECK(r.data["restored_database"] == "myapp__verify_1800000000");
  bool scratch_created = false;
  for (const auto& run : h.host.runs()) {
    for (const auto& w : run.argv) scratch_created |= w == "new=myapp__verify_1800000000";
  }
  CHECK(scratch_created);
}

TEST_CASE("db_restore in --check reads the manifest and describes, nothing else",
          "[modules][db_restore]") {
  ModuleHarness h = Host();
  auto r = h.Check(DbRestoreModule([] { return kNow; }), kArgs);
  CHECK_FALSE(r.failed);
  CHECK_THAT(r.msg, Catch::StartsWith("would verify " + kFile +
                                      ", restore it into "
                                      "myapp__restore_1800000000, swap it with 'myapp' (kept as "
                                      "myapp__before_1800000000) and take a safety backup"));
  CHECK(Steps(h).empty());
}

TEST_CASE("db_restore falls back to psql in the container when libpq cannot reach the database",
          "[modules][db_restore]") {
  ModuleHarness h = Host();
  h.host.OnCommand("restore a staged backup", {0, "restored=x\n", ""});
  h.host.OnCommand("pg_dump --version", {0, MetadataOut(3), ""});
  h.host.OnCommand("POSTGRES_PASSWORD", {0, "pw-Secret-123", ""});
  h.host.OnCommandMatching("psql .* -d postgres$", {0, "55433\n127.0.0.1\n", ""});
  auto r = h.Run(DbRestoreModule([] { return kNow; }), kArgs);
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  // The fake transport cannot forward ports.
  CHECK_THAT(r.data["sql_via"].get<std::string>(),
             Catch::StartsWith("psql in the database container (libpq: "));
  CHECK_THAT(r.data["sql_via"].get<std::string>(), !Catch::Contains("pw-Secret-123"));
}

TEST_CASE("db_restore with sql: psql does not probe for libpq", "[modules][db_restore]") {
  ModuleHarness h = Host();
  h.host.OnCommand("restore a staged backup", {0, "restored=x\n", ""});
  h.host.OnCommand("pg_dump --version", {0, MetadataOut(3), ""});
  Value args = kArgs;
  args["sql"] = "psql";
  auto r = h.Run(DbRestoreModule([] { return kNow; }), args);
  CHECK_FALSE(r.failed);
  CHECK(r.data["sql_via"] == "psql in the database container");
  for (const auto& command : h.host.commands()) {
    CHECK(command.find("POSTGRES_PASSWORD") == std::string::npos);
  }
}

TEST_CASE("db_restore with sql: libpq fails when libpq cannot reach the database",
          "[modules][db_restore]") {
  ModuleHarness h = Host();
  Value args = kArgs;
  args["sql"] = "libpq";
  auto r = h.Run(DbRestoreModule([] { return kNow; }), args);
  CHECK(r.failed);
  CHECK_THAT(r.msg, Catch::StartsWith("cannot reach the database with libpq: "));
  CHECK(Steps(h).empty());
}

TEST_CASE("db_restore without a docker CLI stops and starts the app services with compose",
          "[modules][db_restore]") {
  ModuleHarness h = Host(true, false);
  h.host.OnCommand("restore a staged backup", {0, "restored=x\n", ""});
  h.host.OnCommand("pg_dump --version", {0, MetadataOut(3), ""});
  auto r = h.Run(DbRestoreModule([] { return kNow; }), kArgs);
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  std::vector<std::string> verbs;
  for (const auto& run : h.host.runs()) {
    if (run.argv.size() >= 2 && run.argv.front() == "docker-compose" &&
        (run.argv[run.argv.size() - 2] == "stop" || run.argv[run.argv.size() - 2] == "start")) {
      verbs.push_back(run.argv[run.argv.size() - 2] + " " + run.argv.back());
    }
  }
  CHECK(verbs == std::vector<std::string>{"stop app", "start app"});
  CHECK(r.data["stopped_services"] == Value::array({"app"}));
}

TEST_CASE("db_restore runs in the database container with docker exec when the host has docker",
          "[modules][db_restore]") {
  ModuleHarness h = Host();
  h.host.OnCommand("docker ps -q --filter", {0, "d8b1c0de\n", ""});
  h.host.OnCommand("restore a staged backup", {0, "restored=x\n", ""});
  h.host.OnCommand("pg_dump --version", {0, MetadataOut(3), ""});
  auto r = h.Run(DbRestoreModule([] { return kNow; }), kArgs);
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  bool restored_with_docker = false;
  for (const auto& run : h.host.runs()) {
    const std::string shell = run.shell.value_or("");
    if (shell.find("restore a staged backup") != std::string::npos) {
      restored_with_docker =
          shell.find("docker exec -i d8b1c0de pg_restore -j 2 --exit-on-error") !=
          std::string::npos;
    }
  }
  CHECK(restored_with_docker);
  CHECK(Steps(h) == std::vector<std::string>{"verify", "create", "restore", "count", "stop app",
                                             "swap", "start app"});
}

TEST_CASE("db_restore takes the safety backup of the replaced database after the app is back",
          "[modules][db_restore]") {
  ModuleHarness h = Host();
  h.host.OnCommand("restore a staged backup", {0, "restored=x\n", ""});
  h.host.OnCommand("deployctl db_backup",
                   {0,
                    "file=db_backup_safety_1800000000.dump.zst\nsize=10\nsha256=" + kSha +
                        "\n--- metadata\n" + MetadataOut(5),
                    ""});
  h.host.OnCommand("pg_dump --version", {0, MetadataOut(3), ""});
  Value args = kArgs;
  args.erase("safety_backup");
  auto r = h.Run(DbRestoreModule([] { return kNow; }), args);
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  CHECK(r.data["safety_backup"] == "db_backup_safety_1800000000.dump.zst");
  CHECK_THAT(r.msg, Catch::EndsWith(", safety backup db_backup_safety_1800000000.dump.zst"));
  // After the swap and the start, of the replaced database.
  size_t started = 0, dumped = 0, i = 0;
  for (const auto& run : h.host.runs()) {
    ++i;
    std::string argv;
    for (const auto& w : run.argv) argv += w + " ";
    if (argv == "docker start c0ffee01 ") started = i;
    const std::string shell = run.shell.value_or("");
    if (shell.find("deployctl db_backup") != std::string::npos) {
      dumped = i;
      CHECK_THAT(shell, Catch::Contains("myapp__before_1800000000"));
    }
  }
  CHECK(started > 0);
  CHECK(dumped > started);
  const auto manifest =
      h.host.ReadFile("/srv/myapp/backups/db_backup_safety_1800000000.dump.zst.manifest.json");
  REQUIRE(manifest);
  const BackupManifest m = deployctl::ParseManifest(*manifest);
  CHECK(m.database == "myapp");
  CHECK(m.dumped_database == "myapp__before_1800000000");
  CHECK(m.kind == "safety");
}

TEST_CASE("a failed safety backup after the swap is a warning: the restore is done",
          "[modules][db_restore]") {
  ModuleHarness h = Host();
  h.host.OnCommand("restore a staged backup", {0, "restored=x\n", ""});
  h.host.OnCommand("deployctl db_backup",
                   {1, "failed=write\nstatus=1\n", "No space left on device"});
  h.host.OnCommand("pg_dump --version", {0, MetadataOut(3), ""});
  Value args = kArgs;
  args.erase("safety_backup");
  auto r = h.Run(DbRestoreModule([] { return kNow; }), args);
  CHECK_FALSE(r.failed);
  CHECK(r.data["swapped"] == true);
  CHECK(r.data["safety_backup"].is_null());
  CHECK_THAT(r.msg, Catch::Contains("warning: the safety backup of 'myapp__before_1800000000' "
                                    "failed"));
  CHECK_THAT(r.msg, Catch::Contains("the database itself is kept"));
}
