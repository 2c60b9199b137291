#include "orchestrator/app/db_restore.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "orchestrator/app/backup_pipeline.h"
#include "orchestrator/core/sha256.h"
#include "remote/local/local_transport.h"

using namespace deployctl;
using remote::Command;
using remote::CommandResult;
using remote::LocalTransport;
namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

TEST_CASE("restore database names are dated beside the live one", "[db_restore]") {
  const RestoreNames names = RestoreNamesFor("shop", 1800000000);
  CHECK(names.live == "shop");
  CHECK(names.restored == "shop__restore_1800000000");
  CHECK(names.before == "shop__before_1800000000");
  CHECK(ScratchDatabaseName("shop", 1800000000) == "shop__verify_1800000000");
}

TEST_CASE("a restore name longer than PostgreSQL's 63 bytes is refused", "[db_restore]") {
  const std::string long_name(50, 'd');
  CHECK_THROWS_WITH(RestoreNamesFor(long_name, 1800000000),
                    Catch::Contains("longer than 63 bytes: choose a shorter database.name"));
  CHECK_NOTHROW(RestoreNamesFor(std::string(40, 'd'), 1800000000));
}

TEST_CASE("database-level statements never run in the database being renamed", "[db_restore]") {
  CHECK(MaintenanceDatabase("shop") == "postgres");
  CHECK(MaintenanceDatabase("postgres") == "template1");
}

TEST_CASE("psql gets names as variables, never in the SQL text", "[db_restore]") {
  const Strings exec = {"docker-compose", "-p", "shop", "exec", "-T", "postgres"};
  CHECK(PsqlArgv(exec, "app", "postgres", {{"live", "shop; DROP"}, {"new", "x"}}) ==
        Strings{"docker-compose",
                "-p",
                "shop",
                "exec",
                "-T",
                "postgres",
                "psql",
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-U",
                "app",
                "-d",
                "postgres",
                "-v",
                "live=shop; DROP",
                "-v",
                "new=x"});
  for (const std::string& sql : {ExistingDatabasesSql(), CreateDatabaseLikeSql(), DropDatabaseSql(),
                                 SwapSql(), AllowConnectionsSql()}) {
    CHECK(sql.find("shop") == std::string::npos);
  }
}

TEST_CASE("the swap blocks, terminates, then renames both in one transaction", "[db_restore]") {
  const std::string sql = SwapSql();
  const size_t block = sql.find("ALTER DATABASE :\"live\" ALLOW_CONNECTIONS false");
  const size_t terminate = sql.find("pg_terminate_backend(pid, 5000)");
  const size_t begin = sql.find("BEGIN;");
  const size_t rename_live = sql.find("ALTER DATABASE :\"live\" RENAME TO :\"before\";");
  const size_t rename_new = sql.find("ALTER DATABASE :\"new\" RENAME TO :\"live\";");
  const size_t commit = sql.find("COMMIT;");
  REQUIRE(block != std::string::npos);
  CHECK(block < terminate);
  CHECK(terminate < begin);
  CHECK(begin < rename_live);
  CHECK(rename_live < rename_new);
  CHECK(rename_new < commit);
  CHECK(DropDatabaseSql() == "DROP DATABASE IF EXISTS :\"new\" WITH (FORCE);\n");
}

TEST_CASE("the new database copies owner, locale, settings and grants of the live one",
          "[db_restore]") {
  const std::string sql = CreateDatabaseLikeSql();
  CHECK_THAT(sql, Catch::Contains("CREATE DATABASE %I WITH TEMPLATE template0 OWNER %I"));
  CHECK_THAT(sql, Catch::Contains("pg_db_role_setting"));
  CHECK_THAT(sql, Catch::Contains("ALTER ROLE %I IN DATABASE %I SET"));
  CHECK_THAT(sql, Catch::Contains("aclexplode(d.datacl)"));
  CHECK_THAT(sql, Catch::Contains("REVOKE ALL ON DATABASE %I FROM PUBLIC"));
  CHECK_THAT(sql, Catch::Contains("\\gexec"));
}

namespace {

// Runs the stage script on this machine with an empty `exec` (commands
// "in the container" run here too): a real shell, real gzip/zstd,
// sha256sum and pg_restore.
struct StageRun {
  fs::path dir = fs::temp_directory_path() / ("deployctl-stage-test-" + std::to_string(::getpid()));
  StageRun() { fs::create_directories(dir); }
  ~StageRun() { fs::remove_all(dir); }

  // Writes `content` compressed with `codec` (gzip | zstd) as `name`.
  std::string Write(const std::string& name, const std::string& content, const std::string& codec) {
    const fs::path raw = dir / (name + ".raw");
    std::ofstream(raw, std::ios::binary) << content;
    const fs::path out = dir / name;
    const CommandResult r =
        LocalTransport("localhost")
            .Run(Command::Shell(codec + " -c -q <'" + raw.string() + "' >'" + out.string() + "'"));
    REQUIRE(r.ok());
    return out.string();
  }

  ScriptReport Stage(const std::string& path, const BackupEncoding& encoding,
                     std::optional<std::string> sha = std::nullopt,
                     std::optional<unsigned long long> size = std::nullopt) {
    StageScriptSpec spec;
    spec.encoding = encoding;
    spec.path = path;
    spec.size = size ? *size : fs::file_size(path);
    spec.sha256 = sha ? *sha : Sha256HexOfFile(path);
    spec.container_tmp = (dir / "staged.dump").string();
    last = LocalTransport("localhost").Run(Command::Shell(BuildStageScript(spec)));
    return ParseScriptReport(last);
  }
  bool Staged() const { return fs::exists(dir / "staged.dump"); }
  CommandResult last;
};

const std::string kPlainDump =
    "--\n-- PostgreSQL database dump\n--\nCREATE TABLE t (a int);\n"
    "--\n-- PostgreSQL database dump complete\n--\n\n";

}  // namespace

TEST_CASE("staging checks size and sha256 and leaves the dump in place", "[db_restore]") {
  StageRun run;
  const std::string file = run.Write("db_backup_1.sql.gz", kPlainDump, "gzip");
  const ScriptReport ok = run.Stage(file, {"plain", "gzip"});
  INFO(run.last.err);
  REQUIRE(ok.ok());
  CHECK(ok.values.at("sha256") == Sha256HexOfFile(file));
  REQUIRE(run.Staged());
  std::ifstream staged(run.dir / "staged.dump");
  CHECK(std::string(std::istreambuf_iterator<char>(staged), {}) == kPlainDump);
}

TEST_CASE("staging refuses a truncated, corrupt or incomplete backup and stages nothing",
          "[db_restore]") {
  StageRun run;
  const std::string file = run.Write("db_backup_1.sql.zst", kPlainDump, "zstd");
  const std::string sha = Sha256HexOfFile(file);
  const unsigned long long size = fs::file_size(file);

  SECTION("truncated: the size differs from the manifest's") {
    fs::resize_file(file, size / 2);
    const ScriptReport r = run.Stage(file, {"plain", "zstd"}, sha, size);
    CHECK(r.failed_stage == "size");
    CHECK_THAT(run.last.err, Catch::Contains("the manifest says " + std::to_string(size)));
  }
  SECTION("same size, one byte changed: the sha256 differs") {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.put('\x5a');
    f.close();
    const ScriptReport r = run.Stage(file, {"plain", "zstd"}, sha, size);
    CHECK((r.failed_stage == "sha256" || r.failed_stage == "decompress"));
  }
  SECTION("a plain dump without pg_dump's completion line") {
    const std::string cut = run.Write("db_backup_2.sql.zst", "CREATE TABLE t (a int);\n", "zstd");
    CHECK(run.Stage(cut, {"plain", "zstd"}).failed_stage == "complete");
  }
  SECTION("a custom-format file that is not a pg_dump archive") {
    const std::string bogus = run.Write("db_backup_3.dump.zst", kPlainDump, "zstd");
    CHECK(run.Stage(bogus, {"custom", "zstd"}).failed_stage == "toc");
  }
  SECTION("a missing file") {
    CHECK(run.Stage((run.dir / "nope.dump.zst").string(), {"custom", "zstd"}, sha, size)
              .failed_stage == "missing");
  }
  CHECK_FALSE(run.Staged());
}

TEST_CASE("the staged archive is restored with pg_restore -j, then ANALYZE", "[db_restore]") {
  RestoreScriptSpec spec;
  spec.exec = {"docker", "exec", "-i", "c0ffee"};
  spec.user = "app";
  spec.format = "custom";
  spec.target = "shop__restore_1";
  spec.container_tmp = "/tmp/deployctl-restore-shop__restore_1.dump";
  const std::string s = BuildRestoreScript(spec);
  CHECK_THAT(s, Catch::Contains("docker exec -i c0ffee pg_restore -j 2 --exit-on-error -U app "
                                "-d shop__restore_1 /tmp/deployctl-restore-shop__restore_1.dump "
                                "</dev/null"));
  CHECK(s.find("pg_restore") < s.find("ANALYZE"));
  CHECK_THAT(s, Catch::Contains("cleanup() { docker exec -i c0ffee rm -f -- "
                                "/tmp/deployctl-restore-shop__restore_1.dump"));
  CHECK_THAT(s, Catch::EndsWith("echo restored=shop__restore_1\n"));
  spec.format = "plain";
  CHECK_THAT(BuildRestoreScript(spec),
             Catch::Contains("psql -X -q -v ON_ERROR_STOP=1 -U app -d shop__restore_1 -f "
                             "/tmp/deployctl-restore-shop__restore_1.dump </dev/null"));
}

TEST_CASE("replaced databases are recognised by name", "[db_restore]") {
  CHECK(ReplacedDatabaseStamp("shop", "shop__before_1800000000") == 1800000000);
  CHECK_FALSE(ReplacedDatabaseStamp("shop", "shop__before_"));
  CHECK_FALSE(ReplacedDatabaseStamp("shop", "shop__before_12x"));
  CHECK_FALSE(ReplacedDatabaseStamp("shop", "shopx__before_1"));
  CHECK_FALSE(ReplacedDatabaseStamp("shop", "shop__restore_1"));
  CHECK(FailedDatabaseName("shop", 7) == "shop__failed_7");
}

TEST_CASE("row counts are compared table by table", "[db_restore]") {
  CHECK(CompareRowCounts({{"public.a", 3}, {"public.b", 0}}, {{"public.a", 3}, {"public.b", 0}})
            .empty());
  CHECK(CompareRowCounts({{"public.a", 3}, {"public.b", 1}}, {{"public.a", 2}, {"public.c", 5}}) ==
        Strings{"public.a: 3 rows in the backup, 2 restored",
                "public.b: 1 rows in the backup, table missing after the restore",
                "public.c: not in the backup's manifest, 5 rows restored"});
}
